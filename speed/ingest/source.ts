// BlockSource over the RPC pool: exactly the pool's 2 requests per block, validated and
// decoded for the chain's family (core/chains) by speed/rpc and speed/decode. An undecodable
// block becomes a DLQ entry instead of an error.
import { type ChainFamily, resolveChainFamily } from '../../core/chains/index.js';
import { errorMessage, RetryableError, withRetry } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { BlockDecodeError, decodeBlock, prepareBlock } from '../decode/index.js';
import type { RpcPool } from '../rpc/index.js';
import { hexQuantityToNumber } from '../rpc/index.js';
import type { BlockSource, FetchedBlock } from './types.js';

export type RpcBlockSource = BlockSource & {
  /** RPC requests made for blocks and heads so far (requests/block in benchmarks). */
  stats: () => { blockRequests: number; blocks: number; headRequests: number };
};

export function createRpcBlockSource(opts: {
  pool: RpcPool;
  chainId: number;
  /** Default: the family that lists chainId, else ethereum (ingest passes CHAIN_FAMILY's choice). */
  family?: ChainFamily;
  logger: Logger;
  decode?: typeof decodeBlock;
  now?: () => number;
  /** Extra attempts after a transient failure before the step gives up and restarts from the checkpoint. */
  retries?: number;
}): RpcBlockSource {
  const decode = opts.decode ?? decodeBlock;
  const family = opts.family ?? resolveChainFamily(opts.chainId);
  const now = opts.now ?? Date.now;
  const stats = { blockRequests: 0, blocks: 0, headRequests: 0 };
  return {
    stats: () => ({ ...stats }),
    async head() {
      stats.headRequests++;
      return Number(await opts.pool.blockNumber());
    },
    fetch(n, signal) {
      return withRetry(
        async () => {
          const bundle = await opts.pool.getBlockBundle(n, signal ? { signal, family } : { family });
          stats.blockRequests += bundle.requests;
          const raw = bundle.block;
          const number = hexQuantityToNumber(raw.number);
          if (number !== n) throw new RetryableError(`asked for block ${n}, the endpoint answered block ${number}`);
          stats.blocks++;
          const ref = { number, hash: raw.hash, parentHash: raw.parentHash, timestamp: hexQuantityToNumber(raw.timestamp) };
          // The family's asynchronous part (EIP-7702 authorities); it never throws on a bad tuple.
          const prepared = await prepareBlock(raw, family);
          try {
            return { ...ref, kind: 'record', record: decode(opts.chainId, raw, bundle.receipts, now(), family, prepared) } satisfies FetchedBlock;
          } catch (e) {
            if (!(e instanceof BlockDecodeError)) throw e;
            opts.logger.error({ msg: 'Undecodable block sent to the DLQ', chainId: opts.chainId, blockNumber: n, reason: e.reason, err: errorMessage(e) });
            return { ...ref, kind: 'dlq', reason: `${e.reason}: ${e.message}`, raw: { block: raw, receipts: bundle.receipts } } satisfies FetchedBlock;
          }
        },
        { retries: opts.retries ?? 6, baseMs: 200, maxMs: 5_000, ...(signal ? { signal } : {}) },
      );
    },
  };
}
