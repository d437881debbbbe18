import { loadConfig } from '@warden/config';
import { createDb, createSqlPool } from '@warden/db';
import { createStepExecutors, type PlaybookDeps } from '@warden/core/playbooks';
import { incidentLiveChannel } from '@warden/core';
import { webhookSettings } from '@warden/core/webhooks';
import { connectWardenKafka, createJobQueue, createLogger, createProducer, createRedis, once, stopOnSignals, type Producer } from '@warden/runtime';
import { kafkaContainmentEvents, mqttDeviceStates, type MqttDeviceStates } from './containment.outlets.js';
import { createContainmentWorkers } from './containment.worker.js';
import { withContainmentWebhooks } from './containment-webhooks.js';
import { createPlaybookWorkers } from './playbooks.worker.js';
import { createRolloutWorkers } from './rollouts.worker.js';

/** Wires config → clients → workers and returns `{ start, stop }`. */
export function createWorkerService(config = loadConfig()) {
  const log = createLogger('worker', config.logLevel);
  const db = createDb(config.databaseUrl, { poolSize: config.databasePoolSize });
  // Each playbook run being advanced holds a connection for its lock, plus one for its queries.
  const sql = createSqlPool(config.databaseUrl, config.rollouts.workerConcurrency * 2 + 2);
  const redis = createRedis(config.redisUrl);
  const jobs = createJobQueue(redis, config.redisPrefix);
  const deps = { db, sql, config, jobs, evaluateDebounceMs: config.rollouts.evaluateDebounceMs };
  // What every group's workers share; each has its own sweep interval.
  const queueOptions = { jobs, connection: redis, prefix: config.redisPrefix, log, concurrency: config.rollouts.workerConcurrency, lockMs: config.rollouts.workerLockMs };
  const rollouts = createRolloutWorkers({ ...queueOptions, deps, sweepSeconds: config.rollouts.sweepSeconds });
  const live = incidentLiveChannel(config.redisPrefix);
  const playbookDeps: PlaybookDeps = {
    db,
    sql,
    config,
    jobs,
    webhooks: webhookSettings(config.webhooks),
    playbooks: {
      waitPollMs: config.playbooks.waitPollMs,
      publish: async (event) => {
        // Live delivery is best effort: Postgres is the record.
        await redis.publish(live, JSON.stringify(event)).catch((err: unknown) => log.warn({ err }, 'could not publish a live playbook event'));
      },
    },
  };
  const playbooks = createPlaybookWorkers({
    deps: playbookDeps,
    executors: createStepExecutors(playbookDeps, {
      evaluateDebounceMs: config.rollouts.evaluateDebounceMs,
      containment: { redisPrefix: config.redisPrefix, pubsub: redis, managementAllow: config.containment.managementAllow },
    }),
    ...queueOptions,
    sweepSeconds: config.playbooks.sweepSeconds,
  });
  // Containment delivery publishes to Kafka and MQTT; without KAFKA_BROKERS it does not run (the
  // containments stay PENDING and are delivered once a worker with Kafka starts).
  let producer: Producer | undefined;
  let mqtt: MqttDeviceStates | undefined;
  let containment: ReturnType<typeof createContainmentWorkers> | undefined;
  return {
    log,
    async start() {
      await rollouts.start();
      await playbooks.start();
      if (config.kafkaBrokers?.length) {
        const kafka = await connectWardenKafka(config, log, `${config.kafkaClientId}-worker`);
        // One request in flight: a retried send cannot overtake the next one, so a target's events stay in order.
        producer = createProducer(kafka, { maxInFlightRequests: 1 });
        await producer.connect();
        mqtt = mqttDeviceStates(config.mqttUrl, log);
        containment = createContainmentWorkers({
          deps: { db, sql, config, jobs, redisPrefix: config.redisPrefix, pubsub: redis, managementAllow: config.containment.managementAllow },
          outlets: { events: withContainmentWebhooks(kafkaContainmentEvents(producer), jobs), devices: mqtt.outlet },
          ...queueOptions,
          sweepSeconds: config.containment.sweepSeconds,
        });
        await containment.start();
      } else log.warn('KAFKA_BROKERS is not set: containment delivery is off in this worker');
      log.info({ concurrency: config.rollouts.workerConcurrency, containment: !!containment }, 'worker running');
    },
    stop: once(async () => {
      await playbooks.stop(); // finishes in-flight jobs
      await rollouts.stop();
      await containment?.stop();
      await mqtt?.close().catch(() => {});
      await producer?.disconnect().catch(() => {});
      await jobs.close();
      await db.$disconnect();
      await sql.end();
      redis.disconnect();
    }),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const service = createWorkerService();
  stopOnSignals(service, service.log);
  await service.start();
}
