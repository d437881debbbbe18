import type { Actor } from '../auth/roles.js';
import type { CoreDeps } from '../context.js';
import { createPlaybook } from './definitions.js';

/**
 * The playbooks Warden ships. worm-outbreak is what the demo office runs when the simulator's
 * worm starts scanning: it starts by itself on a HIGH worm incident.
 */
export const WORM_OUTBREAK_PLAYBOOK = `# Contain a worm spreading over an IoT segment.
# Starts by itself when worm-like scanning opens a HIGH (or worse) incident; responders can also run
# it by hand. Quarantined devices keep their management channel, so they can still be patched.
name: worm-outbreak
title: Contain a worm outbreak
description: >-
  Quarantine the scanning devices, replace their credentials, push the fixed firmware to every
  device the worm can reach next (blast radius tiers 1 and 2), and tell the subscribers of
  playbook.worm-outbreak.
trigger:
  rules: [WORM_FAN_OUT]
  minSeverity: HIGH
  auto: true
steps:
  - id: quarantine-infected
    type: quarantine
    targets: incident.devices
    reason: worm-like scanning from these devices
  - id: rotate-credentials
    type: rotate_credentials
    targets: incident.devices
  - id: patch-exposed
    type: emergency_rollout
    targets: blast_radius.tier<=2
  - id: notify
    type: notify_webhook
    event: playbook.worm-outbreak
    message: Worm contained; devices quarantined, credentials rotated, emergency patch rolling out.
    onFailure: continue
`;

export const BUILTIN_PLAYBOOKS: readonly string[] = [WORM_OUTBREAK_PLAYBOOK];

/** Stores the built-in playbooks that are not there yet (by name); returns the names added. */
export async function seedBuiltinPlaybooks(deps: CoreDeps, actor: Actor): Promise<string[]> {
  const added: string[] = [];
  for (const source of BUILTIN_PLAYBOOKS) {
    const name = /^name:\s*(\S+)/m.exec(source)![1]!;
    if (await deps.db.playbook.findUnique({ where: { name }, select: { id: true } })) continue;
    await createPlaybook(deps, actor, { source, builtIn: true });
    added.push(name);
  }
  return added;
}
