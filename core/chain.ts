// The chain model shared by every layer, and the Kafka record schema v2 (one record per
// block; v1 records are still read, upgraded by decodeRecord). Defined once here;
// docs/record-schema.md describes it for other readers.
// Amounts are uint256: decimal strings on the wire, bigint in code (see toBigInt).
import { z } from 'zod';
import { ValidationError } from './errors.js';

export const RECORD_SCHEMA = 'chainlake.block.v2' as const;
/** The schema before chain families' fees: read by decodeRecord and upgraded to v2 (upgradeV1Record). */
export const RECORD_SCHEMA_V1 = 'chainlake.block.v1' as const;

export const hex32 = z.string().regex(/^0x[0-9a-f]{64}$/, 'expected a 0x-prefixed 32-byte lowercase hex hash');
export const address = z.string().regex(/^0x[0-9a-f]{40}$/, 'expected a 0x-prefixed 20-byte lowercase hex address');
/** uint256 as a decimal string, no leading zeros, at most 78 digits. */
const UINT256_MAX = 2n ** 256n - 1n;
export const uintString = z
  .string()
  .regex(/^(0|[1-9][0-9]{0,77})$/, 'expected a non-negative decimal integer string')
  .refine((s) => s.length < 78 || BigInt(s) <= UINT256_MAX, 'exceeds uint256');
const blockNumber = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/**
 * A chain family's own fields on a block or transaction (core/chains): JSON scalars by
 * field name, amounts as decimal strings like the rest of the record. Optional, so records
 * of the default family (ethereum) and every record written before families existed are
 * unchanged.
 */
export const familyExtrasSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]));
export type FamilyExtras = z.infer<typeof familyExtrasSchema>;

/**
 * The first three classify any EVM transaction by its shape; the others are a chain family's
 * system transactions, told by their type: OP-stack and Arbitrum `deposit` (0x7e, 0x64), and
 * Arbitrum's `unsigned` (0x65), `contract` (0x66), `retry` (0x68), `submit_retryable` (0x69),
 * `internal` (0x6a) (core/chains).
 */
export const TX_CLASSES = [
  'contract_creation',
  'native_transfer',
  'contract_call',
  'deposit',
  'unsigned',
  'contract',
  'retry',
  'submit_retryable',
  'internal',
] as const;
export type TxClass = (typeof TX_CLASSES)[number];
/**
 * The classes the views, batch stats and API count per class (byClass, txs_<class>). A family's
 * system transactions count in their totals (txs, fees…) but in no class column yet.
 */
export const COUNTED_TX_CLASSES = ['contract_creation', 'native_transfer', 'contract_call'] as const satisfies readonly TxClass[];
export type CountedTxClass = (typeof COUNTED_TX_CLASSES)[number];

export const blockHeaderSchema = z.object({
  number: blockNumber,
  hash: hex32,
  parentHash: hex32,
  /** Unix seconds. */
  timestamp: z.number().int().nonnegative(),
  miner: address,
  gasUsed: uintString,
  gasLimit: uintString,
  baseFeePerGas: uintString.nullable(),
  txCount: z.number().int().nonnegative(),
  /** The chain family's extra block fields (absent for ethereum). */
  extra: familyExtrasSchema.optional(),
});
export type BlockHeader = z.infer<typeof blockHeaderSchema>;

export const txSchema = z.object({
  hash: hex32,
  blockNumber,
  transactionIndex: z.number().int().nonnegative(),
  from: address,
  to: address.nullable(),
  value: uintString,
  nonce: z.number().int().nonnegative(),
  /** 0 legacy, 1 access list, 2 EIP-1559, 3 blob, 4 set-code. */
  type: z.number().int().nonnegative(),
  gas: uintString,
  gasPrice: uintString.nullable(),
  maxFeePerGas: uintString.nullable(),
  maxPriorityFeePerGas: uintString.nullable(),
  txClass: z.enum(TX_CLASSES),
  /** 4-byte selector for contract calls, else null. */
  selector: z.string().regex(/^0x[0-9a-f]{8}$/).nullable(),
  /** Decoded method name where the ABI is known, e.g. "transfer". */
  method: z.string().nullable(),
  /** Decoded arguments by name; values are strings (uint as decimal, address lowercase hex). */
  args: z.record(z.string(), z.string()).nullable(),
  inputSize: z.number().int().nonnegative(),
  /**
   * From the receipt: 1 success, 0 reverted; null when the receipt has no status
   * (pre-Byzantium: a state root instead, so whether the tx threw is unknown). Null is
   * additive to v1: records written before it never carry it.
   */
  status: z.union([z.literal(0), z.literal(1)]).nullable(),
  gasUsed: uintString,
  effectiveGasPrice: uintString,
  /** What the sender paid: executionFee + dataFee (v1 records: gasUsed × effectiveGasPrice). */
  fee: uintString,
  /** gasUsed × effectiveGasPrice; 0 for a transaction that pays no L2 gas (OP-stack deposits). */
  executionFee: uintString,
  /** The family's fee beside the gas: blob fee (ethereum), L1 data fee (op-stack); else 0. */
  dataFee: uintString,
  contractAddress: address.nullable(),
  logCount: z.number().int().nonnegative(),
  /** The chain family's extra transaction/receipt fields (absent for ethereum). */
  extra: familyExtrasSchema.optional(),
});
export type Tx = z.infer<typeof txSchema>;

