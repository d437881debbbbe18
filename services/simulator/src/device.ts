import type { Flow, SecurityEvent } from './office/behaviour.js';
import type { OfficeDevice } from './office/office.js';

/** What one virtual device remembers while it runs. */
export interface DeviceRuntime {
  firmware: string;
  /** SHA-256 of the image it runs, once it installed one from Warden (factory images are not reported). */
  firmwareHash: string | null;
  seq: number;
  /** When it last booted (epoch ms). */
  bootedAt: number;
  /** False once it has gone silent for good (bricked by an update, or by the worm). */
  online: boolean;
  /** Seconds between DDI polls, as the server last said. */
  pollMs: number;
  /** A poll cycle is in flight. */
  polling: boolean;
  /** The update action it is working on (or gave up on silently). */
  action: { id: string } | null;
  /** Containment the network enforces on it (learnt from its containment topic). */
  quarantined: boolean;
  isolated: boolean;
  credentialsRevoked: boolean;
  /** When its containment state was computed (ISO), to ignore older states. */
  containmentAt: string;
  /** Flows and events that happened since the last report (scans, failed logins). */
  pendingFlows: Flow[];
  pendingEvents: SecurityEvent[];
}

export interface VirtualDevice extends OfficeDevice {
  rt: DeviceRuntime;
}

export function bootDevice(d: OfficeDevice, bootedAt: number, pollMs: number): VirtualDevice {
  return {
    ...d,
    rt: {
      firmware: d.firmwareVersion,
      firmwareHash: null,
      seq: 0,
      bootedAt,
      online: true,
      pollMs,
      polling: false,
      action: null,
      quarantined: false,
      isolated: false,
      credentialsRevoked: false,
      containmentAt: '',
      pendingFlows: [],
      pendingEvents: [],
    },
  };
}
