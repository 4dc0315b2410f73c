// The Polygon PoS (Bor) family: mainnet 137, Amoy 80002. The ethereum fields plus the one thing
// recorded Bor answers show: state-sync transactions. Bor commits L1→L2 state syncs in a system
// "transaction" at the end of a sprint's block whose receipt comes from and goes to the zero
// address, uses no gas and carries the StateReceiver's (0x…1001) StateCommitted log
// (erigontech/rpc-tests polygon-pos/eth_getTransactionReceipt/test_01.json). Nodes differ in
// whether eth_getBlockReceipts lists it; the pool's receipt merging handles that, not this file.
import { ethereumColumns, ethereumRpc, formatEthereumBlock, formatEthereumTx, prepareEthereumTx } from './ethereum.js';
import { defineChainFamily, type FamilyColumn } from './types.js';

export const STATE_RECEIVER = '0x0000000000000000000000000000000000001001';
export const STATE_COMMITTED_TOPIC = '0x5a22725590b0a51c923940223f7458512164b1113359a735e86e7f27f44791ee';
const ZERO = '0x0000000000000000000000000000000000000000';

type Receipt = { from?: string | null; to: string | null; gasUsed?: string; logs?: { address: string; topics: string[] }[] };
/** A Bor state-sync receipt: zero address to zero address, no gas, a StateCommitted log. */
export const isStateSyncReceipt = (r: Receipt): boolean =>
  r.from === ZERO && r.to === ZERO && r.gasUsed !== undefined && BigInt(r.gasUsed) === 0n && (r.logs ?? []).some((l) => l.address === STATE_RECEIVER && l.topics[0] === STATE_COMMITTED_TOPIC);

export const polygonFamily = defineChainFamily({
  name: 'polygon',
  chainIds: [137, 80002],
  rpc: ethereumRpc,
  format: {
    transaction(tx, receipt, prepared) {
      const out = formatEthereumTx(tx, receipt, prepared);
      if (isStateSyncReceipt(receipt as unknown as Receipt)) out.stateSync = true;
      return out;
    },
    block: formatEthereumBlock,
  },
  prepare: { transaction: prepareEthereumTx },
  columns: {
    transactions: [...ethereumColumns.transactions, { name: 'state_sync', field: 'stateSync', type: 'boolean', description: 'a Bor state-sync system tx (true), else NULL' }],
    blocks: ethereumColumns.blocks,
  } satisfies { transactions: readonly FamilyColumn[]; blocks: readonly FamilyColumn[] },
});
