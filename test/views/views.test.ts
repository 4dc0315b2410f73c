// Speed views against real Kafka + Cassandra: a recorded stream (every tx class, failures,
// transfers, a reorg, duplicated and malformed records) → consumer → every query compared with
// an in-memory recomputation from the canonical block list.
import type { Admin, Kafka } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { RECORD_SCHEMA, type RetractionRecord } from '../../core/chain.js';
import type { Common } from '../../core/common.js';
import { ValidationError } from '../../core/errors.js';
import { createCommon } from '../../core/runtime.js';
import { type CassandraClient, createCassandra } from '../../storage/cassandra.js';
import { createKafka, ensureChainTopics } from '../../storage/kafka.js';
import { createViewsQueries, type ViewsQueries } from '../../storage/views/queries.js';
import { createViewsWriter } from '../../storage/views/writer.js';
import { runViews } from '../../speed/views/main.js';
import { blockRows, decodeManifest, encodeManifest, manifestKeys, retractionKeys, writeTimestamp } from '../../speed/views/rows.js';
import { testConfig, testLogger } from '../helpers.js';
import { generateStream } from './fixtures.js';
import { caughtUp, expectedSnapshot, produceStream, snapshotViews } from './harness.js';
import { waitFor } from '../../core/wait.js';

const CHAIN = 1337;
const PARTITIONS = 3;
const cfg = testConfig({ VIEWS_CONCURRENCY: '32' });
const logger = testLogger();
const now = Math.floor(Date.now() / 1000);
const stream = generateStream({
  chainId: CHAIN,
  seed: 7,
  blocks: 150,
  startTime: now - Math.floor(2.6 * 86_400),
  dayGapsAfter: [50, 100],
  reorgAfter: 120,
  reorgDepth: 3,
  duplicates: 6,
});
const malformed = [
  { raw: Buffer.from('{"schema": "chainlake.block.v1", "kind": "block", '), partition: 0, reason: 'bad_json' },
  { raw: Buffer.from(JSON.stringify({ schema: 'chainlake.block.v9', kind: 'block' })), partition: 1, reason: 'unknown_schema' },
  { raw: Buffer.from(JSON.stringify({ schema: RECORD_SCHEMA, kind: 'block', chainId: CHAIN, block: { number: 5 } })), partition: 2, reason: 'invalid' },
];

let cassandra: CassandraClient;
let kafka: Kafka;
let admin: Admin;
let common: Common;
let queries: ViewsQueries;
let metricsPort = 0;
let groupId = '';
let topics = { blocks: '', dlq: '' };

beforeAll(async () => {
  cassandra = await createCassandra(cfg, logger);
  kafka = createKafka(cfg, logger, 'views-test');
  admin = kafka.admin();
  await admin.connect();
  topics = await ensureChainTopics(admin, cfg, CHAIN);
  // Malformed records sit between good ones: later records must still be applied.
  const items: Parameters<typeof produceStream>[2] = [...stream.records];
  items.splice(130, 0, malformed[2] as { raw: Buffer; partition: number });
  items.splice(80, 0, malformed[1] as { raw: Buffer; partition: number });
  items.splice(40, 0, malformed[0] as { raw: Buffer; partition: number });
  await produceStream(kafka, topics.blocks, items, PARTITIONS);
  common = createCommon('views-test', { config: cfg, installSignalHandlers: false });
  const started = await runViews(common, { chainId: CHAIN, metricsPort: 0, sessionTimeoutMs: 6_000 });
  metricsPort = started.port;
  groupId = started.consumer.groupId;
  queries = createViewsQueries(cassandra, { chainId: CHAIN, ttlSeconds: cfg.VIEWS_TTL_SECONDS });
  await waitFor('views consumer to catch up', () => caughtUp(admin, groupId, topics.blocks), 60_000, { everyMs: 200 });
});

afterAll(async () => {
  await common?.shutdown.run('test done');
  await admin?.disconnect();
  await cassandra?.shutdown();
});

