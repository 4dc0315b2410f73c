// A block with its receipts, consistent with each other: eth_getBlockByNumber(n, true) +
// eth_getBlockReceipts(n), falling back to per-transaction eth_getTransactionReceipt on
// endpoints without eth_getBlockReceipts (learned per endpoint on first use), and refetching
// both when they disagree (a reorg between the two calls, a lagging node). Receipts that no
// endpoint has (null, [], -32001 "not found") are a lagging node near the head (retryable)
// and terminal far behind it (ReceiptsMissingError). Which endpoint answers, with what rate
// limits and retries, is the pool's (speed/rpc/pool.ts) business.
import type { Registry } from 'prom-client';
import type { ZodType } from 'zod';
import { type ChainFamily, ethereumFamily } from '../../core/chains/index.js';
import type { Logger } from '../../core/logger.js';
import { counter } from '../../core/metrics.js';
import {
  BlockBundleInconsistentError,
  BlockNotAvailableError,
  ReceiptsMissingError,
  RpcMethodNotFoundError,
  RpcNotAvailableError,
  RpcResponseError,
} from './errors.js';
import { type RpcBlock, type RpcReceipt, rpcSchemasFor, toHexQuantity } from './schemas.js';

export type BlockBundle = {
  block: RpcBlock;
  /** In transaction order; [] for a block without transactions (no receipts call is made). */
  receipts: RpcReceipt[];
  /** HTTP requests sent for this bundle, failed attempts included (2 when all goes well). */
  requests: number;
};

export type BlockBundleOptions = {
  signal?: AbortSignal;
  /** Whose RPC fields to validate and keep (core/chains); default ethereum. */
  family?: ChainFamily;
};

export type BlockReceiptsSupport = 'unknown' | 'supported' | 'unsupported';

/** What the bundle reader needs from the pool: one call retried across endpoints, and a cooldown. */
export type BundleCaller = {
  call: <T>(
    method: string,
    params: unknown[],
    o: {
      schema: ZodType<T>;
      signal?: AbortSignal;
      onSend: () => void;
      /** Asked for the chosen endpoint before sending; false throws RpcMethodNotFoundError without a request. */
      supports?: (endpoint: string) => boolean;
      /** RpcNotAvailableError comes back to the reader (no cooldown). */
      notAvailableIsAnswer?: boolean;
    },
  ) => Promise<{ result: T; endpoint: string }>;
  /** The chain head (eth_blockNumber through the pool). */
  head: (signal?: AbortSignal) => Promise<bigint>;
  /** The endpoint answered something wrong: cool it down like a failed request. */
  coolDown: (endpoint: string, e: Error, method: string) => void;
  endpointCount: number;
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** The pool's own signal (closed with it). */
  signal: AbortSignal;
};

export type BlockBundleReader = {
  getBlockBundle: (n: bigint | number, opts?: BlockBundleOptions) => Promise<BlockBundle>;
  /** eth_getBlockReceipts support of an endpoint, learned on first use. */
  blockReceipts: (endpoint: string) => BlockReceiptsSupport;
};

/** Why the receipts do not belong to the block, or null when they match one to one. */
function mismatch(block: RpcBlock, receipts: (RpcReceipt | null)[]): string | null {
  if (receipts.length !== block.transactions.length) return `${block.transactions.length} transactions, ${receipts.length} receipts`;
  for (let i = 0; i < receipts.length; i++) {
    const r = receipts[i];
    const tx = block.transactions[i];
    if (!r || !tx) return `no receipt for transaction ${i}`;
    if (r.blockHash !== block.hash) return `receipt ${i} is from block ${r.blockHash}`;
    if (r.transactionHash !== tx.hash) return `receipt ${i} is for ${r.transactionHash}, not ${tx.hash}`;
  }
  return null;
}