export const tokenTransferSchema = z.object({
  txHash: hex32,
  blockNumber,
  logIndex: z.number().int().nonnegative(),
  token: address,
  from: address,
  to: address,
  amount: uintString,
});
export type TokenTransfer = z.infer<typeof tokenTransferSchema>;

export const blockRecordSchema = z.object({
  schema: z.literal(RECORD_SCHEMA),
  kind: z.literal('block'),
  chainId: z.number().int().positive(),
  /** Chain family whose `extra` fields the record carries (core/chains); absent = ethereum. */
  family: z.string().min(1).optional(),
  block: blockHeaderSchema,
  transactions: z.array(txSchema),
  tokenTransfers: z.array(tokenTransferSchema),
  /**
   * The node's finalized block when ingest fetched this one, capped at this block's number: every
   * block up to it is final and on this record's chain. Absent when the node gives no finality
   * (FINALITY_SOURCE=depth, anvil, or an endpoint without the "finalized" tag); the batch horizon
   * then falls back to FINALITY_DEPTH. Optional and additive: records without it stay valid.
   */
  finalized: blockNumber.optional(),
  /** Unix ms when ingest published the record. */
  publishedAt: z.number().int().nonnegative(),
});
export type BlockRecord = z.infer<typeof blockRecordSchema>;

/** Published for each orphaned block during a reorg, newest first, before the new canonical blocks. */
export const retractionRecordSchema = z.object({
  schema: z.literal(RECORD_SCHEMA),
  kind: z.literal('retraction'),
  chainId: z.number().int().positive(),
  block: z.object({ number: blockNumber, hash: hex32, parentHash: hex32, timestamp: z.number().int().nonnegative() }),
  /** Hash of the new canonical block at this height, when known. */
  replacedBy: hex32.nullable(),
  publishedAt: z.number().int().nonnegative(),
});
export type RetractionRecord = z.infer<typeof retractionRecordSchema>;

export const chainRecordSchema = z.discriminatedUnion('kind', [blockRecordSchema, retractionRecordSchema]);
export type ChainRecord = z.infer<typeof chainRecordSchema>;

/** Kafka key of a record: the block number, so a height's records share a partition and stay ordered. */
export const recordKey = (r: ChainRecord): string => String(r.block.number);

export const encodeRecord = (r: ChainRecord): Buffer => Buffer.from(JSON.stringify(r));

/** A Kafka record that is not a valid chain record (a poison record: skipped, never retried). */
export class RecordDecodeError extends ValidationError {
  override readonly code: string = 'record_decode';
  constructor(
    message: string,
    readonly reason: 'bad_json' | 'unknown_schema' | 'invalid',
  ) {
    super(message);
  }
}

/** Parse and validate a Kafka record value. Throws RecordDecodeError with a reason. */
export function decodeRecord(value: Buffer | string | null): ChainRecord {
  if (value === null) throw new RecordDecodeError('empty record value', 'invalid');
  let json: unknown;
  try {
    json = JSON.parse(typeof value === 'string' ? value : value.toString('utf8'));
  } catch (e) {
    throw new RecordDecodeError(`record is not JSON: ${(e as Error).message}`, 'bad_json');
  }
  const schema = (json as { schema?: unknown } | null)?.schema;
  if (schema === RECORD_SCHEMA_V1) json = upgradeV1Record(json);
  else if (schema !== RECORD_SCHEMA)
    throw new RecordDecodeError(`unknown record schema ${JSON.stringify(schema)} (expected ${RECORD_SCHEMA} or ${RECORD_SCHEMA_V1})`, 'unknown_schema');
  const parsed = chainRecordSchema.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new RecordDecodeError(`invalid record at ${first?.path.join('.') ?? '?'}: ${first?.message ?? 'invalid'}`, 'invalid');
  }
  return parsed.data;
}

/**
 * A v1 record as v2 (a new object; not validated here). v1 had no fee parts: its `fee` was
 * gasUsed × effectiveGasPrice, so that is its executionFee, and its dataFee is 0 (blob fees
 * and L1 data fees were not recorded then). Anything that is not an object passes through.
 */
export function upgradeV1Record(json: unknown): unknown {
  if (typeof json !== 'object' || json === null) return json;
  const r = json as Record<string, unknown>;
  const txs = r.transactions;
  return {
    ...r,
    schema: RECORD_SCHEMA,
    ...(Array.isArray(txs)
      ? { transactions: txs.map((t) => (typeof t === 'object' && t !== null ? { ...t, executionFee: (t as { fee?: unknown }).fee, dataFee: '0' } : t)) }
      : {}),
  };
}

export const toBigInt = (s: string): bigint => BigInt(s);

/** UTC day (YYYY-MM-DD) of a unix-seconds timestamp. */
export const utcDay = (unixSeconds: number): string => new Date(unixSeconds * 1000).toISOString().slice(0, 10);
/** Start of the UTC minute, unix seconds. */
export const minuteOf = (unixSeconds: number): number => unixSeconds - (unixSeconds % 60);