describe('views consumer on a recorded stream', () => {
  test('every query equals the in-memory recomputation from the canonical blocks', async () => {
    const actual = await snapshotViews(queries, stream);
    const expected = expectedSnapshot(stream, PARTITIONS);
    // The fixture really exercises what it claims to.
    expect(stream.orphaned.length).toBe(3);
    expect(expected.txs.some(([, t]) => t === null)).toBe(true);
    expect(new Set(expected.minuteStats.map((m) => new Date(m.minute * 1000).toISOString().slice(0, 10))).size).toBeGreaterThanOrEqual(3);
    expect(expected.history.some(([, h]) => (h?.length ?? 0) > 9)).toBe(true);
    expect(actual.latest10).toEqual(expected.latest10);
    expect(actual.latestAll).toEqual(expected.latestAll);
    expect(actual.blocksByNumber).toEqual(expected.blocksByNumber);
    expect(actual.blocksByHash).toEqual(expected.blocksByHash);
    expect(actual.txs).toEqual(expected.txs);
    expect(actual.history).toEqual(expected.history);
    expect(actual.transfersByToken).toEqual(expected.transfersByToken);
    expect(actual.transfersByAddress).toEqual(expected.transfersByAddress);
    expect(actual.minuteStats).toEqual(expected.minuteStats);
    expect(actual.headBlock).toBe(expected.headBlock);
  });

  test('malformed records land in the DLQ with their reason and raw value', async () => {
    const consumer = kafka.consumer({ groupId: `${groupId}.dlq-reader` });
    const got: { reason: string; value: string; offset: string }[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: topics.dlq, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        got.push({ reason: String(message.headers?.['chainlake-dlq-reason']), value: message.value?.toString() ?? '', offset: String(message.headers?.['chainlake-source-offset']) });
      },
    });
    await waitFor('3 DLQ records', async () => got.length >= 3, 30_000, { everyMs: 200 });
    await consumer.disconnect();
    expect(got.map((g) => g.reason).sort()).toEqual(malformed.map((m) => m.reason).sort());
    expect(got.map((g) => g.value).sort()).toEqual(malformed.map((m) => m.raw.toString()).sort());
    expect(got.every((g) => /^\d+$/.test(g.offset))).toBe(true);
  });

  test('serves /metrics with records, rows, DLQ and last block, and /ready', async () => {
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    const value = (re: RegExp) => Number(re.exec(text)?.[1] ?? Number.NaN);
    expect(value(/chainlake_views_records_total\{kind="block"[^}]*\} (\d+)/)).toBeGreaterThanOrEqual(stream.records.filter((r) => r.kind === 'block').length);
    expect(value(/chainlake_views_records_total\{kind="retraction"[^}]*\} (\d+)/)).toBeGreaterThanOrEqual(3);
    expect(value(/chainlake_views_dlq_total\{reason="bad_json"[^}]*\} (\d+)/)).toBe(1);
    expect(value(/chainlake_views_last_block\{[^}]*\} (\d+)/)).toBe(Math.max(...stream.canonical.map((b) => b.block.number)));
    expect(text).toMatch(/chainlake_views_rows_written_total\{table="views_txs_by_hash",op="insert"/);
    expect(text).toMatch(/chainlake_views_write_seconds_count/);
    expect(text).toMatch(/chainlake_views_lag_records\{partition="0"/);
    const ready = await fetch(`http://127.0.0.1:${metricsPort}/ready`);
    expect(ready.status).toBe(200);
  });
});

