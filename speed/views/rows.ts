// Pure row building for the speed views: a block record → the exact rows it writes, a
// retraction → the keys it deletes, and the manifest that links the two. No driver here;
// the storage adapter (storage/views/writer.ts) turns rows into CQL. Which tables a retraction
// derives and which it reads from the manifest is each table's declared policy (storage/views/tables.ts).
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { type BlockRecord, type RetractionRecord, minuteOf, utcDay } from '../../core/chain.js';
import {
  type CqlValue,
  type RowKey,
  type TableDecl,
  VIEW_TABLES,
  type ViewRow,
  type ViewTable,
  derivedRetractionKeys,
  heightBucket,
  manifestTables,
} from '../../storage/views/tables.js';

/**
 * Write timestamp (µs in CQL's eyes) of every cell a Kafka record writes or deletes: its
 * offset + 1. Records of one height share a partition, so a later record of a height always
 * wins over an earlier one, whatever order the writes reach Cassandra in and however often
 * they are replayed.
 */
export function writeTimestamp(offset: string): string {
  return (BigInt(offset) + 1n).toString();
}

const sum = (xs: Iterable<string>): string => {
  let s = 0n;
  for (const x of xs) s += BigInt(x);
  return s.toString();
};

/** Per-block aggregate that becomes one partial row of views_minute_stats. */
export function blockStats(record: BlockRecord) {
  const txs = record.transactions;
  const count = (cls: string) => txs.filter((t) => t.txClass === cls).length;
  return {
    txCount: txs.length,
    contractCreations: count('contract_creation'),
    nativeTransfers: count('native_transfer'),
    contractCalls: count('contract_call'),
    failed: txs.filter((t) => t.status === 0).length,
    // No status in the receipt (pre-Byzantium): neither failed nor succeeded.
    unknown: txs.filter((t) => t.status === null).length,
    gasUsed: record.block.gasUsed,
    fees: sum(txs.map((t) => t.fee)),
    // Value moves only when the tx succeeded; a tx of unknown status counts (as it did when
    // such receipts were read as success), a reverted one does not.
    nativeValue: sum(txs.filter((t) => t.status !== 0).map((t) => t.value)),
    tokenTransfers: record.tokenTransfers.length,
  };
}

