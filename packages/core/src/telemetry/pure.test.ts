import { describe, expect, it } from 'vitest';
import { parseDeviceAuthorization } from '../device-auth/authenticate-device.js';
import type { TelemetryDlqRecord } from '@warden/contracts';
import { ingestTelemetry, redactPayload } from './ingest.js';
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

  it('stay small whatever the refused message names: a message of thousands of unknown keys included', async () => {
    const dlq: TelemetryDlqRecord[] = [];
    const deviceId = '6f1c1f43-7a57-4a39-9d1e-0f6bb1f0d2a1';
    const junk = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`unknown_key_${i}_${'x'.repeat(40)}`, i]));
    const result = await ingestTelemetry(
      {
        authenticator: { forbiddenDevices: async () => new Set<string>() },
        telemetry: { publish: async () => {} },
        dlq: { publish: async (records) => void dlq.push(...records) },
        maxClockSkewMs: 60_000,
      },
      { principal: { kind: 'device', deviceId, credentialId: 'c1' } as never, messages: [{ deviceId, seq: 1, ts: new Date().toISOString(), ...junk }], via: 'http', receivedAt: new Date() },
    );
    expect(result.rejected).toHaveLength(1);
    expect(dlq).toHaveLength(1);
    expect(JSON.stringify(dlq[0]).length).toBeLessThan(64 * 1024); // far below Kafka's 1 MiB
    expect(dlq[0]!.message.length).toBeLessThanOrEqual(1000);
  });
});
