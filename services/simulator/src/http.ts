import { performance } from 'node:perf_hooks';
import { Pool, type Dispatcher } from 'undici';
import { Samples } from './samples.js';

/**
 * The office's HTTP connections to the gateway: one undici pool of keep-alive connections shared
 * by every virtual device (a real office would have one connection per device; the gateway sees
 * the same requests either way, without 20,000 sockets on one machine).
 */
export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export class GatewayHttp {
  readonly origin: string;
  private readonly pool: Pool;
  readonly latency = new Samples(10_000);
  requests = 0;
  errors = 0;
  inFlight = 0;

  constructor(baseUrl: string, opts: { connections?: number } = {}) {
    this.origin = new URL(baseUrl).origin;
    this.pool = new Pool(this.origin, {
      connections: opts.connections ?? 32,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      keepAliveMaxTimeout: 120_000,
      headersTimeout: 30_000,
      bodyTimeout: 60_000,
    });
  }

  /** `target` is a path or an absolute URL on the gateway (DDI links are absolute). */
  async request(method: Dispatcher.HttpMethod, target: string, headers: Record<string, string>, body?: string | Buffer): Promise<HttpAnswer> {
    let path = target;
    if (/^https?:\/\//.test(target)) {
      const u = new URL(target);
      if (u.origin !== this.origin) throw new Error(`link ${u.origin} is not the gateway ${this.origin}`);
      path = u.pathname + u.search;
    }
    const started = performance.now();
    this.requests++;
    this.inFlight++;
    try {
      const res = await this.pool.request({ method, path, headers, ...(body !== undefined ? { body } : {}) });
      const buf = Buffer.from(await res.body.arrayBuffer());
      this.latency.add(performance.now() - started);
      return { status: res.statusCode, headers: res.headers, body: buf };
    } catch (err) {
      this.errors++;
      throw err;
    } finally {
      this.inFlight--;
    }
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}
