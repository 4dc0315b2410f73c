// Progress of a drain compaction (`chainlake compact --once`) through core/progress: a bar on
// stderr when it is a TTY (records, records/s, tx/s, lag left, ETA), else a log line every intervalMs.
import type { Logger } from '../../core/logger.js';
import { createProgressBar, etaSeconds, type ProgressSink, ratePerSecond } from '../../core/progress.js';
import type { CompactProgress } from './compactor.js';

export type CompactProgressReporter = { update: (p: CompactProgress) => void; stop: () => void };

/** Rates and ETA of a drain so far (pure: unit-tested). */
export function progressRates(p: CompactProgress, seconds: number): { recordsPerSecond: number; txPerSecond: number; etaSeconds: number | null } {
  return { recordsPerSecond: ratePerSecond(p.records, seconds), txPerSecond: ratePerSecond(p.txs, seconds), etaSeconds: etaSeconds(p.lag, p.records, seconds) };
}

export function createCompactProgress(opts: { stream: ProgressSink; logger: Logger; intervalMs?: number; now?: () => number }): CompactProgressReporter {
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  const bar = createProgressBar<CompactProgress>({
    stream: opts.stream,
    format: 'compact [{bar}] {percentage}% | {value}/{total} records | {rps} rec/s | {tps} tx/s | lag {lag} | ETA {eta_formatted}',
    fields: ({ payload: p, seconds }) => {
      const r = progressRates(p, seconds);
      return { rps: fmt(r.recordsPerSecond), tps: fmt(r.txPerSecond), lag: fmt(p.lag) };
    },
    line: ({ payload: p, seconds }) => {
      const r = progressRates(p, seconds);
      opts.logger.info({ msg: 'Compaction progress', records: p.records, total: p.total, lag: p.lag, txs: p.txs, recordsPerSecond: Math.round(r.recordsPerSecond), txPerSecond: Math.round(r.txPerSecond), etaSeconds: r.etaSeconds === null ? null : Math.round(r.etaSeconds) });
    },
    ...(opts.intervalMs !== undefined ? { intervalMs: opts.intervalMs } : {}),
    ...(opts.now ? { now: opts.now } : {}),
  });
  return { update: (p) => bar.update(p.records, p.total, p), stop: bar.stop };
}
