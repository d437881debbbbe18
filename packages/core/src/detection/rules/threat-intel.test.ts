import { describe, expect, it } from 'vitest';
import { DEFAULT_DETECTION_CONFIG } from '../config.js';
import { T0, device, flow, message } from '../test-fixtures.js';
import { compileThreatIntel, threatIntelInputSchema } from '../threat-intel.js';
import { evaluateThreatIntel } from './threat-intel.js';

const matcher = compileThreatIntel([
  { id: 'c2-host', value: '198.51.100.7', label: 'Mirai C2' },
  { id: 'bad-net', value: '203.0.113.0/24', label: 'botnet range' },
  { id: 'bad-v6', value: '2001:db8:bad::/48' },
  { id: 'v6-host', value: '2001:db8::dead:beef' },
  { id: 'narrow', value: '203.0.113.128/25', label: 'narrower' },
  { id: 'junk', value: 'not-an-ip' },
]);
const cfg = DEFAULT_DETECTION_CONFIG.threatIntel;
const check = (...peers: string[]) => evaluateThreatIntel(message(1, T0, { flows: peers.map((p) => flow(p)) }), device(), cfg, matcher);

describe('threat-intel destinations', () => {
  it('matches an exact IPv4 address and a CIDR, one alert per indicator', () => {
    const alerts = check('198.51.100.7', '203.0.113.5', '203.0.113.6');
    expect(alerts.map((a) => a.evidence.indicatorId).sort()).toEqual(['bad-net', 'c2-host']);
    expect(alerts.find((a) => a.evidence.indicatorId === 'bad-net')!.evidence.destinations).toEqual(['203.0.113.5', '203.0.113.6']);
    expect(alerts[0]).toMatchObject({ rule: 'THREAT_INTEL_DESTINATION', severity: 'HIGH' });
  });

  it('matches IPv6 addresses and prefixes whatever their notation, and IPv4-mapped IPv6', () => {
    expect(check('2001:db8:bad:1::2')[0]!.evidence.indicatorId).toBe('bad-v6');
    expect(check('2001:0db8:0000:0000:0000:0000:dead:beef')[0]!.evidence.indicatorId).toBe('v6-host');
    expect(check('::ffff:198.51.100.7')[0]!.evidence.indicatorId).toBe('c2-host');
  });

  it('prefers the most specific indicator', () => {
    expect(check('203.0.113.200')[0]!.evidence.indicatorId).toBe('narrow');
  });

  it('does not fire for neighbours just outside a listed range or host (false positives)', () => {
    expect(check('198.51.100.8', '203.0.112.255', '203.0.114.0', '2001:db8:bae::1', '2001:db8::dead:bef0', '10.0.0.1')).toEqual([]);
  });

  it('ignores unparseable list entries, and an empty list never fires', () => {
    expect(matcher.size).toBe(5);
    expect(evaluateThreatIntel(message(1, T0, { flows: [flow('198.51.100.7')] }), device(), cfg, compileThreatIntel([]))).toEqual([]);
  });

  it('gives the same dedup key within the re-alert window and a new one after it', () => {
    const a = evaluateThreatIntel(message(1, T0, { flows: [flow('198.51.100.7')] }), device(), cfg, matcher)[0]!;
    const b = evaluateThreatIntel(message(2, T0 + 60_000, { flows: [flow('198.51.100.7')] }), device(), cfg, matcher)[0]!;
    const c = evaluateThreatIntel(message(3, T0 + 3_600_000, { flows: [flow('198.51.100.7')] }), device(), cfg, matcher)[0]!;
    expect(b.dedupKey).toBe(a.dedupKey);
    expect(b.id).toBe(a.id);
    expect(c.dedupKey).not.toBe(a.dedupKey);
  });

  it('handles a large list quickly', () => {
    const big = compileThreatIntel(Array.from({ length: 20_000 }, (_, i) => ({ id: `i${i}`, value: `45.${(i >> 8) & 255}.${i & 255}.0/24` })));
    const started = performance.now();
    for (let i = 0; i < 10_000; i++) big.match(`45.${i & 127}.${i & 255}.9`);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(big.match('45.1.2.3')?.entry.id).toBe('i258');
  });

  it('validates what admins enter', () => {
    expect(threatIntelInputSchema.parse({ value: ' 203.0.113.0/24 ', label: 'botnet' })).toEqual({ value: '203.0.113.0/24', label: 'botnet' });
    expect(threatIntelInputSchema.safeParse({ value: 'evil.example' }).error?.issues[0]?.message).toMatch(/must be an IPv4\/IPv6 address or CIDR/);
    expect(threatIntelInputSchema.safeParse({ value: '0.0.0.0/0' }).error?.issues[0]?.message).toMatch(/would match every address/);
    expect(threatIntelInputSchema.safeParse({ value: '10.0.0.0/8', severity: 'x' }).success).toBe(false);
  });
});
