import { ConfigResourceTypes } from 'kafkajs';
import { afterAll, expect, test } from 'vitest';
import { encodeRecord, decodeRecord, recordKey } from '../../core/chain.js';
import { sampleBlock } from '../../core/chain.fixtures.js';
import { createIdempotentProducer, createKafka, ensureChainTopics } from '../../storage/kafka.js';
import { testConfig, testLogger, uniqueName } from '../helpers.js';

const cfg = testConfig({ KAFKA_RETENTION_MS: '86400000', KAFKA_MAX_MESSAGE_BYTES: '8388608' });
const kafka = createKafka(cfg, testLogger(), 'test');
const admin = kafka.admin();
afterAll(() => admin.disconnect());

test('creates chain topics with partitions, retention and max.message.bytes from config', async () => {
  await admin.connect();
  const topics = await ensureChainTopics(admin, cfg, 7);
  expect(topics.blocks).toBe(`${cfg.KAFKA_TOPIC_PREFIX}.7.blocks.v1`);
  const meta = await admin.fetchTopicMetadata({ topics: [topics.blocks, topics.dlq] });
  expect(meta.topics.find((t) => t.name === topics.blocks)?.partitions).toHaveLength(3);
  const described = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topics.blocks }] });
  const entries = Object.fromEntries(described.resources[0]!.configEntries.map((e) => [e.configName, e.configValue]));
  expect(entries['retention.ms']).toBe('86400000');
  expect(entries['max.message.bytes']).toBe('8388608');
  // Idempotent: a second call is a no-op.
  await expect(ensureChainTopics(admin, cfg, 7)).resolves.toEqual(topics);
});

test('idempotent producer → consumer group round trip keeps every record exactly once and in key order per partition', async () => {
  await admin.connect();
  const { blocks } = await ensureChainTopics(admin, cfg, 8);
  const producer = createIdempotentProducer(kafka);
  await producer.connect();
  const records = Array.from({ length: 50 }, (_, i) => {
    const r = sampleBlock();
    r.block.number = i;
    return r;
  });
  await producer.send({ topic: blocks, acks: -1, messages: records.map((r) => ({ key: recordKey(r), value: encodeRecord(r) })) });
  await producer.disconnect();

  const consumer = kafka.consumer({ groupId: uniqueName('g') });
  await consumer.connect();
  await consumer.subscribe({ topic: blocks, fromBeginning: true });
  const seen: { partition: number; number: number }[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`only ${seen.length} of 50 records consumed`)), 30_000);
    void consumer.run({
      eachMessage: async ({ partition, message }) => {
        const rec = decodeRecord(message.value);
        seen.push({ partition, number: rec.block.number });
        if (seen.length === 50) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  await consumer.disconnect();
  expect(seen.map((s) => s.number).sort((x, y) => x - y)).toEqual(records.map((r) => r.block.number));
  for (const p of new Set(seen.map((s) => s.partition))) {
    const inPartition = seen.filter((s) => s.partition === p).map((s) => s.number);
    expect(inPartition).toEqual([...inPartition].sort((x, y) => x - y));
  }
});
