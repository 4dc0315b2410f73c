// Progress on stderr for long CLI runs (export, backfill, compact --once, recompute, prefill):
// the one reporter of the code base. On a TTY a cli-progress bar (or, for step-wise work, one
// line per step); otherwise a caller-given log line every intervalMs and one at the end, so
// piped output and log files stay readable. Rates and ETA are pure functions (unit-tested).
import { Presets, SingleBar } from 'cli-progress';

export type ProgressSink = { write: (s: string) => unknown; isTTY?: boolean };

/** Items per second so far (never divides by zero). */
export const ratePerSecond = (count: number, seconds: number): number => count / Math.max(seconds, 0.001);

/** Seconds left at the current rate: 0 when nothing is left, null while the rate is still 0. */
export function etaSeconds(remaining: number, done: number, seconds: number): number | null {
  if (remaining <= 0) return 0;
  const r = ratePerSecond(done, seconds);
  return r > 0 ? remaining / r : null;
}

export type ProgressSnapshot<P> = { value: number; total: number; seconds: number; payload: P };

export type ProgressBar<P> = {
  update: (value: number, total: number, payload: P) => void;
  /** Ends the bar (or writes the last line when the last update was not written). */
  stop: () => void;
  /** Seconds since the reporter was created. */
  seconds: () => number;
};

/**
 * A bar for a count of items. `format` is a cli-progress format ({bar} {percentage} {value}
 * {total} {eta_formatted} and the payload's keys, which `fields` renders as strings); `line`
 * reports without a TTY (omit it to stay silent there).
 */
export function createProgressBar<P>(opts: {
  stream: ProgressSink;
  format: string;
  fields: (s: ProgressSnapshot<P>) => Record<string, string>;
  line?: (s: ProgressSnapshot<P>) => void;
  intervalMs?: number;
  now?: () => number;
}): ProgressBar<P> {
  const now = opts.now ?? Date.now;
  const t0 = now();
  const interval = opts.intervalMs ?? 5_000;
  const tty = opts.stream.isTTY === true;
  let bar: SingleBar | null = null;
  let lastLine = Number.NEGATIVE_INFINITY;
  let last: ProgressSnapshot<P> | null = null;
  let lastWritten = true;
  const seconds = () => (now() - t0) / 1000;
  return {
    update(value, total, payload) {
      last = { value, total, seconds: seconds(), payload };
      if (tty) {
        if (!bar) {
          bar = new SingleBar({ format: opts.format, stream: opts.stream as NodeJS.WritableStream, etaBuffer: 50 }, Presets.shades_classic);
          bar.start(total, 0, opts.fields({ ...last, value: 0 }));
        }
        bar.setTotal(total);
        bar.update(value, opts.fields(last));
      } else if (opts.line && (now() - lastLine >= interval || value === total)) {
        lastLine = now();
        opts.line(last);
        lastWritten = true;
        return;
      }
      lastWritten = false;
    },
    stop() {
      if (bar) bar.stop();
      else if (opts.line && last && !lastWritten) opts.line(last);
      bar = null;
      lastWritten = true;
    },
    seconds,
  };
}

const secs = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

export type StepProgress<S extends string> = {
  onStepStart: (name: S) => void;
  onStep: (s: { name: S; ms: number; elapsedMs: number }) => void;
  stop: () => void;
};

/**
 * Progress of work done in named steps: on a TTY the running step with its elapsed time,
 * replaced by its result line when done; otherwise `line` once per finished step.
 */
export function createStepProgress<S extends string>(opts: {
  stream: ProgressSink;
  line: (s: { name: S; ms: number; elapsedMs: number }) => void;
  now?: () => number;
  tickMs?: number;
}): StepProgress<S> {
  const { stream } = opts;
  const now = opts.now ?? (() => performance.now());
  const tty = stream.isTTY === true;
  let running: { name: S; since: number } | null = null;
  let timer: NodeJS.Timeout | null = null;
  const draw = () => running && stream.write(`\r\x1b[2K  ${running.name} … ${secs(now() - running.since)}`);
  const stop = () => {
    if (timer) clearInterval(timer);
    timer = null;
  };
  return {
    onStepStart(name) {
      running = { name, since: now() };
      if (!tty) return;
      draw();
      stop();
      timer = setInterval(draw, opts.tickMs ?? 200);
      timer.unref();
    },
    onStep(step) {
      running = null;
      if (!tty) return void opts.line(step);
      stop();
      stream.write(`\r\x1b[2K✓ ${step.name.padEnd(18)} ${secs(step.ms).padStart(8)}   (${secs(step.elapsedMs)} total)\n`);
    },
    stop,
  };
}
