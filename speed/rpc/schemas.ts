// zod schemas for the raw JSON-RPC shapes chainlake reads: a block with full
// transactions and its receipts. Quantities stay hex strings (decode converts them);
// hashes, addresses and data are lowercased here so nothing downstream compares case.
// Pure: imports no driver.
import { z } from 'zod';

/** Hex quantity, e.g. "0x0", "0x1a". Some nodes pad with zeros; both are accepted. */
export const hexQuantity = z.string().regex(/^0x[0-9a-fA-F]+$/, 'expected a 0x-prefixed hex quantity');
const lower = (s: string) => s.toLowerCase();
export const hexHash = z
  .string()
  .regex(/^0x[0-9a-fA-F]{64}$/, 'expected a 0x-prefixed 32-byte hex hash')
  .transform(lower);
export const hexAddress = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, 'expected a 0x-prefixed 20-byte hex address')
  .transform(lower);
export const hexData = z
  .string()
  .regex(/^0x([0-9a-fA-F]{2})*$/, 'expected 0x-prefixed hex bytes')
  .transform(lower);
/** A field some clients omit and others send as null: always null when absent. */
const nullish = <T extends z.ZodType>(s: T) => s.nullish().transform((v) => v ?? null);

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

export const rpcReceiptSchema = z.object({
  transactionHash: hexHash,
  transactionIndex: hexQuantity,
  blockHash: hexHash,
  blockNumber: hexQuantity,
  from: hexAddress,
  to: nullish(hexAddress),
  /** "0x1" success, "0x0" reverted; absent before Byzantium (state root instead). */
  status: nullish(hexQuantity),
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
