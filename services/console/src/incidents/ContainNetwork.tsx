import { useState } from 'react';
import { BLOCK_DESTINATION, ISOLATE_SEGMENT, type ContainmentResult } from '../api/containment.js';
import type { AlertRow } from '../api/incidents.js';
import { gql } from '../lib/graphql.js';
import { ConfirmButton } from '../ui/ConfirmButton.js';
import { formatCount } from '../ui/format.js';
import { Panel } from '../ui/Panel.js';
import { ContainmentFields, emptyDraft, expiresInSeconds, type ContainmentDraft } from './ContainmentFields.js';
import { ContainmentOutcome } from './ContainmentOutcome.js';

/** Destinations the incident's alerts name (threat-intel hits, a device kind talking where it never should). */
export function alertDestinations(alerts: readonly AlertRow[]): string[] {
  const out = new Set<string>();
  for (const a of alerts) {
    const e = a.evidence ?? {};
    if (typeof e.indicator === 'string') out.add(e.indicator);
    if (Array.isArray(e.destinations)) for (const d of e.destinations) if (typeof d === 'string') out.add(d);
  }
  return [...out].sort();
}

/** Network containment for an incident: isolate its segment, block a destination. */
export function ContainNetwork({
  incidentId,
  segment,
  alerts,
  onDone,
}: {
  incidentId: string;
  segment: { id: string; name: string; devices: number } | null;
  alerts: readonly AlertRow[];
  onDone: () => Promise<void>;
}) {
  const [draft, setDraft] = useState<ContainmentDraft>(emptyDraft());
  const [override, setOverride] = useState(false);
  const suggestions = alertDestinations(alerts);
  const [destination, setDestination] = useState(suggestions[0] ?? '');
  const [outcome, setOutcome] = useState<{ what: string; result: ContainmentResult } | null>(null);
  const open = () => {
    setDraft(emptyDraft(draft.reason));
    setOverride(false);
  };

  async function isolate() {
    const r = await gql<{ isolateSegment: ContainmentResult }>(ISOLATE_SEGMENT, {
      incidentId,
      segmentId: segment!.id,
      reason: draft.reason.trim(),
      expiresIn: expiresInSeconds(draft),
      overrideFailSafe: override,
    });
    setOutcome({ what: `Isolation of ${segment!.name}`, result: r.isolateSegment });
    await onDone();
  }
  async function block() {
    const r = await gql<{ blockDestination: ContainmentResult }>(BLOCK_DESTINATION, {
      incidentId,
      destination: destination.trim(),
      reason: draft.reason.trim(),
      expiresIn: expiresInSeconds(draft),
    });
    setOutcome({ what: `Block of ${destination.trim()}`, result: r.blockDestination });
    await onDone();
  }

  return (
    <Panel title="Network">
      {outcome && <ContainmentOutcome what={outcome.what} result={outcome.result} onDismiss={() => setOutcome(null)} />}
      <div className="contain-row">
        <div>
          <strong>Isolate the segment</strong>
          <p className="muted small">{segment ? `${segment.name}: ${formatCount(segment.devices)} devices` : 'This incident names no segment.'}</p>
        </div>
        {segment && (
          <ConfirmButton
            label={`Isolate ${segment.name}`}
            title={`Isolate segment ${segment.name}?`}
            danger
            confirmDisabled={!draft.reason.trim()}
            onOpen={open}
            action={isolate}
          >
            <p>
              Stops all traffic between <strong>{segment.name}</strong> ({formatCount(segment.devices)} devices) and every other segment. Warden’s management channel
              stays open.
            </p>
            <div className="failsafe" role="group" aria-label="Fail-safe devices">
              <p>Fail-safe devices on it (badge readers, cameras) stay connected unless you override.</p>
              <label className="check">
                <input type="checkbox" checked={override} onChange={(e) => setOverride(e.target.checked)} /> Cut off the fail-safe devices too (override)
              </label>
            </div>
            <ContainmentFields id="isolate" draft={draft} onChange={setDraft} />
          </ConfirmButton>
        )}
      </div>
      <div className="contain-row">
        <div className="field">
          <label htmlFor="block-destination">Block a destination (IP or CIDR)</label>
          <input id="block-destination" list="block-suggestions" value={destination} placeholder="203.0.113.7 or 198.51.100.0/24" onChange={(e) => setDestination(e.target.value)} />
          <datalist id="block-suggestions">
            {suggestions.map((s) => (
              <option key={s} value={s} />
            ))}
          </datalist>
          {suggestions.length > 0 && <span className="muted small">From the alerts: {suggestions.join(', ')}</span>}
        </div>
        <ConfirmButton
          label="Block destination"
          title={`Block ${destination.trim() || 'a destination'}?`}
          danger
          disabled={!destination.trim()}
          disabledReason="Enter an IP address or CIDR first"
          confirmDisabled={!draft.reason.trim()}
          onOpen={open}
          action={block}
        >
          <p>
            Drops traffic from the whole fleet to <strong>{destination.trim()}</strong>.
          </p>
          <ContainmentFields id="block" draft={draft} onChange={setDraft} />
        </ConfirmButton>
      </div>
    </Panel>
  );
}
