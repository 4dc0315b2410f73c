// Run history of the shop jobs (scrape, recommend). Each run goes to the batch run history
// (storage/batch-runs.ts, table batch_runs, kinds "books-scrape"/"books-recommend") next to
// compaction and recompute, and with its full details (malformed/failed pages, counts) to
// shop_job_runs. batch_runs is best effort: a keyspace without it only logs a warning.
import { errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { type BatchRun, finishRun, type RunKind, type RunTrigger, startRun } from '../../storage/batch-runs.js';
import type { CassandraClient } from '../../storage/cassandra.js';
import type { ShopStore } from '../../storage/shop.js';

export type ShopJobKind = 'books-scrape' | 'books-recommend';
export type JobRunStart = { kind: ShopJobKind; runId: string; trigger: string; startedAt: Date };
export type JobRunEnd = { status: 'succeeded' | 'partial' | 'failed'; rows: number; rowsIn?: number; version?: string; error?: string; details: Record<string, unknown> };

const toTrigger = (t: string): RunTrigger => (t === 'cron' || t === 'api' ? t : 'manual');

export function createJobRunRecorder(store: ShopStore, opts: { cassandra?: CassandraClient; logger?: Logger } = {}) {
  async function start(run: JobRunStart) {
    await store.recordJobRun({ ...run, status: 'running', finishedAt: null, rows: 0, details: {} });
    let batchRun: BatchRun | null = null;
    if (opts.cassandra) {
      try {
        // batch_runs keys by kind text; RunKind lists the batch layer's own kinds only.
        batchRun = await startRun(opts.cassandra, run.kind as unknown as RunKind, toTrigger(run.trigger), run.startedAt);
      } catch (e) {
        opts.logger?.warn({ msg: 'Could not record run in batch_runs', kind: run.kind, error: errorMessage(e) });
      }
    }
    return {
      finish: async (end: JobRunEnd) => {
        await store.recordJobRun({ ...run, status: end.status, rows: end.rows, details: end.details, finishedAt: new Date() });
        if (opts.cassandra && batchRun)
          await finishRun(opts.cassandra, batchRun, {
            // batch_runs has no "partial": a run that stored rows but missed pages is a success with an error note.
            status: end.status === 'failed' ? 'failed' : 'succeeded',
            rowsIn: end.rowsIn ?? null,
            rowsOut: end.rows,
            version: end.version ?? run.runId,
            error: end.error ?? null,
          }).catch((e) => opts.logger?.warn({ msg: 'Could not finish run in batch_runs', kind: run.kind, error: errorMessage(e) }));
      },
    };
  }
  return { start, list: (kind: ShopJobKind, limit?: number) => store.listJobRuns(kind, limit) };
}
