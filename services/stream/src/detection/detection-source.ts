import { compileDetection, parseDetectionConfig, DEFAULT_DETECTION_CONFIG, type CompiledDetection } from '@warden/core';
import type { SqlPool } from '@warden/db';
import type { Logger } from '@warden/runtime';

/**
 * The detection configuration and threat-intel list, read from Postgres and compiled at most once
 * per `ttlMs`: an admin's change reaches every stream processor within that time, and batches
 * never wait on it except for the first.
 */
export function createDetectionSource(pool: SqlPool, log: Logger, ttlMs: number): { get(): Promise<CompiledDetection> } {
  let current: CompiledDetection | undefined;
  let loadedAt = 0;
  let loading: Promise<CompiledDetection> | undefined;
  const load = async (): Promise<CompiledDetection> => {
    const [settings, intel] = await Promise.all([
      pool.query<{ config: unknown }>('SELECT config FROM detection_settings WHERE id = 1'),
      pool.query<{ id: string; value: string; label: string | null }>('SELECT id, value, label FROM threat_intel'),
    ]);
    let config = DEFAULT_DETECTION_CONFIG;
    try {
      if (settings.rows[0]) config = parseDetectionConfig(settings.rows[0].config);
    } catch (err) {
      // Written through the API, so validated; keep the defaults rather than stop detecting.
      log.error({ err }, 'stored detection configuration is invalid; using the defaults');
    }
    return compileDetection(config, intel.rows.map((r) => ({ id: r.id, value: r.value, label: r.label ?? undefined })));
  };
  return {
    async get() {
      if (current && Date.now() - loadedAt < ttlMs) return current;
      loading ??= load()
        .then((c) => {
          current = c;
          loadedAt = Date.now();
          return c;
        })
        .catch((err: unknown) => {
          if (current) {
            log.warn({ err }, 'could not reload the detection configuration; keeping the previous one');
            return current;
          }
          throw err;
        })
        .finally(() => {
          loading = undefined;
        });
      return loading;
    },
  };
}
