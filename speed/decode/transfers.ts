// ERC-20 Transfer logs → token-transfer rows. Pure.
import type { TokenTransfer } from '../../core/chain.js';

/** keccak256("Transfer(address,address,uint256)"). */
export const TRANSFER_TOPIC = '0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef';

export type TransferLogInput = {
  address: string;
  topics: readonly string[];
  data: string;
  logIndex: string | number;
  transactionHash: string;
  blockNumber: string | number;
  removed?: boolean;
};

const toNum = (q: string | number): number => (typeof q === 'number' ? q : Number(BigInt(q)));
const topicAddress = (topic: string): string | null =>
  /^0x0{24}[0-9a-f]{40}$/.test(topic) ? `0x${topic.slice(26)}` : null;

/**
 * ERC-20 transfers: Transfer(address,address,uint256) with exactly 3 topics and a 32-byte
 * amount in data. ERC-721 Transfer has the token id as a 4th topic and is excluded;
 * malformed or removed logs are skipped.
 */
export function decodeTransferLogs(logs: readonly TransferLogInput[]): TokenTransfer[] {
  const out: TokenTransfer[] = [];
  for (const log of logs) {
    if (log.removed === true || log.topics.length !== 3) continue;
    const [topic0, fromTopic, toTopic] = log.topics.map((t) => t.toLowerCase());
    if (topic0 !== TRANSFER_TOPIC || fromTopic === undefined || toTopic === undefined) continue;
    const data = log.data.toLowerCase();
    if (!/^0x[0-9a-f]{64}$/.test(data)) continue;
    const from = topicAddress(fromTopic);
    const to = topicAddress(toTopic);
    if (from === null || to === null) continue;
    out.push({
      txHash: log.transactionHash.toLowerCase(),
      blockNumber: toNum(log.blockNumber),
      logIndex: toNum(log.logIndex),
      token: log.address.toLowerCase(),
      from,
      to,
      amount: BigInt(data).toString(10),
    });
  }
  return out;
}
