// Synthetic chain history for the speed-view tests and benchmark: valid BlockRecords (every tx
// class, failures, ERC-20 transfers, amounts beyond 64 bits), a reorg (retractions newest
// first, then replacements that move txs between heights) and duplicated records. Plus a plain
// in-memory recomputation of every view query from the final canonical block list.
import { createHash } from 'node:crypto';
import {
  type BlockRecord,
  type ChainRecord,
  RECORD_SCHEMA,
  type RetractionRecord,
  type TokenTransfer,
  type Tx,
  blockRecordSchema,
  minuteOf,
} from '../../core/chain.js';
import type { AddressTxView, BlockView, MinuteStatsView, TransferView, TxView } from '../../storage/views/queries.js';
import { mulberry32 } from '../../core/random.js';


const h32 = (s: string) => `0x${createHash('sha256').update(s).digest('hex')}`;
const h20 = (s: string) => h32(s).slice(0, 42);
export const ZERO_ADDRESS = `0x${'0'.repeat(40)}`;

export type StreamOptions = {
  chainId: number;
  seed: number;
  blocks: number;
  startNumber?: number;
  /** Unix seconds of the first block. */
  startTime: number;
  /** Heights at which whole-day gaps are inserted, so history spans several day partitions. */
  dayGapsAfter?: number[];
  /** Max txs per block (uniform 0..max). */
  maxTxs?: number;
  /** Reorg after this many blocks: retract `reorgDepth` blocks and replace them. */
  reorgAfter?: number;
  reorgDepth?: number;
  /** Records republished (duplicates) later in the stream. */
  duplicates?: number;
  /** Size of the EOA pool (default 14: dense address histories). */
  eoaCount?: number;
};

export type Stream = { records: ChainRecord[]; canonical: BlockRecord[]; orphaned: BlockRecord[] };

