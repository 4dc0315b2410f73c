// The batch scheduler: node-cron for recompute (BATCH_CRON) and compaction (COMPACT_CRON),
// a poller for run requests written by serving, and a lock so two recomputes never overlap
// (runs.ts: in-process guard + a pid lock file in the lake). An overlapping run is not
// queued: it is recorded as 'skipped'. A failed run leaves CURRENT untouched.
import cron, { type ScheduledTask } from 'node-cron';
import type { Common } from '../core/common.js';
import { validateCron } from '../core/cron.js';
import { errorMessage } from '../core/errors.js';
import { counter, gauge, histogram } from '../core/metrics.js';
import type { RunKind, RunTrigger } from '../storage/batch-runs.js';
import { recordedRun, type RunOutcome, type RunResult, type RunStore } from './runs.js';

export type { RunOutcome, RunResult, RunStore };

export type SchedulerDeps = {
  store: RunStore;
  jobs: Record<RunKind, () => Promise<RunOutcome>>;
};

export type SchedulerOptions = { batchCron: string; compactCron: string | null; requestPollMs: number };

export type BatchScheduler = {
  start: () => void;
  run: (kind: RunKind, trigger: RunTrigger) => Promise<RunResult>;
  pollRequests: () => Promise<number>;
  stop: () => Promise<void>;
};

export function createBatchScheduler(common: Common, deps: SchedulerDeps, opts: SchedulerOptions): BatchScheduler {
  const { logger, metrics } = common;
  const log = logger.child({ component: 'schedule' });
  const runs = counter(metrics, { name: 'chainlake_batch_runs_total', help: 'Batch runs by kind, trigger and status', labelNames: ['kind', 'trigger', 'status'] });
  const duration = histogram(metrics, { name: 'chainlake_batch_run_seconds', help: 'Duration of batch runs', labelNames: ['kind'], buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 300, 900] });
  const horizon = gauge(metrics, { name: 'chainlake_batch_horizon_block', help: 'Horizon of the last published batch version' });
  const lastSuccess = gauge(metrics, { name: 'chainlake_batch_last_success_timestamp_seconds', help: 'Unix time of the last successful run', labelNames: ['kind'] });
  const tasks: ScheduledTask[] = [];
  const inFlight = new Set<Promise<unknown>>();
  let poller: NodeJS.Timeout | undefined;
  let stopped = false;

  async function run(kind: RunKind, trigger: RunTrigger): Promise<RunResult> {
    const result = await recordedRun(common, deps.store, kind, trigger, deps.jobs[kind], () => duration.startTimer({ kind }));
    runs.inc({ kind, trigger, status: result.status });
    if (result.status === 'succeeded') {
      lastSuccess.set({ kind }, Date.now() / 1000);
      if (kind === 'recompute' && typeof result.outcome?.horizon === 'number') horizon.set(result.outcome.horizon);
    }
    return result;
  }

  const track = <T>(p: Promise<T>): Promise<T> => {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p)).catch(() => {});
    return p;
  };

  async function pollRequests(): Promise<number> {
    let started = 0;
    for (const req of await deps.store.pendingRequests()) {
      if (stopped) break;
      if (!(await deps.store.claim(req))) continue;
      log.info({ msg: 'Run requested', kind: req.kind, requestedBy: req.requestedBy, requestId: req.id });
      started++;
      await track(run(req.kind, 'api'));
    }
    return started;
  }

  return {
    start() {
      validateCron('BATCH_CRON', opts.batchCron);
      tasks.push(cron.schedule(opts.batchCron, () => void track(run('recompute', 'cron')), { name: 'recompute' }));
      if (opts.compactCron) {
        validateCron('COMPACT_CRON', opts.compactCron);
        tasks.push(cron.schedule(opts.compactCron, () => void track(run('compact', 'cron')), { name: 'compact' }));
      }
      const tick = () => {
        if (stopped) return;
        pollRequests()
          .catch((e: unknown) => log.warn({ msg: 'Polling run requests failed', err: errorMessage(e) }))
          .finally(() => {
            if (!stopped) poller = setTimeout(tick, opts.requestPollMs);
          });
      };
      poller = setTimeout(tick, 0);
      log.info({ msg: 'Batch scheduler started', batchCron: opts.batchCron, compactCron: opts.compactCron, requestPollMs: opts.requestPollMs });
    },
    run: (kind, trigger) => track(run(kind, trigger)),
    pollRequests,
    async stop() {
      stopped = true;
      if (poller) clearTimeout(poller);
      for (const t of tasks) await t.stop();
      // Finish the in-flight runs rather than abandoning a half-written version.
      await Promise.allSettled([...inFlight]);
    },
  };
}
