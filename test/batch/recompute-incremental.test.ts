// The recompute's incremental neighbourhood (only changed days ± 1 day of block files are read)
// and its progress output: pure parts without infra, and a reorg whose replacement block lands on
// the next UTC day through real Kafka, compaction and DuckDB.
import { describe, expect, test } from 'vitest';
import { createCompactor } from '../../batch/compact/compactor.js';
import { createRecomputeProgress } from '../../batch/recompute/progress.js';
import { incrementalScope, recompute, widenDays } from '../../batch/recompute/recompute.js';
import type { BlockRecord } from '../../core/chain.js';
import { BATCH_VIEWS } from '../../storage/lake/versions.js';
import { createIdempotentProducer } from '../../storage/kafka.js';
import { encodeRecord, recordKey } from '../../core/chain.js';
import { testLogger, uniqueName } from '../helpers.js';
import { readViewRows, useBatchHarness } from './harness.js';
import { generateChain } from './fixtures.js';
import { produceRecords, readTopic } from './kafka-helpers.js';
import { referenceViews } from './reference.js';

describe('incremental scope', () => {
  test('behavior: days widen across month and year ends', () => {
    expect([...widenDays(['2026-01-01'], 1)].sort()).toEqual(['2025-12-31', '2026-01-01', '2026-01-02']);
    expect([...widenDays(['2026-03-01'], 2)].sort()).toEqual(['2026-02-27', '2026-02-28', '2026-03-01', '2026-03-02', '2026-03-03']);
  });

  test('behavior: changed days and the tip are trusted with one neighbour day; block files are read one day further', () => {
    const lakeDays = ['2026-01-01', '2026-01-05', '2026-01-10', '2026-01-20', '2026-01-21'];
    const { trusted, scope } = incrementalScope(new Set(['2026-01-05']), '2026-01-20', lakeDays);
    expect([...trusted].sort()).toEqual(['2026-01-04', '2026-01-05', '2026-01-06', '2026-01-19', '2026-01-20', '2026-01-21', '2026-01-22']);
    expect([...scope].sort()).toEqual([
      '2026-01-03', '2026-01-04', '2026-01-05', '2026-01-06', '2026-01-07',
      '2026-01-18', '2026-01-19', '2026-01-20', '2026-01-21', '2026-01-22', '2026-01-23',
    ]);
    // An old, untouched day is neither evaluated nor read.
    expect(scope.has('2026-01-10')).toBe(false);
    expect(scope.has('2026-01-01')).toBe(false);
    // Without a previous block series every lake day is a seed.
    expect(incrementalScope(new Set(), null, lakeDays).trusted.has('2026-01-10')).toBe(true);
  });
});

describe('progress', () => {
  test('behavior: a TTY gets one line per finished step with its time; otherwise one log line per step', () => {
    let out = '';
    let t = 0;
    const tty = createRecomputeProgress({ stream: { write: (s: string) => (out += s), isTTY: true }, logger: testLogger(), now: () => t, tickMs: 60_000 });
    tty.onStepStart('canonical blocks');
    t = 1500;
    tty.onStep({ name: 'canonical blocks', ms: 1500, elapsedMs: 1600 });
    tty.onStepStart('stats_minute');
    tty.onStep({ name: 'stats_minute', ms: 40, elapsedMs: 1700 });
    tty.stop();
    const lines = out.split('\n').map((l) => l.slice(l.lastIndexOf('\r') + 1).replace('\x1b[2K', ''));
    expect(lines[0]).toMatch(/^✓ canonical blocks +1\.5 s {3}\(1\.6 s total\)$/);
    expect(lines[1]).toMatch(/^✓ stats_minute +0\.0 s {3}\(1\.7 s total\)$/);
    expect(out).toContain('canonical blocks … 0.0 s');

    const logged: unknown[] = [];
    const logger = { ...testLogger(), info: (o: unknown) => logged.push(o) } as unknown as ReturnType<typeof testLogger>;
    let plain = '';
    const pipe = createRecomputeProgress({ stream: { write: (s: string) => (plain += s), isTTY: false }, logger });
    pipe.onStepStart('switch');
    pipe.onStep({ name: 'switch', ms: 3, elapsedMs: 900 });
    pipe.stop();
    expect(plain).toBe('');
    expect(logged).toEqual([{ msg: 'Recompute step done', step: 'switch', ms: 3, elapsedMs: 900 }]);
  });
});

const CHAIN = 31338;

