import { randomUUID } from 'node:crypto';
import type { Containment, Prisma } from '@warden/db';
import { containmentTargetKey } from '@warden/contracts/incidents';
import { requireRole, type Actor } from '../auth/roles.js';
import { generateSecret, hashSecret, secretPrefix, SECRET_PREFIX } from '../auth/secrets.js';
import { now } from '../context.js';
import { NotFoundError } from '../errors.js';
import type { IssuedCredential } from '../fleet/credentials.js';
import type { IncidentLiveEvent } from '../incidents/live.js';
import { afterCommit } from './after-commit.js';
import type { ContainmentDeps } from './deps.js';
import { advanceIncidentIfContained, containmentActorRef, timelineEntry } from './incident-link.js';
import { KIND_VERB, requestSummary, type Skip } from './plan.js';
import { parseRequest, type ContainmentRequest } from './request-input.js';
import { insertAuditRows, insertContainments } from './store.js';
import { managementHosts, planTargets, type DeviceRow } from './targets.js';

export { MAX_CONTAINMENT_DEVICES, MAX_EXPIRY_SECONDS, type ContainmentRequest } from './request-input.js';
export { previewContainment, type ContainmentPreview } from './targets.js';
export { afterCommit } from './after-commit.js';

type Tx = Prisma.TransactionClient;

/** A target left alone, with the reason; `containmentId` is the SKIPPED record of it. */
export type SkippedTarget = Skip & { containmentId: string };

export interface ContainmentResult {
  requestId: string;
  /** The containments in force now (PENDING until the worker delivered them), one per target. */
  containments: Containment[];
  /** Targets left alone and why: fail-safe without override, already contained, retired, no credentials. */
  skipped: SkippedTarget[];
  /** ROTATE_CREDENTIALS: the new tokens, shown this once (never stored; a repeated request returns none). */
  credentials: IssuedCredential[];
  /** The linked incident's status after the request (it moves to CONTAINED once all its devices are). */
  incidentStatus: string | null;
  /** True when `requestKey` matched an earlier request and nothing was done now. */
  replayed: boolean;
}

async function issueFor(deps: ContainmentDeps, tx: Tx, actor: Actor, devices: DeviceRow[]): Promise<IssuedCredential[]> {
  const issued = devices.map((d) => {
    const token = generateSecret(SECRET_PREFIX.device);
    return { id: randomUUID(), deviceId: d.id, controllerId: d.controller_id, prefix: secretPrefix(token), token, expiresAt: null };
  });
  await tx.deviceCredential.createMany({
    data: issued.map((c) => ({ id: c.id, deviceId: c.deviceId, prefix: c.prefix, tokenHash: hashSecret(c.token, deps.config.auth.tokenPepper), createdBy: actor.name })),
  });
  return issued;
}

/** Revokes the active credentials of `deviceIds`; returns the revoked ids per device. */
async function revokeActive(tx: Tx, actor: Actor, deviceIds: string[], at: Date): Promise<Map<string, string[]>> {
  const rows = await tx.$queryRaw<{ id: string; device_id: string }[]>`
    UPDATE device_credentials SET revoked_at = ${at}, revoked_by = ${actor.name}
    WHERE device_id = ANY(${deviceIds}::uuid[]) AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ${at})
    RETURNING id::text, device_id::text`;
  const out = new Map<string, string[]>();
  for (const r of rows) out.set(r.device_id, [...(out.get(r.device_id) ?? []), r.id]);
  return out;
}

