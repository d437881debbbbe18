import { useState } from 'react';
import { ROTATE_CREDENTIALS, type DeviceDetail, type RotateResult } from '../api/fleet.js';
import { gql } from '../lib/graphql.js';
import { ConfirmButton } from '../ui/ConfirmButton.js';
import { formatAgo, formatDateTime } from '../ui/format.js';
import { Panel } from '../ui/Panel.js';
import { Requires } from '../ui/Requires.js';

const ISSUE = /* GraphQL */ `
  mutation ConsoleIssueCredential($deviceId: ID!) {
    issueDeviceCredential(deviceId: $deviceId) {
      prefix
      token
    }
  }
`;
const REVOKE = /* GraphQL */ `
  mutation ConsoleRevokeCredentials($deviceIds: [ID!]!, $reason: String!) {
    revokeDeviceCredentials(deviceIds: $deviceIds, reason: $reason) {
      requestId
    }
  }
`;

/** The device's tokens (metadata only); operators issue, responders rotate or revoke. */
export function DeviceCredentials({ device, onChanged }: { device: DeviceDetail; onChanged: () => Promise<void> }) {
  const [shown, setShown] = useState<string | null>(null);
  const active = device.credentials.filter((c) => c.active).length;
  const retired = device.status === 'RETIRED';

  return (
    <Panel
      title="Device credentials"
      actions={
        !retired && (
          <>
            <Requires role="OPERATOR">
              <ConfirmButton
                label="Issue token"
                title="Issue a new device token?"
                action={async () => {
                  const r = await gql<{ issueDeviceCredential: { token: string } }>(ISSUE, { deviceId: device.id });
                  setShown(r.issueDeviceCredential.token);
                  await onChanged();
                }}
              >
                <p>The device keeps its current tokens; the new one is shown once.</p>
              </ConfirmButton>
            </Requires>
            <Requires role="RESPONDER">
              <ConfirmButton
                label="Rotate tokens"
                title="Rotate this device's tokens?"
                danger
                action={async () => {
                  const r = await gql<RotateResult>(ROTATE_CREDENTIALS, { deviceIds: [device.id], reason: 'rotated from the device page' });
                  setShown(r.rotateDeviceCredentials.credentials[0]?.token ?? null);
                  await onChanged();
                }}
              >
                <p>Every current token stops working now and a new one is issued (shown once). The device must be given the new token.</p>
              </ConfirmButton>
              <ConfirmButton
                label="Revoke all tokens"
                title="Revoke every token of this device?"
                danger
                action={async () => {
                  await gql(REVOKE, { deviceIds: [device.id], reason: 'revoked from the device page' });
                  setShown(null);
                  await onChanged();
                }}
              >
                <p>The device can no longer talk to Warden until a token is issued again.</p>
              </ConfirmButton>
            </Requires>
          </>
        )
      }
    >
      {shown && (
        <div role="status">
          <p>
            <strong>New token — copy it now; it cannot be shown again:</strong>
          </p>
          <p className="secret" data-testid="issued-token">
            {shown}
          </p>
          <button type="button" onClick={() => setShown(null)}>
            I have stored it
          </button>
        </div>
      )}
      <p className="muted small">
        {active} active token{active === 1 ? '' : 's'}
      </p>
      {device.credentials.length > 0 && (
        <table className="data" aria-label="Device tokens">
          <thead>
            <tr>
              <th scope="col">Prefix</th>
              <th scope="col">Issued</th>
              <th scope="col">By</th>
              <th scope="col">Last used</th>
              <th scope="col">State</th>
            </tr>
          </thead>
          <tbody>
            {device.credentials.map((c) => (
              <tr key={c.id}>
                <td>
                  <code>{c.prefix}…</code>
                </td>
                <td>{formatDateTime(c.createdAt)}</td>
                <td>{c.createdBy ?? '—'}</td>
                <td>{formatAgo(c.lastUsedAt)}</td>
                <td>{c.active ? 'active' : c.revokedAt ? `revoked ${formatAgo(c.revokedAt)}` : 'expired'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Panel>
  );
}
