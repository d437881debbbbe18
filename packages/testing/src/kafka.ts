import { DEFAULT_PARTITIONS, TOPICS } from '@warden/contracts';
import { startDevKafka, type DevKafka } from '@warden/runtime';

/**
 * A dev Kafka broker of its own for one test file, with Warden's topics: no topic or consumer
 * group is shared with another file, so files run in parallel. Starting one takes milliseconds.
 */
export async function startTestKafka(opts: { telemetryPartitions?: number; brokers?: number } = {}): Promise<DevKafka> {
  return startDevKafka({
    brokers: opts.brokers ?? 1,
    topics: { ...DEFAULT_PARTITIONS, [TOPICS.telemetry]: opts.telemetryPartitions ?? 4 },
  });
}
