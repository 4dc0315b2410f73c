// Helpers for the ingest integration tests: read a whole topic, rebuild the canonical chain
// from it, and read a chain straight from anvil (independently of speed/decode).
import type { Kafka } from 'kafkajs';
import { type ChainRecord, decodeRecord } from '../../core/chain.js';
import { uniqueName } from '../helpers.js';

export type TopicEntry = { partition: number; offset: number; record: ChainRecord; raw: string };

/** Every record of the topic, read from the beginning until `until` holds (or the timeout). */
export async function readTopic(
  kafka: Kafka,
  topic: string,
  until: (entries: TopicEntry[]) => boolean,
  timeoutMs = 30_000,
): Promise<TopicEntry[]> {
  const consumer = kafka.consumer({ groupId: uniqueName('g'), sessionTimeout: 10_000 });
  const entries: TopicEntry[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    let resolveDone: () => void = () => {};
    const done = new Promise<void>((r) => (resolveDone = r));
    await consumer.run({
      eachMessage: async ({ partition, message }) => {
        const raw = message.value?.toString('utf8') ?? '';
        entries.push({ partition, offset: Number(message.offset), record: decodeRecord(raw), raw });
        if (until(entries)) resolveDone();
      },
    });
    const timer = new Promise<void>((_, reject) => setTimeout(() => reject(new Error(`topic ${topic}: condition not met within ${timeoutMs} ms (${entries.length} records)`)), timeoutMs));
    await Promise.race([done, timer]);
  } finally {
    await consumer.disconnect();
  }
  return entries.sort((a, b) => a.partition - b.partition || a.offset - b.offset);
}

/** Raw messages of a topic (e.g. the DLQ), from the beginning, until `count` arrived. */
export async function readRaw(kafka: Kafka, topic: string, count: number, timeoutMs = 30_000): Promise<{ key: string; value: string }[]> {
  const consumer = kafka.consumer({ groupId: uniqueName('g') });
  const out: { key: string; value: string }[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    let resolveDone: () => void = () => {};
    const done = new Promise<void>((r) => (resolveDone = r));
    await consumer.run({
      eachMessage: async ({ message }) => {
        out.push({ key: message.key?.toString() ?? '', value: message.value?.toString() ?? '' });
        if (out.length >= count) resolveDone();
      },
    });
    await Promise.race([done, new Promise<void>((_, rej) => setTimeout(() => rej(new Error(`topic ${topic}: ${out.length}/${count} messages`)), timeoutMs))]);
  } finally {
    await consumer.disconnect();
  }
  return out;
}

/**
 * Replay records in partition order (all records of one height share a partition):
 * a block sets the height, a retraction of the current hash clears it.
 */
export function rebuildChain(entries: readonly TopicEntry[]): Map<number, ChainRecord & { kind: 'block' }> {
  const chain = new Map<number, ChainRecord & { kind: 'block' }>();
  for (const { record } of entries) {
    if (record.kind === 'block') chain.set(record.block.number, record);
    else if (chain.get(record.block.number)?.block.hash === record.block.hash) chain.delete(record.block.number);
  }
  return chain;
}

/** Records published more than once must be identical apart from publishedAt. Returns the duplicate count. */
export function assertDuplicatesIdentical(entries: readonly TopicEntry[]): number {
  const seen = new Map<string, string>();
  let dups = 0;
  for (const { record } of entries) {
    const id = `${record.kind}:${record.block.hash}`;
    const { publishedAt: _p, ...rest } = record;
    const body = JSON.stringify(rest);
    const prev = seen.get(id);
    if (prev !== undefined) {
      dups++;
      if (prev !== body) throw new Error(`record ${id} was published twice with different content`);
    }
    seen.set(id, body);
  }
  return dups;
}

export async function rpc<T = unknown>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  const body = (await r.json()) as { result?: T; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result as T;
}

/** True when every height in from..to (except `skip`) has a record. */
export const covers = (from: number, to: number, skip: number[] = []) => (entries: readonly TopicEntry[]): boolean => {
  const have = new Set(entries.map((e) => e.record.block.number));
  for (let n = from; n <= to; n++) if (!have.has(n) && !skip.includes(n)) return false;
  return true;
};
