import { z } from 'zod';
import { ALERT_RULES, ALERT_SEVERITIES } from '@warden/contracts/incidents';
import { parseCidr } from '../detection/ip.js';
import { conditionSchema } from './conditions.js';
import { parseDuration } from './duration.js';

/**
 * The playbook format (JSON or YAML). Example:
 *
 * ```yaml
 * name: worm-outbreak
 * trigger: { rules: [WORM_FAN_OUT], minSeverity: HIGH, auto: true }
 * steps:
 *   - id: quarantine-infected
 *     type: quarantine
 *     targets: incident.devices
 *     expiresIn: 4h
 *   - id: approve-patch
 *     type: require_approval
 *     message: Push the fixed firmware to the exposed devices?
 *     timeout: 30m
 *   - id: patch
 *     type: emergency_rollout
 *     targets: blast_radius.tier<=2
 *   - id: tell-soc
 *     type: notify_webhook
 *     url: https://soc.example.com/hooks/warden
 *     secret: soc-webhook
 *   - id: tell-subscribers
 *     type: notify_webhook
 *     event: playbook.worm-contained
 * ```
 */

/** A device selector as written, parsed to its structured form. */
export type DeviceSelector = { from: 'incident.devices' } | { from: 'blast_radius'; maxTier: 1 | 2 | 3 | 4; exactTier: boolean };

const DEVICE_SELECTOR_HELP = 'incident.devices, blast_radius.tier:N or blast_radius.tier<=N (N from 1 to 4)';
export const deviceSelectorSchema = z.string().transform((s, ctx): DeviceSelector => {
  if (s === 'incident.devices') return { from: 'incident.devices' };
  const m = /^blast_radius\.tier(:|<=)([1-4])$/.exec(s);
  if (m) return { from: 'blast_radius', maxTier: Number(m[2]) as 1 | 2 | 3 | 4, exactTier: m[1] === ':' };
  ctx.addIssue({ code: 'custom', message: `"${s}" is not a device selector; use ${DEVICE_SELECTOR_HELP}` });
  return z.NEVER;
});

const duration = z.string().transform((s, ctx) => {
  const ms = parseDuration(s);
  if (ms === null || ms <= 0) {
    ctx.addIssue({ code: 'custom', message: `"${s}" is not a duration such as 30s, 15m, 4h or 1d` });
    return z.NEVER;
  }
  return ms;
});

const slug = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lower-case letters, digits and dashes, e.g. quarantine-infected');

const common = {
  id: slug,
  /** Skipped (not failed) when false at the time the step comes up. */
  when: conditionSchema.optional(),
  /** What a failure does to the run once retries are spent. */
  onFailure: z.enum(['abort', 'continue']).default('abort'),
  maxAttempts: z.int().min(1).max(10).default(3),
};

const quarantine = z.strictObject({
  ...common,
  type: z.literal('quarantine'),
  targets: deviceSelectorSchema,
  reason: z.string().max(2000).optional(),
  expiresIn: duration.optional(),
  /** Fail-safe devices (badge readers, cameras) are left alone unless this is set. */
  overrideFailSafe: z.boolean().default(false),
});

const isolateSegment = z.strictObject({
  ...common,
  type: z.literal('isolate_segment'),
  targets: z.literal('incident.segments', { error: 'targets of isolate_segment: incident.segments' }),
  reason: z.string().max(2000).optional(),
  expiresIn: duration.optional(),
  overrideFailSafe: z.boolean().default(false),
});

const destination = z.string().refine((s) => parseCidr(s) !== null, 'must be an IP address or a CIDR');
const blockDestination = z.strictObject({
  ...common,
  type: z.literal('block_destination'),
  destinations: z.union([z.literal('incident.destinations'), z.array(destination).min(1).max(1000)], {
    error: 'destinations: incident.destinations or a list of IP addresses/CIDRs',
  }),
  reason: z.string().max(2000).optional(),
  expiresIn: duration.optional(),
});

const rotateCredentials = z.strictObject({
  ...common,
  type: z.literal('rotate_credentials'),
  targets: deviceSelectorSchema,
  /** rotate: new credentials, old ones retired after a grace period; revoke: cut at once. */
  mode: z.enum(['rotate', 'revoke']).default('rotate'),
});

