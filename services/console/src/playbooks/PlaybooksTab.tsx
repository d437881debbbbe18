import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import {
  APPROVE_PLAYBOOK_STEP,
  CANCEL_PLAYBOOK_RUN,
  DRY_RUN_PLAYBOOK,
  FINISHED_RUN,
  INCIDENT_PLAYBOOK_RUNS,
  PLAYBOOK_RUN_CHANGED,
  PLAYBOOKS,
  RUN_PLAYBOOK,
  type DryRunResult,
  type PlaybookRun,
  type PlaybookRunChangedEvent,
  type PlaybookRunsResult,
  type PlaybooksResult,
  type RunStep,
} from '../api/playbooks.js';
import { useAuth } from '../auth/AuthContext.js';
import { gql } from '../lib/graphql.js';
import { useSubscription } from '../lib/live.js';
import { roleAtLeast, roleReason, type Role } from '../lib/roles.js';
import { Badge, type Tone } from '../ui/Badge.js';
import { ConfirmButton } from '../ui/ConfirmButton.js';
import { SelectField } from '../ui/Field.js';
import { formatCount, formatDateTime, humanize } from '../ui/format.js';
import { ErrorNote, Loading, Panel } from '../ui/Panel.js';
import { PlanSteps } from './PlanSteps.js';

const RUN_TONE: Record<PlaybookRun['status'], Tone> = {
  RUNNING: 'provisioning',
  WAITING: 'provisioning',
  AWAITING_APPROVAL: 'quarantined',
  SUCCEEDED: 'active',
  FAILED: 'critical',
  CANCELED: 'retired',
};

/** Approve or reject a step waiting for approval; a rejection needs a reason and fails the run. */
function ApprovalButtons({ run, step, onDone }: { run: PlaybookRun; step: RunStep; onDone: () => Promise<void> }) {
  const { user } = useAuth();
  const [reason, setReason] = useState('');
  const needed = (step.plan.touches.approval?.role ?? 'RESPONDER') as Role;
  if (step.status !== 'AWAITING_APPROVAL') return null;
  if (!roleAtLeast(user?.role, needed)) return <span className="muted small">{roleReason(user?.role, needed)} to approve</span>;
  const decide = (decision: 'APPROVE' | 'REJECT') => async () => {
    await gql(APPROVE_PLAYBOOK_STEP, { runId: run.id, stepId: step.id, decision, reason: reason.trim() || null });
    await onDone();
  };
  const id = `reject-${run.id}-${step.id}`;
  return (
    <span className="inline-actions">
      <ConfirmButton label="Approve" accessibleLabel={`Approve ${step.id}`} title={`Approve step ${step.id}?`} action={decide('APPROVE')}>
        <p>{step.plan.touches.approval?.message}</p>
        <p className="small">The run goes on with the next steps as planned.</p>
      </ConfirmButton>
      <ConfirmButton label="Reject" accessibleLabel={`Reject ${step.id}`} title={`Reject step ${step.id}?`} danger confirmDisabled={!reason.trim()} onOpen={() => setReason('')} action={decide('REJECT')}>
        <p>The run fails here; no later step runs.</p>
        <div className="field">
          <label htmlFor={id}>Reason</label>
          <input id={id} value={reason} onChange={(e) => setReason(e.target.value)} />
        </div>
      </ConfirmButton>
    </span>
  );
}

function RunCard({ run, onDone }: { run: PlaybookRun; onDone: () => Promise<void> }) {
  const { can } = useAuth();
  const finished = FINISHED_RUN.includes(run.status);
  return (
    <article className="run-card" aria-label={`Run of ${run.playbookName}`} data-testid={`run-${run.id}`}>
      <header>
        <strong>{run.playbookName}</strong>
        <span className="muted small">v{run.playbookVersion}</span>
        <Badge tone={RUN_TONE[run.status]}>{humanize(run.status)}</Badge>
        {run.dryRun && <Badge tone="neutral">Dry run</Badge>}
        <span className="muted small">
          {run.trigger === 'AUTO' ? 'started by the incident' : `started by ${run.actorName}`}, {formatDateTime(run.createdAt)}
          {run.finishedAt && `; finished ${formatDateTime(run.finishedAt)}`}
        </span>
        {!finished && can('RESPONDER') && (
          <span style={{ marginLeft: 'auto' }}>
            <ConfirmButton
              label="Cancel run"
              accessibleLabel={`Cancel the run of ${run.playbookName}`}
              title={`Cancel the run of ${run.playbookName}?`}
              danger
              action={async () => {
                await gql(CANCEL_PLAYBOOK_RUN, { runId: run.id, reason: null });
                await onDone();
              }}
            >
              <p>No further step starts. What the run already did stays in force (release containments on the Contain tab).</p>
            </ConfirmButton>
          </span>
        )}
      </header>
      <PlanSteps label={`Steps of the ${run.playbookName} run`} steps={run.steps} actions={(step) => <ApprovalButtons run={run} step={step} onDone={onDone} />} />
    </article>
  );
}