export function generateStream(o: StreamOptions): Stream {
  const rand = mulberry32(o.seed);
  const int = (n: number) => Math.floor(rand() * n);
  const big = (digits: number) => {
    let s = String(1 + int(9));
    for (let i = 1; i < digits; i++) s += String(int(10));
    return s;
  };
  const eoas = Array.from({ length: o.eoaCount ?? 14 }, (_, i) => h20(`eoa-${o.seed}-${i}`));
  const tokens = Array.from({ length: 3 }, (_, i) => h20(`token-${o.seed}-${i}`));
  const pick = <T>(xs: T[]): T => xs[int(xs.length)] as T;
  const maxTxs = o.maxTxs ?? 10;
  const startNumber = o.startNumber ?? 1_000;
  let nonce = 0;

  function makeTx(number: number, index: number, salt: string): { tx: Tx; transfers: Omit<TokenTransfer, 'logIndex' | 'blockNumber'>[] } {
    const kind = int(10);
    const from = pick(eoas);
    const hash = h32(`tx-${o.seed}-${salt}-${number}-${index}-${nonce}`);
    const status: 0 | 1 = int(8) === 0 ? 0 : 1;
    const gasUsed = String(21_000 + int(200_000));
    const effectiveGasPrice = big(10 + int(3));
    const legacy = int(4) === 0;
    const base = {
      hash,
      blockNumber: number,
      transactionIndex: index,
      from,
      nonce: nonce++,
      type: legacy ? 0 : 2,
      gas: String(Number(gasUsed) + 10_000),
      gasPrice: legacy ? effectiveGasPrice : null,
      maxFeePerGas: legacy ? null : big(12),
      maxPriorityFeePerGas: legacy ? null : big(9),
      status,
      gasUsed,
      effectiveGasPrice,
      fee: (BigInt(gasUsed) * BigInt(effectiveGasPrice)).toString(),
      executionFee: (BigInt(gasUsed) * BigInt(effectiveGasPrice)).toString(),
      dataFee: '0',
    };
    if (kind < 4) {
      const to = pick(eoas);
      return {
        tx: { ...base, to, value: big(15 + int(10)), txClass: 'native_transfer', selector: null, method: null, args: null, inputSize: 0, contractAddress: null, logCount: 0 },
        transfers: [],
      };
    }
    if (kind === 4) {
      return {
        tx: { ...base, to: null, value: int(2) ? '0' : big(18), txClass: 'contract_creation', selector: null, method: null, args: null, inputSize: 2_000 + int(5_000), contractAddress: status ? h20(`created-${hash}`) : null, logCount: 0 },
        transfers: [],
      };
    }
    const token = pick(tokens);
    if (kind === 9) {
      return {
        tx: { ...base, to: token, value: '0', txClass: 'contract_call', selector: '0x12345678', method: null, args: null, inputSize: 4 + 32 * int(4), contractAddress: null, logCount: 0 },
        transfers: [],
      };
    }
    const to = int(6) === 0 ? pick(tokens) : pick(eoas);
    const amount = big(1 + int(40));
    const transfers = status ? [{ txHash: hash, token, from: kind === 8 ? ZERO_ADDRESS : from, to, amount }] : [];
    if (status && kind === 7) transfers.push({ txHash: hash, token: pick(tokens), from: to, to: from, amount: big(5) });
    return {
      tx: {
        ...base,
        to: token,
        value: '0',
        txClass: 'contract_call',
        selector: '0xa9059cbb',
        method: 'transfer',
        args: { to, amount },
        inputSize: 68,
        contractAddress: null,
        logCount: transfers.length,
      },
      transfers,
    };
  }

  function makeBlock(number: number, parentHash: string, timestamp: number, salt: string, carried: Tx[] = []): BlockRecord {
    const transactions: Tx[] = [];
    const tokenTransfers: TokenTransfer[] = [];
    const n = int(maxTxs + 1);
    const carriedTransfers = new Map<string, Omit<TokenTransfer, 'logIndex' | 'blockNumber'>[]>();
    for (const c of carried) carriedTransfers.set(c.hash, []);
    const all: { tx: Tx; transfers: Omit<TokenTransfer, 'logIndex' | 'blockNumber'>[] }[] = [
      ...carried.map((tx) => ({ tx, transfers: [] })),
      ...Array.from({ length: n }, (_, i) => makeTx(number, i + carried.length, salt)),
    ];
    let logIndex = 0;
    all.forEach(({ tx, transfers }, i) => {
      // A carried tx keeps its hash but gets a new position; keep it simple: no logs.
      transactions.push({ ...tx, blockNumber: number, transactionIndex: i, ...(carried.includes(tx) ? { logCount: 0 } : {}) });
      for (const t of transfers) tokenTransfers.push({ ...t, blockNumber: number, logIndex: logIndex++ });
    });
    const gasUsed = transactions.reduce((s, t) => s + BigInt(t.gasUsed), 0n).toString();
    const record: BlockRecord = {
      schema: RECORD_SCHEMA,
      kind: 'block',
      chainId: o.chainId,
      block: {
        number,
        hash: h32(`block-${o.seed}-${salt}-${number}`),
        parentHash,
        timestamp,
        miner: pick(eoas),
        gasUsed,
        gasLimit: '30000000',
        baseFeePerGas: number % 17 === 0 ? null : big(10),
        txCount: transactions.length,
      },
      transactions,
      tokenTransfers,
      publishedAt: timestamp * 1000 + 500,
    };
    return blockRecordSchema.parse(record);
  }

  const records: ChainRecord[] = [];
  const chain: BlockRecord[] = [];
  const orphaned: BlockRecord[] = [];
  let parent = h32(`genesis-${o.seed}`);
  let time = o.startTime;
  const gaps = new Set(o.dayGapsAfter ?? []);
  for (let i = 0; i < o.blocks; i++) {
    const number = startNumber + i;
    const b = makeBlock(number, parent, time, 'a');
    chain.push(b);
    records.push(b);
    parent = b.block.hash;
    time += 2 + int(13) + (gaps.has(i) ? 86_400 : 0);
    if (o.reorgAfter !== undefined && i + 1 === o.reorgAfter) {
      const depth = o.reorgDepth ?? 3;
      const old = chain.splice(chain.length - depth, depth);
      orphaned.push(...old);
      for (const ob of [...old].reverse()) {
        const r: RetractionRecord = {
          schema: RECORD_SCHEMA,
          kind: 'retraction',
          chainId: o.chainId,
          block: { number: ob.block.number, hash: ob.block.hash, parentHash: ob.block.parentHash, timestamp: ob.block.timestamp },
          replacedBy: null,
          publishedAt: ob.publishedAt + 1,
        };
        records.push(r);
      }
      parent = old[0]?.block.parentHash ?? parent;
      let t = old[0]?.block.timestamp ?? time;
      // The first orphan's txs move one height up; the others' txs are dropped from the chain.
      let carried: Tx[] = [];
      for (const ob of old) {
        const nb = makeBlock(ob.block.number, parent, t + 1, 'b', carried);
        carried = ob === old[0] ? ob.transactions.filter((tx) => tx.txClass === 'native_transfer') : [];
        chain.push(nb);
        records.push(nb);
        parent = nb.block.hash;
        t = nb.block.timestamp + 3;
      }
      time = Math.max(time, t + 3);
    }
  }
  // Duplicates: an immediate republish and some republished much later (ingest restarts).
  const dupCount = o.duplicates ?? 0;
  for (let d = 0; d < dupCount; d++) {
    const src = chain[int(chain.length)];
    if (!src) break;
    const at = records.indexOf(src);
    const insertAt = d % 2 === 0 ? at + 1 : records.length - int(Math.max(1, Math.floor(records.length / 4)));
    records.splice(Math.max(at + 1, insertAt), 0, src);
  }
  return { records, canonical: chain, orphaned };
}

// ---------------------------------------------------------------------------------------
// In-memory recomputation of the view queries from the canonical block list.

const sideRank = (s: string) => s; // views sort side DESC: 'to' > 'from' > 'created'
const desc = (a: [number, number, string], b: [number, number, string]) => b[0] - a[0] || b[1] - a[1] || (sideRank(b[2]) > sideRank(a[2]) ? 1 : sideRank(b[2]) < sideRank(a[2]) ? -1 : 0);

