import type { AlertV1 } from '@warden/contracts/incidents';
import { sweepLiveness, type CompiledDetection, type CorrelationConfig, type DeviceEventPublisher, type LivenessOptions } from '@warden/core';
import { maintainTelemetryPartitions, type SqlPool } from '@warden/db';
import type { Logger } from '@warden/runtime';
import { detectSilence } from './detection/detect-silence.js';
import type { DetectionNotice } from './detection/store-alerts.js';

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

/**
 * The stream processor's periodic work: liveness sweeps (with the segment-wide detection rules
 * in each sweep's transaction) and time-partition upkeep (retention).
 */
export function createMaintenance(deps: {
  pool: SqlPool;
  events: DeviceEventPublisher;
  log: Logger;
  liveness: LivenessOptions & { sweepSeconds: number };
  partitions: { retentionDays: number; aheadDays: number };
  detection?: {
    source: { get(): Promise<CompiledDetection> };
    correlation: CorrelationConfig;
    publishAlerts(alerts: AlertV1[]): Promise<void>;
    /** Called after the sweep with what it raised (live subscribers); must not throw. */
    notify(notice: DetectionNotice): void;
  };
}) {
  const liveness = every(
    deps.liveness.sweepSeconds * 1000,
    async () => {
      const detection = deps.detection;
      const notices: DetectionNotice[] = [];
      let detect: Parameters<typeof sweepLiveness>[0]['detect'];
      if (detection) {
        const { config } = await detection.source.get();
        detect = async (tx, wentOffline) => {
          notices.push(await detectSilence(tx, wentOffline, { config, correlation: detection.correlation, publishAlerts: detection.publishAlerts }));
        };
      }
      const n = await sweepLiveness({ pool: deps.pool, events: deps.events, ...(detect ? { detect } : {}) }, deps.liveness);
      if (n) deps.log.info({ devices: n }, 'devices went offline');
      for (const notice of notices) if (notice.alerts.length) detection!.notify(notice);
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
