import { describe, expect, it } from 'vitest';
import { topicPattern } from './mqtt-bridge.js';

describe('topicPattern', () => {
  it('captures the device id from the topic, with or without a shared subscription', () => {
    expect(topicPattern('warden/devices/+/telemetry').exec('warden/devices/abc-1/telemetry')?.[1]).toBe('abc-1');
    expect(topicPattern('$share/gw/warden/devices/+/telemetry').exec('warden/devices/x/telemetry')?.[1]).toBe('x');
    expect(topicPattern('warden/devices/+/telemetry').exec('warden/devices/a/b/telemetry')).toBeNull();
    expect(topicPattern('warden/devices/+/telemetry').exec('wardenXdevices/a/telemetry')).toBeNull();
  });
});
