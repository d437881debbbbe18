import { SelectField } from '../ui/Field.js';

const EXPIRIES = [
  { value: '', label: 'Until released' },
  { value: '3600', label: '1 hour' },
  { value: '14400', label: '4 hours' },
  { value: '86400', label: '24 hours' },
  { value: '604800', label: '7 days' },
];

export interface ContainmentDraft {
  reason: string;
  /** Seconds, or '' for no expiry. */
  expiry: string;
}

export const emptyDraft = (reason = ''): ContainmentDraft => ({ reason, expiry: '' });

/** The inputs every containment asks for: why (required, it goes to the audit log and the connectors) and for how long. */
export function ContainmentFields({ id, draft, onChange, expiry = true }: { id: string; draft: ContainmentDraft; onChange: (d: ContainmentDraft) => void; expiry?: boolean }) {
  return (
    <div className="form-grid" style={{ marginTop: '0.75rem' }}>
      <div className="field" style={{ gridColumn: expiry ? undefined : '1 / -1' }}>
        <label htmlFor={`${id}-reason`}>Reason</label>
        <input id={`${id}-reason`} required value={draft.reason} onChange={(e) => onChange({ ...draft, reason: e.target.value })} placeholder="Why (audit log, timeline, connectors)" />
      </div>
      {expiry && <SelectField id={`${id}-expiry`} label="Release automatically" value={draft.expiry} onChange={(v) => onChange({ ...draft, expiry: v })} options={EXPIRIES} />}
    </div>
  );
}

export const expiresInSeconds = (d: ContainmentDraft): number | null => (d.expiry ? Number(d.expiry) : null);
