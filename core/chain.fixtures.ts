// A valid block record for tests (one native transfer carrying max uint256).
import { RECORD_SCHEMA, type BlockRecord } from './chain.js';

const h = (n: number) => `0x${n.toString(16).padStart(64, '0')}`;
const a = (n: number) => `0x${n.toString(16).padStart(40, '0')}`;

export const sampleBlock = (): BlockRecord => ({
  schema: RECORD_SCHEMA,
  kind: 'block',
  chainId: 1,
  block: { number: 10, hash: h(10), parentHash: h(9), timestamp: 1_700_000_000, miner: a(1), gasUsed: '21000', gasLimit: '30000000', baseFeePerGas: '7', txCount: 1 },
  transactions: [
    {
      hash: h(100), blockNumber: 10, transactionIndex: 0, from: a(2), to: a(3),
      value: '115792089237316195423570985008687907853269984665640564039457584007913129639935',
      nonce: 0, type: 2, gas: '21000', gasPrice: null, maxFeePerGas: '10', maxPriorityFeePerGas: '1',
      txClass: 'native_transfer', selector: null, method: null, args: null, inputSize: 0,
      status: 1, gasUsed: '21000', effectiveGasPrice: '8', fee: '168000', executionFee: '168000', dataFee: '0', contractAddress: null, logCount: 0,
    },
  ],
  tokenTransfers: [],
  publishedAt: 1,
});
