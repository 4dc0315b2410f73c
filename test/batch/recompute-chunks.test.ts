// The recompute computes its inputs one chunk of days at a time (batch/recompute/recompute.ts
// dayChunks). Over real Kafka, compaction and DuckDB: one day per chunk, the default chunks and
// an incremental run over chunks all give the plain-JS reference views.
import { describe, expect, test } from 'vitest';
import { createCompactor } from '../../batch/compact/compactor.js';
import { recompute } from '../../batch/recompute/recompute.js';
import { BATCH_VIEWS } from '../../storage/lake/versions.js';
import { uniqueName } from '../helpers.js';
import { readViewRows, useBatchHarness } from './harness.js';
import { generateChain } from './fixtures.js';
import { produceRecords, readTopic } from './kafka-helpers.js';
import { referenceViews } from './reference.js';

const CHAIN = 31340;
const FINALITY = 3;

describe('recompute in chunks of days, through real Kafka and DuckDB', () => {
  const h = useBatchHarness({ chainId: CHAIN, finalityDepth: FINALITY, name: 'batch-chunks-test' });
  const drain = () => createCompactor(h.common, { kafka: h.kafka, duck: h.duck }, { chainId: CHAIN, mode: 'drain' }).run();

  const expectReference = async (version: string) => {
    const ref = referenceViews(await readTopic(h.kafka, h.topic, uniqueName('reader')), FINALITY);
    for (const view of BATCH_VIEWS) expect({ view, rows: await readViewRows(h, version, view) }).toEqual({ view, rows: ref.views[view] });
    return ref;
  };

  test('one day per chunk equals one chunk and the reference, full and incremental', async () => {
    // Four UTC days (one block every 30 min from 2026-01-01 20:00), reorgs every 5 blocks.
    const chain = generateChain({ chainId: CHAIN, blocks: 150, startTime: Date.UTC(2026, 0, 1, 20) / 1000, blockSeconds: 1800, reorgEvery: 5, reorgDepth: 2, seed: 11, maxTxs: 12 });
    await produceRecords(h.kafka, h.topic, chain.records);
    await drain();

    const perDay = await recompute(h.common, { duck: h.duck }, { chainId: CHAIN, full: true, chunkTxBytes: 1 });
    expect(perDay.recomputedDays.length).toBeGreaterThanOrEqual(4);
    const ref = await expectReference(perDay.version);
    expect(perDay.horizon).toBe(ref.horizon);
    // Every view has rows of several days, so a chunk that lost or repeated rows would show.
    for (const view of ['stats_day', 'top_senders_day', 'top_contracts_day', 'token_volume_day'] as const)
      expect(new Set((ref.views[view] ?? []).map((r) => r.day)).size).toBeGreaterThanOrEqual(3);

    const oneChunk = await recompute(h.common, { duck: h.duck }, { chainId: CHAIN, full: true });
    for (const view of BATCH_VIEWS) expect({ view, rows: await readViewRows(h, oneChunk.version, view) }).toEqual({ view, rows: await readViewRows(h, perDay.version, view) });

    // New blocks on the last day and the next one: an incremental run over two one-day chunks.
    const more = generateChain({ chainId: CHAIN, blocks: 30, startBlock: 151, startTime: Date.UTC(2026, 0, 1, 20) / 1000 + 150 * 1800, blockSeconds: 1800, seed: 12, maxTxs: 12 });
    await produceRecords(h.kafka, h.topic, more.records);
    await drain();
    const inc = await recompute(h.common, { duck: h.duck }, { chainId: CHAIN, chunkTxBytes: 1 });
    expect(inc.mode).toBe('incremental');
    expect(inc.recomputedDays.length).toBeGreaterThanOrEqual(2);
    await expectReference(inc.version);
  });
});
