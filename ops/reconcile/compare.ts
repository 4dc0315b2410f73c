// Pure comparison behind `chainlake reconcile`: the chain (re-fetched), the speed views and
// the batch layer each give per-block and per-minute summaries; every disagreement is a drift row.
import type { BlockRecord } from '../../core/chain.js';
import { minuteOf } from '../../core/chain.js';

export const SOURCES = ['chain', 'speed', 'batch'] as const;
export type Source = (typeof SOURCES)[number];

export type BlockSummary = { number: number; hash: string; txCount: number; gasUsed: bigint };
export type MinuteSummary = {
  minute: number;
  txCount: number;
  failed: number;
  gasUsed: bigint;
  fees: bigint;
  nativeValue: bigint;
  tokenTransfers: number;
};

export type Drift = { scope: 'block' | 'minute'; key: number; field: string; values: Partial<Record<Source, string>> };

const BLOCK_FIELDS = ['hash', 'txCount', 'gasUsed'] as const;
const MINUTE_FIELDS = ['txCount', 'failed', 'gasUsed', 'fees', 'nativeValue', 'tokenTransfers'] as const;

export const summarizeBlock = (r: BlockRecord): BlockSummary => ({
  number: r.block.number,
  hash: r.block.hash,
  txCount: r.transactions.length,
  gasUsed: BigInt(r.block.gasUsed),
});

/** Per-minute sums of decoded blocks (the chain side of the comparison). */
export function summarizeMinutes(records: BlockRecord[]): MinuteSummary[] {
  const byMinute = new Map<number, MinuteSummary>();
  for (const r of records) {
    const minute = minuteOf(r.block.timestamp);
    const m = byMinute.get(minute) ?? { minute, txCount: 0, failed: 0, gasUsed: 0n, fees: 0n, nativeValue: 0n, tokenTransfers: 0 };
    for (const tx of r.transactions) {
      m.txCount++;
      if (tx.status === 0) m.failed++;
      m.gasUsed += BigInt(tx.gasUsed);
      m.fees += BigInt(tx.fee);
      // Value moves only when the tx succeeded (speed and batch count it the same way).
      if (tx.status === 1) m.nativeValue += BigInt(tx.value);
    }
    m.tokenTransfers += r.tokenTransfers.length;
    byMinute.set(minute, m);
  }
  return [...byMinute.values()].sort((a, b) => a.minute - b.minute);
}

function compare<T extends { [k: string]: unknown }>(
  scope: Drift['scope'],
  keys: number[],
  fields: readonly string[],
  bySource: Partial<Record<Source, Map<number, T>>>,
): Drift[] {
  const drifts: Drift[] = [];
  const present = SOURCES.filter((s) => bySource[s] !== undefined);
  for (const key of keys) {
    const rows = present.map((s) => [s, bySource[s]!.get(key)] as const);
    if (rows.some(([, row]) => row === undefined)) {
      drifts.push({ scope, key, field: 'missing', values: Object.fromEntries(rows.map(([s, row]) => [s, row === undefined ? 'absent' : 'present'])) });
      continue;
    }
    for (const field of fields) {
      const values = rows.map(([s, row]) => [s, String(row![field])] as const);
      if (new Set(values.map(([, v]) => v)).size > 1) drifts.push({ scope, key, field, values: Object.fromEntries(values) });
    }
  }
  return drifts;
}

export function reconcile(input: {
  blocks: number[];
  minutes: number[];
  blockSummaries: Partial<Record<Source, BlockSummary[]>>;
  minuteSummaries: Partial<Record<Source, MinuteSummary[]>>;
}): Drift[] {
  const index = <T, K extends keyof T>(rows: T[] | undefined, key: K) =>
    rows === undefined ? undefined : new Map(rows.map((r) => [r[key] as unknown as number, r]));
  const blockMaps = Object.fromEntries(SOURCES.map((s) => [s, index(input.blockSummaries[s], 'number')]).filter(([, m]) => m)) as Partial<Record<Source, Map<number, BlockSummary>>>;
  const minuteMaps = Object.fromEntries(SOURCES.map((s) => [s, index(input.minuteSummaries[s], 'minute')]).filter(([, m]) => m)) as Partial<Record<Source, Map<number, MinuteSummary>>>;
  return [...compare('block', input.blocks, BLOCK_FIELDS, blockMaps), ...compare('minute', input.minutes, MINUTE_FIELDS, minuteMaps)];
}

/**
 * Minutes whose blocks all lie inside the range: the minute of the first block is partial when
 * the block before the range falls in the same minute, and likewise at the end.
 */
export function wholeMinutes(records: BlockRecord[], beforeTimestamp: number | null, afterTimestamp: number | null): number[] {
  const minutes = [...new Set(records.map((r) => minuteOf(r.block.timestamp)))].sort((a, b) => a - b);
  return minutes.filter(
    (m) => (beforeTimestamp === null || minuteOf(beforeTimestamp) !== m) && (afterTimestamp === null || minuteOf(afterTimestamp) !== m),
  );
}

export function formatDrifts(drifts: Drift[]): string {
  if (drifts.length === 0) return 'no drift: chain, speed views and batch agree\n';
  const header = ['scope', 'key', 'field', ...SOURCES];
  const rows = drifts.map((d) => [d.scope, String(d.key), d.field, ...SOURCES.map((s) => d.values[s] ?? '-')]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  return `${[line(header), ...rows.map(line)].join('\n')}\n${drifts.length} difference(s)\n`;
}
