// An independent reference for the figures chainlake derives from a block: computed with
// plain BigInt over the raw node JSON (test/realdata/corpus.ts), never through chainlake's
// RPC schemas or decoder, so a decode bug cannot hide in both sides of a comparison.
import { keccak256, toHex } from 'viem';
import type { LoadedSet, Raw } from './corpus.js';

/** keccak("Transfer(address,address,uint256)"): an ERC-20 Transfer has it as topic0 and 3 topics (ERC-721's has 4). */
export const TRANSFER_TOPIC = keccak256(toHex('Transfer(address,address,uint256)'));

export type BlockFigures = {
  number: number;
  hash: string;
  txCount: number;
  /** The header's gasUsed; equals the sum of the receipts' gasUsed. */
  gasUsed: bigint;
  receiptGasUsed: bigint;
  /** Σ gasUsed × effectiveGasPrice (the tx's gasPrice where the receipt has none: pre-London nodes). */
  executionFees: bigint;
  /** Σ blobGasUsed × blobGasPrice where receipts carry them (Dencun blob txs). */
  blobFees: bigint;
  /** Σ l1Fee where receipts carry it (OP-stack L1 data fee). */
  l1Fees: bigint;
  /** Receipt status 0x0 / 0x1 / absent or null (pre-Byzantium). */
  failed: number;
  succeeded: number;
  unknown: number;
  erc20Transfers: number;
  /** Σ value of every tx. */
  nativeValueAll: bigint;
  /** Σ value of the txs that did not revert (status 0x1 or unknown): what moved, as far as is known. */
  nativeValueMoved: bigint;
};

const big = (x: unknown): bigint => (x === null || x === undefined ? 0n : BigInt(x as string));

export function referenceFigures(s: LoadedSet): BlockFigures {
  const b = s.rawBlock;
  const receipts: Raw[] = s.rawReceipts ?? [];
  const txByHash = new Map<string, Raw>(b.transactions.map((t: Raw) => [t.hash, t]));
  const f: BlockFigures = {
    number: Number(BigInt(b.number)),
    hash: b.hash,
    txCount: b.transactions.length,
    gasUsed: big(b.gasUsed),
    receiptGasUsed: 0n,
    executionFees: 0n,
    blobFees: 0n,
    l1Fees: 0n,
    failed: 0,
    succeeded: 0,
    unknown: 0,
    erc20Transfers: 0,
    nativeValueAll: 0n,
    nativeValueMoved: 0n,
  };
  for (const t of b.transactions) f.nativeValueAll += big(t.value);
  for (const r of receipts) {
    const tx = txByHash.get(r.transactionHash);
    f.receiptGasUsed += big(r.gasUsed);
    f.executionFees += big(r.gasUsed) * big(r.effectiveGasPrice ?? tx?.gasPrice);
    if (r.blobGasUsed != null) f.blobFees += big(r.blobGasUsed) * big(r.blobGasPrice);
    if (r.l1Fee != null) f.l1Fees += big(r.l1Fee);
    const status = r.status === undefined || r.status === null ? null : big(r.status);
    if (status === 0n) f.failed++;
    else if (status === 1n) f.succeeded++;
    else f.unknown++;
    if (status !== 0n) f.nativeValueMoved += big(tx?.value);
    for (const l of r.logs) if (l.topics.length === 3 && String(l.topics[0]).toLowerCase() === TRANSFER_TOPIC) f.erc20Transfers++;
  }
  return f;
}
