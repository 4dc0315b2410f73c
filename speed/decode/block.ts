// Raw RPC block + receipts → one BlockRecord (core/chain.ts, kind 'block'). Pure: the
// record is a function of its inputs, the chain family and `now` only, so re-decoding a
// block is idempotent. The family's formatters (core/chains) fill the record's `extra`, its
// classifier names its own tx types and its fee rule adds the data fee (blob, L1) to the gas.
// prepareBlock runs the family's asynchronous part (EIP-7702 authority recovery) beforehand.
import { type BlockRecord, type FamilyExtras, RECORD_SCHEMA, type Tx, blockRecordSchema } from '../../core/chain.js';
import { type ChainFamily, DEFAULT_CHAIN_FAMILY } from '../../core/chains/index.js';
import { ValidationError } from '../../core/errors.js';
import type { RpcBlock, RpcReceipt } from '../rpc/schemas.js';
import { decodeCall } from './calls.js';
import { classifyTx } from './classify.js';
import { decodeTransferLogs } from './transfers.js';

export type BlockDecodeReason = 'receipt_count' | 'receipt_mismatch' | 'bad_value' | 'invalid_record';

/** The inputs cannot form a valid record (receipts do not match, values out of range): DLQ it. */
export class BlockDecodeError extends ValidationError {
  override readonly code = 'block_decode';
  constructor(
    message: string,
    readonly reason: BlockDecodeReason,
    readonly blockNumber: number | null,
    details?: unknown,
  ) {
    super(message, details);
  }
}

const dec = (q: string): string => BigInt(q).toString(10);
const decOrNull = (q: string | null): string | null => (q === null ? null : dec(q));

function safeNumber(q: string, field: string, blockNumber: number | null): number {
  const v = BigInt(q);
  if (v > BigInt(Number.MAX_SAFE_INTEGER))
    throw new BlockDecodeError(`${field} ${v} exceeds the safe integer range`, 'bad_value', blockNumber);
  return Number(v);
}

/** What a family's prepare step gave, by transaction hash (speed/ingest/source.ts passes it to decodeBlock). */
export type PreparedExtras = ReadonlyMap<string, FamilyExtras>;

/** Run the family's asynchronous per-transaction step over a block (nothing to do: an empty map). */
export async function prepareBlock(rawBlock: RpcBlock, family: ChainFamily = DEFAULT_CHAIN_FAMILY): Promise<PreparedExtras> {
  const prepare = family.prepare?.transaction;
  const out = new Map<string, FamilyExtras>();
  if (!prepare) return out;
  await Promise.all(
    rawBlock.transactions.map(async (tx) => {
      const x = await prepare(tx);
      if (x) out.set(tx.hash, x);
    }),
  );
  return out;
}

/** A family's extras, or undefined when it has none, so records without extras keep their exact shape. */
const nonEmpty = (x: FamilyExtras | null | undefined): FamilyExtras | undefined => (x && Object.keys(x).length > 0 ? x : undefined);

