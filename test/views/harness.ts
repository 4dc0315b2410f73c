// Helpers of the speed-view integration tests: produce a recorded stream, wait until a
// consumer group caught up, and snapshot every view query (actual vs. in-memory expected).
import type { Admin, Kafka } from 'kafkajs';
import type { ChainRecord } from '../../core/chain.js';
import { encodeRecord, minuteOf, recordKey } from '../../core/chain.js';
import type { Page } from '../../storage/read-rows.js';
import type { ViewsQueries } from '../../storage/views/queries.js';
import { type Stream, expectedViews, partitionOf } from './fixtures.js';

export type Produced = { record?: ChainRecord; raw?: Buffer; partition: number };

/** Produce records in order, each to the partition of its height (like the key partitioner would). */
export async function produceStream(kafka: Kafka, topic: string, items: (ChainRecord | { raw: Buffer; partition: number })[], partitions: number): Promise<void> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  try {
    const messages = items.map((it) =>
      'raw' in it
        ? { key: 'malformed', value: it.raw, partition: it.partition }
        : { key: recordKey(it), value: encodeRecord(it), partition: partitionOf(it, partitions) },
    );
    for (let i = 0; i < messages.length; i += 200) await producer.send({ topic, messages: messages.slice(i, i + 200) });
  } finally {
    await producer.disconnect();
  }
}

/** True when the group's committed offsets reached the high watermark of every partition. */
export async function caughtUp(admin: Admin, groupId: string, topic: string): Promise<boolean> {
  const [high, committed] = await Promise.all([admin.fetchTopicOffsets(topic), admin.fetchOffsets({ groupId, topics: [topic] })]);
  const done = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
  return high.every((h) => (done.get(h.partition) ?? -1n) >= BigInt(h.high));
}

async function allPages<T>(fetch: (cursor?: string) => Promise<Page<T>>, limit: number): Promise<T[]> {
  const out: T[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 10_000; i++) {
    const page = await fetch(cursor);
    if (page.items.length > limit) throw new Error(`page of ${page.items.length} items exceeds limit ${limit}`);
    out.push(...page.items);
    if (page.nextCursor === null) return out;
    cursor = page.nextCursor;
  }
  throw new Error('pagination did not terminate');
}

async function mapLimit<T, R>(xs: T[], n: number, fn: (x: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(xs.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, xs.length) }, async () => {
      while (next < xs.length) {
        const i = next++;
        out[i] = await fn(xs[i] as T);
      }
    }),
  );
  return out;
}

const unique = <T>(xs: T[]) => [...new Set(xs)].sort();

function universe(s: Stream) {
  const all = [...s.canonical, ...s.orphaned];
  return {
    numbers: unique(all.map((b) => b.block.number)).concat([Math.max(...all.map((b) => b.block.number)) + 1]),
    hashes: unique(all.map((b) => b.block.hash)),
    txHashes: unique(all.flatMap((b) => b.transactions.map((t) => t.hash))),
    addresses: unique(
      all.flatMap((b) => [
        ...b.transactions.flatMap((t) => [t.from, t.to, t.contractAddress].filter((x): x is string => x !== null)),
        ...b.tokenTransfers.flatMap((t) => [t.from, t.to]),
      ]),
    ),
    tokens: unique(all.flatMap((b) => b.tokenTransfers.map((t) => t.token))),
    range: { from: minuteOf(Math.min(...all.map((b) => b.block.timestamp))) - 60, to: Math.max(...all.map((b) => b.block.timestamp)) + 120 },
  };
}

/** Every query answer over the stream's blocks, txs, addresses and tokens. */
export async function snapshotViews(q: ViewsQueries, s: Stream) {
  const u = universe(s);
  const pair = async <K, V>(keys: K[], f: (k: K) => Promise<V>) => {
    const vals = await mapLimit(keys, 24, f);
    return keys.map((k, i) => [k, vals[i]] as const);
  };
  return {
    latest10: await q.latestBlocks(10),
    latestAll: await q.latestBlocks(Math.min(1000, s.canonical.length)),
    blocksByNumber: await pair(u.numbers, (n) => q.blockByNumber(n)),
    blocksByHash: await pair(u.hashes, (h) => q.blockByHash(h)),
    txs: await pair(u.txHashes, (h) => q.txByHash(h)),
    history: await pair(u.addresses, (a) => allPages((cursor) => q.addressHistory(a, { limit: 9, ...(cursor ? { cursor } : {}) }), 9)),
    transfersByToken: await pair(u.tokens, (t) => allPages((cursor) => q.tokenTransfers({ token: t, limit: 5, ...(cursor ? { cursor } : {}) }), 5)),
    transfersByAddress: await pair(u.addresses, (a) => allPages((cursor) => q.tokenTransfers({ address: a, limit: 6, ...(cursor ? { cursor } : {}) }), 6)),
    minuteStats: await q.minuteStats(u.range),
    headBlock: (await q.freshness()).lastBlock?.number ?? null,
  };
}

/** The same answers, recomputed in memory from the canonical block list. */
export function expectedSnapshot(s: Stream, partitions: number): Awaited<ReturnType<typeof snapshotViews>> {
  const u = universe(s);
  const m = expectedViews(s.canonical);
  // Freshness: the newest last-applied record over partitions.
  const lastPerPartition = new Map<number, number>();
  for (const r of s.records) lastPerPartition.set(partitionOf(r, partitions), r.block.number);
  return {
    latest10: m.latest(10),
    latestAll: m.latest(Math.min(1000, s.canonical.length)),
    blocksByNumber: u.numbers.map((n) => [n, m.blocks.get(n) ?? null] as const),
    blocksByHash: u.hashes.map((h) => [h, m.byHash.get(h) ?? null] as const),
    txs: u.txHashes.map((h) => [h, m.txs.get(h) ?? null] as const),
    history: u.addresses.map((a) => [a, m.history.get(a) ?? []] as const),
    transfersByToken: u.tokens.map((t) => [t, m.byToken.get(t) ?? []] as const),
    transfersByAddress: u.addresses.map((a) => [a, m.byAddress.get(a) ?? []] as const),
    minuteStats: m.minuteStats(u.range.from, u.range.to),
    headBlock: Math.max(...lastPerPartition.values()),
  };
}
