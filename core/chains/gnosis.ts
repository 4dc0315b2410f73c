// The Gnosis family: Gnosis Chain 100, Chiado 10200. No recorded Gnosis answer we have shows a
// field of its own; its nodes send the ethereum fields (withdrawals, blob and set-code txs), so
// it is ethereum under its own name and its records say `family: "gnosis"`. Its withdrawal
// amounts are read like ethereum's (gwei on the wire → wei), in the chain's own token units.
import { ethereumFamily } from './ethereum.js';
import { defineChainFamily } from './types.js';

export const gnosisFamily = defineChainFamily({ ...ethereumFamily, name: 'gnosis', chainIds: [100, 10200] });