const emergencyRollout = z.strictObject({
  ...common,
  type: z.literal('emergency_rollout'),
  targets: deviceSelectorSchema,
  /** The release that fixes the incident's advisories for each model, or one release. */
  release: z.union([z.literal('fixed'), z.strictObject({ releaseId: z.uuid() })]).default('fixed'),
});

/**
 * Either to one URL, signed with the secret of the webhook subscription `secret` names, or (no
 * url) to every enabled subscription of `event`.
 */
const notifyWebhook = z
  .strictObject({
    ...common,
    type: z.literal('notify_webhook'),
    url: z.url({ protocol: /^https?$/, error: 'url must be an http(s) URL' }).optional(),
    /** Name of the webhook subscription whose secret signs the body; never the secret itself. */
    secret: slug.optional(),
    event: z.string().regex(/^[a-z][a-z0-9_.-]{0,62}$/).default('playbook.step'),
    /** A line for the people reading the notification. */
    message: z.string().max(2000).optional(),
  })
  .superRefine((n, ctx) => {
    if (n.url !== undefined && n.secret === undefined) {
      ctx.addIssue({ code: 'custom', path: ['secret'], message: 'a url needs secret: the name of the webhook subscription whose secret signs it' });
    }
    if (n.url === undefined && n.secret !== undefined) ctx.addIssue({ code: 'custom', path: ['url'], message: 'secret goes with a url; without one, subscribers of event are notified' });
    if (n.url === undefined && !n.event.startsWith('playbook.')) {
      ctx.addIssue({ code: 'custom', path: ['event'], message: 'without a url, event must be playbook.<name> (what subscriptions can subscribe to)' });
    }
  });

const wait = z
  .strictObject({
    ...common,
    type: z.literal('wait'),
    duration: duration.optional(),
    until: conditionSchema.optional(),
    /** How long to wait for `until` before the step fails. */
    timeout: duration.optional(),
  })
  .superRefine((w, ctx) => {
    if ((w.duration === undefined) === (w.until === undefined)) ctx.addIssue({ code: 'custom', message: 'a wait has either duration or until' });
    if (w.until !== undefined && w.timeout === undefined) ctx.addIssue({ code: 'custom', path: ['timeout'], message: 'waiting until a condition needs a timeout' });
  });

const requireApproval = z.strictObject({
  ...common,
  type: z.literal('require_approval'),
  message: z.string().min(1).max(2000),
  role: z.enum(['RESPONDER', 'ADMIN']).default('RESPONDER'),
  timeout: duration,
});

export const STEP_TYPES = [
  'quarantine',
  'isolate_segment',
  'block_destination',
  'rotate_credentials',
  'emergency_rollout',
  'notify_webhook',
  'wait',
  'require_approval',
] as const;
export type StepType = (typeof STEP_TYPES)[number];

export const stepSchema = z.discriminatedUnion('type', [quarantine, isolateSegment, blockDestination, rotateCredentials, emergencyRollout, notifyWebhook, wait, requireApproval], {
  error: (iss) => (iss.code === 'invalid_union' ? `type must be one of ${STEP_TYPES.join(', ')}` : undefined),
});
export type PlaybookStep = z.output<typeof stepSchema>;

export const playbookSchema = z
  .strictObject({
    name: slug,
    title: z.string().max(200).optional(),
    description: z.string().max(5000).optional(),
    /** When incidents start it by themselves; without a trigger a playbook runs only when asked. */
    trigger: z
      .strictObject({
        rules: z.array(z.enum(ALERT_RULES)).min(1).optional(),
        minSeverity: z.enum(ALERT_SEVERITIES).default('LOW'),
        auto: z.boolean().default(false),
      })
      .optional(),
    /** The whole playbook is skipped when false. */
    when: conditionSchema.optional(),
    steps: z.array(stepSchema).min(1, 'a playbook has at least one step').max(50),
  })
  .superRefine((p, ctx) => {
    const seen = new Map<string, number>();
    p.steps.forEach((s, i) => {
      const first = seen.get(s.id);
      if (first !== undefined) ctx.addIssue({ code: 'custom', path: ['steps', i, 'id'], message: `duplicate step id "${s.id}" (also steps[${first}])` });
      else seen.set(s.id, i);
    });
  });

export type Playbook = z.output<typeof playbookSchema>;
