import { describe, expect, it } from 'vitest';
import { DEFAULT_DETECTION_CONFIG, parseDetectionConfig } from '../config.js';
import { parseCidr } from '../ip.js';
import { T0, device, flow, message } from '../test-fixtures.js';
import { compileKindPolicy, evaluateKindPolicy } from './kind-policy.js';

const cfg = DEFAULT_DETECTION_CONFIG.kindPolicy; // LIGHT, SENSOR, BADGE_READER internal only
const check = (kind: string, peers: string[], config = cfg, internal = [] as ReturnType<typeof parseCidr>[]) =>
  evaluateKindPolicy(
    message(1, T0, { flows: peers.map((p) => flow(p, 443)) }),
    device({ kind }),
    config,
    compileKindPolicy(config),
    internal.filter((c) => c !== null),
  );

describe('a device kind talking somewhere it never should', () => {
  it('fires when a light bulb reaches the internet (IPv4 or IPv6), one alert listing the destinations', () => {
    const alerts = check('LIGHT', ['93.184.216.34', '2606:4700::1111', '10.0.0.5']);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ rule: 'FORBIDDEN_DESTINATION', evidence: { kind: 'LIGHT' } });
    expect((alerts[0]!.evidence.destinations as { ip: string }[]).map((d) => d.ip)).toEqual(['93.184.216.34', '2606:4700::1111']);
  });

  it('does not fire for a light talking to its hub on the LAN, link-local or ULA (false positives)', () => {
    expect(check('LIGHT', ['192.168.1.10', '172.20.0.1', '10.1.1.1', 'fe80::1', 'fd12:3456::1', '169.254.1.1'])).toEqual([]);
  });

  it('does not fire for local discovery: SSDP and mDNS multicast, broadcast (false positives)', () => {
    expect(check('LIGHT', ['239.255.255.250', '224.0.0.251', 'ff02::c', 'ff02::fb', '255.255.255.255', '0.0.0.0'])).toEqual([]);
  });

  it('does not restrict kinds that are not listed (a TV streams from the internet)', () => {
    expect(check('TV', ['93.184.216.34'])).toEqual([]);
  });

  it('allows a kind its vendor cloud, and treats configured office ranges as internal', () => {
    const config = parseDetectionConfig({ kindPolicy: { internalOnly: { LIGHT: { allow: ['52.10.0.0/16'] } } } }).kindPolicy;
    expect(check('LIGHT', ['52.10.3.4'], config)).toEqual([]);
    expect(check('LIGHT', ['52.11.3.4'], config)).toHaveLength(1);
    expect(check('LIGHT', ['203.0.113.9'], cfg, [parseCidr('203.0.113.0/24')])).toEqual([]);
    expect(check('SENSOR', ['52.10.3.4'], config)).toEqual([]);
  });
});
