// The Arbitrum (Nitro) family: One, Sepolia, Nova. The ethereum fields plus Arbitrum's own
// transaction types as named classes (0x64 deposit, 0x65 unsigned, 0x66 contract, 0x68 retry,
// 0x69 submit-retryable, 0x6a internal: the ArbOS tx that opens each block), the receipts'
// gasUsedForL1 and the L1 block number the block (and each receipt) was built on. The L1 part
// of the fee is already in gasUsed (gasUsedForL1 is the share of gasUsed charged for L1 data),
// so fee = gasUsed × effectiveGasPrice stays the full fee and there is no data fee to add.
import type { TxClass } from '../chain.js';
import { ethereumColumns, ethereumRpc, formatEthereumBlock, formatEthereumTx, prepareEthereumTx } from './ethereum.js';
import { hexHash, hexQuantity, nullish } from './rpc-fields.js';
import { defineChainFamily, type FamilyColumn } from './types.js';

/** Nitro's tx types (go-ethereum fork, core/types/arb_types.go). */
export const ARBITRUM_TX_CLASSES: ReadonlyMap<number, TxClass> = new Map([
  [0x64, 'deposit'],
  [0x65, 'unsigned'],
  [0x66, 'contract'],
  [0x68, 'retry'],
  [0x69, 'submit_retryable'],
  [0x6a, 'internal'],
]);
const dec = (q: string | null | undefined): string | null => (q == null ? null : BigInt(q).toString(10));
const num = (q: string | null | undefined): number | null => (q == null ? null : Number(BigInt(q)));

export const arbitrumFamily = defineChainFamily({
  name: 'arbitrum',
  // Arbitrum One, Arbitrum Sepolia, Arbitrum Nova
  chainIds: [42161, 421614, 42170],
  rpc: {
    transaction: ethereumRpc.transaction,
    receipt: { ...ethereumRpc.receipt, gasUsedForL1: nullish(hexQuantity), l1BlockNumber: nullish(hexQuantity) },
    block: { ...ethereumRpc.block, l1BlockNumber: nullish(hexQuantity), sendCount: nullish(hexQuantity), sendRoot: nullish(hexHash) },
  },
  format: {
    transaction(tx, receipt, prepared) {
      const out = formatEthereumTx(tx, receipt, prepared);
      const gasUsedForL1 = dec(receipt.gasUsedForL1);
      if (gasUsedForL1 != null) out.gasUsedForL1 = gasUsedForL1;
      return out;
    },
    block(b) {
      const out = formatEthereumBlock(b);
      const l1BlockNumber = num(b.l1BlockNumber);
      if (l1BlockNumber != null) out.l1BlockNumber = l1BlockNumber;
      const sendCount = num(b.sendCount);
      if (sendCount != null) out.sendCount = sendCount;
      if (b.sendRoot != null) out.sendRoot = b.sendRoot;
      return out;
    },
  },
  prepare: { transaction: prepareEthereumTx },
  classify: (tx) => (tx.type == null ? null : (ARBITRUM_TX_CLASSES.get(Number(BigInt(tx.type))) ?? null)),
  columns: {
    transactions: [
      ...ethereumColumns.transactions,
      { name: 'gas_used_for_l1', field: 'gasUsedForL1', type: 'dec38', description: 'the share of gas_used charged for L1 data' },
    ],
    blocks: [
      ...ethereumColumns.blocks,
      { name: 'l1_block_number', field: 'l1BlockNumber', type: 'bigint', description: 'L1 block the L2 block was built on' },
      { name: 'send_count', field: 'sendCount', type: 'bigint', description: 'L2→L1 messages sent so far' },
      { name: 'send_root', field: 'sendRoot', type: 'hash', description: 'root of the L2→L1 message accumulator' },
    ],
  } satisfies { transactions: readonly FamilyColumn[]; blocks: readonly FamilyColumn[] },
});
