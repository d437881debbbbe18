import { describe, expect, it } from 'vitest';
import { parseDeviceAuthorization } from '../device-auth/authenticate-device.js';
import { redactPayload } from './ingest.js';
import { chooseBucketSeconds } from './queries.js';

describe('series buckets', () => {
  it('keeps the requested bucket when it fits and widens it to a round size when it does not', () => {
    expect(chooseBucketSeconds(3600, 500, 60)).toBe(60);
    expect(chooseBucketSeconds(86_400, 500, 10)).toBe(300);
    expect(chooseBucketSeconds(30 * 86_400, 500)).toBe(7200);
  });
});

describe('device authorization header', () => {
  it('reads the hawkBit schemes and nothing else', () => {
    expect(parseDeviceAuthorization('TargetToken wdt_abcdefgh123')).toEqual({ scheme: 'TargetToken', token: 'wdt_abcdefgh123' });
    expect(parseDeviceAuthorization('gatewaytoken wdg_abcdefgh123')).toEqual({ scheme: 'GatewayToken', token: 'wdg_abcdefgh123' });
    expect(parseDeviceAuthorization('Bearer wdt_abcdefgh123')).toBeUndefined();
    expect(parseDeviceAuthorization(undefined)).toBeUndefined();
  });
});

describe('DLQ payloads', () => {
  it('never carry a token', () => {
    const text = redactPayload({ token: 'wdt_secret', messages: [{ seq: 1, gatewayToken: 'wdg_x' }] });
    expect(text).not.toContain('wdt_secret');
    expect(text).not.toContain('wdg_x');
    expect(text).toContain('"seq":1');
  });

  it('are made of any body, however deeply nested, without throwing', () => {
    // What a 1 MB MQTT payload of `[[[[…` parses to: past what JSON.stringify (and String) can recurse.
    let deep: unknown = [];
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(redactPayload(deep)).toBe('[payload too deeply nested to copy]');
  });
});
