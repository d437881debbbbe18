import { useState, type FormEvent } from 'react';
import { ADD_INCIDENT_NOTE, type TimelineEntry } from '../api/incidents.js';
import { gql } from '../lib/graphql.js';
import { formatDateTime, humanize } from '../ui/format.js';
import { ErrorNote, Panel } from '../ui/Panel.js';
import { Requires } from '../ui/Requires.js';

/** "user:…" → "a user", "playbook-run:…" → "a playbook run"; names resolve in the audit log. */
function actorLabel(actor: string): string {
  const [kind] = actor.split(':');
  if (kind === 'system') return actor.slice('system:'.length) || 'system';
  return humanize((kind ?? actor).replaceAll('-', '_')).toLowerCase();
}

/** What happened, oldest first: alerts, status changes, assignments, notes, containment, playbooks. */
export function IncidentTimeline({ incidentId, entries, actors, onDone }: { incidentId: string; entries: TimelineEntry[]; actors: Map<string, string>; onDone: () => Promise<void> }) {
  const [text, setText] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function add(e: FormEvent) {
    e.preventDefault();
    if (!text.trim()) return;
    setBusy(true);
    setError(null);
    try {
      await gql(ADD_INCIDENT_NOTE, { id: incidentId, text: text.trim() });
      setText('');
      await onDone();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Panel title="Timeline">
      <ol className="timeline" aria-label="Timeline entries">
        {entries.map((e, i) => (
          <li key={`${e.at}-${i}`} className={`tl-${e.type.toLowerCase()}`}>
            <span className="tl-type">{humanize(e.type)}</span>
            <span className="tl-summary">{e.summary}</span>
            <span className="muted small">
              {formatDateTime(e.at)} · {actors.get(e.actor) ?? actorLabel(e.actor)}
            </span>
          </li>
        ))}
      </ol>
      <Requires role="RESPONDER" explain>
        <form onSubmit={add} className="note-form">
          <label htmlFor="note-text">Add a note</label>
          <textarea id="note-text" rows={2} value={text} onChange={(e) => setText(e.target.value)} placeholder="What you found or did" />
          <button type="submit" disabled={busy || !text.trim()}>
            Add note
          </button>
        </form>
      </Requires>
      <ErrorNote error={error} />
    </Panel>
  );
}
