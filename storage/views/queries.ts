// Speed views in Cassandra/ScyllaDB, read side: typed queries over the tables of tables.ts for
// serving, reconcile and the benches. Amounts are decimal strings in views, bigint in partials.
// Writes: writer.ts. Reasoning about canonical rows during reorgs: docs/speed-views.md.
import { address as addressSchema, type FamilyExtras, hex32 } from '../../core/chain.js';
import { ValidationError } from '../../core/errors.js';
import type { CassandraClient } from '../cassandra.js';
import type { BlockSeriesRow, Page } from '../read-rows.js';
import { heightBucket } from './tables.js';

export type BlockView = {
  number: number;
  hash: string;
  parentHash: string;
  /** Unix seconds. */
  timestamp: number;
  txCount: number;
  gasUsed: string;
  gasLimit: string;
  baseFeePerGas: string | null;
  miner: string;
};

export type TxView = {
  hash: string;
  blockNumber: number;
  blockHash: string;
  transactionIndex: number;
  timestamp: number;
  from: string;
  to: string | null;
  value: string;
  txClass: string;
  selector: string | null;
  method: string | null;
  args: Record<string, string> | null;
  /** 1 success, 0 reverted, null unknown (receipt without status). */
  status: number | null;
  gas: string;
  gasPrice: string | null;
  maxFeePerGas: string | null;
  maxPriorityFeePerGas: string | null;
  gasUsed: string;
  effectiveGasPrice: string;
  fee: string;
  contractAddress: string | null;
  nonce: number;
  type: number;
  inputSize: number;
  logCount: number;
  /** The parts of fee: execution (gas) and data (blob fee, L1 data fee); null in rows written before they were kept. */
  executionFee: string | null;
  dataFee: string | null;
  /** The chain family's fields of this tx (core/chains), null for plain Ethereum txs. */
  extra: FamilyExtras | null;
};

export type AddressTxView = {
  txHash: string;
  blockNumber: number;
  blockHash: string;
  transactionIndex: number;
  side: 'from' | 'to' | 'created';
  timestamp: number;
  counterparty: string | null;
  value: string;
  txClass: string;
  method: string | null;
  /** 1 success, 0 reverted, null unknown (receipt without status). */
  status: number | null;
  fee: string;
};

export type TransferView = {
  txHash: string;
  blockNumber: number;
  blockHash: string;
  logIndex: number;
  token: string;
  from: string;
  to: string;
  amount: string;
  timestamp: number;
  /** Only for queries by address: which side of the transfer the address is on. */
  side?: 'from' | 'to';
};

export type MinuteStatsView = {
  /** Unix seconds, start of the minute. */
  minute: number;
  blocks: number;
  txCount: number;
  contractCreations: number;
  nativeTransfers: number;
  contractCalls: number;
  failed: number;
  /** Transactions of unknown status (receipt without status, pre-Byzantium). */
  unknown: number;
  gasUsed: string;
  fees: string;
  nativeValue: string;
  tokenTransfers: number;
};

export type FreshnessView = {
  lastBlock: { number: number; hash: string; timestamp: number } | null;
  /** Unix ms when the views consumer wrote its last checkpoint. */
  writtenAt: number | null;
  /** Seconds between the newest block's chain time and now. */
  ageSeconds: number | null;
  partitions: { group: string; topic: string; partition: number; nextOffset: string; lastBlockNumber: number; lastBlockTime: number; writtenAt: number }[];
};

/** The minute-stats partial row of one canonical block. */
export type MinutePartial = {
  /** Unix seconds, start of the minute. */
  minute: number;
  blockNumber: number;
  blockHash: string;
  txCount: number;
  contractCreations: number;
  nativeTransfers: number;
  contractCalls: number;
  failed: number;
  unknown: number;
  gasUsed: bigint;
  fees: bigint;
  nativeValue: bigint;
  tokenTransfers: number;
};

export const MAX_PAGE_SIZE = 1000;
const MAX_STATS_RANGE_SECONDS = 31 * 86_400;
const DAY_MS = 86_400_000;

