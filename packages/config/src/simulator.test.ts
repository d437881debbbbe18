import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './index.js';

describe('simulator configuration', () => {
  it('defaults to the demo office: every roster device, HTTP telemetry batched per gateway, outbreak on after 90 s', () => {
    const s = loadConfig({}).simulator;
    expect(s).toMatchObject({ enabled: true, devices: undefined, seed: 42, gatewayUrl: 'http://127.0.0.1:4100', containment: true });
    expect(s.telemetry).toEqual({ transport: 'http', intervalSeconds: 30, auth: 'gateway' });
    expect(s.outbreak).toMatchObject({ enabled: true, delaySeconds: 90, vulnerable: [{ model: 'Lumen/A19 Smart Bulb', below: '2.5.0' }] });
  });

  it('reads device count, seed, scenario switch and vulnerable firmware list', () => {
    const s = loadConfig({ SIM_DEVICES: '500', SIM_SEED: '7', SIM_OUTBREAK: 'false', SIM_OUTBREAK_VULNERABLE: 'Lumen/A19 Smart Bulb<2.5.0, Vigil/Bullet C300<1.0.0' }).simulator;
    expect(s).toMatchObject({ devices: 500, seed: 7, outbreak: { enabled: false } });
    expect(s.outbreak.vulnerable).toEqual([
      { model: 'Lumen/A19 Smart Bulb', below: '2.5.0' },
      { model: 'Vigil/Bullet C300', below: '1.0.0' },
    ]);
  });

  it('refuses bad values with the variable named', () => {
    expect(() => loadConfig({ SIM_DEVICES: '0' })).toThrow(/SIM_DEVICES/);
    expect(() => loadConfig({ SIM_DEVICES: '100000' })).toThrow(ConfigError);
    expect(() => loadConfig({ SIM_TELEMETRY_TRANSPORT: 'carrier-pigeon' })).toThrow(/SIM_TELEMETRY_TRANSPORT/);
    expect(() => loadConfig({ SIM_OUTBREAK_VULNERABLE: 'bulbs' })).toThrow(/SIM_OUTBREAK_VULNERABLE.*vendor\/model<version/s);
    expect(() => loadConfig({ SIM_UPDATE_FAILURE_RATE: '1.5' })).toThrow(/SIM_UPDATE_FAILURE_RATE/);
    expect(() => loadConfig({ SIM_OUTBREAK_EXFIL: 'evil.example' })).toThrow(/SIM_OUTBREAK_EXFIL/);
  });
});
