import type { Actor } from '../auth/roles.js';
import type { ContainmentDeps } from './deps.js';
import { requestContainment, type ContainmentRequest, type ContainmentResult } from './request.js';

type Options = Omit<Extract<ContainmentRequest, { kind: 'QUARANTINE_DEVICES' }>, 'kind' | 'deviceIds'>;

/** Quarantines devices (RESPONDER): see {@link requestContainment}. */
export const quarantineDevices = (deps: ContainmentDeps, actor: Actor, input: Options & { deviceIds: string[] }): Promise<ContainmentResult> =>
  requestContainment(deps, actor, { ...input, kind: 'QUARANTINE_DEVICES' });

/** Isolates a segment from the others, fail-safe devices exempt unless overridden (RESPONDER). */
export const isolateSegment = (deps: ContainmentDeps, actor: Actor, input: Options & { segmentId: string }): Promise<ContainmentResult> =>
  requestContainment(deps, actor, { ...input, kind: 'ISOLATE_SEGMENT' });

/** Blocks traffic from the fleet to an IP or CIDR (RESPONDER). */
export const blockDestination = (deps: ContainmentDeps, actor: Actor, input: Options & { destination: string }): Promise<ContainmentResult> =>
  requestContainment(deps, actor, { ...input, kind: 'BLOCK_DESTINATION' });

/** Revokes the devices' tokens and issues new ones, returned once in `credentials` (RESPONDER). */
export const rotateCredentials = (deps: ContainmentDeps, actor: Actor, input: Omit<Options, 'expiresInSeconds'> & { deviceIds: string[] }): Promise<ContainmentResult> =>
  requestContainment(deps, actor, { ...input, kind: 'ROTATE_CREDENTIALS' });

/** Revokes the devices' tokens at once, optionally for a while (RESPONDER). */
export const revokeCredentials = (deps: ContainmentDeps, actor: Actor, input: Options & { deviceIds: string[] }): Promise<ContainmentResult> =>
  requestContainment(deps, actor, { ...input, kind: 'REVOKE_CREDENTIALS' });
