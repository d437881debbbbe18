import { useState } from 'react';
import { Link } from 'wouter';
import type { Tier } from '../api/blast-radius.js';
import { START_EMERGENCY_PATCH, type EmergencyPatchResult } from '../api/emergency-patch.js';
import { gql } from '../lib/graphql.js';
import { ConfirmButton } from '../ui/ConfirmButton.js';
import { SelectField } from '../ui/Field.js';
import { formatCount, humanize } from '../ui/format.js';
import { Panel } from '../ui/Panel.js';
import { TIER_HELP } from './BlastRadius.js';

/** Skip reasons counted: "12 not ota capable, 3 not affected". */
function skippedSummary(skipped: EmergencyPatchResult['skipped']): string {
  const counts = new Map<string, number>();
  for (const s of skipped) counts.set(s.reason, (counts.get(s.reason) ?? 0) + 1);
  return [...counts].map(([reason, n]) => `${formatCount(n)} ${humanize(reason).toLowerCase()}`).join(', ');
}

/**
 * Emergency patch from an incident: the fixed firmware for the incident's devices and its blast
 * radius up to a tier, most exposed first, as emergency rollouts (no wait between waves; the
 * thresholds still pause a bad one).
 */
export function EmergencyPatch({ incidentId, incidentDevices, byTier, onDone }: { incidentId: string; incidentDevices: number; byTier: Record<Tier, number> | null; onDone: () => Promise<void> }) {
  const [maxTier, setMaxTier] = useState('3');
  const [approval, setApproval] = useState<'INCIDENT' | 'ADMIN'>('INCIDENT');
  const [result, setResult] = useState<EmergencyPatchResult | null>(null);
  const tiers = ([1, 2, 3, 4] as const).filter((t) => t <= Number(maxTier));
  const reach = incidentDevices + (byTier ? tiers.reduce((n, t) => n + byTier[t], 0) : 0);

  return (
    <Panel title="Emergency patch">
      <p className="small" style={{ marginTop: 0 }}>
        Pushes the release that fixes the incident’s advisories to its devices and to the blast radius, most exposed first. Devices that cannot be updated over the
        air, run unaffected firmware or are busy with another update are left out, with why.
      </p>
      <div className="filters">
        <SelectField
          id="patch-tier"
          label="Patch the blast radius up to"
          value={maxTier}
          onChange={setMaxTier}
          options={([1, 2, 3, 4] as const).map((t) => {
            const upTo = byTier ? ([1, 2, 3, 4] as const).filter((x) => x <= t).reduce((n, x) => n + byTier[x], 0) : null;
            return { value: String(t), label: `${t === 1 ? 'tier 1' : `tiers 1–${t}`}${upTo === null ? '' : ` (${formatCount(upTo)} devices)`}` };
          })}
        />
        <SelectField
          id="patch-approval"
          label="Approval"
          value={approval}
          onChange={(v) => setApproval(v as 'INCIDENT' | 'ADMIN')}
          options={[
            { value: 'INCIDENT', label: 'Mine, under this incident: start now' },
            { value: 'ADMIN', label: 'Wait for an admin to approve' },
          ]}
        />
        <ConfirmButton
          label="Start emergency patch"
          title="Start an emergency patch?"
          action={async () => {
            const r = await gql<{ startEmergencyPatch: EmergencyPatchResult }>(START_EMERGENCY_PATCH, { input: { incidentId, maxTier: Number(maxTier), approval } });
            setResult(r.startEmergencyPatch);
            await onDone();
          }}
        >
          <p>
            Up to <strong>{formatCount(reach)}</strong> devices: the incident’s {formatCount(incidentDevices)}
            {byTier && tiers.map((t) => `, tier ${t} (${formatCount(byTier[t])}, ${TIER_HELP[t]})`).join('')}.
          </p>
          <p>
            {approval === 'INCIDENT'
              ? 'Your approval is recorded under this incident and the rollouts start now, with no wait between waves.'
              : 'The rollouts are created and wait for an admin to approve and start them.'}
          </p>
        </ConfirmButton>
      </div>
      {result && (
        <div className="notice" role="status" data-testid="patch-outcome" style={{ marginTop: '0.75rem' }}>
          <p style={{ margin: 0 }}>
            {result.replayed ? 'Already started: ' : ''}
            {formatCount(result.targetCount)} devices in {result.rollouts.length} emergency rollout{result.rollouts.length === 1 ? '' : 's'}
            {result.advisories.length > 0 && ` closing ${result.advisories.join(', ')}`}
            {result.skipped.length > 0 && `; left out: ${skippedSummary(result.skipped)}`}.
          </p>
          <ul className="small" style={{ margin: '0.3rem 0 0' }}>
            {result.rollouts.map((r) => (
              <li key={r.id}>
                <Link href={`/rollouts/${r.id}`}>{r.name}</Link> — {r.release.model.vendor} {r.release.model.name} → {r.release.version}, {humanize(r.status).toLowerCase()}
              </li>
            ))}
          </ul>
        </div>
      )}
    </Panel>
  );
}
