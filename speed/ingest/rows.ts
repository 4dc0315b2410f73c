// Flat rows of a block record for `chainlake export`, with the same column names and types
// as the lake's raw tables (storage/lake/schema.ts RAW_COLUMNS) minus Kafka provenance and
// publishedAt. Pure. Documented in docs/export-schema.md.
import type { BlockRecord } from '../../core/chain.js';
import { type Column, RAW_COLUMNS } from '../../storage/lake/schema.js';

export const EXPORT_TABLES = ['blocks', 'transactions', 'token_transfers'] as const;
export type ExportTable = (typeof EXPORT_TABLES)[number];
export type ExportRow = Record<string, string | number | null>;

const NOT_EXPORTED = new Set(['kind', 'kafka_partition', 'kafka_offset', 'published_at']);

export const EXPORT_COLUMNS: Record<ExportTable, Column[]> = {
  blocks: RAW_COLUMNS.blocks.filter((c) => !NOT_EXPORTED.has(c.name)),
  transactions: RAW_COLUMNS.transactions.filter((c) => !NOT_EXPORTED.has(c.name)),
  token_transfers: RAW_COLUMNS.token_transfers.filter((c) => !NOT_EXPORTED.has(c.name)),
};

export function recordRows(r: BlockRecord): Record<ExportTable, ExportRow[]> {
  const b = r.block;
  return {
    blocks: [
      {
        chain_id: r.chainId,
        number: b.number,
        hash: b.hash,
        parent_hash: b.parentHash,
        timestamp: b.timestamp,
        miner: b.miner,
        gas_used: b.gasUsed,
        gas_limit: b.gasLimit,
        base_fee_per_gas: b.baseFeePerGas,
        tx_count: b.txCount,
      },
    ],
    transactions: r.transactions.map((t) => ({
      chain_id: r.chainId,
      block_number: b.number,
      block_hash: b.hash,
      block_timestamp: b.timestamp,
      hash: t.hash,
      transaction_index: t.transactionIndex,
      from_address: t.from,
      to_address: t.to,
      value: t.value,
      nonce: t.nonce,
      type: t.type,
      gas: t.gas,
      gas_price: t.gasPrice,
      max_fee_per_gas: t.maxFeePerGas,
      max_priority_fee_per_gas: t.maxPriorityFeePerGas,
      tx_class: t.txClass,
      selector: t.selector,
      method: t.method,
      args: t.args === null ? null : JSON.stringify(t.args),
      input_size: t.inputSize,
      status: t.status,
      gas_used: t.gasUsed,
      effective_gas_price: t.effectiveGasPrice,
      fee: t.fee,
      contract_address: t.contractAddress,
      log_count: t.logCount,
    })),
    token_transfers: r.tokenTransfers.map((x) => ({
      chain_id: r.chainId,
      block_number: b.number,
      block_hash: b.hash,
      block_timestamp: b.timestamp,
      tx_hash: x.txHash,
      log_index: x.logIndex,
      token: x.token,
      from_address: x.from,
      to_address: x.to,
      amount: x.amount,
    })),
  };
}