export function decodeBlock(
  chainId: number,
  rawBlock: RpcBlock,
  rawReceipts: RpcReceipt[],
  now: number = Date.now(),
  family: ChainFamily = DEFAULT_CHAIN_FAMILY,
  prepared: PreparedExtras = new Map(),
): BlockRecord {
  const number = safeNumber(rawBlock.number, 'block number', null);
  const txs = rawBlock.transactions;
  if (rawReceipts.length !== txs.length)
    throw new BlockDecodeError(
      `block ${number}: ${txs.length} transactions but ${rawReceipts.length} receipts`,
      'receipt_count',
      number,
    );
  const byHash = new Map<string, RpcReceipt>();
  for (const r of rawReceipts) byHash.set(r.transactionHash, r);

  const transactions: Tx[] = txs.map((tx) => {
    const receipt = byHash.get(tx.hash);
    if (!receipt)
      throw new BlockDecodeError(`block ${number}: no receipt for transaction ${tx.hash}`, 'receipt_mismatch', number, { txHash: tx.hash });
    if (receipt.blockHash !== rawBlock.hash)
      throw new BlockDecodeError(
        `block ${number}: receipt of ${tx.hash} belongs to block ${receipt.blockHash}, not ${rawBlock.hash}`,
        'receipt_mismatch',
        number,
        { txHash: tx.hash },
      );
    const effective = receipt.effectiveGasPrice ?? tx.gasPrice;
    if (effective === null)
      throw new BlockDecodeError(`block ${number}: transaction ${tx.hash} has no effective gas price`, 'bad_value', number, { txHash: tx.hash });
    const gasUsed = BigInt(receipt.gasUsed);
    const effectiveGasPrice = BigInt(effective);
    const txClass = family.classify?.(tx) ?? classifyTx(tx);
    const call = txClass === 'contract_call' ? decodeCall(tx.input) : null;
    // Pre-Byzantium receipts have no status (a state root instead): whether the tx threw is
    // unknown, so it stays null rather than counting as a success. The schema allows only 0/1.
    const status = receipt.status === null ? null : BigInt(receipt.status) === 1n ? 1 : 0;
    // The family's own fields were kept on the raw objects by its RPC schemas (speed/rpc/schemas.ts).
    const extra = nonEmpty(family.format.transaction?.(tx, receipt, prepared.get(tx.hash)));
    const fee = family.fee?.(tx, receipt, gasUsed * effectiveGasPrice) ?? { execution: gasUsed * effectiveGasPrice, data: 0n };
    return {
      hash: tx.hash,
      blockNumber: number,
      transactionIndex: safeNumber(tx.transactionIndex, 'transactionIndex', number),
      from: tx.from,
      to: tx.to,
      value: dec(tx.value),
      nonce: safeNumber(tx.nonce, 'nonce', number),
      type: tx.type === null ? 0 : safeNumber(tx.type, 'type', number),
      gas: dec(tx.gas),
      gasPrice: decOrNull(tx.gasPrice),
      maxFeePerGas: decOrNull(tx.maxFeePerGas),
      maxPriorityFeePerGas: decOrNull(tx.maxPriorityFeePerGas),
      txClass,
      selector: call?.selector ?? null,
      method: call?.method ?? null,
      args: call?.args ?? null,
      inputSize: (tx.input.length - 2) / 2,
      status,
      gasUsed: gasUsed.toString(10),
      effectiveGasPrice: effectiveGasPrice.toString(10),
      fee: (fee.execution + fee.data).toString(10),
      executionFee: fee.execution.toString(10),
      dataFee: fee.data.toString(10),
      contractAddress: receipt.contractAddress,
      logCount: receipt.logs.length,
      ...(extra ? { extra } : {}),
    } satisfies Tx;
  });

  const tokenTransfers = decodeTransferLogs(
    txs.flatMap((tx) => (byHash.get(tx.hash) as RpcReceipt).logs.filter((l) => l.transactionHash === tx.hash)),
  ).map((t) => ({ ...t, blockNumber: number }));

  const blockExtra = nonEmpty(family.format.block?.(rawBlock));
  const record: BlockRecord = {
    schema: RECORD_SCHEMA,
    kind: 'block',
    chainId,
    ...(family.name === DEFAULT_CHAIN_FAMILY.name ? {} : { family: family.name }),
    block: {
      number,
      hash: rawBlock.hash,
      parentHash: rawBlock.parentHash,
      timestamp: safeNumber(rawBlock.timestamp, 'timestamp', number),
      miner: rawBlock.miner,
      gasUsed: dec(rawBlock.gasUsed),
      gasLimit: dec(rawBlock.gasLimit),
      baseFeePerGas: decOrNull(rawBlock.baseFeePerGas),
      txCount: txs.length,
      ...(blockExtra ? { extra: blockExtra } : {}),
    },
    transactions,
    tokenTransfers,
    publishedAt: now,
  };
  // The record is the contract with every consumer: never publish one that fails its schema.
  const checked = blockRecordSchema.safeParse(record);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    throw new BlockDecodeError(
      `block ${number}: record invalid at ${issue?.path.join('.') ?? '?'}: ${issue?.message ?? 'invalid'}`,
      'invalid_record',
      number,
    );
  }
  return record;
}
