// Progress of `chainlake recompute`: on a TTY, one line per step on stderr (the running step is
// shown with its elapsed time and replaced by its result when done); otherwise one log line per step.
import type { Logger } from 'pino';
import type { RecomputeOptions, RecomputeStep } from './recompute.js';

export type ProgressSink = { write: (s: string) => unknown; isTTY?: boolean };

const secs = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

export function createRecomputeProgress(deps: { stream: ProgressSink; logger: Logger; now?: () => number; tickMs?: number }): Required<Pick<RecomputeOptions, 'onStep' | 'onStepStart'>> & { stop: () => void } {
  const { stream, logger } = deps;
  const now = deps.now ?? (() => performance.now());
  const tty = stream.isTTY === true;
  let running: { name: RecomputeStep; since: number } | null = null;
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
      timer = setInterval(draw, deps.tickMs ?? 200);
      timer.unref();
    },
    onStep({ name, ms, elapsedMs }) {
      running = null;
      if (!tty) {
        logger.info({ msg: 'Recompute step done', step: name, ms, elapsedMs });
        return;
      }
      stop();
      stream.write(`\r\x1b[2K✓ ${name.padEnd(18)} ${secs(ms).padStart(8)}   (${secs(elapsedMs)} total)\n`);
    },
    stop,
  };
}