/**
 * Playbooks on an incident: choose one, see exactly what each step would touch (a dry run, which
 * changes nothing), then run it; runs follow live, and steps waiting for approval are decided here.
 */
export function PlaybooksTab({ incidentId, onDone }: { incidentId: string; onDone: () => Promise<void> }) {
  const { user, can } = useAuth();
  const queryClient = useQueryClient();
  const playbooks = useQuery({ queryKey: ['playbooks'], queryFn: ({ signal }) => gql<PlaybooksResult>(PLAYBOOKS, {}, { signal }), staleTime: 60_000 });
  const runs = useQuery({ queryKey: ['playbookRuns', incidentId], queryFn: ({ signal }) => gql<PlaybookRunsResult>(INCIDENT_PLAYBOOK_RUNS, { incidentId }, { signal }) });
  const [chosen, setChosen] = useState('');
  const playbookId = chosen || playbooks.data?.playbooks[0]?.id || '';
  const [previewFor, setPreviewFor] = useState<string | null>(null);
  const preview = useQuery({
    queryKey: ['dryRunPlaybook', incidentId, previewFor],
    queryFn: ({ signal }) => gql<DryRunResult>(DRY_RUN_PLAYBOOK, { incidentId, playbookId: previewFor }, { signal }),
    enabled: !!previewFor,
    staleTime: 0,
  });
  const refresh = async () => {
    await queryClient.invalidateQueries({ queryKey: ['playbookRuns', incidentId] });
    await onDone();
  };
  useSubscription<PlaybookRunChangedEvent>(PLAYBOOK_RUN_CHANGED, {
    variables: { incidentId },
    onData: () => void queryClient.invalidateQueries({ queryKey: ['playbookRuns', incidentId] }),
    onResume: () => void queryClient.invalidateQueries({ queryKey: ['playbookRuns', incidentId] }),
  });

  const list = playbooks.data?.playbooks ?? [];
  const selected = list.find((p) => p.id === playbookId);
  const plan = previewFor === playbookId ? preview.data?.dryRunPlaybook : undefined;

  return (
    <>
      <Panel title="Run a playbook">
        {!can('RESPONDER') ? (
          <p className="muted small role-note">{roleReason(user?.role, 'RESPONDER')} to preview or run playbooks.</p>
        ) : playbooks.isPending ? (
          <Loading label="Loading playbooks…" />
        ) : list.length === 0 ? (
          <p className="muted small">No playbook is enabled. Admins add them through the API.</p>
        ) : (
          <>
            <div className="filters">
              <SelectField
                id="playbook"
                label="Playbook"
                value={playbookId}
                onChange={(v) => {
                  setChosen(v);
                  setPreviewFor(null);
                }}
                options={list.map((p) => ({ value: p.id, label: `${p.title ?? p.name} (${p.stepCount} steps${p.autoTrigger ? ', starts by itself' : ''})` }))}
              />
              <button type="button" onClick={() => setPreviewFor(playbookId)} disabled={!playbookId}>
                Preview (dry run)
              </button>
            </div>
            {selected?.description && <p className="small muted">{selected.description}</p>}
            <ErrorNote error={preview.error} />
            {preview.isFetching && <Loading label="Planning…" />}
            {plan && (
              <section aria-label="Dry run" data-testid="dry-run">
                <p className="small">
                  {plan.applies ? 'If it ran now, it would touch' : 'Its condition does not hold for this incident: every step would be skipped. It would touch'}{' '}
                  <strong>
                    {formatCount(plan.totals.devices)} devices, {formatCount(plan.totals.segments)} segments and {formatCount(plan.totals.destinations)} destinations
                  </strong>
                  . Nothing has changed yet.
                </p>
                <PlanSteps label="Planned steps" steps={plan.steps} />
                <div className="form-actions">
                  <ConfirmButton
                    label={`Run ${plan.playbook}`}
                    title={`Run ${plan.playbook} on this incident?`}
                    danger
                    action={async () => {
                      await gql(RUN_PLAYBOOK, { playbookId, incidentId });
                      setPreviewFor(null);
                      await refresh();
                    }}
                  >
                    <p>
                      Runs the {plan.steps.filter((s) => s.decision === 'RUN').length} steps previewed, touching {formatCount(plan.totals.devices)} devices,{' '}
                      {formatCount(plan.totals.segments)} segments and {formatCount(plan.totals.destinations)} destinations. Each step is written to the incident’s
                      timeline; steps that need approval wait for it.
                    </p>
                  </ConfirmButton>
                </div>
              </section>
            )}
          </>
        )}
      </Panel>
      <Panel title="Runs">
        {runs.isPending ? (
          <Loading label="Loading runs…" />
        ) : runs.error ? (
          <ErrorNote error={runs.error} />
        ) : runs.data.playbookRuns.length === 0 ? (
          <p className="muted small">No playbook has run on this incident.</p>
        ) : (
          runs.data.playbookRuns.map((r) => <RunCard key={r.id} run={r} onDone={refresh} />)
        )}
      </Panel>
    </>
  );
}
