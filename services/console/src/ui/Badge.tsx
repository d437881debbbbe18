import type { ReactNode } from 'react';

/** Badge colours, named after the device statuses that first used them. */
export type Tone = 'active' | 'quarantined' | 'provisioning' | 'retired' | 'critical' | 'neutral';

/** A small coloured label for a status or a severity. */
export function Badge({ tone, children, title }: { tone: Tone; children: ReactNode; title?: string }) {
  return (
    <span className={tone === 'neutral' ? 'status' : `status status-${tone}`} title={title}>
      {children}
    </span>
  );
}
