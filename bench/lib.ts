import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import type { SqlPool } from '@warden/db';

/** Small helpers shared by the benchmarks. */
export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export async function timeMany(n: number, fn: () => Promise<unknown>, warmup = Math.min(50, n)): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out.sort((a, b) => a - b);
}

export const fmt = (n: number, digits = 2) => n.toFixed(digits);

export function table(rows: (string | number)[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  return rows.map((r) => r.map((v, c) => String(v).padEnd(widths[c]!)).join('  ')).join('\n');
}

export function verdict(ok: boolean, what: string): string {
  return `${ok ? 'PASS' : 'MISS'}  ${what}`;
}

/**
 * A lean keep-alive HTTP client for latency measurements: one socket, no WHATWG streams, so the
 * figure is the server's time rather than the client's (Node's fetch adds ~0.5 ms per request).
 */
export function httpClient(port: number, host = '127.0.0.1') {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  return (path: string, opts: { body?: string; headers?: Record<string, string> } = {}) =>
    new Promise<{ status: number; text: string }>((resolve, reject) => {
      const body = opts.body;
      const req = http.request(
        { host, port, path, agent, method: body === undefined ? 'GET' : 'POST',
          headers: { ...opts.headers, ...(body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) }) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
}

const root = fileURLToPath(new URL('../', import.meta.url));

/** Runs a service in its own process with a bounded heap and malloc arenas, in production mode, as infra/compose does. */
export function startService(name: 'api' | 'gateway' | 'stream', env: Record<string, string>, nodeArgs: string[] = []): ChildProcess {
  // The heaps infra/compose gives each service (BENCH_NODE_OPTIONS=<flags> tries others).
  const nodeOptions = process.env.BENCH_NODE_OPTIONS ?? `--max-old-space-size=160 --max-semi-space-size=${name === 'stream' ? 16 : 8}`;
  // BENCH_CPU_PROF=<dir> writes a V8 CPU profile of each service when it exits (open in DevTools).
  const profile = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}/${name}`] : [];
  return spawn(process.execPath, [...profile, ...nodeArgs, '--import', 'tsx', `${root}services/${name}/src/main.ts`], {
    env: { ...process.env, ...env, NODE_ENV: 'production', LOG_LEVEL: 'warn', NODE_OPTIONS: nodeOptions, MALLOC_ARENA_MAX: '2' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** `n` distinct TCP ports free on 127.0.0.1 right now (the OS picks them), for services started as processes. */
export async function freePorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: n }, () => new Promise<net.Server>((resolve, reject) => {
      const s = net.createServer();
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => resolve(s));
    })),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}

/** Resolves once `url` answers 2xx (a service's /ready). */
export async function waitHttp(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not become ready`);
}

/**
 * The raw engine under the stream's writes: a bulk UNNEST insert of the same points into the
 * time-partitioned table, 2,000 rows per statement over `connections` connections. Rows/s.
 */
export async function rawPointInsert(
  pool: SqlPool,
  rows: { deviceId: string; ts: string; seq: number; metrics: Record<string, number> }[],
  receivedAt: (i: number) => string,
  connections: number,
): Promise<number> {
  const chunk = 2000;
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async () => {
      for (;;) {
        const i = next;
        next += chunk;
        if (i >= rows.length) return;
        const part = rows.slice(i, i + chunk);
        await pool.query(
          `INSERT INTO telemetry_points (device_id, ts, seq, received_at, metrics, events)
           SELECT * FROM unnest($1::uuid[], $2::timestamptz[], $3::bigint[], $4::timestamptz[], $5::jsonb[], $6::jsonb[])`,
          [part.map((r) => r.deviceId), part.map((r) => r.ts), part.map((r) => r.seq), part.map((_, j) => receivedAt(i + j)), part.map((r) => JSON.stringify(r.metrics)), part.map(() => null)],
        );
      }
    }),
  );
  return (rows.length / (performance.now() - t0)) * 1000;
}
