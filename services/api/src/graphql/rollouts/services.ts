import type { Config } from '@warden/config';
import type { JobQueue } from '@warden/contracts';
import { LocalDiskStorage, loadSigner, unavailableSigner, type ArtifactSigner, type ArtifactStorage } from '@warden/core/firmware';
import { createJobQueue, type Logger, type Redis } from '@warden/runtime';

/** Firmware storage and signing, for uploads and releases. */
export interface FirmwareServices {
  storage: ArtifactStorage;
  signer: ArtifactSigner;
  maxArtifactBytes: number;
}

/** What the firmware and rollout features add to the API's services. */
export interface RolloutServices {
  firmware: FirmwareServices;
  /** Wakes the rollout orchestrator (BullMQ). */
  jobs: JobQueue;
  evaluateDebounceMs: number;
}

export async function createRolloutServices(config: Config, redis: Redis, log: Logger): Promise<{ services: RolloutServices; close(): Promise<void> }> {
  const jobs = createJobQueue(redis, config.redisPrefix);
  const signer = await loadSigner({
    pem: config.firmware.signingKeyPem,
    file: config.firmware.signingKeyFile,
    createIfMissing: config.env !== 'production',
  }).catch((err: Error) => {
    log.error({ err }, 'no firmware signing key: uploads are refused until one is configured');
    return unavailableSigner(err.message);
  });
  return {
    services: {
      firmware: { storage: new LocalDiskStorage(config.firmware.storageDir), signer, maxArtifactBytes: config.firmware.maxBytes },
      jobs,
      evaluateDebounceMs: config.rollouts.evaluateDebounceMs,
    },
    close: () => jobs.close(),
  };
}
