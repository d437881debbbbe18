import type { ReactNode } from 'react';
import type { PlannedStep, RunStep } from '../api/playbooks.js';
import { Badge, type Tone } from '../ui/Badge.js';
import { formatCount, formatDateTime, humanize } from '../ui/format.js';

/** 90_000 → "1.5 min", 14_400_000 → "4 h". */
export function formatDuration(ms: number | null | undefined): string {
  if (!ms) return '—';
  const s = ms / 1000;
  const fmt = (n: number) => String(Math.round(n * 10) / 10);
  if (s < 120) return `${fmt(s)} s`;
  if (s < 7200) return `${fmt(s / 60)} min`;
  if (s < 172_800) return `${fmt(s / 3600)} h`;
  return `${fmt(s / 86_400)} d`;
}

const EXCLUDED: Record<string, string> = { FAIL_SAFE: 'fail-safe, needs an explicit override', NOT_OTA_CAPABLE: 'cannot be updated over the air' };

/** Exactly what a step would act on, in words and names. */
export function StepTouches({ step }: { step: PlannedStep }) {
  const t = step.touches;
  const parts: ReactNode[] = [];
  if (t.deviceCount > 0) {
    const more = t.deviceCount - t.devices.length;
    parts.push(
      <span key="devices">
        {formatCount(t.deviceCount)} device{t.deviceCount === 1 ? '' : 's'}: {t.devices.map((d) => d.name).join(', ')}
        {more > 0 ? ` and ${formatCount(more)} more` : ''}
      </span>,
    );
  }
  if (t.segments.length) parts.push(<span key="segments">segment{t.segments.length === 1 ? '' : 's'} {t.segments.map((s) => s.name).join(', ')}</span>);
  if (t.destinations.length) parts.push(<span key="destinations">destination{t.destinations.length === 1 ? '' : 's'} {t.destinations.join(', ')}</span>);
  if (t.webhook) {
    parts.push(
      <span key="webhook">
        {t.webhook.url ? `POST to ${t.webhook.url}` : `event ${t.webhook.event} to ${t.webhook.subscribers.length ? t.webhook.subscribers.join(', ') : 'no subscriber yet'}`}
      </span>,
    );
  }
  if (t.wait) parts.push(<span key="wait">{t.wait.durationMs ? `waits ${formatDuration(t.wait.durationMs)}` : `waits for a condition (at most ${formatDuration(t.wait.timeoutMs)})`}</span>);
  if (t.approval) {
    parts.push(
      <span key="approval">
        waits for {humanize(t.approval.role).toLowerCase()} approval: “{t.approval.message}” (times out after {formatDuration(t.approval.timeoutMs)})
      </span>,
    );
  }
  const excluded = new Map<string, number>();
  for (const e of step.excluded) excluded.set(e.reason, (excluded.get(e.reason) ?? 0) + 1);
  return (
    <>
      {parts.length ? parts.reduce<ReactNode[]>((acc, p, i) => (i ? [...acc, '; ', p] : [p]), []) : <span className="muted">nothing</span>}
      {[...excluded].map(([reason, n]) => (
        <span key={reason} className="warn-text small">
          {' '}
          · leaves {formatCount(n)} alone ({EXCLUDED[reason] ?? humanize(reason).toLowerCase()})
        </span>
      ))}
    </>
  );
}

const STEP_TONE: Record<string, Tone> = {
  RUN: 'active',
  SKIP: 'retired',
  PENDING: 'neutral',
  RUNNING: 'provisioning',
  WAITING: 'provisioning',
  AWAITING_APPROVAL: 'quarantined',
  SUCCEEDED: 'active',
  SKIPPED: 'retired',
  FAILED: 'critical',
};

/** A plan's (or a run's) steps in order, each with what it touches and its decision or status. */
export function PlanSteps({ steps, label, actions }: { steps: (PlannedStep | RunStep)[]; label: string; actions?: (step: RunStep) => ReactNode }) {
  return (
    <ol className="plan-steps" aria-label={label}>
      {steps.map((s) => {
        const plan = 'plan' in s ? s.plan : s;
        const run = 'plan' in s ? s : null;
        const state = run ? run.status : plan.decision;
        return (
          <li key={s.index} data-testid={`step-${s.id}`}>
            <div className="plan-step-head">
              <strong>{s.id}</strong> <span className="muted small">{humanize(s.type.toUpperCase())}</span>
              <Badge tone={STEP_TONE[state] ?? 'neutral'}>{run ? humanize(state) : state === 'RUN' ? 'Will run' : 'Will be skipped'}</Badge>
              {run && actions?.(run)}
            </div>
            <div className="small">
              {plan.decision === 'SKIP' && plan.skipReason ? <span className="muted">Skipped: {plan.skipReason}</span> : <StepTouches step={plan} />}
            </div>
            {run && (run.summary || run.error || run.startedAt) && (
              <div className="small muted">
                {run.summary && <span>{run.summary}</span>}
                {run.error && <span className="error-text"> {run.error}</span>}
                {run.decidedBy && <span> · decided by {run.decidedBy}</span>}
                {run.startedAt && <span> · started {formatDateTime(run.startedAt)}</span>}
                {run.attempts > 1 && <span> · attempt {run.attempts}</span>}
              </div>
            )}
          </li>
        );
      })}
    </ol>
  );
}
