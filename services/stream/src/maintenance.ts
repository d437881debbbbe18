import { sweepLiveness, type DeviceEventPublisher, type LivenessOptions } from '@warden/core';
import { maintainTelemetryPartitions, type SqlPool } from '@warden/db';
import type { Logger } from '@warden/runtime';

/** Runs `task` every `ms` (never overlapping itself) until stopped; failures are logged. */
function every(ms: number, task: () => Promise<void>, log: Logger, name: string) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  const tick = () => {
    running = task()
      .catch((err: unknown) => log.error({ err, task: name }, 'periodic task failed'))
      .finally(() => {
        running = undefined;
        if (!stopped) timer = setTimeout(tick, ms);
      });
  };
  return {
    start: () => tick(),
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}

/** The stream processor's periodic work: liveness sweeps and time-partition upkeep (retention). */
export function createMaintenance(deps: {
  pool: SqlPool;
  events: DeviceEventPublisher;
  log: Logger;
  liveness: LivenessOptions & { sweepSeconds: number };
  partitions: { retentionDays: number; aheadDays: number };
}) {
  const liveness = every(
    deps.liveness.sweepSeconds * 1000,
    async () => {
      const n = await sweepLiveness({ pool: deps.pool, events: deps.events }, deps.liveness);
      if (n) deps.log.info({ devices: n }, 'devices went offline');
    },
    deps.log,
    'liveness',
  );
  const partitions = every(
    3600_000,
    async () => {
      const r = await maintainTelemetryPartitions(deps.pool, deps.partitions);
      if (r.created.length || r.dropped.length) deps.log.info(r, 'telemetry partitions maintained');
    },
    deps.log,
    'partitions',
  );
  return {
    start() {
      partitions.start();
      liveness.start();
    },
    stop: () => Promise.all([liveness.stop(), partitions.stop()]).then(() => {}),
  };
}
