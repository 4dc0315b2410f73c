// A plain-JS recomputation of every batch view from the records as published (Kafka order),
// independent of the SQL: canonical rule, horizon, bigint sums. Tests compare it to the lake.
import type { BlockRecord, ChainRecord } from '../../core/chain.js';
import { utcDay } from '../../core/chain.js';

export type Published = { record: ChainRecord; partition: number; offset: number };

/** Canonical blocks per the rule: latest record per height by (partition, offset) is a block. */
export function referenceCanonical(published: Published[]): Map<number, BlockRecord> {
  const latest = new Map<number, Published>();
  for (const p of published) {
    const h = p.record.block.number;
    const cur = latest.get(h);
    if (!cur || p.partition > cur.partition || (p.partition === cur.partition && p.offset > cur.offset)) latest.set(h, p);
  }
  const out = new Map<number, BlockRecord>();
  for (const [h, p] of latest) if (p.record.kind === 'block') out.set(h, p.record);
  return out;
}

type Row = Record<string, string | number | null>;
const s = (v: bigint) => v.toString();

export function referenceViews(published: Published[], finalityDepth: number): { horizon: number | null; views: Record<string, Row[]> } {
  const blocksPublished = published.filter((p) => p.record.kind === 'block');
  if (blocksPublished.length === 0) return { horizon: null, views: {} };
  // Newest block per partition; the lake is complete below the smallest of them.
  const newest = new Map<number, number>();
  for (const p of blocksPublished) newest.set(p.partition, Math.max(newest.get(p.partition) ?? -1, p.record.block.number));
  const horizon = Math.min(...newest.values()) - finalityDepth;
  const canon = [...referenceCanonical(published).values()].filter((b) => b.block.number <= horizon).sort((a, b) => a.block.number - b.block.number);
  const chainId = canon[0]?.chainId ?? 0;

  const stats = (seconds: number): Row[] => {
    const buckets = new Map<number, { blocks: BlockRecord[] }>();
    for (const b of canon) {
      const k = b.block.timestamp - (b.block.timestamp % seconds);
      const e = buckets.get(k) ?? { blocks: [] };
      e.blocks.push(b);
      buckets.set(k, e);
    }
    return [...buckets.entries()]
      .sort((a, b) => a[0] - b[0])
      .map(([k, { blocks }]) => {
        const txs = blocks.flatMap((b) => b.transactions);
        const addrs = new Set<string>();
        for (const t of txs) {
          addrs.add(t.from);
          if (t.to) addrs.add(t.to);
        }
        return {
          chain_id: chainId,
          bucket_start: k,
          day: utcDay(k),
          blocks: blocks.length,
          first_block: Math.min(...blocks.map((b) => b.block.number)),
          last_block: Math.max(...blocks.map((b) => b.block.number)),
          txs: txs.length,
          txs_contract_creation: txs.filter((t) => t.txClass === 'contract_creation').length,
          txs_native_transfer: txs.filter((t) => t.txClass === 'native_transfer').length,
          txs_contract_call: txs.filter((t) => t.txClass === 'contract_call').length,
          failed_txs: txs.filter((t) => t.status === 0).length,
          succeeded_txs: txs.filter((t) => t.status === 1).length,
          unknown_txs: txs.filter((t) => t.status === null).length,
          gas_used: s(blocks.reduce((a, b) => a + BigInt(b.block.gasUsed), 0n)),
          fees: s(txs.reduce((a, t) => a + BigInt(t.fee), 0n)),
          native_value: s(txs.reduce((a, t) => a + (t.status !== 0 ? BigInt(t.value) : 0n), 0n)),
          token_transfers: blocks.reduce((a, b) => a + b.tokenTransfers.length, 0),
          active_addresses: addrs.size,
          contracts_created: txs.filter((t) => t.txClass === 'contract_creation' && t.status !== 0).length,
        };
      });
  };

  const byDay = new Map<string, BlockRecord[]>();
  for (const b of canon) {
    const d = utcDay(b.block.timestamp);
    byDay.set(d, [...(byDay.get(d) ?? []), b]);
  }
  const days = [...byDay.keys()].sort();

  const topSenders: Row[] = [];
  const topContracts: Row[] = [];
  const tokenVolume: Row[] = [];
  for (const day of days) {
    const txs = byDay.get(day)!.flatMap((b) => b.transactions);
    const senders = new Map<string, { txs: number; fees: bigint; value: bigint }>();
    for (const t of txs) {
      const e = senders.get(t.from) ?? { txs: 0, fees: 0n, value: 0n };
      e.txs++;
      e.fees += BigInt(t.fee);
      e.value += BigInt(t.value);
      senders.set(t.from, e);
    }
    [...senders.entries()]
      .sort((a, b) => b[1].txs - a[1].txs || (a[0] < b[0] ? -1 : 1))
      .slice(0, 100)
      .forEach(([address, e], i) => topSenders.push({ chain_id: chainId, day, rank: i + 1, address, txs: e.txs, fees: s(e.fees), value: s(e.value) }));
    const contracts = new Map<string, { calls: number; callers: Set<string>; gas: bigint }>();
    for (const t of txs) {
      if (t.txClass !== 'contract_call' || !t.to) continue;
      const e = contracts.get(t.to) ?? { calls: 0, callers: new Set<string>(), gas: 0n };
      e.calls++;
      e.callers.add(t.from);
      e.gas += BigInt(t.gasUsed);
      contracts.set(t.to, e);
    }
    [...contracts.entries()]
      .sort((a, b) => b[1].calls - a[1].calls || (a[0] < b[0] ? -1 : 1))
      .slice(0, 100)
      .forEach(([address, e], i) => topContracts.push({ chain_id: chainId, day, rank: i + 1, address, calls: e.calls, callers: e.callers.size, gas_used: s(e.gas) }));
    const tokens = new Map<string, { n: number; amount: bigint; from: Set<string>; to: Set<string> }>();
    for (const x of byDay.get(day)!.flatMap((b) => b.tokenTransfers)) {
      const e = tokens.get(x.token) ?? { n: 0, amount: 0n, from: new Set<string>(), to: new Set<string>() };
      e.n++;
      e.amount += BigInt(x.amount);
      e.from.add(x.from);
      e.to.add(x.to);
      tokens.set(x.token, e);
    }
    for (const [token, e] of [...tokens.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)))
      tokenVolume.push({ chain_id: chainId, day, token, transfers: e.n, amount: s(e.amount), senders: e.from.size, receivers: e.to.size });
  }

  const blockSeries: Row[] = canon.map((b) => ({
    chain_id: chainId,
    day: utcDay(b.block.timestamp),
    number: b.block.number,
    hash: b.block.hash,
    timestamp: b.block.timestamp,
    miner: b.block.miner,
    tx_count: b.block.txCount,
    gas_used: b.block.gasUsed,
    gas_limit: b.block.gasLimit,
    base_fee_per_gas: b.block.baseFeePerGas,
    fees: s(b.transactions.reduce((a, t) => a + BigInt(t.fee), 0n)),
  }));

  return {
    horizon,
    views: {
      stats_minute: stats(60),
      stats_hour: stats(3600),
      stats_day: stats(86400),
      top_senders_day: topSenders,
      top_contracts_day: topContracts,
      token_volume_day: tokenVolume,
      block_series: blockSeries,
    },
  };
}

/** Normalise DuckDB JSON rows (bigints/decimals as strings) for comparison with the reference. */
export function normaliseRows(rows: Record<string, unknown>[], numeric: string[]): Row[] {
  return rows.map((r) => {
    const out: Row = {};
    for (const [k, v] of Object.entries(r)) out[k] = v === null || v === undefined ? null : numeric.includes(k) ? Number(v) : String(v);
    return out;
  });
}