type Row = { get(name: string): unknown };
const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
const optStr = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const num = (v: unknown): number => (v instanceof Date ? v.getTime() : Number(String(v)));
const optNum = (v: unknown): number | null => (v === null || v === undefined ? null : num(v));
const seconds = (v: unknown): number => Math.floor(num(v) / 1000);

function validLimit(limit: number | undefined, def: number): number {
  const n = limit ?? def;
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE_SIZE) throw new ValidationError(`limit must be an integer between 1 and ${MAX_PAGE_SIZE}, got ${String(limit)}`);
  return n;
}
function validHash(h: string, what: string): string {
  if (!hex32.safeParse(h).success) throw new ValidationError(`${what} must be a 0x-prefixed 32-byte lowercase hex string, got ${JSON.stringify(h)}`);
  return h;
}
function validAddress(a: string, what: string): string {
  if (!addressSchema.safeParse(a).success) throw new ValidationError(`${what} must be a 0x-prefixed 20-byte lowercase hex address, got ${JSON.stringify(a)}`);
  return a;
}

type Cursor = { day: string; block: number; index: number; side: string };
const encodeCursor = (c: Cursor): string => Buffer.from(JSON.stringify([c.day, c.block, c.index, c.side])).toString('base64url');
function decodeCursor(raw: string): Cursor {
  try {
    const v = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as unknown;
    if (
      Array.isArray(v) &&
      v.length === 4 &&
      typeof v[0] === 'string' &&
      /^\d{4}-\d{2}-\d{2}$/.test(v[0]) &&
      Number.isSafeInteger(v[1]) &&
      Number.isSafeInteger(v[2]) &&
      typeof v[3] === 'string'
    )
      return { day: v[0], block: v[1] as number, index: v[2] as number, side: v[3] };
  } catch {
    /* fall through */
  }
  throw new ValidationError('cursor is not one this API returned (pass nextCursor unchanged)');
}
const dayString = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const dayMs = (day: string): number => Date.parse(`${day}T00:00:00Z`);

const toBlock = (r: Row, number: number, hash: string): BlockView => ({
  number,
  hash,
  parentHash: str(r.get('parent_hash')),
  timestamp: seconds(r.get('block_time')),
  txCount: num(r.get('tx_count')),
  gasUsed: str(r.get('gas_used')),
  gasLimit: str(r.get('gas_limit')),
  baseFeePerGas: optStr(r.get('base_fee')),
  miner: str(r.get('miner')),
});

export type ViewsQueries = ReturnType<typeof createViewsQueries>;

/**
 * Typed reads over the speed views of one chain. Amounts come back as decimal strings.
 * lookbackDays bounds how far back paged history walks day partitions (default: the TTL
 * window, or 30 days when rows never expire).
 */
