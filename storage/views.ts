// Speed views in Cassandra/ScyllaDB: the write adapter used by speed/views (rows in, CQL out,
// every cell with an explicit write timestamp) and the typed read queries used by serving.
// Tables: storage/migrations/views.ts. Reasoning about idempotence and reorgs: docs/speed-views.md.
import { address as addressSchema, hex32 } from '../core/chain.js';
import { ValidationError, withRetry } from '../core/errors.js';
import type { CassandraClient } from './cassandra.js';

/** A value the storage layer accepts: text/varint as strings, int/bigint/timestamp(ms) as numbers. */
export type CqlValue = string | number | null;
export type ViewTable =
  | 'views_blocks_by_height'
  | 'views_blocks_by_hash'
  | 'views_txs_by_hash'
  | 'views_txs_by_address'
  | 'views_transfers_by_token'
  | 'views_transfers_by_address'
  | 'views_minute_stats';
export type RowKey = { table: ViewTable; key: Record<string, CqlValue> };
export type ViewRow = RowKey & { data: Record<string, CqlValue> };

/** Per-tx tables expire after VIEWS_TTL_SECONDS; blocks and minute stats are kept. partitionKey groups batches. */
export const VIEW_TABLES: Record<ViewTable, { ttl: boolean; partitionKey: string[] }> = {
  views_blocks_by_height: { ttl: false, partitionKey: ['chain_id', 'bucket'] },
  views_blocks_by_hash: { ttl: false, partitionKey: ['chain_id', 'hash'] },
  views_txs_by_hash: { ttl: true, partitionKey: ['chain_id', 'tx_hash'] },
  views_txs_by_address: { ttl: true, partitionKey: ['chain_id', 'address', 'day'] },
  views_transfers_by_token: { ttl: true, partitionKey: ['chain_id', 'token_address', 'day'] },
  views_transfers_by_address: { ttl: true, partitionKey: ['chain_id', 'address', 'day'] },
  views_minute_stats: { ttl: false, partitionKey: ['chain_id', 'day'] },
};

/** A row and the write timestamp of the Kafka record it came from. */
export type TimedRow = { row: ViewRow; timestamp: string };

/**
 * Groups rows into unlogged batches of at most `max` statements: rows of one partition
 * together first (one mutation per partition on the replica), then the leftovers of small
 * partitions packed together, which saves round trips on a small cluster.
 */
export function planBatches(entries: TimedRow[], max: number, maxBytes = BATCH_BYTES): TimedRow[][] {
  if (max <= 1) return entries.map((e) => [e]);
  const byPartition = new Map<string, TimedRow[]>();
  for (const e of entries) {
    const pk = VIEW_TABLES[e.row.table].partitionKey.map((c) => String(e.row.key[c])).join('|');
    const k = `${e.row.table}|${pk}`;
    const g = byPartition.get(k);
    if (g) g.push(e);
    else byPartition.set(k, [e]);
  }
  const batches: TimedRow[][] = [];
  // Single-partition batches are exempt from Cassandra's batch size limit; multi-partition ones
  // fail above batch_size_fail_threshold (50 KiB), so packs also stop at an estimated byte size.
  let packed: TimedRow[] = [];
  let packedBytes = 0;
  for (const group of byPartition.values()) {
    let rest = group;
    while (rest.length >= max) {
      batches.push(rest.slice(0, max));
      rest = rest.slice(max);
    }
    for (const e of rest) {
      const size = rowBytes(e.row);
      if (packed.length > 0 && (packed.length + 1 > max || packedBytes + size > maxBytes)) {
        batches.push(packed);
        packed = [];
        packedBytes = 0;
      }
      packed.push(e);
      packedBytes += size;
    }
  }
  if (packed.length > 0) batches.push(packed);
  return batches;
}

/** Estimated encoded size of a row: sum of its values' lengths plus per-cell overhead. */
function rowBytes(row: ViewRow): number {
  let n = 0;
  for (const v of Object.values(row.key)) n += (v === null ? 0 : String(v).length) + 8;
  for (const v of Object.values(row.data)) n += (v === null ? 0 : String(v).length) + 8;
  return n;
}
const BATCH_BYTES = 40_000;

const IDENT = /^[a-z_][a-z0-9_]*$/;
export type ViewCheckpoint = {
  chainId: number;
  group: string;
  topic: string;
  partition: number;
  nextOffset: string;
  lastBlockNumber: number;
  lastBlockHash: string;
  lastBlockTime: number;
};

export type ViewsWriter = ReturnType<typeof createViewsWriter>;

/**
 * Writes rows with `USING TIMESTAMP` (the caller derives it from the Kafka offset) so that the
 * outcome never depends on arrival order or replays. Retries transient errors.
 */
