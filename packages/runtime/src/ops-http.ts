import { createServer, type Server } from 'node:http';
import type { Registry } from 'prom-client';
import { checkReadiness, type DependencyCheck } from './health.js';
import { once } from './shutdown.js';

/** Listens on `port` (0: any free port) and resolves to the port bound; refuses with the listen error. */
export function listenOn(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const addr = server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : port);
    });
  });
}

/**
 * A service's operations endpoints for probes and scraping: `/health`, `/ready` (which dependency
 * is down, and why) and `/metrics`. The stream processor's only HTTP side; the gateway's on a port
 * of its own, apart from the devices.
 */
export function buildOpsHttp(opts: { metrics: Registry; checks: DependencyCheck[] }): {
  server: Server;
  listen(port: number, host: string): Promise<number>;
  close(): Promise<void>;
} {
  const server = createServer((req, res) => {
    const send = (status: number, body: string, type = 'application/json') => {
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    };
    if (req.method !== 'GET') return send(405, JSON.stringify({ error: 'method not allowed' }));
    if (req.url === '/health') return send(200, JSON.stringify({ status: 'ok' }));
    if (req.url === '/ready') {
      void checkReadiness(opts.checks).then((r) => {
        const down = Object.entries(r.checks).filter(([, c]) => !c.ok).map(([n]) => n);
        send(r.ready ? 200 : 503, JSON.stringify({ status: r.ready ? 'ready' : 'unavailable', down, checks: r.checks }));
      });
      return;
    }
    if (req.url === '/metrics') {
      void opts.metrics.metrics().then((m) => send(200, m, opts.metrics.contentType));
      return;
    }
    send(404, JSON.stringify({ error: 'not found' }));
  });
  return {
    server,
    listen: (port, host) => listenOn(server, port, host),
    close: once(() => new Promise<void>((resolve) => server.close(() => resolve()))),
  };
}