/** Every row a block record writes, canonical block rows first. */
export function blockRows(record: BlockRecord): ViewRow[] {
  const { chainId, block } = record;
  const day = utcDay(block.timestamp);
  const blockTime = block.timestamp * 1000;
  const header = {
    parent_hash: block.parentHash,
    block_time: blockTime,
    tx_count: block.txCount,
    gas_used: block.gasUsed,
    gas_limit: block.gasLimit,
    base_fee: block.baseFeePerGas,
    miner: block.miner,
  };
  const rows: ViewRow[] = [
    {
      table: 'views_blocks_by_height',
      key: { chain_id: chainId, bucket: heightBucket(block.number), number: block.number },
      data: { hash: block.hash, ...header },
    },
    { table: 'views_blocks_by_hash', key: { chain_id: chainId, hash: block.hash }, data: { number: block.number, ...header } },
  ];
  const stats = blockStats(record);
  rows.push({
    table: 'views_minute_stats',
    key: { chain_id: chainId, day: utcDay(minuteOf(block.timestamp)), minute: minuteOf(block.timestamp) * 1000, block_hash: block.hash },
    data: {
      block_number: block.number,
      tx_count: stats.txCount,
      contract_creations: stats.contractCreations,
      native_transfers: stats.nativeTransfers,
      contract_calls: stats.contractCalls,
      failed_txs: stats.failed,
      gas_used: stats.gasUsed,
      fees: stats.fees,
      native_value: stats.nativeValue,
      token_transfers: stats.tokenTransfers,
      unknown_txs: stats.unknown,
    },
  });
  for (const tx of record.transactions) {
    rows.push({
      table: 'views_txs_by_hash',
      key: { chain_id: chainId, tx_hash: tx.hash, block_hash: block.hash },
      data: {
        block_number: block.number,
        tx_index: tx.transactionIndex,
        block_time: blockTime,
        from_address: tx.from,
        to_address: tx.to,
        value: tx.value,
        tx_class: tx.txClass,
        selector: tx.selector,
        method: tx.method,
        args: tx.args === null ? null : JSON.stringify(tx.args),
        status: tx.status,
        gas: tx.gas,
        gas_price: tx.gasPrice,
        max_fee_per_gas: tx.maxFeePerGas,
        max_priority_fee_per_gas: tx.maxPriorityFeePerGas,
        gas_used: tx.gasUsed,
        effective_gas_price: tx.effectiveGasPrice,
        fee: tx.fee,
        contract_address: tx.contractAddress,
        nonce: tx.nonce,
        tx_type: tx.type,
        input_size: tx.inputSize,
        log_count: tx.logCount,
        execution_fee: tx.executionFee,
        data_fee: tx.dataFee,
        extra: tx.extra === undefined ? null : JSON.stringify(tx.extra),
      },
    });
    const common = {
      tx_hash: tx.hash,
      block_hash: block.hash,
      block_time: blockTime,
      value: tx.value,
      tx_class: tx.txClass,
      method: tx.method,
      status: tx.status,
      fee: tx.fee,
    };
    const sides: [string, 'from' | 'to' | 'created', string | null][] = [[tx.from, 'from', tx.to ?? tx.contractAddress]];
    if (tx.to !== null) sides.push([tx.to, 'to', tx.from]);
    if (tx.contractAddress !== null) sides.push([tx.contractAddress, 'created', tx.from]);
    for (const [address, side, counterparty] of sides) {
      rows.push({
        table: 'views_txs_by_address',
        key: { chain_id: chainId, address, day, block_number: block.number, tx_index: tx.transactionIndex, side },
        data: { ...common, counterparty },
      });
    }
  }
  for (const t of record.tokenTransfers) {
    const common = { tx_hash: t.txHash, block_hash: block.hash, block_time: blockTime, amount: t.amount };
    rows.push({
      table: 'views_transfers_by_token',
      key: { chain_id: chainId, token_address: t.token, day, block_number: block.number, log_index: t.logIndex },
      data: { ...common, from_address: t.from, to_address: t.to },
    });
    rows.push({
      table: 'views_transfers_by_address',
      key: { chain_id: chainId, address: t.from, day, block_number: block.number, log_index: t.logIndex, side: 'from' },
      data: { ...common, token_address: t.token, counterparty: t.to },
    });
    rows.push({
      table: 'views_transfers_by_address',
      key: { chain_id: chainId, address: t.to, day, block_number: block.number, log_index: t.logIndex, side: 'to' },
      data: { ...common, token_address: t.token, counterparty: t.from },
    });
  }
  return rows;
}

const MANIFEST_TABLES = manifestTables(VIEW_TABLES);

/**
 * Keys of the rows a retraction of this block must delete but cannot derive itself: the rows of
 * every table whose declared retraction is by manifest (`tables`: VIEW_TABLES unless a test passes its own).
 */
export function manifestKeys<T extends string = ViewTable>(rows: ViewRow<T>[], tables?: Record<T, TableDecl>): RowKey<T>[] {
  const manifest: ReadonlySet<string> = tables ? manifestTables(tables) : MANIFEST_TABLES;
  return rows.filter((r) => manifest.has(r.table)).map(({ table, key }) => ({ table, key }));
}

/** Keys a retraction deletes without reading anything: one row per table whose retraction is derived (height row, hash row, minute partial row). */
export function retractionKeys<T extends string = ViewTable>(record: RetractionRecord, tables: Record<T, TableDecl> = VIEW_TABLES as Record<T, TableDecl>): RowKey<T>[] {
  return derivedRetractionKeys(tables, record);
}

type ManifestGroup<T extends string> = { t: T; c: string[]; v: CqlValue[][] };

/** Compact, self-describing encoding: rows grouped by table and column list, deflated JSON. */
export function encodeManifest<T extends string>(keys: RowKey<T>[]): Buffer {
  const groups = new Map<string, ManifestGroup<T>>();
  for (const { table, key } of keys) {
    const cols = Object.keys(key);
    const sig = `${table}|${cols.join(',')}`;
    let g = groups.get(sig);
    if (!g) groups.set(sig, (g = { t: table, c: cols, v: [] }));
    g.v.push(cols.map((c) => key[c] ?? null));
  }
  return deflateRawSync(Buffer.from(JSON.stringify([...groups.values()])));
}

export function decodeManifest<T extends string = ViewTable>(buf: Buffer): RowKey<T>[] {
  const groups = JSON.parse(inflateRawSync(buf).toString('utf8')) as ManifestGroup<T>[];
  const keys: RowKey<T>[] = [];
  for (const g of groups) for (const vals of g.v) keys.push({ table: g.t, key: Object.fromEntries(g.c.map((c, i) => [c, vals[i] ?? null])) });
  return keys;
}
