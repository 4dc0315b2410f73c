// Batch run history: where runs are recorded (RunStore: Cassandra in production, in-memory in
// tests) and recordedRun, the one way a compaction or recompute runs as a recorded run: under
// the lake's run lock (an overlapping run is recorded as 'skipped', not queued), with its start,
// end and outcome written to the store. The scheduler (cron, API requests) and `chainlake
// recompute` both go through it.
import type { Common } from '../core/common.js';
import { errorMessage } from '../core/errors.js';
import { claimRunRequest, finishRun, pendingRunRequests, recordSkipped, startRun, type BatchRun, type RunKind, type RunTrigger } from '../storage/batch-runs.js';
import { type CassandraClient, createCassandra } from '../storage/cassandra.js';
import { lakePaths } from '../storage/lake/paths.js';
import { tryLock } from './lock.js';

export type RunOutcome = { rowsIn?: number | null; rowsOut?: number | null; horizon?: number | null; version?: string | null };
export type RunResult = { kind: RunKind; trigger: RunTrigger; status: 'succeeded' | 'failed' | 'skipped'; error?: string; outcome?: RunOutcome };

/** Where runs are recorded (Cassandra in production, in-memory in orchestration tests). */
export type RunStore = {
  start: (kind: RunKind, trigger: RunTrigger) => Promise<{ id: string }>;
  finish: (run: { id: string }, result: RunOutcome & { status: 'succeeded' | 'failed'; error?: string | null }) => Promise<void>;
  skipped: (kind: RunKind, trigger: RunTrigger, reason: string) => Promise<void>;
  /** Pending API requests of a kind; claim returns true for exactly one caller. */
  pendingRequests: () => Promise<{ id: string; kind: RunKind; requestedBy: string }[]>;
  claim: (req: { id: string; kind: RunKind }) => Promise<boolean>;
};

/** Run history in Cassandra; without Cassandra the runs still happen and are only logged. */
export function cassandraRunStore(client: CassandraClient | null): RunStore {
  const started = new Map<string, BatchRun>();
  return {
    async start(kind, trigger) {
      if (!client) return { id: `local-${Date.now()}` };
      const run = await startRun(client, kind, trigger);
      started.set(run.id, run);
      return { id: run.id };
    },
    async finish(r, result) {
      const run = started.get(r.id);
      started.delete(r.id);
      if (client && run) await finishRun(client, run, result);
    },
    async skipped(kind, trigger, reason) {
      if (client) await recordSkipped(client, kind, trigger, reason);
    },
    pendingRequests: async () => (client ? pendingRunRequests(client) : []),
    claim: async (req) => (client ? claimRunRequest(client, req) : false),
  };
}

/** A Cassandra client for run history, or null (with a warning) when Cassandra is unreachable. */
export async function optionalCassandra(common: Common, timeoutMs: number): Promise<CassandraClient | null> {
  try {
    return await createCassandra(common.config, common.logger, { connectTimeoutMs: timeoutMs });
  } catch (e) {
    common.logger.warn({ msg: 'Cassandra unavailable: run history is not recorded', err: errorMessage(e) });
    return null;
  }
}

/**
 * Run `job` as a recorded run of `kind`. Never throws for a failed job: the result says
 * succeeded, failed (with the error) or skipped (another run of the kind holds the lock).
 * `onRunStart` fires once the lock is held (the scheduler starts its duration timer there).
 */
export async function recordedRun(
  common: Common,
  store: RunStore,
  kind: RunKind,
  trigger: RunTrigger,
  job: () => Promise<RunOutcome>,
  onRunStart?: () => () => void,
): Promise<RunResult> {
  const log = common.logger.child({ component: 'schedule' });
  const lock = await tryLock(lakePaths(common.config.LAKE_DIR), kind);
  if (!lock) {
    const reason = `another ${kind} run is in progress`;
    log.info({ msg: 'Run skipped', kind, trigger, reason });
    await store.skipped(kind, trigger, reason).catch((e: unknown) => log.warn({ msg: 'Could not record skipped run', err: errorMessage(e) }));
    return { kind, trigger, status: 'skipped', error: reason };
  }
  const end = onRunStart?.();
  try {
    const record = await store.start(kind, trigger).catch((e: unknown) => {
      log.warn({ msg: 'Could not record run start', err: errorMessage(e) });
      return null;
    });
    try {
      const outcome = await job();
      if (record) await store.finish(record, { status: 'succeeded', ...outcome }).catch((e: unknown) => log.warn({ msg: 'Could not record run end', err: errorMessage(e) }));
      log.info({ msg: 'Run succeeded', kind, trigger, ...outcome });
      return { kind, trigger, status: 'succeeded', outcome };
    } catch (e) {
      const error = errorMessage(e);
      if (record) await store.finish(record, { status: 'failed', error }).catch((x: unknown) => log.warn({ msg: 'Could not record run end', err: errorMessage(x) }));
      log.error({ msg: 'Run failed; the previous version keeps serving', kind, trigger, err: error });
      return { kind, trigger, status: 'failed', error };
    }
  } finally {
    end?.();
    await lock.release();
  }
}
