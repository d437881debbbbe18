import type { Config } from '@warden/config';
import { DEFAULT_PARTITIONS, TOPICS, type TopicName } from '@warden/contracts';
import type { Logger } from 'pino';
import { createKafka, ensureTopics, type Kafka } from './kafka.js';

/** Warden's topics with their partition counts for this configuration. */
export function wardenTopics(config: Pick<Config, 'kafka'>): Record<TopicName, number> {
  return { ...DEFAULT_PARTITIONS, [TOPICS.telemetry]: config.kafka.telemetryPartitions };
}

/**
 * The Kafka client for a service, with Warden's topics created when missing (real clusters;
 * the dev broker is started with them).
 */
export async function connectWardenKafka(config: Pick<Config, 'kafkaBrokers' | 'kafkaClientId' | 'kafka'>, log: Logger, clientId?: string): Promise<Kafka> {
  if (!config.kafkaBrokers?.length) {
    throw new Error('KAFKA_BROKERS is not set: point it at a Kafka cluster (npm start runs a dev broker and sets it)');
  }
  const kafka = createKafka({ brokers: config.kafkaBrokers, clientId: clientId ?? config.kafkaClientId, log });
  const topics = Object.entries(wardenTopics(config)).map(([topic, numPartitions]) => ({ topic, numPartitions }));
  await ensureTopics(kafka, topics, log);
  return kafka;
}
