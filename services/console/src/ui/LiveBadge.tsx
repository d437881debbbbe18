import type { LiveStatus } from '../lib/live.js';

const TEXT: Record<LiveStatus, string> = { connecting: 'Connecting…', live: 'Live', down: 'Reconnecting…' };
const HELP: Record<LiveStatus, string> = {
  connecting: 'Opening the live connection',
  live: 'Changes appear here as they happen',
  down: 'The live connection dropped; retrying. What changed meanwhile is fetched when it is back.',
};

/** Whether a page is receiving live updates. */
export function LiveBadge({ status }: { status: LiveStatus }) {
  return (
    <span className={`live live-${status}`} title={HELP[status]} data-testid="live-status">
      <span aria-hidden="true" className="live-dot" />
      {TEXT[status]}
    </span>
  );
}
