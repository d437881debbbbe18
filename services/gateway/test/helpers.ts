import { Kafka, logLevel } from 'kafkajs';
import { TOPICS } from '@warden/contracts';

/** Reads everything on `topic` from the start until `until` holds (or the timeout passes). */
export async function readTopic<T>(brokers: string[], topic: string, until: (all: T[]) => boolean, timeoutMs = 15_000): Promise<T[]> {
  const kafka = new Kafka({ brokers, clientId: 'test-reader', logLevel: logLevel.NOTHING });
  const consumer = kafka.consumer({ groupId: `reader-${Math.random().toString(36).slice(2)}`, maxWaitTimeInMs: 100 });
  const all: T[] = [];
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out reading ${topic}: got ${all.length}`)), timeoutMs);
      if (until(all)) {
        clearTimeout(timer);
        return resolve();
      }
      void consumer.run({
        eachMessage: async ({ message }) => {
          all.push(JSON.parse(message.value!.toString()) as T);
          if (until(all)) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return all;
}

export const topics = TOPICS;
