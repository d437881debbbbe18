import { createRequire } from 'node:module';
import kafkajs, { type Consumer, type ICustomPartitioner, type ITopicConfig, type Message, type Producer, type ProducerConfig } from 'kafkajs';
import type { Logger } from 'pino';

// kafkajs is CommonJS: Node's ESM loader does not see all of its named exports, so take them
// from the default export.
const { CompressionCodecs, CompressionTypes, Kafka: KafkaClient, Partitioners, logLevel: KafkaLogLevel } = kafkajs;
export const Kafka = KafkaClient;
export type Kafka = kafkajs.Kafka;
export { CompressionTypes };
export type { Consumer, ConsumerRunConfig, Producer, EachBatchPayload, Message, KafkaMessage, Admin } from 'kafkajs';

// Snappy is pure JavaScript here (snappyjs): cheap on CPU, no native build, understood by every broker.
const require = createRequire(import.meta.url);
(CompressionCodecs as Record<number, unknown>)[CompressionTypes.Snappy] = require('kafkajs-snappy');

export type KafkaCompression = 'none' | 'gzip' | 'snappy';

export const compressionType = (c: KafkaCompression): kafkajs.CompressionTypes =>
  ({ none: CompressionTypes.None, gzip: CompressionTypes.GZIP, snappy: CompressionTypes.Snappy })[c];

/** A kafkajs client whose log lines go through the service's structured logger. */
export function createKafka(opts: { brokers: string[]; clientId: string; log: Logger; requestTimeoutMs?: number }): kafkajs.Kafka {
  const log = opts.log.child({ component: 'kafka' });
  return new KafkaClient({
    brokers: opts.brokers,
    clientId: opts.clientId,
    requestTimeout: opts.requestTimeoutMs ?? 10_000,
    connectionTimeout: 3_000,
    logLevel: KafkaLogLevel.WARN,
    logCreator: () => (entry) => {
      const { message, ...fields } = entry.log;
      const level = entry.level <= KafkaLogLevel.ERROR ? 'error' : entry.level === KafkaLogLevel.WARN ? 'warn' : 'debug';
      log[level]({ ...fields, namespace: entry.namespace }, message);
    },
  });
}

/**
 * Runs a consumer (`start`: connect, subscribe, run) and keeps it in its group. kafkajs restarts a
 * consumer after a retriable crash by itself; after any other (e.g. a coordinator that refuses a
 * member's SyncGroup because the group settled meanwhile) it leaves it disconnected for good, and a
 * processor that is up but consumes nothing is the worst outcome. This starts it again, backing
 * off from 0.5 s to 30 s; a successful join resets the backoff. Stop it before disconnecting.
 */
export async function keepConsuming(consumer: Consumer, start: () => Promise<void>, log: Logger): Promise<{ stop(): void }> {
  let stopped = false;
  let failures = 0;
  let timer: NodeJS.Timeout | undefined;
  const again = () => {
    const delayMs = Math.min(30_000, 500 * 2 ** failures++);
    timer = setTimeout(() => {
      if (stopped) return;
      start().catch((err: unknown) => {
        log.error({ err, retryInMs: Math.min(30_000, 500 * 2 ** failures) }, 'could not restart the Kafka consumer');
        if (!stopped) again();
      });
    }, delayMs);
  };
  const offCrash = consumer.on(consumer.events.CRASH, (e) => {
    if (stopped || e.payload.restart) return;
    log.error({ err: e.payload.error, groupId: e.payload.groupId }, 'Kafka consumer crashed; starting it again');
    again();
  });
  const offJoin = consumer.on(consumer.events.GROUP_JOIN, () => {
    failures = 0;
  });
  try {
    await start();
  } catch (err) {
    offCrash();
    offJoin();
    throw err;
  }
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
      offCrash();
      offJoin();
    },
  };
}

/** Most keys a producer remembers the partition of; past it, it starts over. */
const PARTITION_MEMO_KEYS = 100_000;

/**
 * kafkajs' default partitioner (murmur2, as the Java client), remembering the partition of each
 * string key: its murmur2 runs on kafkajs' 64-bit integer emulation, several µs a message, and a
 * fleet sends under the same few thousand device ids over and over. Same partitions, by
 * construction; forgotten when a topic's partition count changes.
 */