describe('write timestamps', () => {
  test('a replayed orphan cannot resurrect over its retraction; the replacement survives a replayed retraction', async () => {
    // Applied with the writer directly, in the worst order: block, retraction, replacement, then replays.
    const chainId = 4242;
    const s = generateStream({ chainId, seed: 99, blocks: 6, startTime: now - 3_600, reorgAfter: 6, reorgDepth: 2, maxTxs: 6 });
    const writer = createViewsWriter(cassandra, { ttlSeconds: cfg.VIEWS_TTL_SECONDS });
    const q = createViewsQueries(cassandra, { chainId, ttlSeconds: cfg.VIEWS_TTL_SECONDS });
    const orphan = s.orphaned.find((b) => b.transactions.length > 0) ?? s.orphaned[0];
    const retraction = s.records.find((r): r is RetractionRecord => r.kind === 'retraction' && r.block.hash === orphan?.block.hash);
    const replacement = s.canonical.find((b) => b.block.number === orphan?.block.number);
    if (!orphan || !retraction || !replacement) throw new Error('fixture lacks a reorg');
    const applyBlock = async (b: typeof orphan, offset: string) => {
      const rows = blockRows(b);
      await Promise.all(rows.map((r) => writer.insert(r, writeTimestamp(offset))));
      await writer.writeManifest(chainId, b.block.hash, b.block.number, encodeManifest(manifestKeys(rows)), writeTimestamp(offset));
    };
    const applyRetraction = async (offset: string) => {
      const m = await writer.readManifest(chainId, retraction.block.hash);
      const keys = [...retractionKeys(retraction), ...(m ? decodeManifest(m) : [])];
      await Promise.all(keys.map((k) => writer.remove(k, writeTimestamp(offset))));
      await writer.deleteManifest(chainId, retraction.block.hash, writeTimestamp(offset));
    };
    await applyBlock(orphan, '10');
    expect((await q.blockByNumber(orphan.block.number))?.hash).toBe(orphan.block.hash);
    await applyRetraction('11');
    expect(await q.blockByNumber(orphan.block.number)).toBeNull();
    expect(await q.blockByHash(orphan.block.hash)).toBeNull();
    // Replay of the orphan (e.g. after a crash before the commit): still gone.
    await applyBlock(orphan, '10');
    expect(await q.blockByHash(orphan.block.hash)).toBeNull();
    expect(await q.blockByNumber(orphan.block.number)).toBeNull();
    for (const tx of orphan.transactions) expect(await q.txByHash(tx.hash)).toBeNull();
    await applyBlock(replacement, '12');
    // Replay of the retraction after the replacement landed: the replacement stays.
    await applyRetraction('11');
    expect((await q.blockByNumber(orphan.block.number))?.hash).toBe(replacement.block.hash);
    for (const tx of replacement.transactions) expect((await q.txByHash(tx.hash))?.blockHash).toBe(replacement.block.hash);
    expect(replacement.transactions.length + orphan.transactions.length).toBeGreaterThan(0);
  });
});

describe('query validation', () => {
  test('bad hashes, addresses, ranges, page sizes and cursors are ValidationErrors with a clear message', async () => {
    await expect(queries.blockByHash('0x1234')).rejects.toThrow(ValidationError);
    await expect(queries.txByHash(`0x${'A'.repeat(64)}`)).rejects.toThrow(/32-byte lowercase hex/);
    await expect(queries.addressHistory('0xnot-an-address')).rejects.toThrow(/20-byte lowercase hex address/);
    await expect(queries.addressHistory(`0x${'1'.repeat(40)}`, { limit: 1001 })).rejects.toThrow(/between 1 and 1000/);
    await expect(queries.addressHistory(`0x${'1'.repeat(40)}`, { cursor: 'garbage' })).rejects.toThrow(/cursor/);
    await expect(queries.latestBlocks(0)).rejects.toThrow(ValidationError);
    await expect(queries.minuteStats({ from: 2_000, to: 1_000 })).rejects.toThrow(/inverted range/);
    await expect(queries.minuteStats({ from: 0, to: 40 * 86_400 })).rejects.toThrow(/too wide/);
    await expect(queries.tokenTransfers({ limit: 5 })).rejects.toThrow(/exactly one of token or address/);
    await expect(queries.blockByNumber(-1)).rejects.toThrow(ValidationError);
  });
});
