import type { CoreDeps } from '../context.js';
import type { ArtifactStorage } from './storage.js';
import type { ArtifactSigner } from './signing.js';

/** What the firmware use-cases need besides the database. */
export interface FirmwareDeps extends CoreDeps {
  storage: ArtifactStorage;
  signer: ArtifactSigner;
  maxArtifactBytes: number;
}
