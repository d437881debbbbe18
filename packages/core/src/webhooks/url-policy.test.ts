import { describe, expect, it } from 'vitest';
import { checkWebhookUrl, createUrlPolicy, pinnedLookup, refusedAddress } from './url-policy.js';

const strict = createUrlPolicy([]);
const lab = createUrlPolicy(['127.0.0.0/8', '10.40.0.0/16']);

describe('webhook URL policy', () => {
  it('allows public unicast addresses and refuses everything internal unless listed', () => {
    expect(refusedAddress('93.184.216.34', strict)).toBeNull();
    expect(refusedAddress('2606:4700::1111', strict)).toBeNull();
    for (const ip of ['127.0.0.1', '10.1.2.3', '172.16.0.9', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '224.0.0.251', '::1', 'fd00::1', 'fe80::1', '::ffff:10.0.0.1']) {
      expect(refusedAddress(ip, strict), ip).toMatch(/address \(not in WEBHOOK_ALLOW_NETWORKS\)/);
    }
    expect(refusedAddress('169.254.169.254', strict)).toBe('169.254.169.254 is a linkLocal address (not in WEBHOOK_ALLOW_NETWORKS)');
    expect(refusedAddress('127.0.0.1', lab)).toBeNull();
    expect(refusedAddress('10.40.3.4', lab)).toBeNull();
    expect(refusedAddress('10.41.3.4', lab)).not.toBeNull();
  });

  it('refuses other schemes, credentials in the URL and internal IP literals, naming the field', () => {
    expect(checkWebhookUrl('https://soc.example.com/hook?x=1', strict).toString()).toBe('https://soc.example.com/hook?x=1');
    expect(() => checkWebhookUrl('ftp://soc.example.com/', strict)).toThrow('url: only http and https URLs are allowed (got ftp:)');
    expect(() => checkWebhookUrl('file:///etc/passwd', strict)).toThrow(/only http and https/);
    expect(() => checkWebhookUrl('https://user:pw@soc.example.com/', strict)).toThrow(/must not carry credentials/);
    expect(() => checkWebhookUrl('http://169.254.169.254/latest/meta-data', strict)).toThrowError(expect.objectContaining({ code: 'BAD_USER_INPUT', message: expect.stringMatching(/refused: 169.254.169.254 is a linkLocal/) }));
    expect(() => checkWebhookUrl('http://[::1]:8080/', strict)).toThrow(/loopback/);
    expect(() => checkWebhookUrl('not a url', strict, 'steps[2].url')).toThrow(/^steps\[2\]\.url: "not a url" is not a URL/);
    expect(checkWebhookUrl('http://127.0.0.1:9000/hook', lab).port).toBe('9000');
  });

  it('refuses a host name that resolves to a refused address when connecting', async () => {
    const lookup = pinnedLookup(strict);
    const err = await new Promise<Error | null>((resolve) => lookup('localhost', { all: true }, (e) => resolve(e)));
    expect(err?.message).toMatch(/^refused: localhost resolves to (127\.0\.0\.1|::1) is a loopback address/);
    const allowed = await new Promise<unknown>((resolve) => pinnedLookup(lab)('localhost', { family: 4 }, (e, address) => resolve(e ?? address)));
    expect(allowed).toBe('127.0.0.1');
  });
});
