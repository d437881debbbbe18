import { useState, type FormEvent } from 'react';
import type { AuditFilterInput } from '../api/audit.js';
import { AuditTable } from './AuditTable.js';

const TARGET_TYPES = ['Device', 'Site', 'Segment', 'DeviceModel', 'User', 'ApiKey'];

/** The audit log for admins: search by action, actor, target and time. */
export function AuditPage() {
  const [draft, setDraft] = useState({ action: '', actor: '', targetType: '', targetId: '', after: '', before: '' });
  const [filter, setFilter] = useState<AuditFilterInput>({});

  function apply(e: FormEvent) {
    e.preventDefault();
    const f: AuditFilterInput = {};
    if (draft.action.trim()) f.actionPrefix = draft.action.trim();
    if (draft.actor.trim()) f.actorName = draft.actor.trim();
    if (draft.targetType) f.targetType = draft.targetType;
    if (draft.targetId.trim()) f.targetId = draft.targetId.trim();
    if (draft.after) f.after = new Date(draft.after).toISOString();
    if (draft.before) f.before = new Date(draft.before).toISOString();
    setFilter(f);
  }

  const field = (key: keyof typeof draft) => ({ value: draft[key], onChange: (e: { target: { value: string } }) => setDraft({ ...draft, [key]: e.target.value }) });

  return (
    <>
      <div className="page-head">
        <h1>Audit log</h1>
        <span className="muted">Every change made through Warden: who, what, to which target, when and from where.</span>
      </div>
      <section className="panel" aria-label="Audit log">
        <form className="filters" role="search" aria-label="Audit filters" onSubmit={apply} style={{ marginBottom: '0.75rem' }}>
          <div className="field">
            <label htmlFor="a-action">Action starts with</label>
            <input id="a-action" placeholder="device." {...field('action')} />
          </div>
          <div className="field">
            <label htmlFor="a-actor">Actor</label>
            <input id="a-actor" placeholder="name or key" {...field('actor')} />
          </div>
          <div className="field">
            <label htmlFor="a-target-type">Target type</label>
            <select id="a-target-type" {...field('targetType')}>
              <option value="">Any</option>
              {TARGET_TYPES.map((t) => (
                <option key={t}>{t}</option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="a-target-id">Target id</label>
            <input id="a-target-id" {...field('targetId')} />
          </div>
          <div className="field">
            <label htmlFor="a-after">From</label>
            <input id="a-after" type="datetime-local" {...field('after')} />
          </div>
          <div className="field">
            <label htmlFor="a-before">Until</label>
            <input id="a-before" type="datetime-local" {...field('before')} />
          </div>
          <button type="submit" className="primary">
            Search
          </button>
        </form>
        <AuditTable filter={filter} />
      </section>
    </>
  );
}
