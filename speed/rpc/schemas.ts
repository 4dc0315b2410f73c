// zod schemas for the raw JSON-RPC shapes chainlake reads: a block with full
// transactions and its receipts. Quantities stay hex strings (decode converts them);
// hashes, addresses and data are lowercased here so nothing downstream compares case.
// Pure: imports no driver.
import { z } from 'zod';
import type { ChainFamily } from '../../core/chains/types.js';
import { hexAddress, hexData, hexHash, hexQuantity, nullish } from '../../core/chains/rpc-fields.js';

export { hexAddress, hexData, hexHash, hexQuantity } from '../../core/chains/rpc-fields.js';

export const rpcTransactionSchema = z.object({
  hash: hexHash,
  blockHash: nullish(hexHash),
  blockNumber: nullish(hexQuantity),
  transactionIndex: hexQuantity,
  from: hexAddress,
  /** null for contract creation. */
  to: nullish(hexAddress),
  value: hexQuantity,
  nonce: hexQuantity,
  /** Absent on pre-EIP-2718 nodes: legacy (0). */
  type: nullish(hexQuantity),
  gas: hexQuantity,
  gasPrice: nullish(hexQuantity),
  maxFeePerGas: nullish(hexQuantity),
  maxPriorityFeePerGas: nullish(hexQuantity),
  input: hexData,
});
export type RpcTransaction = z.output<typeof rpcTransactionSchema>;

export const rpcBlockSchema = z.object({
  number: hexQuantity,
  hash: hexHash,
  parentHash: hexHash,
  timestamp: hexQuantity,
  miner: hexAddress,
  gasUsed: hexQuantity,
  gasLimit: hexQuantity,
  /** Absent before London. */
  baseFeePerGas: nullish(hexQuantity),
  /** Full transaction objects (eth_getBlockByNumber(n, true)); hashes only are rejected. */
  transactions: z.array(rpcTransactionSchema),
});
export type RpcBlock = z.output<typeof rpcBlockSchema>;
/** eth_getBlockByNumber answers null for a block the node does not have (yet). */
export const rpcBlockOrNullSchema = rpcBlockSchema.nullable();

export const rpcLogSchema = z.object({
  address: hexAddress,
  topics: z.array(hexHash),
  data: hexData,
  logIndex: hexQuantity,
  transactionHash: hexHash,
  transactionIndex: nullish(hexQuantity),
  blockNumber: hexQuantity,
  blockHash: nullish(hexHash),
  removed: z.boolean().optional(),
});
export type RpcLog = z.output<typeof rpcLogSchema>;

/** A receipt status is 0 or 1 (zero-padded hex accepted like any quantity); another value is a bad answer, not a revert. */
const receiptStatus = z.string().regex(/^0x0*[01]$/, 'expected status 0x0 or 0x1');

export const rpcReceiptSchema = z.object({
  transactionHash: hexHash,
  transactionIndex: hexQuantity,
  blockHash: hexHash,
  blockNumber: hexQuantity,
  /** Absent from older nodes' receipts (Parity, pre-Byzantium): decode takes from/to from the transaction. */
  from: nullish(hexAddress),
  to: nullish(hexAddress),
  /** "0x1" success, "0x0" reverted; absent or null before Byzantium (state root instead). Anything else is invalid. */
  status: nullish(receiptStatus),
  gasUsed: hexQuantity,
  /** Absent on some pre-London nodes: decode falls back to the transaction's gasPrice. */
  effectiveGasPrice: nullish(hexQuantity),
  contractAddress: nullish(hexAddress),
  logs: z.array(rpcLogSchema),
});
export type RpcReceipt = z.output<typeof rpcReceiptSchema>;
export const rpcReceiptsSchema = z.array(rpcReceiptSchema);
export const rpcReceiptOrNullSchema = rpcReceiptSchema.nullable();
/** eth_getBlockReceipts answers null when the node does not have the block. */
export const rpcReceiptsOrNullSchema = rpcReceiptsSchema.nullable();

/** The block/receipt validators of one chain family: the base schemas plus the family's fields. */
export type RpcSchemas = {
  blockOrNull: z.ZodType<RpcBlock | null>;
  receiptOrNull: z.ZodType<RpcReceipt | null>;
  receiptsOrNull: z.ZodType<RpcReceipt[] | null>;
};

const baseSchemas: RpcSchemas = { blockOrNull: rpcBlockOrNullSchema, receiptOrNull: rpcReceiptOrNullSchema, receiptsOrNull: rpcReceiptsOrNullSchema };
const familySchemas = new WeakMap<ChainFamily, RpcSchemas>();
const isEmpty = (shape: z.ZodRawShape) => Object.keys(shape).length === 0;

/**
 * The schemas for a family. Its fields are kept on the parsed objects (typed as the base
 * RpcBlock/RpcReceipt here; the family's formatters read them in speed/decode). A family
 * without fields (ethereum) gets the base schemas themselves.
 */
export function rpcSchemasFor(family: ChainFamily): RpcSchemas {
  const { transaction, receipt, block } = family.rpc;
  if (isEmpty(transaction) && isEmpty(receipt) && isEmpty(block)) return baseSchemas;
  let schemas = familySchemas.get(family);
  if (!schemas) {
    const tx = rpcTransactionSchema.extend(transaction);
    const r = rpcReceiptSchema.extend(receipt);
    schemas = {
      blockOrNull: rpcBlockSchema.extend({ ...block, transactions: z.array(tx) }).nullable() as z.ZodType<RpcBlock | null>,
      receiptOrNull: r.nullable() as z.ZodType<RpcReceipt | null>,
      receiptsOrNull: z.array(r).nullable() as z.ZodType<RpcReceipt[] | null>,
    };
    familySchemas.set(family, schemas);
  }
  return schemas;
}

/** One JSON-RPC 2.0 response envelope (result or error). */
export const jsonRpcResponseSchema = z.union([
  z.object({ jsonrpc: z.literal('2.0').optional(), id: z.unknown(), result: z.unknown() }).refine((r) => 'result' in r, 'missing result'),
  z.object({
    jsonrpc: z.literal('2.0').optional(),
    id: z.unknown(),
    error: z.object({ code: z.number(), message: z.string(), data: z.unknown().optional() }),
  }),
]);

export const hexQuantityToBigInt = (q: string): bigint => BigInt(q);
/** For block numbers, indexes, nonces, timestamps: throws RangeError above 2^53-1 instead of rounding. */
export const hexQuantityToNumber = (q: string): number => {
  const v = BigInt(q);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`hex quantity ${q} exceeds the safe integer range`);
  return Number(v);
};
export const toHexQuantity = (n: bigint | number): string => `0x${BigInt(n).toString(16)}`;
