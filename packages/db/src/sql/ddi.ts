import type { SqlPool } from './pool.js';

/**
 * The DDI poll is the hottest path in Warden (every device, every few minutes, thousands per
 * second): it runs on a plain `pg` pool with named prepared statements, one round trip each.
 */
/**
 * The active statuses written into the statement (not a parameter), so the planner can use the
 * partial index `update_actions_one_active_per_device`, which a parameter array cannot match.
 */
function activeList(active: readonly string[]): string {
  if (!active.every((s) => /^[A-Z_]+$/.test(s))) throw new Error('bad action status');
  return active.map((s) => `'${s}'`).join(', ');
}

export interface TokenRow {
  credential_id: string;
  device_id: string;
  controller_id: string;
  status: string;
  revoked_at: Date | null;
  expires_at: Date | null;
}

/** The credential with this token hash and its device, or null. */
export async function deviceByTokenHash(pool: SqlPool, tokenHash: string): Promise<TokenRow | null> {
  const r = await pool.query<TokenRow>({
    name: 'ddi_device_by_token',
    text: `SELECT c.id AS credential_id, d.id AS device_id, d.controller_id, d.status::text AS status, c.revoked_at, c.expires_at
             FROM device_credentials c JOIN devices d ON d.id = c.device_id
            WHERE c.token_hash = $1`,
    values: [tokenHash],
  });
  return r.rows[0] ?? null;
}

export interface PollRow {
  action_id: number | null;
  status: string | null;
  config_requested: boolean | null;
}

/** A device's one active action (statuses in `active`) and whether its attributes are wanted. */
export async function pollView(pool: SqlPool, deviceId: string, active: readonly string[]): Promise<PollRow> {
  const r = await pool.query<PollRow>({
    name: `ddi_poll_view_${active.length}`,
    text: `SELECT a.id AS action_id, a.status::text AS status, s.config_requested
             FROM (SELECT $1::uuid AS id) d
             LEFT JOIN ddi_controller_state s ON s.device_id = d.id
             LEFT JOIN LATERAL (
               SELECT id, status FROM update_actions
                WHERE device_id = d.id AND status IN (${activeList(active)}) ORDER BY id LIMIT 1
             ) a ON true`,
    values: [deviceId],
  });
  return r.rows[0] ?? { action_id: null, status: null, config_requested: null };
}

export interface TokenPollRow extends TokenRow {
  token_hash: string;
  action_id: number | null;
  action_status: string | null;
  config_requested: boolean | null;
}

/**
 * Token checks and poll views of many polls in one round trip (polls from devices whose tokens are
 * not cached): one row per known token hash in `tokenHashes`, naming the hash it answers.
 */
export async function pollViewsByTokenHashes(pool: SqlPool, tokenHashes: readonly string[], active: readonly string[]): Promise<TokenPollRow[]> {
  const r = await pool.query<TokenPollRow>({
    name: `ddi_poll_by_tokens_${active.length}`,
    text: `SELECT c.token_hash, c.id AS credential_id, d.id AS device_id, d.controller_id, d.status::text AS status, c.revoked_at, c.expires_at,
                  a.id AS action_id, a.status::text AS action_status, s.config_requested
             FROM device_credentials c
             JOIN devices d ON d.id = c.device_id
             LEFT JOIN ddi_controller_state s ON s.device_id = d.id
             LEFT JOIN LATERAL (
               SELECT id, status FROM update_actions
                WHERE device_id = d.id AND status IN (${activeList(active)}) ORDER BY id LIMIT 1
             ) a ON true
            WHERE c.token_hash = ANY($1::text[])`,
    values: [tokenHashes],
  });
  return r.rows;
}

export interface FeedbackRow {
  /** The action's status before this feedback (null: not the device's action). */
  before: string | null;
  status_count: number | null;
  rollout_id: string | null;
  release_id: string | null;
  /** The status written, or null when nothing was written (closed action or quota). */
  after: string | null;
}

/**
 * Records one feedback in ONE statement (row lock, status, counters, history entry): the action
 * must be the device's and active, and under its quota of status entries. `keepCanceling` keeps a
 * canceling action canceling unless the feedback ends it. A feedback that closes the action asks
 * the device for its attributes again, and one that finishes it moves the device to the release's
 * version, in the same statement: no reader sees a finished action on a device still on the old
 * version, and no crash can leave it so.
 */
export async function recordFeedback(
  pool: SqlPool,
  f: {
    actionId: number;
    deviceId: string;
    status: string;
    closes: boolean;
    active: readonly string[];
    requireStatus: string | null;
    maxEntries: number;
    execution: string;
    finished: string;
    code: number | null;
    details: string[];
    progressCnt: number | null;
    progressOf: number | null;
    at: Date;
  },
): Promise<FeedbackRow> {
  const r = await pool.query<FeedbackRow>({
    name: 'ddi_record_feedback',
    text: `WITH cur AS (
             SELECT id, status, status_count, rollout_id, release_id FROM update_actions
              WHERE id = $1 AND device_id = $2::uuid FOR UPDATE),
           upd AS (
             UPDATE update_actions a
                SET status = CASE WHEN cur.status = 'CANCELING' AND NOT $4::boolean AND $6::text IS NULL THEN a.status ELSE $3::"UpdateActionStatus" END,
                    status_count = a.status_count + 1,
                    last_feedback_at = $14,
                    last_message = COALESCE(($10::text[])[1], a.last_message),
                    finished_at = CASE WHEN $4::boolean THEN $14 ELSE a.finished_at END
               FROM cur
              WHERE a.id = cur.id AND cur.status = ANY($5::"UpdateActionStatus"[])
                AND ($6::text IS NULL OR cur.status::text = $6) AND cur.status_count < $7
             RETURNING a.id, a.status),
           hist AS (
             INSERT INTO update_action_status (action_id, at, status, source, execution, finished, code, details, progress_cnt, progress_of)
             SELECT id, $14, status, 'DEVICE', $8, $9, $11, $10, $12, $13 FROM upd),
           installed AS (
             UPDATE devices d SET firmware_version = r.version, firmware_key = r.version_key, updated_at = $14
               FROM upd, cur, releases r
              WHERE upd.status = 'FINISHED' AND r.id = cur.release_id AND d.id = $2::uuid),
           ask_config AS (
             INSERT INTO ddi_controller_state (device_id, config_requested) SELECT $2::uuid, true FROM upd WHERE $4::boolean
             ON CONFLICT (device_id) DO UPDATE SET config_requested = true)
           SELECT cur.status::text AS before, cur.status_count, cur.rollout_id::text AS rollout_id, cur.release_id::text AS release_id, upd.status::text AS after
             FROM cur LEFT JOIN upd ON true`,
    values: [f.actionId, f.deviceId, f.status, f.closes, f.active, f.requireStatus, f.maxEntries, f.execution, f.finished, f.details, f.code, f.progressCnt, f.progressOf, f.at],
  });
  return r.rows[0] ?? { before: null, status_count: null, rollout_id: null, release_id: null, after: null };
}
