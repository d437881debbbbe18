import { createServer, type Server } from 'node:http';
import type { Simulator } from './simulator.js';

/**
 * The simulator's own little HTTP surface on loopback: `GET /status` (JSON: devices, telemetry,
 * updates, outbreak, schedule lag), `POST /outbreak` (start the outbreak now) and `GET /health`.
 */
export function controlServer(sim: Simulator): Server {
  return createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' && path === '/health') return send(200, { status: 'ok' });
    if (req.method === 'GET' && path === '/status') return send(200, sim.status());
    if (req.method === 'POST' && path === '/outbreak') {
      try {
        return send(202, { entry: sim.launchOutbreak() });
      } catch (err) {
        return send(409, { error: { code: 'CONFLICT', message: (err as Error).message } });
      }
    }
    send(404, { error: { code: 'NOT_FOUND', message: 'try GET /status or POST /outbreak' } });
  });
}
