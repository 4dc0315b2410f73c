// The OP-stack family (Optimism, Base and their Sepolias; any OP chain by CHAIN_FAMILY=op-stack):
// the ethereum fields plus deposit transactions (type 0x7e: minted on L2 from an L1 deposit,
// with sourceHash, mint and isSystemTx, paying no L2 gas) and the L1 data fee every other
// transaction pays on top of its L2 gas (receipts' l1Fee, with the L1 gas/prices and the fee
// scalars it was computed from). fee = L2 execution fee + L1 data fee; both parts are kept.
// Field names as op-geth/op-reth answer them (viem's op-stack formatters read the same ones).
import { z } from 'zod';
import type { FamilyExtras } from '../chain.js';
import { ethereumColumns, ethereumRpc, formatEthereumBlock, formatEthereumTx, prepareEthereumTx } from './ethereum.js';
import { hexHash, hexQuantity, nullish } from './rpc-fields.js';
import { defineChainFamily, type FamilyColumn } from './types.js';

export const DEPOSIT_TX_TYPE = 0x7en;
const dec = (q: string | null | undefined): string | null => (q == null ? null : BigInt(q).toString(10));
const isDeposit = (tx: { type: string | null }): boolean => tx.type !== null && BigInt(tx.type) === DEPOSIT_TX_TYPE;

export const opStackFamily = defineChainFamily({
  name: 'op-stack',
  // OP Mainnet, Base, OP Sepolia, Base Sepolia
  chainIds: [10, 8453, 11155420, 84532],
  rpc: {
    transaction: {
      ...ethereumRpc.transaction,
      sourceHash: nullish(hexHash),
      mint: nullish(hexQuantity),
      isSystemTx: nullish(z.boolean()),
    },
    receipt: {
      ...ethereumRpc.receipt,
      l1Fee: nullish(hexQuantity),
      l1GasUsed: nullish(hexQuantity),
      l1GasPrice: nullish(hexQuantity),
      l1BlobBaseFee: nullish(hexQuantity),
      l1BaseFeeScalar: nullish(hexQuantity),
      l1BlobBaseFeeScalar: nullish(hexQuantity),
      /** Bedrock (before Ecotone): a decimal fraction as text, e.g. "0.684". */
      l1FeeScalar: nullish(z.string()),
    },
    block: ethereumRpc.block,
  },
  format: {
    transaction(tx, receipt, prepared) {
      const base = formatEthereumTx(tx, receipt, prepared);
      const out: FamilyExtras = { ...base };
      if (isDeposit(tx)) {
        out.sourceHash = tx.sourceHash;
        // A deposit without mint minted nothing.
        out.mint = dec(tx.mint) ?? '0';
        out.isSystemTx = tx.isSystemTx ?? false;
      }
      const l1 = {
        l1Fee: dec(receipt.l1Fee),
        l1GasUsed: dec(receipt.l1GasUsed),
        l1GasPrice: dec(receipt.l1GasPrice),
        l1BlobBaseFee: dec(receipt.l1BlobBaseFee),
        l1BaseFeeScalar: dec(receipt.l1BaseFeeScalar),
        l1BlobBaseFeeScalar: dec(receipt.l1BlobBaseFeeScalar),
        l1FeeScalar: receipt.l1FeeScalar,
      };
      for (const [k, v] of Object.entries(l1)) if (v != null) out[k] = v;
      return out;
    },
    block: formatEthereumBlock,
  },
  prepare: { transaction: prepareEthereumTx },
  classify: (tx) => (isDeposit(tx) ? 'deposit' : null),
  // A deposit's gas was bought on L1: it pays neither L2 gas nor an L1 data fee on L2.
  fee: (tx, receipt, execution) => (isDeposit(tx) ? { execution: 0n, data: 0n } : { execution, data: receipt.l1Fee == null ? 0n : BigInt(receipt.l1Fee) }),
  columns: {
    transactions: [
      ...ethereumColumns.transactions,
      { name: 'source_hash', field: 'sourceHash', type: 'hash', description: 'deposit txs: the L1 source of the deposit' },
      { name: 'mint', field: 'mint', type: 'uint256', description: 'deposit txs: wei minted on L2' },
      { name: 'is_system_tx', field: 'isSystemTx', type: 'boolean', description: 'deposit txs: a system deposit (pre-Regolith)' },
      { name: 'l1_fee', field: 'l1Fee', type: 'dec38', description: 'L1 data fee, wei; part of fee' },
      { name: 'l1_gas_used', field: 'l1GasUsed', type: 'dec38', description: 'L1 gas the tx data was charged for' },
      { name: 'l1_gas_price', field: 'l1GasPrice', type: 'dec38', description: 'L1 base fee used for the data fee' },
      { name: 'l1_blob_base_fee', field: 'l1BlobBaseFee', type: 'dec38', description: 'L1 blob base fee used for the data fee (Ecotone+)' },
      { name: 'l1_base_fee_scalar', field: 'l1BaseFeeScalar', type: 'dec38', description: 'Ecotone base fee scalar' },
      { name: 'l1_blob_base_fee_scalar', field: 'l1BlobBaseFeeScalar', type: 'dec38', description: 'Ecotone blob base fee scalar' },
      { name: 'l1_fee_scalar', field: 'l1FeeScalar', type: 'text', description: 'Bedrock fee scalar (decimal fraction)' },
    ],
    blocks: ethereumColumns.blocks,
  } satisfies { transactions: readonly FamilyColumn[]; blocks: readonly FamilyColumn[] },
});