describe('a reorg that crosses a day boundary, through real Kafka and DuckDB', () => {
  const h = useBatchHarness({ chainId: CHAIN, finalityDepth: 3, name: 'batch-inc-test' });

  const drain = () => createCompactor(h.common, { kafka: h.kafka, duck: h.duck }, { chainId: CHAIN, mode: 'drain' }).run();

  const viewRows = (version: string, view: (typeof BATCH_VIEWS)[number]) => readViewRows(h, version, view);

  test('incremental re-evaluates the neighbour day whose files did not change, skips far days, and equals full and the reference', async () => {
    // Heights 1-20 on 2025-12-28 (a far day), 21-80 from 2026-01-01 23:50 (21-70 before midnight).
    const early = generateChain({ chainId: CHAIN, blocks: 20, startBlock: 1, startTime: Date.UTC(2025, 11, 28, 8) / 1000, seed: 3, maxTxs: 5 });
    const main = generateChain({ chainId: CHAIN, blocks: 60, startBlock: 21, startTime: Date.UTC(2026, 0, 1, 23, 50) / 1000, seed: 5, maxTxs: 5 });
    await produceRecords(h.kafka, h.topic, [...early.records, ...main.records]);
    await drain();
    const before = await recompute(h.common, { duck: h.duck }, { chainId: CHAIN, full: true });
    // 80 blocks over 3 partitions: min over partitions of the newest block, − 3.
    expect(before.horizon).toBe(referenceViews(await readTopic(h.kafka, h.topic, uniqueName('reader')), 3).horizon);
    expect(before.horizon).toBeGreaterThanOrEqual(70);
    const old70 = main.canonical.get(70)!;
    expect(new Date(old70.block.timestamp * 1000).toISOString().slice(0, 10)).toBe('2026-01-01');

    // Height 70 is replaced by a block stamped after midnight (its record lands in 2026-01-02's
    // files, no retraction), and new blocks 81-84 move the horizon.
    const suffix = (h: string) => `${h.slice(0, -4)}beef`;
    const replacement: BlockRecord = {
      ...old70,
      block: { ...old70.block, hash: suffix(old70.block.hash), timestamp: Date.UTC(2026, 0, 2, 0, 0, 1) / 1000 },
      transactions: old70.transactions.map((t) => ({ ...t, hash: suffix(t.hash) })),
      tokenTransfers: old70.tokenTransfers.map((t) => ({ ...t, txHash: suffix(t.txHash) })),
    };
    const more = generateChain({ chainId: CHAIN, blocks: 4, startBlock: 81, startTime: Date.UTC(2026, 0, 2, 0, 2) / 1000, seed: 9, maxTxs: 5 });
    await produceRecords(h.kafka, h.topic, [replacement, ...more.records]);
    await drain();

    const inc = await recompute(h.common, { duck: h.duck }, { chainId: CHAIN });
    expect(inc.mode).toBe('incremental');
    // 2026-01-01's files are unchanged, but it lost height 70: found through the neighbourhood.
    expect(inc.recomputedDays).toContain('2026-01-01');
    expect(inc.recomputedDays).toContain('2026-01-02');
    expect(inc.recomputedDays).not.toContain('2025-12-28');
    expect(inc.steps.map((s) => s.name)).toEqual(['canonical blocks', 'block sums', 'active addresses', 'top lists', 'token volume', ...BATCH_VIEWS, 'switch']);

    const full = await recompute(h.common, { duck: h.duck }, { chainId: CHAIN, full: true });
    const published = await readTopic(h.kafka, h.topic, uniqueName('reader'));
    const ref = referenceViews(published, 3);
    expect(full.horizon).toBe(ref.horizon);
    for (const view of BATCH_VIEWS) {
      const incRows = await viewRows(inc.version, view);
      expect({ view, rows: incRows }).toEqual({ view, rows: await viewRows(full.version, view) });
      expect({ view, rows: incRows }).toEqual({ view, rows: ref.views[view] });
    }
    const series = await viewRows(inc.version, 'block_series');
    expect(series.find((r) => r.number === 70)).toMatchObject({ hash: replacement.block.hash, day: '2026-01-02' });
    expect(series.some((r) => r.hash === old70.block.hash)).toBe(false);
  });
});

describe('a partition whose compaction lags holds the horizon back, through real Kafka and DuckDB', () => {
  const LAG_CHAIN = 31339;
  const h = useBatchHarness({ chainId: LAG_CHAIN, finalityDepth: 3, name: 'batch-lag-test' });
  /** Height n goes to partition n % 3 (one partition per height, as the canonical rule needs). */
  const produceByHeight = async (records: BlockRecord[]) => {
    const producer = createIdempotentProducer(h.kafka);
    await producer.connect();
    try {
      await producer.send({ topic: h.topic, messages: records.map((r) => ({ key: recordKey(r), value: encodeRecord(r), partition: r.block.number % 3 })) });
    } finally {
      await producer.disconnect();
    }
  };
  const drain = () => createCompactor(h.common, { kafka: h.kafka, duck: h.duck }, { chainId: LAG_CHAIN, mode: 'drain' }).run();

  test('every height up to the horizon is in the version; the lagging heights arrive with the next one', async () => {
    const chain = generateChain({ chainId: LAG_CHAIN, blocks: 40, startBlock: 1, startTime: Date.UTC(2026, 2, 3, 10) / 1000, seed: 11, maxTxs: 4 });
    const blocks = chain.records.filter((r): r is BlockRecord => r.kind === 'block');
    expect(blocks.length).toBe(40);
    // Partition 0 (heights 3, 6, 9, …) has only delivered up to height 12 when the lake is compacted.
    const lagging = (r: BlockRecord) => r.block.number % 3 === 0 && r.block.number > 12;
    await produceByHeight(blocks.filter((r) => !lagging(r)));
    await drain();
    const first = await recompute(h.common, { duck: h.duck }, { chainId: LAG_CHAIN, full: true });
    // min(12, 38, 40) − 3, not max(40) − 3: heights 15..36 of partition 0 are not in the lake yet.
    expect(first.horizon).toBe(9);
    const numbers = (rows: Record<string, unknown>[]) => rows.map((r) => r.number);
    const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
    expect(numbers(await readViewRows(h, first.version, 'block_series'))).toEqual(range(1, 9));

    await produceByHeight(blocks.filter(lagging));
    await drain();
    const inc = await recompute(h.common, { duck: h.duck }, { chainId: LAG_CHAIN });
    expect(inc.mode).toBe('incremental');
    expect(inc.horizon).toBe(35); // min(39, 40, 38) − 3
    expect(numbers(await readViewRows(h, inc.version, 'block_series'))).toEqual(range(1, 35));
    const ref = referenceViews(await readTopic(h.kafka, h.topic, uniqueName('reader')), 3);
    expect(ref.horizon).toBe(35);
    for (const view of BATCH_VIEWS) expect({ view, rows: await readViewRows(h, inc.version, view) }).toEqual({ view, rows: ref.views[view] });
  });
});
