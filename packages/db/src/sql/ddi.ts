import type { SqlPool } from './pool.js';

/**
 * The DDI poll is the hottest path in Warden (every device, every few minutes, thousands per
 * second): it runs on a plain `pg` pool with named prepared statements, one round trip each.
 */
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
    name: 'ddi_poll_view',
    text: `SELECT a.id AS action_id, a.status::text AS status, s.config_requested
             FROM (SELECT $1::uuid AS id) d
             LEFT JOIN ddi_controller_state s ON s.device_id = d.id
             LEFT JOIN LATERAL (
               SELECT id, status FROM update_actions
                WHERE device_id = d.id AND status = ANY($2::"UpdateActionStatus"[]) ORDER BY id LIMIT 1
             ) a ON true`,
    values: [deviceId, active],
  });
  return r.rows[0] ?? { action_id: null, status: null, config_requested: null };
}

export interface TokenPollRow extends TokenRow {
  action_id: number | null;
  action_status: string | null;
  config_requested: boolean | null;
}

/** Token check and poll view in one round trip: a poll from a device whose token is not cached. */
export async function pollViewByTokenHash(pool: SqlPool, tokenHash: string, active: readonly string[]): Promise<TokenPollRow | null> {
  const r = await pool.query<TokenPollRow>({
    name: 'ddi_poll_by_token',
    text: `SELECT c.id AS credential_id, d.id AS device_id, d.controller_id, d.status::text AS status, c.revoked_at, c.expires_at,
                  a.id AS action_id, a.status::text AS action_status, s.config_requested
             FROM device_credentials c
             JOIN devices d ON d.id = c.device_id
             LEFT JOIN ddi_controller_state s ON s.device_id = d.id
             LEFT JOIN LATERAL (
               SELECT id, status FROM update_actions
                WHERE device_id = d.id AND status = ANY($2::"UpdateActionStatus"[]) ORDER BY id LIMIT 1
             ) a ON true
            WHERE c.token_hash = $1`,
    values: [tokenHash, active],
  });
  return r.rows[0] ?? null;
}
