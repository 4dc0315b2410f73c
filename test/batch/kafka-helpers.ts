// Produce fixture records to a real Kafka topic and read a topic back with (partition, offset).
import type { Kafka } from 'kafkajs';
import { type ChainRecord, decodeRecord, encodeRecord, recordKey } from '../../core/chain.js';
import { createIdempotentProducer } from '../../storage/kafka.js';
import type { Published } from './reference.js';

export async function createRecordProducer(kafka: Kafka, topic: string) {
  const producer = createIdempotentProducer(kafka);
  await producer.connect();
  return {
    send: async (records: ChainRecord[]) =>
      void (await producer.send({ topic, compression: 0, messages: records.map((r) => ({ key: recordKey(r), value: encodeRecord(r) })) })),
    close: () => producer.disconnect(),
  };
}

export async function produceRecords(kafka: Kafka, topic: string, records: ChainRecord[], batchSize = 500): Promise<void> {
  const producer = await createRecordProducer(kafka, topic);
  try {
    for (let i = 0; i < records.length; i += batchSize) await producer.send(records.slice(i, i + batchSize));
  } finally {
    await producer.close();
  }
}

/** Every record of the topic up to the current high watermarks, with its partition and offset. */
export async function readTopic(kafka: Kafka, topic: string, groupId: string): Promise<Published[]> {
  const admin = kafka.admin();
  await admin.connect();
  const marks = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const target = new Map(marks.map((m) => [m.partition, Number(m.high)]));
  const out: Published[] = [];
  const pos = new Map<number, number>();
  const done = () => [...target].every(([p, h]) => (pos.get(p) ?? 0) >= h);
  if (done()) return out;
  const consumer = kafka.consumer({ groupId, maxBytesPerPartition: 16 * 1024 * 1024, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('readTopic timed out')), 60_000);
    void consumer
      .run({
        eachMessage: async ({ partition, message }) => {
          const offset = Number(message.offset);
          if (offset >= (pos.get(partition) ?? 0)) {
            out.push({ record: decodeRecord(message.value), partition, offset });
            pos.set(partition, offset + 1);
          }
          if (done()) {
            clearTimeout(timer);
            resolve();
          }
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return out;
}
