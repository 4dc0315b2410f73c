// Prometheus metrics of ingest, registered on the registry the process was given.
import type { Counter, Registry } from 'prom-client';
import { counter, gauge, histogram } from '../../core/metrics.js';
import type { IngestObserver } from './types.js';

export function createIngestMetrics(registry: Registry, now: () => number = Date.now): IngestObserver & { dlq: Counter } {
  let tipTimestamp: number | null = null;
  let range: { from: number; to: number } | null = null;
  const blocks = counter(registry, { name: 'chainlake_ingest_blocks_total', help: 'Blocks published to Kafka (acknowledged)' });
  const txs = counter(registry, { name: 'chainlake_ingest_txs_total', help: 'Transactions in published blocks' });
  const lagBlocks = gauge(registry, { name: 'chainlake_ingest_head_lag_blocks', help: 'Chain head minus last published block' });
  const lagSeconds = gauge(registry, {
    name: 'chainlake_ingest_head_lag_seconds',
    help: 'Now minus the timestamp of the last published block',
    collect() {
      if (tipTimestamp !== null) this.set(Math.max(0, now() / 1000 - tipTimestamp));
    },
  });
  const reorgs = counter(registry, { name: 'chainlake_ingest_reorgs_total', help: 'Reorgs handled' });
  const reorgDepth = histogram(registry, { name: 'chainlake_ingest_reorg_depth', help: 'Blocks retracted per reorg', buckets: [1, 2, 3, 5, 8, 13, 21, 34, 64, 128] });
  const progress = gauge(registry, { name: 'chainlake_ingest_backfill_progress', help: 'Fraction (0..1) of the current sync range published; 1 when following the head' });
  const dlq = counter(registry, { name: 'chainlake_dlq_records_total', help: 'Undecodable blocks sent to the dead-letter topic' });
  return {
    dlq,
    range(r) {
      range = r;
    },
    published(p) {
      blocks.inc(p.blocks);
      txs.inc(p.txs);
      if (p.dlq > 0) dlq.inc(p.dlq);
      tipTimestamp = p.tip.timestamp;
      lagBlocks.set(Math.max(0, p.head - p.tip.number));
      lagSeconds.set(Math.max(0, now() / 1000 - p.tip.timestamp));
      if (range) progress.set(range.to === range.from ? 1 : Math.min(1, (p.tip.number - range.from + 1) / (range.to - range.from + 1)));
    },
    head(h) {
      if (h.tip) lagBlocks.set(Math.max(0, h.head - h.tip.number));
    },
    reorg(r) {
      reorgs.inc();
      reorgDepth.observe(r.depth);
    },
  };
}
