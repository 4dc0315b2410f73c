// Ingest progress in Cassandra: the checkpoint (last block whose record Kafka acknowledged)
// and the reorg window (hashes of the last REORG_WINDOW published blocks). Both are written
// in one logged batch, so the window and the checkpoint never disagree after a crash.
// Before each Kafka send the blocks about to be published are staged as "in flight"; a
// commit clears them up to the checkpoint. After a crash (or a send that failed half-way),
// in-flight blocks above the checkpoint may or may not be in Kafka: if the chain replaced
// them meanwhile, ingest publishes a retraction for each, so no orphan is ever left behind.
import type { CassandraClient } from './cassandra.js';

/** What ingest remembers about a published block. */
export type BlockRef = { number: number; hash: string; parentHash: string; timestamp: number };

export type IngestState = {
  /** Last published block, or null on a fresh chain. */
  checkpoint: { number: number; hash: string } | null;
  /** The remembered window, ascending by number, ending at the checkpoint. */
  window: BlockRef[];
  /** Staged above the checkpoint (possibly published by a run that crashed), ascending by number. */
  inflight: BlockRef[];
};

export type IngestStateStore = {
  load: (chainId: number) => Promise<IngestState>;
  /** Record blocks about to be sent to Kafka; must succeed before the send. */
  stage: (chainId: number, blocks: BlockRef[]) => Promise<void>;
  /**
   * Record blocks Kafka acknowledged: `published` is ascending and contiguous, its last
   * entry is the new checkpoint. Rows at the same heights are overwritten (that is how a
   * reorg replaces orphaned hashes); rows older than `windowSize` below the tip are deleted,
   * and so are in-flight rows at or below the tip (they are published or retracted by now).
   */
  commit: (chainId: number, published: BlockRef[], windowSize: number) => Promise<void>;
};

const toRef = (r: Record<string, unknown>): BlockRef => ({
  number: Number(r.block_number),
  hash: String(r.block_hash),
  parentHash: String(r.parent_hash),
  timestamp: r.block_timestamp == null ? 0 : Number(r.block_timestamp),
});

export function createIngestStateStore(client: CassandraClient): IngestStateStore {
  return {
    async load(chainId) {
      const cp = await client.execute('SELECT block_number, block_hash FROM ingest_checkpoint WHERE chain_id = ?', [chainId], { prepare: true });
      const row = cp.first();
      const staged = await client.execute(
        'SELECT block_number, block_hash, parent_hash, block_timestamp FROM ingest_inflight WHERE chain_id = ? AND block_number > ? LIMIT 100000',
        [chainId, row ? Number(row.block_number) : -1],
        { prepare: true },
      );
      const inflight = staged.rows.map(toRef).sort((a, b) => a.number - b.number);
      if (!row) return { checkpoint: null, window: [], inflight };
      const checkpoint = { number: Number(row.block_number), hash: String(row.block_hash) };
      // Newest first (clustering order DESC); only the window, never rows above the checkpoint.
      const rs = await client.execute(
        'SELECT block_number, block_hash, parent_hash, block_timestamp FROM ingest_recent_hashes WHERE chain_id = ? AND block_number <= ? LIMIT 100000',
        [chainId, checkpoint.number],
        { prepare: true },
      );
      const window = rs.rows.map(toRef).sort((a, b) => a.number - b.number);
      return { checkpoint, window, inflight };
    },

    async stage(chainId, blocks) {
      if (blocks.length === 0) return;
      await client.batch(
        blocks.map((b) => ({
          query: 'INSERT INTO ingest_inflight (chain_id, block_number, block_hash, parent_hash, block_timestamp) VALUES (?, ?, ?, ?, ?)',
          params: [chainId, b.number, b.hash, b.parentHash, b.timestamp],
        })),
        { prepare: true, logged: false },
      );
    },

    async commit(chainId, published, windowSize) {
      const tip = published[published.length - 1];
      if (!tip) return;
      // Only the last windowSize rows can matter; keeps the batch small during backfill.
      const rows = published.slice(-windowSize);
      const queries: { query: string; params: unknown[] }[] = rows.map((b) => ({
        query: 'INSERT INTO ingest_recent_hashes (chain_id, block_number, block_hash, parent_hash, block_timestamp) VALUES (?, ?, ?, ?, ?)',
        params: [chainId, b.number, b.hash, b.parentHash, b.timestamp],
      }));
      const lowest = tip.number - windowSize + 1;
      if (lowest > 0)
        queries.push({ query: 'DELETE FROM ingest_recent_hashes WHERE chain_id = ? AND block_number < ?', params: [chainId, lowest] });
      queries.push({ query: 'DELETE FROM ingest_inflight WHERE chain_id = ? AND block_number <= ?', params: [chainId, tip.number] });
      queries.push({
        query: 'INSERT INTO ingest_checkpoint (chain_id, block_number, block_hash, updated_at) VALUES (?, ?, ?, ?)',
        params: [chainId, tip.number, tip.hash, new Date()],
      });
      await client.batch(queries, { prepare: true, logged: true });
    },
  };
}
