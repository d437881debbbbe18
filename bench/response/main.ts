/**
 * Response benchmark (issue 5):
 *  - alert latency, telemetry in at the gateway → alert out on warden.alerts.v1, p99 while 10,000
 *    messages/s of background telemetry flow (gateway and stream processor as their own processes),
 *    beside a bare Kafka produce → consume probe on the same broker under the same load;
 *  - blast-radius query p95 through GraphQL on 10,000 devices with 1,000,000 contact rows, beside
 *    the raw SQL equivalent in the same run; readiness beside computing it in memory.
 * Targets: alert p99 <= 2 s; blast radius p95 <= 100 ms and <= 2x raw SQL.
 * `BENCH_RESPONSE_PARTS=blast` or `=alerts` runs one part.
 */
import os from 'node:os';
import { fmt, percentile, table, verdict } from '../lib.js';
import { measureAlertLatency } from './alert-latency.js';
import { measureBlastRadius, p } from './blast-radius.js';

const log = (s: string) => console.log(s);

export async function run(): Promise<void> {
  const parts = (process.env.BENCH_RESPONSE_PARTS ?? 'blast,alerts').split(',');
  console.log(`machine: ${os.cpus().length} cores, load average ${os.loadavg().map((x) => fmt(x, 1)).join(' / ')} (1/5/15 min) at start`);
  if (parts.includes('blast')) {
    const b = await measureBlastRadius(log);
    console.log(`contacts written through the stream's upsert (peer resolved per row): ${fmt(b.contactsPerSecond, 0)} rows/s`);
    console.log(`blast radius of 3 compromised devices, 2 hops: ${b.total} devices (tiers ${b.tiers.join(' / ')}), first page of 50`);
    console.log(
      table([
        ['measure', 'warden (GraphQL)', 'raw engine', 'ratio'],
        ['blastRadius p50 (ms)', p(b.gql, 50), `${p(b.raw, 50)} (same SQL, pg)`, fmt(percentile(b.gql, 50) / percentile(b.raw, 50))],
        ['blastRadius p95 (ms)', p(b.gql, 95), `${p(b.raw, 95)} (same SQL, pg)`, fmt(percentile(b.gql, 95) / percentile(b.raw, 95))],
        ['walk by IP join instead (p50 ms)', '', `${p(b.byIp, 50)} (before peer_device_id)`, ''],
        ['readiness p50 / p95 (ms)', `${p(b.readinessSql, 50)} / ${p(b.readinessSql, 95)}`, `${p(b.readinessJs, 50)} / ${p(b.readinessJs, 95)} (fleet loaded into JS)`, fmt(percentile(b.readinessSql, 50) / percentile(b.readinessJs, 50))],
      ]),
    );
    console.log(`readiness: ${b.simultaneous} devices would suffer at the same time (worst start segment)`);
    const g95 = percentile(b.gql, 95);
    const r95 = percentile(b.raw, 95);
    console.log(verdict(g95 <= 100, `blast radius p95 <= 100 ms through GraphQL (${fmt(g95)} ms)`));
    console.log(verdict(g95 <= 2 * r95, `blast radius p95 <= 2x raw SQL p95 (${fmt(g95 / r95)}x)`));
  }
  if (parts.includes('alerts')) {
    const a = await measureAlertLatency(log);
    console.log(
      table([
        ['measure', 'p50 (ms)', 'p99 (ms)', 'max (ms)', 'samples'],
        ['alert: telemetry POST → warden.alerts.v1', p(a.alert, 50), p(a.alert, 99), fmt(a.alert.at(-1) ?? NaN), `${a.alert.length} of ${a.sent} scans`],
        ['raw: bare Kafka produce → consume probe', p(a.probe, 50), p(a.probe, 99), fmt(a.probe.at(-1) ?? NaN), String(a.probe.length)],
      ]),
    );
    console.log(`background: ${fmt(a.backgroundRate, 0)} messages/s accepted by the gateway and ${fmt(a.storedRate, 0)} stored by the stream over ${fmt(a.seconds, 0)} s (target 10,000); ${a.lagAtEnd} messages not yet stored at the end (storage backlog; detection reads apart from it)`);
    console.log(`load average at the end: ${os.loadavg().map((x) => fmt(x, 1)).join(' / ')} on ${os.cpus().length} cores`);
    const p99 = percentile(a.alert, 99);
    console.log(verdict(a.alert.length === a.sent && p99 <= 2000, `alert p99 <= 2 s under 10,000 msg/s (${fmt(p99, 0)} ms, ${a.sent - a.alert.length} missing)`));
  }
}
