/**
 * The compact live status `npm start` prints: what Warden sees (from its database) beside what the
 * virtual office knows (from the simulator's /status).
 */
import type { SqlPool } from '@warden/db';

export interface DemoStatus {
  devices: { total: number; online: number; reporting: number };
  rollout: { name: string; status: string; done: number; failed: number; total: number } | null;
  emergency: { rollouts: number; done: number; total: number };
  alerts: number;
  incidents: { open: number; contained: number; top: string | null };
  containment: { quarantined: number; isolated: number; other: number } | null;
  playbooks: { runs: number; running: number; succeeded: number } | null;
  sim: SimStatus | null;
}

/** The part of the simulator's GET /status the line shows. */
export interface SimStatus {
  devices: { total: number; online: number; quarantined: number };
  outbreak: { launched: boolean; entry: string | null; infected: number; free: number; reached: number; cured: number; blocked: number; uncontainedReach: number };
  updates: { installed: number; failed: number };
  schedule: { p99: number };
}

const n = (v: unknown) => Number(v ?? 0);

async function tableExists(sql: SqlPool, name: string): Promise<boolean> {
  const { rows } = await sql.query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [name]);
  return rows[0]?.t != null;
}

export async function readDemoStatus(sql: SqlPool, rolloutName: string, simUrl: string | null): Promise<DemoStatus> {
  const q = async <T>(text: string, params: unknown[] = []) => (await sql.query(text, params)).rows as T[];
  const [devices] = await q<{ total: string; online: string; reporting: string }>(
    `SELECT (SELECT count(*) FROM devices WHERE status <> 'RETIRED') AS total,
            (SELECT count(*) FROM device_state WHERE online) AS online,
            (SELECT count(*) FROM device_state) AS reporting`,
  );
  const [rollout] = await q<{ name: string; status: string; done: string; failed: string; total: string }>(
    `SELECT r.name, r.status,
            count(*) FILTER (WHERE a.status = 'FINISHED') AS done,
            count(*) FILTER (WHERE a.status IN ('ERROR', 'TIMED_OUT')) AS failed,
            count(a.id) AS total
       FROM rollouts r LEFT JOIN update_actions a ON a.rollout_id = r.id
      WHERE r.name = $1 GROUP BY r.id ORDER BY r.created_at DESC LIMIT 1`,
    [rolloutName],
  );
  const [emergency] = await q<{ rollouts: string; done: string; total: string }>(
    `SELECT count(DISTINCT r.id) AS rollouts, count(a.id) FILTER (WHERE a.status = 'FINISHED') AS done, count(a.id) AS total
       FROM rollouts r LEFT JOIN update_actions a ON a.rollout_id = r.id WHERE r.emergency`,
  );
  const [alerts] = await q<{ n: string }>('SELECT count(*) AS n FROM alerts');
  const [incidents] = await q<{ open: string; contained: string; top: string | null }>(
    `SELECT count(*) FILTER (WHERE status = 'OPEN' OR status = 'TRIAGED') AS open,
            count(*) FILTER (WHERE status IN ('CONTAINED', 'ERADICATED', 'RECOVERED')) AS contained,
            (SELECT title FROM incidents WHERE status <> 'CLOSED' ORDER BY severity = 'CRITICAL' DESC, last_alert_at DESC LIMIT 1) AS top
       FROM incidents`,
  );
  let containment: DemoStatus['containment'] = null;
  if (await tableExists(sql, 'containments')) {
    const [c] = await q<{ quarantined: string; isolated: string; other: string }>(
      `SELECT count(*) FILTER (WHERE kind = 'QUARANTINE_DEVICES') AS quarantined,
              count(*) FILTER (WHERE kind = 'ISOLATE_SEGMENT') AS isolated,
              count(*) FILTER (WHERE kind NOT IN ('QUARANTINE_DEVICES', 'ISOLATE_SEGMENT')) AS other
         FROM containments WHERE status IN ('PENDING', 'APPLIED')`,
    );
    containment = { quarantined: n(c?.quarantined), isolated: n(c?.isolated), other: n(c?.other) };
  }
  let playbooks: DemoStatus['playbooks'] = null;
  if (await tableExists(sql, 'playbook_runs')) {
    const [p] = await q<{ runs: string; running: string; succeeded: string }>(
      `SELECT count(*) AS runs, count(*) FILTER (WHERE status IN ('RUNNING', 'PENDING', 'WAITING')) AS running,
              count(*) FILTER (WHERE status = 'SUCCEEDED') AS succeeded FROM playbook_runs`,
    );
    playbooks = { runs: n(p?.runs), running: n(p?.running), succeeded: n(p?.succeeded) };
  }
  let sim: SimStatus | null = null;
  if (simUrl) {
    try {
      const res = await fetch(`${simUrl}/status`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) sim = (await res.json()) as SimStatus;
    } catch {
      sim = null;
    }
  }
  return {
    devices: { total: n(devices?.total), online: n(devices?.online), reporting: n(devices?.reporting) },
    rollout: rollout ? { name: rollout.name, status: rollout.status, done: n(rollout.done), failed: n(rollout.failed), total: n(rollout.total) } : null,
    emergency: { rollouts: n(emergency?.rollouts), done: n(emergency?.done), total: n(emergency?.total) },
    alerts: n(alerts?.n),
    incidents: { open: n(incidents?.open), contained: n(incidents?.contained), top: incidents?.top ?? null },
    containment,
    playbooks,
    sim,
  };
}

const pct = (a: number, b: number) => (b ? `${Math.round((100 * a) / b)}%` : '–');

/** Two short lines: Warden's view, then the office's. */
export function formatDemoStatus(s: DemoStatus, colour: { dim: string; red: string; green: string; reset: string }): string {
  const parts = [
    `devices ${s.devices.online}/${s.devices.total} online`,
    s.rollout ? `rollout "${s.rollout.name}" ${s.rollout.status.toLowerCase()} ${s.rollout.done}/${s.rollout.total} (${pct(s.rollout.done, s.rollout.total)}${s.rollout.failed ? `, ${s.rollout.failed} failed` : ''})` : 'no rollout yet',
    `alerts ${s.alerts}`,
    `incidents ${s.incidents.open} open${s.incidents.contained ? `, ${s.incidents.contained} contained` : ''}`,
  ];
  if (s.containment) parts.push(`contained: ${s.containment.quarantined} quarantined, ${s.containment.isolated} segments isolated${s.containment.other ? `, ${s.containment.other} other` : ''}`);
  if (s.playbooks?.runs) parts.push(`playbook runs ${s.playbooks.runs} (${s.playbooks.running} running)`);
  if (s.emergency.rollouts) parts.push(`emergency patch ${s.emergency.done}/${s.emergency.total}`);
  let line = parts.join(' · ');
  if (s.sim) {
    const o = s.sim.outbreak;
    const worm = o.launched
      ? `${colour.red}worm${colour.reset} via ${o.entry}: ${o.infected} infected now (${o.free ? `${colour.red}${o.free} free to spread${colour.reset}` : `${colour.green}contained${colour.reset}`}), ${o.reached} reached (${o.uncontainedReach} without containment), ${o.cured} cured by the patch, ${o.blocked} scans blocked`
      : 'worm not launched yet (press o)';
    line += `\n  ${colour.dim}office:${colour.reset} ${s.sim.devices.online}/${s.sim.devices.total} up, ${s.sim.devices.quarantined} quarantined · ${worm} · updates ${s.sim.updates.installed} installed, ${s.sim.updates.failed} failed · schedule lag p99 ${s.sim.schedule.p99} ms`;
  }
  return line;
}
