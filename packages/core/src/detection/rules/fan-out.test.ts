import { describe, expect, it } from 'vitest';
import { DEFAULT_DETECTION_CONFIG, parseDetectionConfig } from '../config.js';
import { parseCidr, type Cidr } from '../ip.js';
import { T0, device, flow, message } from '../test-fixtures.js';
import { evaluateFanOut, initialFanOutState, type FanOutState } from './fan-out.js';

const cfg = DEFAULT_DETECTION_CONFIG.fanOut; // 10 peers in 60 s on 23, 2323, 22, 445, 1900, 5555

function run(batches: { ts: number; flows: ReturnType<typeof flow>[] }[], internal: Cidr[] = [], config = cfg) {
  let state: FanOutState = initialFanOutState();
  const alerts = [];
  for (const [i, b] of batches.entries()) {
    const r = evaluateFanOut(state, message(i, b.ts, { flows: b.flows }), device(), config, internal);
    state = r.state;
    alerts.push(...r.alerts);
  }
  return { state, alerts };
}

const scan = (n: number, port = 23, base = '10.1.0.') => Array.from({ length: n }, (_, i) => flow(`${base}${i + 1}`, port));

describe('worm-like fan-out', () => {
  it('fires when a device telnets to 10 internal peers in one message', () => {
    const { alerts } = run([{ ts: T0, flows: scan(10) }]);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ rule: 'WORM_FAN_OUT', severity: 'HIGH', deviceId: device().id, evidence: { distinctPeers: 10, ports: [23] } });
  });

  it('fires when the peers accumulate across messages inside the sliding window, over several ports', () => {
    const { alerts } = run([
      { ts: T0, flows: scan(4, 22, '192.168.1.') },
      { ts: T0 + 20_000, flows: scan(3, 445, '172.16.0.') },
      { ts: T0 + 50_000, flows: scan(3, 5555, '10.9.9.') },
    ]);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.evidence).toMatchObject({ distinctPeers: 10 });
  });

  it('does not fire when the same peers spread out over more than the window', () => {
    const { alerts, state } = run([
      { ts: T0, flows: scan(5, 22, '10.0.0.') },
      { ts: T0 + 61_000, flows: scan(5, 22, '10.0.1.') },
    ]);
    expect(alerts).toHaveLength(0);
    expect(Object.keys(state.peers)).toHaveLength(5);
  });

  it('does not fire for a printer talking to many peers on ordinary ports (false positive: IPP, HTTPS)', () => {
    const { alerts } = run([{ ts: T0, flows: [...scan(30, 631), ...scan(30, 443, '10.2.0.')] }]);
    expect(alerts).toHaveLength(0);
  });

  it('does not count internet destinations, inbound connections, ICMP or repeats of one peer', () => {
    const flows = [
      ...Array.from({ length: 20 }, (_, i) => flow(`8.8.${i}.1`, 22)),
      ...scan(20, 22, '10.3.0.').map((f) => ({ ...f, outbound: false })),
      ...scan(20, 22, '10.4.0.').map((f) => ({ ...f, protocol: 'icmp' as const })),
      ...Array.from({ length: 50 }, () => flow('10.5.0.1', 23)),
      flow('239.255.255.250', 1900, { protocol: 'udp' }),
      flow('255.255.255.255', 5555, { protocol: 'udp' }),
    ];
    expect(run([{ ts: T0, flows }]).alerts).toHaveLength(0);
  });

  it('counts a peer written as IPv4-mapped IPv6 once, and IPv6 unique-local peers as internal', () => {
    const flows = [flow('10.0.0.1', 23), flow('::ffff:10.0.0.1', 23), ...Array.from({ length: 8 }, (_, i) => flow(`fd00::${i + 1}`, 22))];
    const { state, alerts } = run([{ ts: T0, flows }]);
    expect(Object.keys(state.peers)).toHaveLength(9);
    expect(alerts).toHaveLength(0);
    expect(run([{ ts: T0, flows: [...flows, flow('fe80::99', 5555)] }]).alerts).toHaveLength(1);
  });

  it('treats the configured public office block as internal and honours a custom threshold and port list', () => {
    const config = parseDetectionConfig({ fanOut: { distinctPeers: 3, ports: [8080] } }).fanOut;
    const flows = scan(3, 8080, '203.0.113.');
    expect(run([{ ts: T0, flows }], [], config).alerts).toHaveLength(0);
    expect(run([{ ts: T0, flows }], [parseCidr('203.0.113.0/24')!], config).alerts).toHaveLength(1);
    expect(run([{ ts: T0, flows: scan(5, 23) }], [], config).alerts).toHaveLength(0);
  });

  it('does nothing when disabled', () => {
    expect(run([{ ts: T0, flows: scan(50) }], [], { ...cfg, enabled: false }).alerts).toHaveLength(0);
  });

  it('keeps its state bounded during a large scan', () => {
    const flows = Array.from({ length: 5000 }, (_, i) => flow(`10.${(i >> 8) & 255}.${i & 255}.1`, 23));
    const { state } = run([{ ts: T0, flows }]);
    expect(Object.keys(state.peers).length).toBeLessThanOrEqual(4096);
  });
});
