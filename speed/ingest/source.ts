// BlockSource over the RPC pool: exactly the pool's 2 requests per block, validated and
// decoded for the chain's family (core/chains) by speed/rpc and speed/decode. An undecodable
// block becomes a DLQ entry instead of an error. A block the providers answer terminally
// wrong (the same invalid answer from every endpoint, receipts missing far behind the head)
// stops ingest with a BlockUnreadableError (onInvalid 'fail'), or becomes a DLQ entry with
// the provider's original answer (onInvalid 'dlq', INGEST_ON_INVALID).
import { type ChainFamily, resolveChainFamily } from '../../core/chains/index.js';
import { errorMessage, FatalError, RetryableError, withRetry } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { BlockDecodeError, decodeBlock, prepareBlock } from '../decode/index.js';
import type { RpcPool } from '../rpc/index.js';
import { hexQuantityToNumber, ReceiptsMissingError, RpcInvalidAnswerError, scrubJson, toHexQuantity } from '../rpc/index.js';
import type { BlockSource, FetchedBlock } from './types.js';

/** A block no endpoint answers validly and retrying will not change that: names block, endpoints and field. */
export class BlockUnreadableError extends FatalError {
  override readonly code = 'block_unreadable';
  constructor(
    readonly blockNumber: number,
    readonly endpoints: string[],
    readonly field: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`block ${blockNumber}: ${field} is invalid on ${endpoints.join(', ')}: ${reason}`, options);
  }
}

/** The terminal RPC failures that concern one block (not the whole pool, like refused keys). */
export const blockTerminal = (e: unknown): { endpoints: string[]; field: string; reason: string; raw: Record<string, unknown> } | null => {
  if (e instanceof RpcInvalidAnswerError) return { endpoints: e.endpoints, field: `${e.method} ${e.field}`, reason: e.message, raw: { method: e.method, answer: e.raw } };
  if (e instanceof ReceiptsMissingError) return { endpoints: e.endpoints, field: 'receipts', reason: e.message, raw: { method: 'eth_getBlockReceipts', answer: null, why: e.why } };
  return null;
};

const HASH = /^0x[0-9a-fA-F]{64}$/;

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
  /** A block answered terminally wrong: stop (default) or DLQ it with the original answer and go on. */
  onInvalid?: 'fail' | 'dlq';
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
    async fetch(n, signal) {
      try {
        return await fetchOnce(n, signal);
      } catch (e) {
        const t = blockTerminal(e);
        if (t === null) throw e;
        if (opts.onInvalid !== 'dlq') throw new BlockUnreadableError(n, t.endpoints, t.field, t.reason, { cause: e });
        // The header alone, unvalidated: its hashes keep the chain checks going when it has them.
        const header = (await opts.pool.request('eth_getBlockByNumber', [toHexQuantity(BigInt(n)), false], signal ? { signal, maxAttempts: 3 } : { maxAttempts: 3 }).catch(() => null)) as Record<string, unknown> | null;
        const str = (k: string) => (typeof header?.[k] === 'string' && HASH.test(header[k] as string) ? (header[k] as string) : '');
        const timestamp = typeof header?.timestamp === 'string' && /^0x[0-9a-f]+$/i.test(header.timestamp) ? hexQuantityToNumber(header.timestamp) : 0;
        opts.logger.error({ msg: 'Block the providers answer invalidly sent to the DLQ (INGEST_ON_INVALID=dlq)', chainId: opts.chainId, blockNumber: n, field: t.field, endpoints: t.endpoints, err: t.reason });
        return { number: n, hash: str('hash'), parentHash: str('parentHash'), timestamp, kind: 'dlq', reason: `invalid_answer: ${t.reason}`, raw: scrubJson({ ...t.raw, header }, opts.pool.scrub) } satisfies FetchedBlock;
      }
    },
  };

  function fetchOnce(n: number, signal?: AbortSignal): Promise<FetchedBlock> {
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
  }
}
