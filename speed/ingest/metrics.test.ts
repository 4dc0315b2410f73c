import { Registry } from 'prom-client';
import { expect, test } from 'vitest';
import { createIngestMetrics } from './metrics.js';

const value = async (r: Registry, name: string) => (await r.getSingleMetric(name)?.get())?.values;

test('ingest metrics follow published batches, head polls and reorgs', async () => {
  const registry = new Registry();
  const m = createIngestMetrics(registry, () => 1_000_050_000);
  const tip = { number: 140, hash: '0x', parentHash: '0x', timestamp: 1_000_000 };
  m.range?.({ from: 101, to: 200 });
  m.published?.({ blocks: 40, txs: 900, dlq: 1, tip, head: 200 });
  expect((await value(registry, 'chainlake_ingest_blocks_total'))?.[0]?.value).toBe(40);
  expect((await value(registry, 'chainlake_ingest_txs_total'))?.[0]?.value).toBe(900);
  expect((await value(registry, 'chainlake_dlq_records_total'))?.[0]?.value).toBe(1);
  expect((await value(registry, 'chainlake_ingest_backfill_progress'))?.[0]?.value).toBe(0.4);
  expect((await value(registry, 'chainlake_ingest_head_lag_blocks'))?.[0]?.value).toBe(60);
  expect((await value(registry, 'chainlake_ingest_head_lag_seconds'))?.[0]?.value).toBe(50);
  m.head?.({ head: 205, tip });
  expect((await value(registry, 'chainlake_ingest_head_lag_blocks'))?.[0]?.value).toBe(65);
  m.reorg?.({ depth: 3, ancestor: 137, newTip: 141 });
  expect((await value(registry, 'chainlake_ingest_reorgs_total'))?.[0]?.value).toBe(1);
  const depth = await value(registry, 'chainlake_ingest_reorg_depth');
  expect(depth?.find((v) => (v as { metricName?: string }).metricName === 'chainlake_ingest_reorg_depth_sum')?.value).toBe(3);
  // A second factory on the same registry reuses the metrics instead of throwing.
  expect(() => createIngestMetrics(registry)).not.toThrow();
});