export const MemoizedDefaultPartitioner: ICustomPartitioner = () => {
  const partition = Partitioners.DefaultPartitioner();
  const topics = new Map<string, { partitions: number; byKey: Map<string, number> }>();
  return (args) => {
    const { topic, partitionMetadata, message } = args;
    if (typeof message.key !== 'string' || (message.partition !== null && message.partition !== undefined)) return partition(args);
    let memo = topics.get(topic);
    if (!memo || memo.partitions !== partitionMetadata.length || memo.byKey.size >= PARTITION_MEMO_KEYS) {
      topics.set(topic, (memo = { partitions: partitionMetadata.length, byKey: new Map() }));
    }
    let p = memo.byKey.get(message.key);
    if (p === undefined) memo.byKey.set(message.key, (p = partition(args)));
    return p;
  };
};

/** A producer with the default (murmur2, Java-compatible) partitioner: a key always maps to one partition. */
export function createProducer(kafka: Kafka, opts: Partial<ProducerConfig> = {}): Producer {
  return kafka.producer({ createPartitioner: MemoizedDefaultPartitioner, allowAutoTopicCreation: false, ...opts });
}

/**
 * Creates the topics that do not exist yet. Clusters that do not offer the Admin API (the dev
 * broker creates its topics itself) are tolerated: the failure is logged and start-up goes on.
 */
export async function ensureTopics(kafka: Kafka, topics: ITopicConfig[], log: Logger): Promise<void> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t.topic));
    if (missing.length) {
      await admin.createTopics({ topics: missing, waitForLeaders: true });
      log.info({ topics: missing.map((t) => t.topic) }, 'created Kafka topics');
    }
  } catch (err) {
    log.warn({ err }, 'could not create Kafka topics; assuming the cluster provides them');
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

export class ProducerBusyError extends Error {
  override name = 'ProducerBusyError';
}

export interface BatchingProducerOptions {
  topic: string;
  compression: KafkaCompression;
  /** How long a message may wait for others to share its request. */
  lingerMs: number;
  /** A request is sent as soon as this many messages wait. */
  maxBatch: number;
  /** Messages accepted but not yet acknowledged by Kafka; beyond this `send` refuses at once. */
  maxInFlight: number;
}

export interface BatchingProducer {
  /**
   * Resolves once Kafka acknowledged every message (acks=all), rejects if it did not: a caller
   * never reports success for a message Kafka does not have. Throws {@link ProducerBusyError}
   * without queueing when `maxInFlight` would be exceeded.
   */
  send(messages: Message[]): Promise<void>;
  inFlight(): number;
}

/**
 * Gathers the messages of concurrent callers into few large, compressed produce requests: one
 * HTTP batch or MQTT message rarely fills a request on its own.
 */
export function createBatchingProducer(producer: Producer, opts: BatchingProducerOptions): BatchingProducer {
  interface Waiting {
    messages: Message[];
    resolve: () => void;
    reject: (err: unknown) => void;
  }
  let queue: Waiting[] = [];
  let queued = 0;
  let inFlight = 0;
  let timer: NodeJS.Timeout | undefined;
  const compression = compressionType(opts.compression);

  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (!queue.length) return;
    const batch = queue;
    queue = [];
    queued = 0;
    const messages = batch.flatMap((w) => w.messages);
    producer.send({ topic: opts.topic, compression, acks: -1, messages }).then(
      () => {
        for (const w of batch) w.resolve();
      },
      (err: unknown) => {
        for (const w of batch) w.reject(err);
      },
    );
  };

  return {
    inFlight: () => inFlight,
    send(messages) {
      if (!messages.length) return Promise.resolve();
      if (inFlight + messages.length > opts.maxInFlight) {
        return Promise.reject(new ProducerBusyError(`${inFlight} messages already waiting for Kafka`));
      }
      inFlight += messages.length;
      return new Promise<void>((resolve, reject) => {
        queue.push({ messages, resolve, reject });
        queued += messages.length;
        if (queued >= opts.maxBatch) flush();
        else timer ??= setTimeout(flush, opts.lingerMs);
      }).finally(() => {
        inFlight -= messages.length;
      });
    },
  };
}