export type ExpectedViews = ReturnType<typeof expectedViews>;

export function expectedViews(canonical: BlockRecord[]) {
  const blocks = new Map<number, BlockView>();
  const byHash = new Map<string, BlockView>();
  const txs = new Map<string, TxView>();
  const history = new Map<string, (AddressTxView & { k: [number, number, string] })[]>();
  const byToken = new Map<string, TransferView[]>();
  const byAddress = new Map<string, TransferView[]>();
  const minutes = new Map<number, MinuteStatsView>();
  const push = <T>(m: Map<string, T[]>, k: string, v: T) => {
    const l = m.get(k);
    if (l) l.push(v);
    else m.set(k, [v]);
  };
  for (const r of canonical) {
    const b = r.block;
    const view: BlockView = {
      number: b.number,
      hash: b.hash,
      parentHash: b.parentHash,
      timestamp: b.timestamp,
      txCount: b.txCount,
      gasUsed: b.gasUsed,
      gasLimit: b.gasLimit,
      baseFeePerGas: b.baseFeePerGas,
      miner: b.miner,
    };
    blocks.set(b.number, view);
    byHash.set(b.hash, view);
    const m = minutes.get(minuteOf(b.timestamp)) ?? {
      minute: minuteOf(b.timestamp),
      blocks: 0,
      txCount: 0,
      contractCreations: 0,
      nativeTransfers: 0,
      contractCalls: 0,
      failed: 0,
      unknown: 0,
      gasUsed: '0',
      fees: '0',
      nativeValue: '0',
      tokenTransfers: 0,
    };
    m.blocks++;
    m.gasUsed = (BigInt(m.gasUsed) + BigInt(b.gasUsed)).toString();
    m.tokenTransfers += r.tokenTransfers.length;
    for (const tx of r.transactions) {
      m.txCount++;
      if (tx.txClass === 'contract_creation') m.contractCreations++;
      if (tx.txClass === 'native_transfer') m.nativeTransfers++;
      if (tx.txClass === 'contract_call') m.contractCalls++;
      if (tx.status === null) m.unknown++;
      if (tx.status === 0) m.failed++;
      else m.nativeValue = (BigInt(m.nativeValue) + BigInt(tx.value)).toString();
      m.fees = (BigInt(m.fees) + BigInt(tx.fee)).toString();
      txs.set(tx.hash, { ...tx, extra: tx.extra ?? null, blockHash: b.hash, timestamp: b.timestamp });
      const entry = (side: AddressTxView['side'], counterparty: string | null) => ({
        txHash: tx.hash,
        blockNumber: b.number,
        blockHash: b.hash,
        transactionIndex: tx.transactionIndex,
        side,
        timestamp: b.timestamp,
        counterparty,
        value: tx.value,
        txClass: tx.txClass,
        method: tx.method,
        status: tx.status,
        fee: tx.fee,
        k: [b.number, tx.transactionIndex, side] as [number, number, string],
      });
      push(history, tx.from, entry('from', tx.to ?? tx.contractAddress));
      if (tx.to) push(history, tx.to, entry('to', tx.from));
      if (tx.contractAddress) push(history, tx.contractAddress, entry('created', tx.from));
    }
    minutes.set(m.minute, m);
    for (const t of r.tokenTransfers) {
      const v: TransferView = { txHash: t.txHash, blockNumber: b.number, blockHash: b.hash, logIndex: t.logIndex, token: t.token, from: t.from, to: t.to, amount: t.amount, timestamp: b.timestamp };
      push(byToken, t.token, v);
      push(byAddress, t.from, { ...v, side: 'from' });
      push(byAddress, t.to, { ...v, side: 'to' });
    }
  }
  const sortedHistory = new Map([...history].map(([a, l]) => [a, l.sort((x, y) => desc(x.k, y.k)).map(({ k: _k, ...rest }) => rest as AddressTxView)]));
  for (const l of byToken.values()) l.sort((x, y) => y.blockNumber - x.blockNumber || y.logIndex - x.logIndex);
  for (const l of byAddress.values()) l.sort((x, y) => desc([x.blockNumber, x.logIndex, x.side ?? ''], [y.blockNumber, y.logIndex, y.side ?? '']));
  const sortedBlocks = [...blocks.values()].sort((a, b) => b.number - a.number);
  return {
    blocks,
    byHash,
    txs,
    history: sortedHistory,
    byToken,
    byAddress,
    latest: (n: number) => sortedBlocks.slice(0, n),
    minuteStats: (from: number, to: number) => [...minutes.values()].filter((m) => m.minute >= from && m.minute < to).sort((a, b) => a.minute - b.minute),
    head: sortedBlocks[0],
  };
}

/** Kafka partition of a record in the tests: by height, like the key-hash partitioner would group them. */
export const partitionOf = (r: ChainRecord, partitions: number) => r.block.number % partitions;
