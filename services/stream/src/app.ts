import { createServer, type Server } from 'node:http';
import { checkReadiness, once, type DependencyCheck, type Registry } from '@warden/runtime';

/** The stream processor's small HTTP side: /health, /ready and /metrics for probes and scraping. */
export function buildStreamHttp(opts: { metrics: Registry; checks: DependencyCheck[] }): {
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
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          const addr = server.address();
          resolve(typeof addr === 'object' && addr ? addr.port : port);
        });
      }),
    close: once(() => new Promise<void>((resolve) => server.close(() => resolve()))),
  };
}
