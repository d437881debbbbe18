import { loadConfig, type Config } from '@warden/config';
import { SCHEMA_HEADER, TOPICS, type TelemetryRecord } from '@warden/contracts';
import { ALERT_SCHEMA, type AlertV1 } from '@warden/contracts/incidents';
import { createArtifactHashCache, incidentLiveChannel, type DeviceEventPublisher, type IncidentLiveEvent } from '@warden/core';
import { createDetectionSource } from './detection/detection-source.js';
import type { DetectionNotice } from './detection/store-alerts.js';
import { createSqlPool, maintainTelemetryPartitions } from '@warden/db';
import { buildOpsHttp, connectWardenKafka, createJobQueue, createLogger, createRedis, createMetrics, createProducer, once, stopOnSignals } from '@warden/runtime';
import { createMaintenance } from './maintenance.js';
import { createTelemetryConsumer } from './telemetry.consumer.js';
import { createDetectionConsumer } from './detection/detection.consumer.js';

export interface StreamOptions {
  onStored?: (records: TelemetryRecord[], storedAt: number) => void;
  /** Run the liveness sweep and partition upkeep (on by default). */
  maintenance?: boolean;
}

/** Wires config → clients → consumers and periodic tasks, and returns `{ start, stop }`. */
export async function createStreamService(config: Config = loadConfig(), opts: StreamOptions = {}) {
  const log = createLogger('stream', config.logLevel);
  const metrics = createMetrics('stream');
  // One connection per writer of each consumer group, plus the periodic tasks and probes.
  const groupCount = Number(config.stream.storage) + Number(config.detection.enabled);
  const pool = createSqlPool(config.databaseUrl, config.stream.writers * groupCount + 2, (err) => log.warn({ err }, 'Postgres dropped an idle connection'), { applicationName: 'warden-stream' });
  const kafka = await connectWardenKafka(config, log, `${config.kafkaClientId}-stream`);
  const producer = createProducer(kafka);
  const admin = kafka.admin();

  const events: DeviceEventPublisher = {
    publish: async (list) => {
      await producer.send({
        topic: TOPICS.deviceEvents,
        acks: -1,
        messages: list.map((e) => ({ key: e.deviceId, value: JSON.stringify(e), headers: { [SCHEMA_HEADER]: 'device-events.v1' } })),
      });
    },
  };
  const redis = createRedis(config.redisUrl);
  const channel = incidentLiveChannel(config.redisPrefix);
  const publishLive = (events: IncidentLiveEvent[]) => {
    // Live delivery is best effort: Postgres is the record, subscribers can re-query.
    const multi = redis.multi();
    for (const e of events) multi.publish(channel, JSON.stringify(e));
    multi.exec().catch((err: unknown) => log.warn({ err }, 'could not publish live incident events'));
  };
  // Playbook triggers and webhooks follow incidents through the worker (`incident.changed`); a job
  // lost between the commit and this enqueue is caught by the worker's sweep.
  const jobs = createJobQueue(redis, config.redisPrefix);
  const enqueueChanges = (n: DetectionNotice) => {
    const at = Date.now();
    for (const i of n.incidents) {
      const alertIds = n.alerts.filter((a) => n.alertIncidents?.[a.id] === i.id).map((a) => a.id);
      jobs
        .enqueue('incident.changed', { incidentId: i.id, change: i.created ? 'CREATED' : 'UPDATED', actor: 'system:detection', alertIds, at })
        .catch((err: unknown) => log.warn({ err, incidentId: i.id }, 'could not queue an incident change for playbooks and webhooks'));
    }
  };
  const detectionSource = createDetectionSource(pool, log, config.detection.reloadMs);
  const detection = config.detection.enabled
    ? {
        source: detectionSource,
        correlation: { windowSeconds: config.detection.correlationWindowSeconds },
        publishAlerts: async (alerts: AlertV1[]) => {
          await producer.send({
            topic: TOPICS.alerts,
            acks: -1,
            messages: alerts.map((a) => ({ key: a.deviceId ?? a.segmentId, value: JSON.stringify(a), headers: { [SCHEMA_HEADER]: ALERT_SCHEMA } })),
          });
        },
        notify: (n: DetectionNotice) => {
          enqueueChanges(n);
          publishLive([
            ...n.alerts.map((alert): IncidentLiveEvent => ({ type: 'ALERT', alert })),
            ...n.incidents.map((i): IncidentLiveEvent => ({ type: 'INCIDENT', incidentId: i.id, change: i.created ? 'CREATED' : 'UPDATED', actor: 'system:detection' })),
          ]);
        },
      }
    : undefined;
  // Storage and detection read the topic alike, each in its own group.
  const group = {
    kafka,
    log,
    metrics,
    concurrency: config.stream.concurrency,
    writers: config.stream.writers,
    batchMaxRecords: config.stream.batchMaxRecords,
    sessionTimeoutMs: config.stream.sessionTimeoutMs,
  };
  const consumer = config.stream.storage
    ? createTelemetryConsumer({
        ...group,
        groupId: config.stream.groupId,
        producer,
        pool,
        events,
        ...(opts.onStored ? { onStored: opts.onStored } : {}),
      })
    : undefined;
  const detector = detection
    ? createDetectionConsumer({
        ...group,
        ...detection,
        groupId: config.detection.groupId,
        pool,
        artifactHashes: createArtifactHashCache({ ttlMs: config.detection.reloadMs }),
        checkpointMs: config.detection.checkpointMs,
        factsRefreshMs: config.detection.reloadMs,
      })
    : undefined;
  const groups = [consumer, detector].filter((g) => g !== undefined);
  const maintenance = createMaintenance({
    pool,
    events,
    log,
    liveness: config.liveness,
    ...(detection ? { detection } : {}),
    partitions: { retentionDays: config.telemetry.retentionDays, aheadDays: config.telemetry.partitionsAheadDays },
  });
  const http = buildOpsHttp({
    metrics,
    checks: [
      { name: 'postgres', check: async () => void (await pool.query('SELECT 1')) },
      { name: 'kafka', check: async () => void (await admin.describeCluster()) },
      {
        name: 'consumer',
        check: async () => {
          const reasons = groups.map((g) => g.outOfGroup()).filter((r): r is string => r !== null);
          if (reasons.length) throw new Error(reasons.join('; '));
        },
      },
    ],
  });

  return {
    log,
    /** The storage group's consumer (unless storage is off). */
    consumer,
    /** The detection group's consumer (when detection is on). */
    detector,
    async start(port = config.stream.port, host = config.stream.host): Promise<number> {
      await Promise.all([producer.connect(), admin.connect()]);
      // Today's partitions must exist before the first batch lands.
      await maintainTelemetryPartitions(pool, { retentionDays: config.telemetry.retentionDays, aheadDays: config.telemetry.partitionsAheadDays });
      // Read the detection settings before the first batch, so it does not wait for them.
      if (config.detection.enabled) await detectionSource.get();
      await Promise.all(groups.map((g) => g.start()));
      if (opts.maintenance !== false) maintenance.start();
      const bound = await http.listen(port, host);
      const names = [...(consumer ? [config.stream.groupId] : []), ...(detector ? [config.detection.groupId] : [])];
      log.info({ url: `http://${host}:${bound}/ready`, groups: names }, 'stream processor running');
      return bound;
    },
    // Drain order: stop fetching (finishes the batches in hand and commits them), stop timers, close clients.
    stop: once(async () => {
      await Promise.all(groups.map((g) => g.stop()));
      await maintenance.stop();
      await http.close();
      await producer.disconnect().catch(() => {});
      await admin.disconnect().catch(() => {});
      await jobs.close();
      redis.disconnect();
      await pool.end();
    }),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const service = await createStreamService();
  stopOnSignals(service, service.log);
  await service.start();
}
