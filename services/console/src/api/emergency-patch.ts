export const START_EMERGENCY_PATCH = /* GraphQL */ `
  mutation ConsoleStartEmergencyPatch($input: StartEmergencyPatchInput!) {
    startEmergencyPatch(input: $input) {
      rollouts { id name status release { version model { vendor name } } }
      targetCount
      skipped { reason device { id name } }
      advisories
      replayed
    }
  }
`;

export interface EmergencyPatchResult {
  rollouts: { id: string; name: string; status: string; release: { version: string; model: { vendor: string; name: string } } }[];
  targetCount: number;
  skipped: { reason: string; device: { id: string; name: string } }[];
  advisories: string[];
  replayed: boolean;
}
