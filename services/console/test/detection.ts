import { SCHEMA_HEADER, TOPICS, type TelemetryRecord } from '@warden/contracts';
import { createKafka, createLogger, createProducer, type DevKafka } from '@warden/runtime';
import { createStreamService } from '@warden/stream';
import { startTestKafka, telemetryTestConfig } from '@warden/testing';
import type { Stack } from './harness.js';

export interface Detection {
  /** Produces telemetry records to `warden.telemetry.v1`, as the gateway does. */
  send(records: TelemetryRecord[]): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The real detection path beside a console stack: the dev Kafka broker and the stream processor
 * (detection and incident correlation) on the stack's database, publishing live incident events
 * on the stack's Redis prefix, so the api's subscriptions (and the console) receive them.
 */
export async function startDetection(stack: Stack): Promise<Detection> {
  const kafka: DevKafka = await startTestKafka({ telemetryPartitions: 2 });
  const config = telemetryTestConfig({ ...stack.env, KAFKA_BROKERS: kafka.brokers.join(','), DETECTION_RELOAD_MS: '1000' });
  const stream = await createStreamService(config, { maintenance: false });
  await stream.start(0, '127.0.0.1');
  const producer = createProducer(createKafka({ brokers: kafka.brokers, clientId: 'console-test', log: createLogger('console-test', 'silent') }));
  await producer.connect();
  return {
    async send(records) {
      await producer.send({
        topic: TOPICS.telemetry,
        acks: -1,
        messages: records.map((r) => ({ key: r.deviceId, value: JSON.stringify(r), headers: { [SCHEMA_HEADER]: 'telemetry.v1' } })),
      });
    },
    async stop() {
      await producer.disconnect().catch(() => undefined);
      await stream.stop();
      await kafka.stop();
    },
  };
}
