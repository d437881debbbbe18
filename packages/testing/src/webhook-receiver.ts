import { createServer, type IncomingHttpHeaders } from 'node:http';
import { verifyWebhook } from '@warden/core';
import { WEBHOOK_HEADERS, type WebhookEnvelope } from '@warden/contracts';

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  body: WebhookEnvelope;
  raw: string;
  /** Whether the signature matched one of the receiver's secrets (and its timestamp is fresh). */
  verified: boolean;
  status: number;
  at: number;
}

/**
 * A real HTTP endpoint that receives webhooks as a SOAR tool would: it verifies the
 * `Warden-Signature` header against the raw body with the secrets it was given, and answers 401
 * when it does not match. `failNext(n)` makes the next n requests answer 503; `delayMs` slows it.
 */
export async function startWebhookReceiver(opts: { secrets?: () => string[]; delayMs?: number; onRequest?: (r: ReceivedWebhook) => void } = {}) {
  const received: ReceivedWebhook[] = [];
  let failures = 0;
  let secrets: string[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (raw += c));
    req.on('end', () => {
      const header = String(req.headers[WEBHOOK_HEADERS.signature] ?? '');
      const now = Math.floor(Date.now() / 1000);
      const verified = [...secrets, ...(opts.secrets?.() ?? [])].some((s) => verifyWebhook(s, raw, header, now).ok);
      const status = failures > 0 ? (failures--, 503) : verified ? 204 : 401;
      let body: WebhookEnvelope;
      try {
        body = JSON.parse(raw) as WebhookEnvelope;
      } catch {
        body = { id: '', type: '', occurredAt: '', data: {} };
      }
      const r = { headers: req.headers, body, raw, verified, status, at: Date.now() };
      received.push(r);
      opts.onRequest?.(r);
      setTimeout(() => {
        res.writeHead(status);
        res.end(status === 401 ? 'bad signature' : '');
      }, opts.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    /** Secrets the receiver accepts (a subscription's, as shown once). */
    trust(secret: string) {
      secrets.push(secret);
    },
    forget() {
      secrets = [];
    },
    failNext(n: number) {
      failures = n;
    },
    /** Deliveries of one event type that the receiver accepted. */
    accepted(type?: string) {
      return received.filter((r) => r.status < 300 && (!type || r.body.type === type));
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
export type WebhookReceiver = Awaited<ReturnType<typeof startWebhookReceiver>>;