export function createViewsWriter(client: CassandraClient, opts: { ttlSeconds: number; retries?: number }) {
  const statements = new Map<string, string>();
  // The client's errors are classified at the driver boundary (storage/cassandra.ts): withRetry retries the retryable ones.
  const run = (query: string, params: unknown[]) =>
    withRetry(
      async () => {
        await client.execute(query, params, { prepare: true, isIdempotent: true });
      },
      { retries: opts.retries ?? 8, baseMs: 100, maxMs: 5_000 },
    );

  const insertCql = (table: ViewTable, cols: string[]): string => {
    const sig = `i|${table}|${cols.join(',')}`;
    let q = statements.get(sig);
    if (!q) {
      if (!(table in VIEW_TABLES) || !cols.every((c) => IDENT.test(c))) throw new ValidationError(`unknown table/columns ${table}(${cols.join(',')})`);
      const ttl = VIEW_TABLES[table].ttl ? ' AND TTL ?' : '';
      q = `INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')}) USING TIMESTAMP ?${ttl}`;
      statements.set(sig, q);
    }
    return q;
  };
  const deleteCql = (table: ViewTable, cols: string[]): string => {
    const sig = `d|${table}|${cols.join(',')}`;
    let q = statements.get(sig);
    if (!q) {
      if (!(table in VIEW_TABLES) || !cols.every((c) => IDENT.test(c))) throw new ValidationError(`unknown table/columns ${table}(${cols.join(',')})`);
      q = `DELETE FROM ${table} USING TIMESTAMP ? WHERE ${cols.map((c) => `${c} = ?`).join(' AND ')}`;
      statements.set(sig, q);
    }
    return q;
  };

  const insertStatement = (row: ViewRow, timestamp: string) => {
    const cols = [...Object.keys(row.key), ...Object.keys(row.data)];
    const params: unknown[] = [...Object.values(row.key), ...Object.values(row.data), timestamp];
    if (VIEW_TABLES[row.table].ttl) params.push(opts.ttlSeconds);
    return { query: insertCql(row.table, cols), params };
  };

  const insert = (row: ViewRow, timestamp: string): Promise<void> => {
    const { query, params } = insertStatement(row, timestamp);
    return run(query, params);
  };

  return {
    insert,
    /** One unlogged batch; every statement keeps its own USING TIMESTAMP. */
    insertBatch(entries: TimedRow[]): Promise<void> {
      const first = entries[0];
      if (entries.length === 1 && first) return insert(first.row, first.timestamp);
      const queries = entries.map((e) => insertStatement(e.row, e.timestamp));
      return withRetry(
        async () => {
          await client.batch(queries, { prepare: true, logged: false, isIdempotent: true });
        },
        { retries: opts.retries ?? 8, baseMs: 100, maxMs: 5_000 },
      );
    },
    remove(key: RowKey, timestamp: string): Promise<void> {
      return run(deleteCql(key.table, Object.keys(key.key)), [timestamp, ...Object.values(key.key)]);
    },
    writeManifest(chainId: number, blockHash: string, number: number, rowKeys: Buffer, timestamp: string): Promise<void> {
      return run('INSERT INTO views_block_manifest (chain_id, block_hash, number, row_keys) VALUES (?, ?, ?, ?) USING TIMESTAMP ? AND TTL ?', [
        chainId,
        blockHash,
        number,
        rowKeys,
        timestamp,
        opts.ttlSeconds,
      ]);
    },
    async readManifest(chainId: number, blockHash: string): Promise<Buffer | null> {
      const rs = await withRetry(
        () => client.execute('SELECT row_keys FROM views_block_manifest WHERE chain_id = ? AND block_hash = ?', [chainId, blockHash], { prepare: true }),
        { retries: opts.retries ?? 8, baseMs: 100, maxMs: 5_000 },
      );
      return (rs.first()?.get('row_keys') as Buffer | undefined) ?? null;
    },
    deleteManifest(chainId: number, blockHash: string, timestamp: string): Promise<void> {
      return run('DELETE FROM views_block_manifest USING TIMESTAMP ? WHERE chain_id = ? AND block_hash = ?', [timestamp, chainId, blockHash]);
    },
    writeCheckpoint(cp: ViewCheckpoint, timestamp: string, writtenAt: number): Promise<void> {
      return run(
        `INSERT INTO views_checkpoint (chain_id, consumer_group, topic, kafka_partition, next_offset, last_block_number, last_block_hash, last_block_time, written_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) USING TIMESTAMP ?`,
        [cp.chainId, cp.group, cp.topic, cp.partition, cp.nextOffset, cp.lastBlockNumber, cp.lastBlockHash, cp.lastBlockTime, writtenAt, timestamp],
      );
    },
  };
}

// ---------------------------------------------------------------------------------------
// Read side

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
  status: number;
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
  status: number;
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
  failedTxs: number;
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

export type Page<T> = { items: T[]; nextCursor: string | null };

