// Run history of the shop jobs (scrape, recommend) in the shop's own table, shop_job_runs
// (shop/migrations.ts), with their full details (malformed/failed pages, counts). The
// chain's batch run history (batch_runs) does not know these kinds.
import type { ShopStore } from '../store.js';

export const SHOP_JOB_KINDS = ['books-scrape', 'books-recommend'] as const;
export type ShopJobKind = (typeof SHOP_JOB_KINDS)[number];
export type JobRunStart = { kind: ShopJobKind; runId: string; trigger: string; startedAt: Date };
export type JobRunEnd = { status: 'succeeded' | 'partial' | 'failed'; rows: number; error?: string; details: Record<string, unknown> };

export function createJobRunRecorder(store: ShopStore) {
  async function start(run: JobRunStart) {
    await store.recordJobRun({ ...run, status: 'running', finishedAt: null, rows: 0, details: {} });
    return {
      finish: (end: JobRunEnd) =>
        store.recordJobRun({ ...run, status: end.status, rows: end.rows, details: { ...end.details, ...(end.error ? { error: end.error } : {}) }, finishedAt: new Date() }),
    };
  }

  /** Newest runs first, of one kind or of every shop kind merged. */
  async function list(kind?: ShopJobKind, limit = 20) {
    const rows = (await Promise.all((kind ? [kind] : SHOP_JOB_KINDS).map((k) => store.listJobRuns(k, limit)))).flat();
    return rows.sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime() || a.runId.localeCompare(b.runId)).slice(0, limit);
  }

  return { start, list };
}
