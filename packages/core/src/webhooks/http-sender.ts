import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { WardenError } from '../errors.js';
import { checkWebhookUrl, pinnedLookup, RefusedAddressError, type UrlPolicy } from './url-policy.js';

export type SendOutcome =
  | { ok: true; status: number; ms: number }
  | { ok: false; status: number | null; error: string; ms: number; /** False when trying again cannot help (the policy refuses the address). */ retryable: boolean };

/**
 * POSTs one webhook body under the URL policy: the address is checked as the socket connects,
 * redirects are not followed, at most `timeoutMs` overall, and only the first 2 KiB of the answer
 * are read (for the delivery log).
 */
export function sendWebhook(rawUrl: string, body: string, headers: Record<string, string>, opts: { policy: UrlPolicy; timeoutMs: number }): Promise<SendOutcome> {
  const started = Date.now();
  const ms = () => Date.now() - started;
  let url: URL;
  try {
    url = checkWebhookUrl(rawUrl, opts.policy);
  } catch (err) {
    return Promise.resolve({ ok: false, status: null, error: err instanceof WardenError ? err.message : String(err), ms: ms(), retryable: false });
  }
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    let settled = false;
    const done = (o: SendOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(o);
    };
    const req = request(
      url,
      {
        method: 'POST',
        lookup: pinnedLookup(opts.policy),
        headers: { 'content-type': 'application/json', 'user-agent': 'Warden-Webhooks/1', ...headers, 'content-length': String(Buffer.byteLength(body)) },
      },
      (res: IncomingMessage) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (text.length < 2048) text += chunk;
        });
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) return done({ ok: true, status, ms: ms() });
          const why = status >= 300 && status < 400 ? `redirected to ${res.headers.location ?? '?'} (redirects are not followed)` : `answered ${status}`;
          done({ ok: false, status, error: `${why}${text ? `: ${text.slice(0, 200)}` : ''}`, ms: ms(), retryable: true });
        });
        res.on('error', (err) => done({ ok: false, status: res.statusCode ?? null, error: err.message, ms: ms(), retryable: true }));
      },
    );
    const timer = setTimeout(() => {
      req.destroy(new Error(`no answer within ${opts.timeoutMs} ms`));
    }, opts.timeoutMs);
    req.on('error', (err) => done({ ok: false, status: null, error: err.message, ms: ms(), retryable: !(err instanceof RefusedAddressError) }));
    req.end(body);
  });
}
