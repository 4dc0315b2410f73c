// Progress of `chainlake recompute` through core/progress: on a TTY one line per step on stderr
// (the running step with its elapsed time, replaced by its result when done); otherwise one log
// line per step.
import type { Logger } from 'pino';
import { createStepProgress, type ProgressSink } from '../../core/progress.js';
import type { RecomputeOptions, RecomputeStep } from './recompute.js';

export type { ProgressSink };

export function createRecomputeProgress(deps: { stream: ProgressSink; logger: Logger; now?: () => number; tickMs?: number }): Required<Pick<RecomputeOptions, 'onStep' | 'onStepStart'>> & { stop: () => void } {
  return createStepProgress<RecomputeStep>({
    stream: deps.stream,
    line: ({ name, ms, elapsedMs }) => deps.logger.info({ msg: 'Recompute step done', step: name, ms, elapsedMs }),
    ...(deps.now ? { now: deps.now } : {}),
    ...(deps.tickMs !== undefined ? { tickMs: deps.tickMs } : {}),
  });
}