export function createBlockBundleReader(
  caller: BundleCaller,
  opts: { logger: Logger; metrics: Registry; receiptConcurrency: number; nearHead: number },
): BlockBundleReader {
  const log = opts.logger;
  const support = new Map<string, BlockReceiptsSupport>();
  const receiptFallback = counter(opts.metrics, {
    name: 'chainlake_rpc_receipt_fallback_total',
    help: 'Blocks whose receipts were fetched per transaction (endpoint without eth_getBlockReceipts)',
    labelNames: ['endpoint'],
  });

  async function receiptsPerTx(
    block: RpcBlock,
    schema: ZodType<RpcReceipt | null>,
    signal: AbortSignal | undefined,
    onSend: () => void,
  ): Promise<(RpcReceipt | null)[]> {
    const out: (RpcReceipt | null)[] = new Array(block.transactions.length).fill(null);
    let next = 0;
    const worker = async () => {
      for (;;) {
        const i = next++;
        const tx = block.transactions[i];
        if (!tx) return;
        try {
          out[i] = (await caller.call('eth_getTransactionReceipt', [tx.hash], { schema, signal, onSend, notAvailableIsAnswer: true })).result;
        } catch (e) {
          if (!(e instanceof RpcNotAvailableError)) throw e;
          out[i] = null;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(opts.receiptConcurrency, block.transactions.length) }, worker));
    return out;
  }

  async function getBlockBundle(n: bigint | number, o: BlockBundleOptions = {}): Promise<BlockBundle> {
    const schemas = rpcSchemasFor(o.family ?? ethereumFamily);
    const num = BigInt(n);
    const tag = toHexQuantity(num);
    let requests = 0;
    const onSend = () => {
      requests += 1;
    };
    const maxNulls = Math.max(2, caller.endpointCount * 2);
    let nulls = 0;
    let inconsistent = 0;
    /** Endpoints that answered "no receipts" for this block. */
    const missingFrom = new Set<string>();
    for (;;) {
      const { result: block, endpoint } = await caller.call('eth_getBlockByNumber', [tag, true], { schema: schemas.blockOrNull, signal: o.signal, onSend });
      if (block === null) {
        if (++nulls >= maxNulls) throw new BlockNotAvailableError(num);
        continue;
      }
      if (BigInt(block.number) !== num) {
        caller.coolDown(endpoint, new RpcResponseError(endpoint, 'eth_getBlockByNumber', `asked for block ${num}, got ${BigInt(block.number)}`), 'eth_getBlockByNumber');
        continue;
      }
      if (block.transactions.length === 0) return { block, receipts: [], requests };

      let receipts: (RpcReceipt | null)[] | null;
      let missing: string | null = null;
      try {
        const r = await caller.call('eth_getBlockReceipts', [tag], {
          schema: schemas.receiptsOrNull,
          signal: o.signal,
          onSend,
          supports: (label) => support.get(label) !== 'unsupported',
          notAvailableIsAnswer: true,
        });
        if (!support.has(r.endpoint)) support.set(r.endpoint, 'supported');
        receipts = r.result;
        if (receipts === null || receipts.length === 0) {
          missing = receipts === null ? 'receipts null' : 'receipts []';
          missingFrom.add(r.endpoint);
          receipts = null;
        }
      } catch (e) {
        if (e instanceof RpcNotAvailableError) {
          missing = e.message.slice(e.message.indexOf(': ') + 2);
          missingFrom.add(e.endpoint);
          receipts = null;
        } else {
          if (!(e instanceof RpcMethodNotFoundError)) throw e;
          if (support.get(e.endpoint) !== 'unsupported') {
            support.set(e.endpoint, 'unsupported');
            log.warn({ msg: 'Endpoint lacks eth_getBlockReceipts; using per-transaction receipts there', endpoint: e.endpoint });
          }
          receiptFallback.inc({ endpoint: e.endpoint });
          receipts = await receiptsPerTx(block, schemas.receiptOrNull, o.signal, onSend);
          if (receipts.some((r) => r === null)) {
            missing = 'eth_getTransactionReceipt gave null';
            missingFrom.add(e.endpoint);
          }
        }
      }
      const why = missing ?? (receipts === null ? 'receipts not available yet' : mismatch(block, receipts));
      if (why === null && receipts !== null) return { block, receipts: receipts as RpcReceipt[], requests };
      inconsistent += 1;
      log.info({ msg: 'Block and receipts disagree, refetching', block: Number(num), reason: why, attempt: inconsistent });
      if (inconsistent >= 5) {
        if (missing !== null) {
          // Near the head a node may not have indexed them yet; far behind it, it never will.
          const head = await caller.head(o.signal);
          if (head - num > BigInt(opts.nearHead)) throw new ReceiptsMissingError(num, [...missingFrom], head, missing);
        }
        throw new BlockBundleInconsistentError(num, why ?? 'unknown');
      }
      await caller.sleep(Math.min(2_000, 100 * 2 ** inconsistent), o.signal ? AbortSignal.any([o.signal, caller.signal]) : caller.signal);
    }
  }

  return { getBlockBundle, blockReceipts: (endpoint) => support.get(endpoint) ?? 'unknown' };
}