export function createViewsQueries(
  client: CassandraClient,
  opts: { chainId: number; ttlSeconds: number; lookbackDays?: number; now?: () => number },
) {
  const { chainId } = opts;
  const now = opts.now ?? Date.now;
  const lookbackDays = opts.lookbackDays ?? (opts.ttlSeconds > 0 ? Math.ceil(opts.ttlSeconds / 86_400) + 1 : 30);
  const q = (cql: string, params: unknown[], fetchSize?: number) => client.execute(cql, params, { prepare: true, ...(fetchSize ? { fetchSize } : {}) });

  async function freshness(): Promise<FreshnessView> {
    const rs = await q('SELECT consumer_group, topic, kafka_partition, next_offset, last_block_number, last_block_hash, last_block_time, written_at FROM views_checkpoint WHERE chain_id = ?', [chainId]);
    const partitions = rs.rows.map((r) => ({
      group: str(r.get('consumer_group')),
      topic: str(r.get('topic')),
      partition: num(r.get('kafka_partition')),
      nextOffset: str(r.get('next_offset')),
      lastBlockNumber: num(r.get('last_block_number')),
      lastBlockHash: str(r.get('last_block_hash')),
      lastBlockTime: seconds(r.get('last_block_time')),
      writtenAt: num(r.get('written_at')),
    }));
    const head = partitions.reduce<(typeof partitions)[number] | undefined>((best, p) => (!best || p.lastBlockNumber > best.lastBlockNumber ? p : best), undefined);
    return {
      lastBlock: head ? { number: head.lastBlockNumber, hash: head.lastBlockHash, timestamp: head.lastBlockTime } : null,
      writtenAt: partitions.length ? Math.max(...partitions.map((p) => p.writtenAt)) : null,
      ageSeconds: head ? Math.max(0, now() / 1000 - head.lastBlockTime) : null,
      partitions: partitions.map(({ lastBlockHash: _h, ...p }) => p),
    };
  }

  /** Newest day that can hold rows: today, or the newest chain time seen if that is later. */
  async function newestDay(): Promise<string> {
    const f = await freshness();
    const newest = Math.max(now(), ...f.partitions.map((p) => p.lastBlockTime * 1000));
    return dayString(newest);
  }

  async function blockByNumber(number: number): Promise<BlockView | null> {
    if (!Number.isSafeInteger(number) || number < 0) throw new ValidationError(`block number must be a non-negative integer, got ${String(number)}`);
    const r = (
      await q('SELECT * FROM views_blocks_by_height WHERE chain_id = ? AND bucket = ? AND number = ?', [chainId, heightBucket(number), number])
    ).first();
    return r ? toBlock(r, number, str(r.get('hash'))) : null;
  }

  async function blockByHash(hash: string): Promise<BlockView | null> {
    validHash(hash, 'block hash');
    const r = (await q('SELECT * FROM views_blocks_by_hash WHERE chain_id = ? AND hash = ?', [chainId, hash])).first();
    return r ? toBlock(r, num(r.get('number')), hash) : null;
  }

  async function latestBlocks(n: number): Promise<BlockView[]> {
    validLimit(n, 20);
    const f = await freshness();
    if (!f.lastBlock) return [];
    const out: BlockView[] = [];
    // Walk back bucket by bucket; a young view may start mid-bucket.
    for (let bucket = heightBucket(f.lastBlock.number); bucket >= 0 && out.length < n; bucket--) {
      const rs = await q('SELECT * FROM views_blocks_by_height WHERE chain_id = ? AND bucket = ? LIMIT ?', [chainId, bucket, n - out.length]);
      for (const r of rs.rows) out.push(toBlock(r, num(r.get('number')), str(r.get('hash'))));
      if (rs.rows.length === 0 && out.length > 0) break;
      if (heightBucket(f.lastBlock.number) - bucket >= 3) break;
    }
    return out;
  }

  async function txByHash(hash: string): Promise<TxView | null> {
    validHash(hash, 'transaction hash');
    const rows = (await q('SELECT * FROM views_txs_by_hash WHERE chain_id = ? AND tx_hash = ?', [chainId, hash])).rows;
    let row = rows[0];
    if (!row) return null;
    if (rows.length > 1) {
      // Transient reorg state: the tx sits in two blocks; answer with the canonical one.
      const canonical = await Promise.all(rows.map(async (r) => (await blockByNumber(num(r.get('block_number'))))?.hash === str(r.get('block_hash'))));
      row = rows.find((_, i) => canonical[i]) ?? row;
    }
    const args = optStr(row.get('args'));
    const extra = optStr(row.get('extra'));
    return {
      hash,
      blockNumber: num(row.get('block_number')),
      blockHash: str(row.get('block_hash')),
      transactionIndex: num(row.get('tx_index')),
      timestamp: seconds(row.get('block_time')),
      from: str(row.get('from_address')),
      to: optStr(row.get('to_address')),
      value: str(row.get('value')),
      txClass: str(row.get('tx_class')),
      selector: optStr(row.get('selector')),
      method: optStr(row.get('method')),
      args: args === null ? null : (JSON.parse(args) as Record<string, string>),
      status: optNum(row.get('status')),
      gas: str(row.get('gas')),
      gasPrice: optStr(row.get('gas_price')),
      maxFeePerGas: optStr(row.get('max_fee_per_gas')),
      maxPriorityFeePerGas: optStr(row.get('max_priority_fee_per_gas')),
      gasUsed: str(row.get('gas_used')),
      effectiveGasPrice: str(row.get('effective_gas_price')),
      fee: str(row.get('fee')),
      contractAddress: optStr(row.get('contract_address')),
      nonce: num(row.get('nonce')),
      type: num(row.get('tx_type')),
      inputSize: num(row.get('input_size')),
      logCount: num(row.get('log_count')),
      executionFee: optStr(row.get('execution_fee')),
      dataFee: optStr(row.get('data_fee')),
      extra: extra === null ? null : (JSON.parse(extra) as FamilyExtras),
    };
  }

  /**
   * Pages newest first through day partitions `(chain, key, day)`; cursor = (day, block, index, side)
   * of the last item returned. Stops at the lookback window.
   */
  async function walkDays<T>(
    table: string,
    keyColumn: string,
    keyValue: string,
    indexColumn: string,
    withSide: boolean,
    limit: number,
    cursorRaw: string | undefined,
    toItem: (r: Row) => T,
    cursorOf: (r: Row, day: string) => Cursor,
  ): Promise<Page<T>> {
    const cursor = cursorRaw === undefined ? undefined : decodeCursor(cursorRaw);
    const newest = await newestDay();
    const startDay = cursor?.day ?? newest;
    const oldest = dayMs(newest) - lookbackDays * DAY_MS;
    const items: T[] = [];
    let last: Cursor | undefined;
    const tuple = withSide ? `(block_number, ${indexColumn}, side) < (?, ?, ?)` : `(block_number, ${indexColumn}) < (?, ?)`;
    for (let d = dayMs(startDay); d >= oldest && items.length < limit; d -= DAY_MS) {
      const day = dayString(d);
      const after = cursor && day === cursor.day;
      const params: unknown[] = [chainId, keyValue, day];
      if (after) params.push(cursor.block, cursor.index, ...(withSide ? [cursor.side] : []));
      params.push(limit - items.length + 1);
      const rs = await q(`SELECT * FROM ${table} WHERE chain_id = ? AND ${keyColumn} = ? AND day = ?${after ? ` AND ${tuple}` : ''} LIMIT ?`, params);
      for (const r of rs.rows) {
        if (items.length === limit) return { items, nextCursor: last ? encodeCursor(last) : null };
        items.push(toItem(r));
        last = cursorOf(r, day);
      }
    }
    // Filled exactly at a day boundary: older days may hold more, so hand out a cursor.
    return { items, nextCursor: items.length === limit && last ? encodeCursor(last) : null };
  }

  async function addressHistory(address: string, opt: { limit?: number; cursor?: string } = {}): Promise<Page<AddressTxView>> {
    validAddress(address, 'address');
    const limit = validLimit(opt.limit, 50);
    return walkDays(
      'views_txs_by_address',
      'address',
      address,
      'tx_index',
      true,
      limit,
      opt.cursor,
      (r) => ({
        txHash: str(r.get('tx_hash')),
        blockNumber: num(r.get('block_number')),
        blockHash: str(r.get('block_hash')),
        transactionIndex: num(r.get('tx_index')),
        side: str(r.get('side')) as AddressTxView['side'],
        timestamp: seconds(r.get('block_time')),
        counterparty: optStr(r.get('counterparty')),
        value: str(r.get('value')),
        txClass: str(r.get('tx_class')),
        method: optStr(r.get('method')),
        status: optNum(r.get('status')),
        fee: str(r.get('fee')),
      }),
      (r, day) => ({ day, block: num(r.get('block_number')), index: num(r.get('tx_index')), side: str(r.get('side')) }),
    );
  }

  async function tokenTransfers(opt: { token?: string; address?: string; limit?: number; cursor?: string }): Promise<Page<TransferView>> {
    if ((opt.token === undefined) === (opt.address === undefined)) throw new ValidationError('pass exactly one of token or address');
    const limit = validLimit(opt.limit, 50);
    const byToken = opt.token !== undefined;
    const key = byToken ? validAddress(opt.token as string, 'token') : validAddress(opt.address as string, 'address');
    return walkDays(
      byToken ? 'views_transfers_by_token' : 'views_transfers_by_address',
      byToken ? 'token_address' : 'address',
      key,
      'log_index',
      !byToken,
      limit,
      opt.cursor,
      (r) => {
        const base = {
          txHash: str(r.get('tx_hash')),
          blockNumber: num(r.get('block_number')),
          blockHash: str(r.get('block_hash')),
          logIndex: num(r.get('log_index')),
          amount: str(r.get('amount')),
          timestamp: seconds(r.get('block_time')),
        };
        if (byToken) return { ...base, token: key, from: str(r.get('from_address')), to: str(r.get('to_address')) };
        const side = str(r.get('side')) as 'from' | 'to';
        const other = str(r.get('counterparty'));
        return { ...base, token: str(r.get('token_address')), from: side === 'from' ? key : other, to: side === 'to' ? key : other, side };
      },
      (r, day) => ({ day, block: num(r.get('block_number')), index: num(r.get('log_index')), side: byToken ? '' : str(r.get('side')) }),
    );
  }

  /** Every row of a paged result (the driver's typings omit ResultSet's async iterator). */
  async function allRows(cql: string, params: unknown[]): Promise<Row[]> {
    const out: Row[] = [];
    for await (const r of (await q(cql, params, 5000)) as unknown as AsyncIterable<Row>) out.push(r);
    return out;
  }

  /** Canonical blocks with lo ≤ number ≤ hi, by number. */
  async function canonicalBlocks(lo: number, hi: number): Promise<Map<number, BlockView>> {
    const out = new Map<number, BlockView>();
    for (let b = heightBucket(lo); b <= heightBucket(hi); b++)
      for (const r of await allRows('SELECT * FROM views_blocks_by_height WHERE chain_id = ? AND bucket = ? AND number >= ? AND number <= ?', [chainId, b, lo, hi]))
        out.set(num(r.get('number')), toBlock(r, num(r.get('number')), str(r.get('hash'))));
    return out;
  }

  /** Minute-stats partial rows of [from, to) (unix seconds) that belong to canonical blocks. No range limit. */
  async function canonicalPartials(range: { from: number; to: number }): Promise<MinutePartial[]> {
    const { from, to } = range;
    const rows: Row[] = [];
    for (let d = dayMs(dayString(from * 1000)); d < to * 1000; d += DAY_MS)
      rows.push(...(await allRows('SELECT * FROM views_minute_stats WHERE chain_id = ? AND day = ? AND minute >= ? AND minute < ?', [chainId, dayString(d), from * 1000, to * 1000])));
    if (rows.length === 0) return [];
    // Join with canonical blocks in code: a partial row counts only if its hash is the height's block.
    const numbers = rows.map((r) => num(r.get('block_number')));
    const canonical = await canonicalBlocks(Math.min(...numbers), Math.max(...numbers));
    const big = (v: unknown): bigint => BigInt(str(v) || '0');
    return rows
      .filter((r) => canonical.get(num(r.get('block_number')))?.hash === str(r.get('block_hash')))
      .map((r) => ({
        minute: seconds(r.get('minute')),
        blockNumber: num(r.get('block_number')),
        blockHash: str(r.get('block_hash')),
        txCount: num(r.get('tx_count')),
        contractCreations: num(r.get('contract_creations')),
        nativeTransfers: num(r.get('native_transfers')),
        contractCalls: num(r.get('contract_calls')),
        failed: num(r.get('failed_txs')),
        // Rows written before migration 101 have no unknown_txs: none were unknown then.
        unknown: optNum(r.get('unknown_txs')) ?? 0,
        gasUsed: big(r.get('gas_used')),
        fees: big(r.get('fees')),
        nativeValue: big(r.get('native_value')),
        tokenTransfers: num(r.get('token_transfers')),
      }));
  }

  /** Per-minute sums over [from, to) (unix seconds), counting only rows of canonical blocks. */
  async function minuteStats(range: { from: number; to: number }): Promise<MinuteStatsView[]> {
    const { from, to } = range;
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 0) throw new ValidationError('from and to must be unix seconds (non-negative integers)');
    if (to <= from) throw new ValidationError(`inverted range: to (${to}) must be after from (${from})`);
    if (to - from > MAX_STATS_RANGE_SECONDS) throw new ValidationError(`range too wide: at most ${MAX_STATS_RANGE_SECONDS / 86_400} days`);
    const byMinute = new Map<number, MinuteStatsView & { g: bigint; f: bigint; v: bigint }>();
    for (const p of await canonicalPartials(range)) {
      let m = byMinute.get(p.minute);
      if (!m) {
        m = { minute: p.minute, blocks: 0, txCount: 0, contractCreations: 0, nativeTransfers: 0, contractCalls: 0, failed: 0, unknown: 0, gasUsed: '0', fees: '0', nativeValue: '0', tokenTransfers: 0, g: 0n, f: 0n, v: 0n };
        byMinute.set(p.minute, m);
      }
      m.blocks += 1;
      m.txCount += p.txCount;
      m.contractCreations += p.contractCreations;
      m.nativeTransfers += p.nativeTransfers;
      m.contractCalls += p.contractCalls;
      m.failed += p.failed;
      m.unknown += p.unknown;
      m.tokenTransfers += p.tokenTransfers;
      m.g += p.gasUsed;
      m.f += p.fees;
      m.v += p.nativeValue;
    }
    return [...byMinute.values()]
      .sort((a, b) => a.minute - b.minute)
      .map(({ g, f, v, ...m }) => ({ ...m, gasUsed: g.toString(), fees: f.toString(), nativeValue: v.toString() }));
  }

  /** Per-block series of canonical blocks in [fromBlock, toBlock], ascending; fees from the minute partials. */
  async function blockSeries(range: { fromBlock: number; toBlock: number }): Promise<BlockSeriesRow[]> {
    const blocks = await canonicalBlocks(range.fromBlock, range.toBlock);
    if (blocks.size === 0) return [];
    const times = [...blocks.values()].map((b) => b.timestamp);
    const lo = Math.min(...times);
    const hi = Math.max(...times);
    const fees = new Map<string, bigint>();
    for (const p of await canonicalPartials({ from: lo - (lo % 60), to: hi - (hi % 60) + 60 })) fees.set(p.blockHash, p.fees);
    return [...blocks.values()]
      .sort((a, b) => a.number - b.number)
      .map((b) => ({
        number: b.number,
        timestamp: b.timestamp,
        txs: b.txCount,
        gasUsed: BigInt(b.gasUsed || '0'),
        fees: fees.get(b.hash) ?? 0n,
        baseFeePerGas: b.baseFeePerGas === null ? null : BigInt(b.baseFeePerGas),
      }));
  }

  return { latestBlocks, blockByNumber, blockByHash, txByHash, addressHistory, tokenTransfers, minuteStats, canonicalPartials, blockSeries, freshness };
}

/** Chain ids that ingest or the views consumer has written, smallest first. */
export async function detectChainIds(client: CassandraClient): Promise<number[]> {
  const ids = new Set<number>();
  for (const table of ['ingest_checkpoint', 'views_checkpoint']) {
    try {
      const rs = await client.execute(`SELECT DISTINCT chain_id FROM ${table}`);
      for (const r of rs.rows) ids.add(Number(r.get('chain_id')));
    } catch {
      /* table not migrated in this keyspace */
    }
  }
  return [...ids].sort((a, b) => a - b);
}
