// Reorg detection and walk-back to the common ancestor. Pure: the canonical chain is read
// through a fetch-by-number function, the remembered chain is the reorg window. When the node
// gives finality, no walk goes below its finalized block (a fork there is fatal, not a reorg).
import type { RetractionRecord } from '../../core/chain.js';
import { RECORD_SCHEMA } from '../../core/chain.js';
import { FatalError, RetryableError } from '../../core/errors.js';
import type { BlockRef, FetchedBlock } from './types.js';

export type ReorgPlan = {
  /** Highest height where the remembered and the canonical chain agree. */
  ancestor: number;
  /** Number of orphaned (retracted) blocks. */
  depth: number;
  /** One per orphaned block, newest first. */
  retractions: RetractionRecord[];
  /** Canonical blocks from ancestor+1 up to and including the block that revealed the reorg, ascending. */
  newBlocks: FetchedBlock[];
};

/**
 * True when `block` does not extend the remembered tip. An empty hash is unknown (a DLQ entry
 * for a block whose header no endpoint answered validly) and never proves a break.
 */
export const breaksChain = (tip: { number: number; hash: string } | null, block: { number: number; parentHash: string }): boolean =>
  tip !== null && tip.hash !== '' && block.parentHash !== '' && block.number === tip.number + 1 && block.parentHash !== tip.hash;

/**
 * `mismatched` sits at tip+1 and its parent is not the remembered tip. Walk down the
 * canonical chain (fetching parents) until a parent hash equals the remembered hash at
 * that height. Throws FatalError when the fork is older than the window, and
 * RetryableError when the canonical chain changes again during the walk.
 */
export async function planReorg(opts: {
  chainId: number;
  /** Remembered blocks, any order; must include the tip. */
  window: readonly BlockRef[];
  mismatched: FetchedBlock;
  fetch: (n: number) => Promise<FetchedBlock>;
  /** The node's finalized block, when known: a fork at or below it is not a reorg ingest may follow. */
  finalized?: number | null;
  now?: () => number;
}): Promise<ReorgPlan> {
  const byNumber = new Map(opts.window.map((b) => [b.number, b]));
  const tipNumber = opts.mismatched.number - 1;
  const oldest = opts.window.reduce((m, b) => Math.min(m, b.number), Number.POSITIVE_INFINITY);
  const newBlocks: FetchedBlock[] = [opts.mismatched];
  let child: FetchedBlock = opts.mismatched;
  for (let height = tipNumber; ; height--) {
    const remembered = byNumber.get(height);
    if (!remembered) {
      throw new FatalError(
        `REORG DEEPER THAN THE WINDOW on chain ${opts.chainId}: block ${opts.mismatched.number} does not connect to any of the ` +
          `${opts.window.length} remembered blocks (${Number.isFinite(oldest) ? `${oldest}..${tipNumber}` : 'none'}). ` +
          'Ingest stopped; raise REORG_WINDOW or re-ingest the range by hand after checking the chain.',
      );
    }
    if (child.parentHash === remembered.hash) {
      const replacedBy = new Map(newBlocks.map((b) => [b.number, b.hash]));
      const publishedAt = (opts.now ?? Date.now)();
      const retractions: RetractionRecord[] = [];
      for (let n = tipNumber; n > height; n--) {
        const orphan = byNumber.get(n);
        if (!orphan) throw new FatalError(`reorg window has a hole at block ${n} on chain ${opts.chainId}`);
        retractions.push({
          schema: RECORD_SCHEMA,
          kind: 'retraction',
          chainId: opts.chainId,
          block: { number: orphan.number, hash: orphan.hash, parentHash: orphan.parentHash, timestamp: orphan.timestamp },
          replacedBy: replacedBy.get(n) ?? null,
          publishedAt,
        });
      }
      return { ancestor: height, depth: tipNumber - height, retractions, newBlocks };
    }
    // The remembered block at `height` is orphaned: fatal if the node says it was final.
    if (opts.finalized != null && height <= opts.finalized) {
      throw new FatalError(
        `REORG BELOW THE FINALIZED BLOCK on chain ${opts.chainId}: block ${height} (${remembered.hash}) that ingest published is no longer canonical, ` +
          `but the node says every block up to ${opts.finalized} is final. Ingest stopped: the endpoint serves another chain or ` +
          'a broken fork; check it, then re-ingest the range by hand.',
      );
    }
    const parent = await opts.fetch(height);
    if (parent.hash !== child.parentHash)
      throw new RetryableError(`chain ${opts.chainId} changed again at block ${height} during reorg walk-back`);
    newBlocks.unshift(parent);
    child = parent;
  }
}