export const MAX_PAGE_SIZE = 1000;
const MAX_STATS_RANGE_SECONDS = 31 * 86_400;
const DAY_MS = 86_400_000;
/** Heights per views_blocks_by_height partition; equals speed/views/rows.ts BLOCK_BUCKET (asserted by its unit test). */
export const VIEWS_BLOCK_BUCKET = 100_000;
const BUCKET = VIEWS_BLOCK_BUCKET;

type Row = { get(name: string): unknown };
const str = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
const optStr = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const num = (v: unknown): number => (v instanceof Date ? v.getTime() : Number(String(v)));
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
      await q('SELECT * FROM views_blocks_by_height WHERE chain_id = ? AND bucket = ? AND number = ?', [chainId, Math.floor(number / BUCKET), number])
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
    for (let bucket = Math.floor(f.lastBlock.number / BUCKET); bucket >= 0 && out.length < n; bucket--) {
      const rs = await q('SELECT * FROM views_blocks_by_height WHERE chain_id = ? AND bucket = ? LIMIT ?', [chainId, bucket, n - out.length]);
      for (const r of rs.rows) out.push(toBlock(r, num(r.get('number')), str(r.get('hash'))));
      if (rs.rows.length === 0 && out.length > 0) break;
      if (Math.floor(f.lastBlock.number / BUCKET) - bucket >= 3) break;
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
      status: num(row.get('status')),
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
        status: num(r.get('status')),
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

  /** Per-minute sums over [from, to) (unix seconds), counting only rows of canonical blocks. */
  async function minuteStats(range: { from: number; to: number }): Promise<MinuteStatsView[]> {
    const { from, to } = range;
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 0) throw new ValidationError('from and to must be unix seconds (non-negative integers)');
    if (to <= from) throw new ValidationError(`inverted range: to (${to}) must be after from (${from})`);
    if (to - from > MAX_STATS_RANGE_SECONDS) throw new ValidationError(`range too wide: at most ${MAX_STATS_RANGE_SECONDS / 86_400} days`);
    const partials: Row[] = [];
    for (let d = dayMs(dayString(from * 1000)); d < to * 1000; d += DAY_MS) {
      const rs = await q('SELECT * FROM views_minute_stats WHERE chain_id = ? AND day = ? AND minute >= ? AND minute < ?', [chainId, dayString(d), from * 1000, to * 1000], 5000);
      for await (const r of rs as unknown as AsyncIterable<Row>) partials.push(r);
    }
    if (partials.length === 0) return [];
    // Join with canonical blocks in code: a partial row counts only if its hash is the height's block.
    const numbers = partials.map((r) => num(r.get('block_number')));
    const lo = Math.min(...numbers);
    const hi = Math.max(...numbers);
    const canonical = new Map<number, string>();
    for (let b = Math.floor(lo / BUCKET); b <= Math.floor(hi / BUCKET); b++) {
      const rs = await q('SELECT number, hash FROM views_blocks_by_height WHERE chain_id = ? AND bucket = ? AND number >= ? AND number <= ?', [chainId, b, lo, hi], 5000);
      for await (const r of rs as unknown as AsyncIterable<Row>) canonical.set(num(r.get('number')), str(r.get('hash')));
    }
    const byMinute = new Map<number, MinuteStatsView & { g: bigint; f: bigint; v: bigint }>();
    for (const r of partials) {
      if (canonical.get(num(r.get('block_number'))) !== str(r.get('block_hash'))) continue;
      const minute = seconds(r.get('minute'));
      let m = byMinute.get(minute);
      if (!m) {
        m = { minute, blocks: 0, txCount: 0, contractCreations: 0, nativeTransfers: 0, contractCalls: 0, failedTxs: 0, gasUsed: '0', fees: '0', nativeValue: '0', tokenTransfers: 0, g: 0n, f: 0n, v: 0n };
        byMinute.set(minute, m);
      }
      m.blocks += 1;
      m.txCount += num(r.get('tx_count'));
      m.contractCreations += num(r.get('contract_creations'));
      m.nativeTransfers += num(r.get('native_transfers'));
      m.contractCalls += num(r.get('contract_calls'));
      m.failedTxs += num(r.get('failed_txs'));
      m.tokenTransfers += num(r.get('token_transfers'));
      m.g += BigInt(str(r.get('gas_used')) || '0');
      m.f += BigInt(str(r.get('fees')) || '0');
      m.v += BigInt(str(r.get('native_value')) || '0');
    }
    return [...byMinute.values()]
      .sort((a, b) => a.minute - b.minute)
      .map(({ g, f, v, ...m }) => ({ ...m, gasUsed: g.toString(), fees: f.toString(), nativeValue: v.toString() }));
  }

  return { latestBlocks, blockByNumber, blockByHash, txByHash, addressHistory, tokenTransfers, minuteStats, freshness };
}
