// The ethereum family: mainnet, its testnets and local anvil, and the fallback for any chain
// id no family claims. It adds nothing: its fields are the base schemas of
// speed/rpc/schemas.ts and the record of core/chain.ts.
import { defineChainFamily } from './types.js';

export const ethereumFamily = defineChainFamily({
  name: 'ethereum',
  // mainnet, sepolia, holesky, hoodi, anvil/hardhat
  chainIds: [1, 11155111, 17000, 560048, 31337],
  rpc: { transaction: {}, receipt: {}, block: {} },
  format: {},
  columns: { transactions: [], blocks: [] },
});