/**
 * Records and applies a containment request (RESPONDER), all in one transaction with its audit
 * rows and incident timeline entry:
 * - QUARANTINE_DEVICES: each device's status becomes QUARANTINED (release restores the one it had);
 * - ISOLATE_SEGMENT: the segment is cut off from the others, its fail-safe devices exempt unless overridden;
 * - BLOCK_DESTINATION: traffic from the fleet to an IP/CIDR is dropped;
 * - ROTATE_CREDENTIALS: each device's tokens are revoked and a new one issued (returned once);
 * - REVOKE_CREDENTIALS: each device's tokens are revoked.
 * One containment per target, PENDING until the worker has delivered it to enforcement
 * (`warden.containment.v1`, the device's retained MQTT state); credential and status changes are in
 * force in Warden as soon as this returns (gateways evict their caches at once). Fail-safe devices
 * are never cut off without `overrideFailSafe`: they come back in `skipped`. When the request names
 * an incident whose devices are all contained now, the incident moves to CONTAINED.
 *
 * Errors: FORBIDDEN below RESPONDER; BAD_USER_INPUT for a bad id, CIDR, reason or expiry;
 * NOT_FOUND for an unknown device, segment or incident.
 */
export async function requestContainment(deps: ContainmentDeps, actor: Actor, input: ContainmentRequest): Promise<ContainmentResult> {
  requireRole(actor, 'RESPONDER');
  const p = parseRequest(input, managementHosts(deps));
  if (p.requestKey) {
    const earlier = await replay(deps, p.requestKey);
    if (earlier) return earlier;
  }
  const actorRef = containmentActorRef(actor);
  const requestId = randomUUID();
  const result = await deps.db.$transaction(
    async (tx) => {
      if (p.requestKey) {
        // A twin of this request (a client's retry racing it) waits here, then replays the first.
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`containment:request-key:${p.requestKey}`}, 0))`;
        if (await tx.containment.findFirst({ where: { requestKey: p.requestKey }, select: { id: true } })) return null;
      }
      if (p.incidentId && !(await tx.incident.findUnique({ where: { id: p.incidentId }, select: { id: true } }))) throw new NotFoundError('incident', p.incidentId);
      const at = now(deps);
      const expiresAt = p.expiresInSeconds ? new Date(at.getTime() + p.expiresInSeconds * 1000) : null;
      const { drafts, devices } = await planTargets(tx, p, true);
      const applying = drafts.filter((d) => d.status === 'PENDING');
      const applyIds = applying.map((d) => d.deviceId!).filter(Boolean);
      let credentials: IssuedCredential[] = [];
      if (p.kind === 'QUARANTINE_DEVICES' && applyIds.length) {
        await tx.device.updateMany({ where: { id: { in: applyIds } }, data: { status: 'QUARANTINED' } });
      } else if ((p.kind === 'ROTATE_CREDENTIALS' || p.kind === 'REVOKE_CREDENTIALS') && applyIds.length) {
        const revoked = await revokeActive(tx, actor, applyIds, at);
        if (p.kind === 'ROTATE_CREDENTIALS') credentials = await issueFor(deps, tx, actor, applyIds.map((id) => devices.get(id)!));
        const issuedBy = new Map(credentials.map((c) => [c.deviceId, c.id]));
        for (const d of applying) {
          const rev = revoked.get(d.deviceId!) ?? [];
          d.touched =
            p.kind === 'ROTATE_CREDENTIALS'
              ? { kind: 'ROTATE_CREDENTIALS', revokedCredentialIds: rev, issuedCredentialIds: [issuedBy.get(d.deviceId!)!] }
              : { kind: 'REVOKE_CREDENTIALS', revokedCredentialIds: rev };
        }
      }
      await insertContainments(
        tx,
        drafts.map((d) => ({
          id: d.id,
          kind: p.kind,
          status: d.status,
          requestId,
          requestKey: p.requestKey,
          targetKey: containmentTargetKey(d),
          deviceId: d.deviceId,
          segmentId: d.segmentId,
          destination: d.destination,
          actor: actorRef,
          actorName: actor.name,
          reason: p.reason,
          incidentId: p.incidentId,
          overrideFailSafe: p.overrideFailSafe,
          expiresAt: d.status === 'PENDING' ? expiresAt : null,
          touched: d.touched,
          skipped: d.skipped,
          // A skipped target has nothing to deliver.
          deliveredVersion: d.status === 'SKIPPED' ? 1 : 0,
          at,
        })),
      );
      await insertAuditRows(
        tx,
        actor,
        drafts.map((d) => ({
          action: KIND_VERB[p.kind].action,
          targetType: 'Containment',
          targetId: d.id,
          summary: {
            requestId,
            target: containmentTargetKey(d),
            status: d.status,
            reason: p.reason,
            incidentId: p.incidentId,
            expiresAt: expiresAt?.toISOString() ?? null,
            overrideFailSafe: p.overrideFailSafe,
            ...(d.skipped.length ? { skipped: d.skipped.slice(0, 50).map((s) => ({ deviceId: s.deviceId, reason: s.reason })) } : {}),
            ...('revokedCredentialIds' in d.touched ? { revokedCredentials: d.touched.revokedCredentialIds.length } : {}),
          },
        })),
        at,
      );
      let incidentStatus: string | null = null;
      const live: IncidentLiveEvent[] = [];
      if (p.incidentId) {
        const skipped = drafts.flatMap((d) => d.skipped);
        await tx.incidentTimelineEntry.create({
          data: timelineEntry(p.incidentId, {
            at: at.getTime(),
            type: 'CONTAINMENT',
            actor: actorRef,
            summary: `${requestSummary(p.kind, applying.map((d) => d.label), skipped)}: ${p.reason}`,
            data: {
              requestId,
              kind: p.kind,
              containmentIds: applying.map((d) => d.id),
              skipped: skipped.slice(0, 100),
              expiresAt: expiresAt?.toISOString() ?? null,
              overrideFailSafe: p.overrideFailSafe,
            },
          }, `containment:${requestId}`),
        });
        const advanced = await advanceIncidentIfContained(tx, actor, p.incidentId, at);
        incidentStatus = advanced.status;
        live.push({ type: 'INCIDENT', incidentId: p.incidentId, change: advanced.moved ? 'STATUS' : 'UPDATED', actor: actorRef });
      }
      const rows = await tx.containment.findMany({ where: { requestId }, orderBy: [{ status: 'asc' }, { id: 'asc' }] });
      return { rows, credentials, incidentStatus, live, expiresAt };
    },
    { timeout: 120_000, maxWait: 10_000 },
  );
  if (!result) return (await replay(deps, p.requestKey!))!;

  const applied = result.rows.filter((r) => r.status === 'PENDING');
  await afterCommit(deps, {
    deliver: applied.map((r) => r.id),
    jobKey: requestId,
    expire: result.expiresAt && applied.length ? { requestId, at: result.expiresAt } : null,
    evict: applied.flatMap((r) => (r.deviceId ? [r.deviceId] : [])),
    live: [...(result.rows.length ? [{ type: 'CONTAINMENT' as const, containmentIds: result.rows.map((r) => r.id), change: 'REQUESTED' as const, actor: actorRef }] : []), ...result.live],
  });
  return toResult(requestId, result.rows, result.credentials, result.incidentStatus, false);
}

function toResult(requestId: string, rows: Containment[], credentials: IssuedCredential[], incidentStatus: string | null, replayed: boolean): ContainmentResult {
  return {
    requestId,
    containments: rows.filter((r) => r.status !== 'SKIPPED'),
    skipped: rows.filter((r) => r.status === 'SKIPPED' || (r.skipped as unknown as Skip[]).length).flatMap((r) => (r.skipped as unknown as Skip[]).map((s) => ({ ...s, containmentId: r.id }))),
    credentials,
    incidentStatus,
    replayed,
  };
}

async function replay(deps: ContainmentDeps, requestKey: string): Promise<ContainmentResult | null> {
  const rows = await deps.db.containment.findMany({ where: { requestKey }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
  if (!rows.length) return null;
  const requestId = rows[0]!.requestId;
  const mine = rows.filter((r) => r.requestId === requestId);
  const incident = mine[0]!.incidentId ? await deps.db.incident.findUnique({ where: { id: mine[0]!.incidentId }, select: { status: true } }) : null;
  return toResult(requestId, mine, [], incident?.status ?? null, true);
}
