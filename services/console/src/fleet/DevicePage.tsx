import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Fragment, useState } from 'react';
import { Link } from 'wouter';
import { DEVICE, RETIRE_DEVICE, type DeviceResult } from '../api/fleet.js';
import { AuditTable } from '../audit/AuditTable.js';
import { useAuth } from '../auth/AuthContext.js';
import { gql } from '../lib/graphql.js';
import { ConfirmButton } from '../ui/ConfirmButton.js';
import { formatAgo, formatDateTime, humanize } from '../ui/format.js';
import { ErrorNote, Loading, Panel } from '../ui/Panel.js';
import { Requires } from '../ui/Requires.js';
import { DeviceContacts } from '../telemetry/DeviceContacts.js';
import { DeviceTelemetry } from '../telemetry/DeviceTelemetry.js';
import { DeviceUpdateHistory } from '../rollouts/DeviceUpdateHistory.js';
import { DeviceCredentials } from './DeviceCredentials.js';
import { DeviceEditForm } from './DeviceEditForm.js';
import { DevicePlacement } from './DevicePlacement.js';

export function DevicePage({ id }: { id: string }) {
  const { can } = useAuth();
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState(false);
  const query = useQuery({
    queryKey: ['device', id],
    queryFn: ({ signal }) => gql<DeviceResult>(DEVICE, { id }, { signal }),
    refetchInterval: 15_000,
  });

  const refresh = async () => {
    await queryClient.invalidateQueries({ queryKey: ['device', id] });
    await queryClient.invalidateQueries({ queryKey: ['devices'] });
    await queryClient.invalidateQueries({ queryKey: ['fleetSummary'] });
    await queryClient.invalidateQueries({ queryKey: ['auditLog'] });
  };

  if (query.isPending) return <Loading label="Loading the device…" />;
  if (query.error) return <ErrorNote error={query.error} />;
  const d = query.data.device;
  if (!d) {
    return (
      <>
        <h1>Device not found</h1>
        <p>
          No device has the id <code>{id}</code>. <Link href="/">Back to the fleet</Link>
        </p>
      </>
    );
  }
  const retired = d.status === 'RETIRED';

  return (
    <>
      <p className="small">
        <Link href="/">← Fleet</Link>
      </p>
      <div className="page-head">
        <h1>{d.name}</h1>
        <span className={`status status-${d.status.toLowerCase()}`}>{humanize(d.status)}</span>
        <span className="muted">
          {humanize(d.kind)} · serial <code>{d.serial}</code>
        </span>
        <div className="actions">
          {!retired && (
            <Requires role="OPERATOR">
              <button type="button" onClick={() => setEditing(!editing)} aria-expanded={editing}>
                {editing ? 'Close editor' : 'Edit device'}
              </button>
              <ConfirmButton
                label="Retire device"
                title={`Retire ${d.name}?`}
                danger
                action={async () => {
                  await gql(RETIRE_DEVICE, { id: d.id, reason: 'retired from the console' });
                  await refresh();
                }}
              >
                <p>
                  A retired device stays in the registry and the audit log but cannot talk to Warden or be updated. This cannot be undone from the console.
                </p>
              </ConfirmButton>
            </Requires>
          )}
        </div>
      </div>
      {!can('OPERATOR') && <p className="muted small">You have read-only access (viewer). Changes to devices need the OPERATOR role.</p>}

      {editing && (
        <DeviceEditForm
          device={d}
          onDone={async (saved) => {
            if (saved) await refresh();
            setEditing(false);
          }}
        />
      )}

      <div className="grid-2">
        <Panel title="State">
          <dl className="facts">
            <dt>Status</dt>
            <dd>{humanize(d.status)}</dd>
            <dt>Last seen</dt>
            <dd title={formatDateTime(d.lastSeenAt)}>{formatAgo(d.lastSeenAt)}</dd>
            <dt>Firmware</dt>
            <dd>{d.firmwareVersion ?? 'unknown'}</dd>
            <dt>Model</dt>
            <dd>
              {d.model.vendor} {d.model.name} ({d.model.otaCapable ? 'updatable over the air' : <strong>cannot be updated over the air</strong>})
            </dd>
            <dt>Criticality</dt>
            <dd>{humanize(d.criticality)}</dd>
            <dt>IP / MAC</dt>
            <dd>
              {d.ip ?? '—'} / {d.mac ?? '—'}
            </dd>
            <dt>Location</dt>
            <dd>{d.location ?? '—'}</dd>
            <dt>Owner</dt>
            <dd>{d.owner ?? '—'}</dd>
            <dt>Controller id</dt>
            <dd>
              <code>{d.controllerId}</code>
            </dd>
            <dt>Registered</dt>
            <dd>{formatDateTime(d.createdAt)}</dd>
            {d.retiredAt && (
              <>
                <dt>Retired</dt>
                <dd>{formatDateTime(d.retiredAt)}</dd>
              </>
            )}
          </dl>
        </Panel>
        <div>
          <DevicePlacement device={d} onChanged={refresh} />
          <Panel title="Attributes">
            {Object.keys(d.attributes ?? {}).length === 0 ? (
              <p className="muted small">None</p>
            ) : (
              <dl className="facts">
                {Object.entries(d.attributes).map(([k, v]) => (
                  <Fragment key={k}>
                    <dt>{k}</dt>
                    <dd>{typeof v === 'string' ? v : JSON.stringify(v)}</dd>
                  </Fragment>
                ))}
              </dl>
            )}
          </Panel>
        </div>
      </div>

      <DeviceTelemetry deviceId={d.id} />
      <DeviceContacts deviceId={d.id} />
      <DeviceUpdateHistory deviceId={d.id} />
      <DeviceCredentials device={d} onChanged={refresh} />

      {can('ADMIN') && (
        <Panel title="History">
          <AuditTable filter={{ targetType: 'Device', targetId: d.id }} compact />
        </Panel>
      )}
    </>
  );
}
