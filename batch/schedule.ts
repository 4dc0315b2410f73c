// The batch scheduler: node-cron for recompute (BATCH_CRON) and compaction (COMPACT_CRON),
// a poller for run requests written by serving, and a lock so two recomputes never overlap
// (in-process guard + a pid lock file in the lake, see lock.ts). An overlapping run is not
// queued: it is recorded as 'skipped'. A failed run leaves CURRENT untouched.
import cron, { type ScheduledTask } from 'node-cron';
import { Counter, Gauge, Histogram } from 'prom-client';
import type { Common } from '../core/common.js';
import { errorMessage, ValidationError } from '../core/errors.js';
import { lakePaths } from '../storage/lake/paths.js';
import type { RunKind, RunTrigger } from '../storage/batch-runs.js';
import { tryLock } from './lock.js';

export type RunOutcome = { rowsIn?: number | null; rowsOut?: number | null; horizon?: number | null; version?: string | null };

/** Where runs are recorded (Cassandra in production, in-memory in orchestration tests). */
export type RunStore = {
  start: (kind: RunKind, trigger: RunTrigger) => Promise<{ id: string }>;
  finish: (run: { id: string }, result: RunOutcome & { status: 'succeeded' | 'failed'; error?: string | null }) => Promise<void>;
  skipped: (kind: RunKind, trigger: RunTrigger, reason: string) => Promise<void>;
  /** Pending API requests of a kind; claim returns true for exactly one caller. */
  pendingRequests: () => Promise<{ id: string; kind: RunKind; requestedBy: string }[]>;
  claim: (req: { id: string; kind: RunKind }) => Promise<boolean>;
};

export type SchedulerDeps = {
  store: RunStore;
  jobs: Record<RunKind, () => Promise<RunOutcome>>;
};

export type SchedulerOptions = { batchCron: string; compactCron: string | null; requestPollMs: number };
export type RunResult = { kind: RunKind; trigger: RunTrigger; status: 'succeeded' | 'failed' | 'skipped'; error?: string; outcome?: RunOutcome };

export type BatchScheduler = {
  start: () => void;
  run: (kind: RunKind, trigger: RunTrigger) => Promise<RunResult>;
  pollRequests: () => Promise<number>;
  stop: () => Promise<void>;
};

export function validateCron(name: string, expr: string): void {
  if (!cron.validate(expr)) throw new ValidationError(`${name} "${expr}" is not a valid cron expression (5 or 6 fields)`);
}

export function createBatchScheduler(common: Common, deps: SchedulerDeps, opts: SchedulerOptions): BatchScheduler {
  const { logger, metrics } = common;
  const log = logger.child({ component: 'schedule' });
  const paths = lakePaths(common.config.LAKE_DIR);
  const runs = new Counter({ name: 'chainlake_batch_runs_total', help: 'Batch runs by kind, trigger and status', labelNames: ['kind', 'trigger', 'status'], registers: [metrics] });
  const duration = new Histogram({ name: 'chainlake_batch_run_seconds', help: 'Duration of batch runs', labelNames: ['kind'], buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 300, 900], registers: [metrics] });
  const horizon = new Gauge({ name: 'chainlake_batch_horizon_block', help: 'Horizon of the last published batch version', registers: [metrics] });
  const lastSuccess = new Gauge({ name: 'chainlake_batch_last_success_timestamp_seconds', help: 'Unix time of the last successful run', labelNames: ['kind'], registers: [metrics] });
  const tasks: ScheduledTask[] = [];
  const inFlight = new Set<Promise<unknown>>();
  let poller: NodeJS.Timeout | undefined;
  let stopped = false;

  async function run(kind: RunKind, trigger: RunTrigger): Promise<RunResult> {
    const lock = await tryLock(paths, kind);
    if (!lock) {
      const reason = `another ${kind} run is in progress`;
      log.info({ msg: 'Run skipped', kind, trigger, reason });
      runs.inc({ kind, trigger, status: 'skipped' });
      await deps.store.skipped(kind, trigger, reason).catch((e: unknown) => log.warn({ msg: 'Could not record skipped run', err: errorMessage(e) }));
      return { kind, trigger, status: 'skipped', error: reason };
    }
    const end = duration.startTimer({ kind });
    try {
      const record = await deps.store.start(kind, trigger).catch((e: unknown) => {
        log.warn({ msg: 'Could not record run start', err: errorMessage(e) });
        return null;
      });
      try {
        const outcome = await deps.jobs[kind]();
        runs.inc({ kind, trigger, status: 'succeeded' });
        lastSuccess.set({ kind }, Date.now() / 1000);
        if (kind === 'recompute' && typeof outcome.horizon === 'number') horizon.set(outcome.horizon);
        if (record) await deps.store.finish(record, { status: 'succeeded', ...outcome }).catch((e: unknown) => log.warn({ msg: 'Could not record run end', err: errorMessage(e) }));
        log.info({ msg: 'Run succeeded', kind, trigger, ...outcome });
        return { kind, trigger, status: 'succeeded', outcome };
      } catch (e) {
        const error = errorMessage(e);
        runs.inc({ kind, trigger, status: 'failed' });
        if (record) await deps.store.finish(record, { status: 'failed', error }).catch((x: unknown) => log.warn({ msg: 'Could not record run end', err: errorMessage(x) }));
        log.error({ msg: 'Run failed; the previous version keeps serving', kind, trigger, err: error });
        return { kind, trigger, status: 'failed', error };
      }
    } finally {
      end();
      await lock.release();
    }
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
