// Deterministic synthetic chain records (blocks with txs and ERC-20 transfers, and reorgs
// published as retractions followed by the new canonical blocks), for batch-layer tests.
import { type BlockRecord, type ChainRecord, RECORD_SCHEMA, type RetractionRecord, type Tx, type TxClass } from '../../core/chain.js';

export function rng(seed: number) {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x100000000;
  };
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T };
}

const hex = (n: bigint | number, bytes: number) => `0x${BigInt(n).toString(16).padStart(bytes * 2, '0')}`;

export type ChainFixture = { records: ChainRecord[]; canonical: Map<number, BlockRecord> };

/**
 * A chain of `blocks` heights starting at `startTime`, one block every `blockSeconds`.
 * Every `reorgEvery` heights the last `reorgDepth` blocks are retracted (newest first) and
 * replaced by different blocks. Some values exceed 38 digits (uint256 exactness).
 */
export function generateChain(opts: {
  chainId?: number;
  blocks: number;
  startBlock?: number;
  startTime?: number;
  blockSeconds?: number;
  maxTxs?: number;
  seed?: number;
  reorgEvery?: number;
  reorgDepth?: number;
  addresses?: number;
}): ChainFixture {
  const chainId = opts.chainId ?? 31337;
  const r = rng(opts.seed ?? 42);
  const addrs = Array.from({ length: opts.addresses ?? 20 }, (_, i) => hex(0x1000 + i, 20));
  const tokens = [hex(0xaa01, 20), hex(0xaa02, 20), hex(0xaa03, 20)];
  const start = opts.startBlock ?? 1;
  const t0 = opts.startTime ?? Date.UTC(2026, 0, 1, 23, 50) / 1000;
  const dt = opts.blockSeconds ?? 12;
  let hashSeq = 1n;
  const records: ChainRecord[] = [];
  const canonical = new Map<number, BlockRecord>();

  const makeBlock = (number: number, parentHash: string): BlockRecord => {
    const hash = hex((BigInt(number) << 64n) + hashSeq++, 32);
    const timestamp = t0 + (number - start) * dt;
    const n = r.int((opts.maxTxs ?? 6) + 1);
    const transactions: Tx[] = [];
    const tokenTransfers: BlockRecord['tokenTransfers'] = [];
    let gasUsedSum = 0n;
    for (let i = 0; i < n; i++) {
      const cls: TxClass = r.pick(['native_transfer', 'native_transfer', 'contract_call', 'contract_call', 'contract_creation'] as const);
      const from = r.pick(addrs);
      const to = cls === 'contract_creation' ? null : cls === 'contract_call' ? r.pick(tokens) : r.pick(addrs);
      const status = r.next() < 0.1 ? 0 : 1;
      const gasUsed = BigInt(21_000 + r.int(200_000));
      const price = BigInt(1_000_000_000 + r.int(50_000_000_000));
      const big = r.next() < 0.05;
      const value = cls === 'contract_call' ? 0n : big ? 10n ** 60n + BigInt(r.int(1e9)) : BigInt(r.int(1e9)) * 10n ** 12n;
      gasUsedSum += gasUsed;
      const txHash = hex((BigInt(number) << 96n) + (hashSeq << 16n) + BigInt(i), 32);
      transactions.push({
        hash: txHash,
        blockNumber: number,
        transactionIndex: i,
        from,
        to,
        value: value.toString(),
        nonce: r.int(1000),
        type: 2,
        gas: (gasUsed + 10_000n).toString(),
        gasPrice: price.toString(),
        maxFeePerGas: (price * 2n).toString(),
        maxPriorityFeePerGas: '1000000000',
        txClass: cls,
        selector: cls === 'contract_call' ? '0xa9059cbb' : null,
        method: cls === 'contract_call' ? 'transfer' : null,
        args: cls === 'contract_call' ? { to: r.pick(addrs), amount: '1' } : null,
        inputSize: cls === 'native_transfer' ? 0 : 68,
        status: status as 0 | 1,
        gasUsed: gasUsed.toString(),
        effectiveGasPrice: price.toString(),
        fee: (gasUsed * price).toString(),
        executionFee: (gasUsed * price).toString(),
        dataFee: '0',
        contractAddress: cls === 'contract_creation' && status === 1 ? hex(0xc000 + number * 16 + i, 20) : null,
        logCount: cls === 'contract_call' && status === 1 ? 1 : 0,
      });
      if (cls === 'contract_call' && status === 1 && to) {
        const amount = r.next() < 0.1 ? 2n ** 250n + BigInt(r.int(1e6)) : BigInt(r.int(1e12));
        tokenTransfers.push({ txHash, blockNumber: number, logIndex: tokenTransfers.length, token: to, from, to: r.pick(addrs), amount: amount.toString() });
      }
    }
    return {
      schema: RECORD_SCHEMA,
      kind: 'block',
      chainId,
      block: {
        number,
        hash,
        parentHash,
        timestamp,
        miner: r.pick(addrs),
        gasUsed: gasUsedSum.toString(),
        gasLimit: '30000000',
        baseFeePerGas: String(1_000_000_000 + r.int(1e9)),
        txCount: n,
      },
      transactions,
      tokenTransfers,
      publishedAt: timestamp * 1000,
    };
  };

  let parent = hex(0, 32);
  for (let h = start; h < start + opts.blocks; h++) {
    const b = makeBlock(h, parent);
    records.push(b);
    canonical.set(h, b);
    parent = b.block.hash;
    const depth = opts.reorgDepth ?? 2;
    if (opts.reorgEvery && (h - start + 1) % opts.reorgEvery === 0 && h - depth + 1 >= start) {
      for (let x = h; x > h - depth; x--) {
        const orphan = canonical.get(x)!;
        const retraction: RetractionRecord = {
          schema: RECORD_SCHEMA,
          kind: 'retraction',
          chainId,
          block: { number: x, hash: orphan.block.hash, parentHash: orphan.block.parentHash, timestamp: orphan.block.timestamp },
          replacedBy: null,
          publishedAt: orphan.publishedAt + 1,
        };
        records.push(retraction);
      }
      let p = canonical.get(h - depth)?.block.hash ?? hex(0, 32);
      for (let x = h - depth + 1; x <= h; x++) {
        const nb = makeBlock(x, p);
        records.push(nb);
        canonical.set(x, nb);
        p = nb.block.hash;
      }
      parent = p;
    }
  }
  return { records, canonical };
}
