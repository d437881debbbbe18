/** A device as blast radius and readiness see it (the registry joined with its model). */
export interface FleetDevice {
  id: string;
  ip: string | null;
  segmentId: string | null;
  modelId: string;
  firmwareVersion: string | null;
  /** Whether the model can be updated over the air: a device that cannot is "unpatchable". */
  otaCapable: boolean;
}

/** Who talked to whom (`device_contacts`): the device opened connections to the peer. */
export interface ContactEdge {
  deviceId: string;
  peerIp: string;
  /** The peer when it is a known device; otherwise it is resolved by IP. */
  peerDeviceId?: string | null | undefined;
  port: number;
  count: number;
  bytes: number;
}

/** One affected version range of one model for an open advisory (`advisory_affected`). */
export interface AdvisoryRange {
  advisoryId: string;
  /** CVE or OSV id. */
  externalId: string;
  severity: string;
  modelId: string;
  /** Versions ≥ introduced (any when absent) ... */
  introduced?: string | null | undefined;
  /** ... and < fixed ... */
  fixed?: string | null | undefined;
  /** ... or ≤ lastAffected. Neither: every version from `introduced` on. */
  lastAffected?: string | null | undefined;
  /** Whether a release with the fix exists for the model. */
  fixAvailable: boolean;
}
