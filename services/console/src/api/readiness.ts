export type AdvisorySeverity = 'UNKNOWN' | 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';

export interface SegmentRef {
  id: string;
  name: string;
}

export interface WormReachView {
  devices: number;
  segments: SegmentRef[];
}

export interface AdvisoryExposureView {
  advisory: { id: string; externalId: string; severity: AdvisorySeverity; summary: string };
  exposed: number;
  unpatchable: number;
  patchableNow: number;
  bySegment: { segment: SegmentRef | null; devices: number }[];
  byFirmware: { model: { id: string; vendor: string; name: string }; version: string; devices: number }[];
}

export interface SegmentReadinessView {
  segment: SegmentRef;
  devices: number;
  vulnerable: number;
  wormReach: WormReachView;
  worstAdvisory: (WormReachView & { externalId: string }) | null;
}

export interface ReadinessView {
  advisories: AdvisoryExposureView[];
  unpatchable: { total: number; bySegment: { segment: SegmentRef | null; devices: number }[] };
  segments: SegmentReadinessView[];
  simultaneous: { devices: number; unpatchable: number; startSegment: SegmentRef | null; segments: SegmentRef[] };
}

const SEG = 'id name';

export const READINESS = /* GraphQL */ `
  query ConsoleReadiness {
    readiness {
      advisories {
        advisory { id externalId severity summary }
        exposed
        unpatchable
        patchableNow
        bySegment { segment { ${SEG} } devices }
        byFirmware { model { id vendor name } version devices }
      }
      unpatchable { total bySegment { segment { ${SEG} } devices } }
      segments {
        segment { ${SEG} }
        devices
        vulnerable
        wormReach { devices segments { ${SEG} } }
        worstAdvisory { externalId devices segments { ${SEG} } }
      }
      simultaneous { devices unpatchable startSegment { ${SEG} } segments { ${SEG} } }
    }
  }
`;
export type ReadinessResult = { readiness: ReadinessView };
