// Progress of a drain compaction (`chainlake compact --once`): a cli-progress bar on stderr when
// it is a TTY (records, records/s, tx/s, lag left, ETA), else a log line every intervalMs.
import { Presets, SingleBar } from 'cli-progress';
import type { Logger } from '../../core/logger.js';
import type { CompactProgress } from './compactor.js';

export type CompactProgressReporter = { update: (p: CompactProgress) => void; stop: () => void };

/** Rates and ETA of a drain so far (pure: unit-tested). */
export function progressRates(p: CompactProgress, seconds: number): { recordsPerSecond: number; txPerSecond: number; etaSeconds: number | null } {
  const s = Math.max(seconds, 0.001);
  const rps = p.records / s;
  return { recordsPerSecond: rps, txPerSecond: p.txs / s, etaSeconds: p.lag === 0 ? 0 : rps > 0 ? p.lag / rps : null };
}

export function createCompactProgress(opts: { stream: NodeJS.WriteStream; logger: Logger; intervalMs?: number; now?: () => number }): CompactProgressReporter {
  const now = opts.now ?? Date.now;
  const t0 = now();
  const interval = opts.intervalMs ?? 5_000;
  let bar: SingleBar | null = null;
  let lastLine = Number.NEGATIVE_INFINITY;
  let last: CompactProgress | null = null;
  const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
  const logLine = (p: CompactProgress) => {
    const r = progressRates(p, (now() - t0) / 1000);
    opts.logger.info({ msg: 'Compaction progress', records: p.records, total: p.total, lag: p.lag, txs: p.txs, recordsPerSecond: Math.round(r.recordsPerSecond), txPerSecond: Math.round(r.txPerSecond), etaSeconds: r.etaSeconds === null ? null : Math.round(r.etaSeconds) });
  };
  return {
    update(p) {
      last = p;
      const r = progressRates(p, (now() - t0) / 1000);
      if (opts.stream.isTTY === true) {
        if (!bar) {
          bar = new SingleBar(
            { format: 'compact [{bar}] {percentage}% | {value}/{total} records | {rps} rec/s | {tps} tx/s | lag {lag} | ETA {eta_formatted}', stream: opts.stream, etaBuffer: 50 },
            Presets.shades_classic,
          );
          bar.start(p.total, 0, { rps: '0', tps: '0', lag: fmt(p.lag) });
        }
        bar.update(p.records, { rps: fmt(r.recordsPerSecond), tps: fmt(r.txPerSecond), lag: fmt(p.lag) });
      } else if (now() - lastLine >= interval) {
        lastLine = now();
        logLine(p);
      }
    },
    stop() {
      if (bar) bar.stop();
      else if (last) logLine(last);
    },
  };
}
