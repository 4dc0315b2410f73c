// Batch run history and run requests in Cassandra/Scylla. The scheduler writes runs; serving
// reads them (listRuns) and asks for a recompute by inserting a request (requestRecompute),
// which the scheduler claims with an LWT delete so a request runs once.
import cassandra from 'cassandra-driver';
import type { CassandraClient } from './cassandra.js';

export const RUN_KINDS = ['compact', 'recompute'] as const;
export type RunKind = (typeof RUN_KINDS)[number];
export type RunTrigger = 'cron' | 'manual' | 'api';
export type RunStatus = 'running' | 'succeeded' | 'failed' | 'skipped';

export type BatchRun = {
  id: string;
  kind: RunKind;
  trigger: RunTrigger;
  started: Date;
  finished: Date | null;
  status: RunStatus;
  rowsIn: number | null;
  rowsOut: number | null;
  horizon: number | null;
  version: string | null;
  error: string | null;
};

const TimeUuid = cassandra.types.TimeUuid;
const opts = { prepare: true };

/** Record a run as started ('running'); returns it for finishRun. */
export async function startRun(client: CassandraClient, kind: RunKind, trigger: RunTrigger, now = new Date()): Promise<BatchRun> {
  const run: BatchRun = { id: TimeUuid.fromDate(now).toString(), kind, trigger, started: now, finished: null, status: 'running', rowsIn: null, rowsOut: null, horizon: null, version: null, error: null };
  await writeRun(client, run);
  return run;
}

export async function finishRun(
  client: CassandraClient,
  run: BatchRun,
  result: { status: Exclude<RunStatus, 'running'>; rowsIn?: number | null; rowsOut?: number | null; horizon?: number | null; version?: string | null; error?: string | null },
): Promise<BatchRun> {
  const done: BatchRun = {
    ...run,
    finished: new Date(),
    status: result.status,
    rowsIn: result.rowsIn ?? null,
    rowsOut: result.rowsOut ?? null,
    horizon: result.horizon ?? null,
    version: result.version ?? null,
    error: result.error ?? null,
  };
  await writeRun(client, done);
  return done;
}

/** A run that did not start because another one held the lock. */
export async function recordSkipped(client: CassandraClient, kind: RunKind, trigger: RunTrigger, reason: string): Promise<BatchRun> {
  const run = await startRun(client, kind, trigger);
  return finishRun(client, run, { status: 'skipped', error: reason });
}

async function writeRun(client: CassandraClient, r: BatchRun): Promise<void> {
  await client.execute(
    'INSERT INTO batch_runs (kind, id, trigger, started, finished, status, rows_in, rows_out, horizon, version, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    [
      r.kind,
      r.id,
      r.trigger,
      r.started,
      r.finished,
      r.status,
      r.rowsIn === null ? null : cassandra.types.Long.fromNumber(r.rowsIn),
      r.rowsOut === null ? null : cassandra.types.Long.fromNumber(r.rowsOut),
      r.horizon === null ? null : cassandra.types.Long.fromNumber(r.horizon),
      r.version,
      r.error,
    ],
    opts,
  );
}

const longOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v.toString()));

/** Newest runs first, of one kind or of all kinds merged. */
export async function listRuns(client: CassandraClient, q: { kind?: RunKind; limit?: number } = {}): Promise<BatchRun[]> {
  const limit = Math.min(Math.max(q.limit ?? 50, 1), 1000);
  const kinds: RunKind[] = q.kind ? [q.kind] : [...RUN_KINDS];
  const all: BatchRun[] = [];
  for (const kind of kinds) {
    const rs = await client.execute('SELECT * FROM batch_runs WHERE kind = ? LIMIT ?', [kind, limit], opts);
    for (const row of rs.rows)
      all.push({
        id: row.id.toString(),
        kind: row.kind,
        trigger: row.trigger,
        started: row.started,
        finished: row.finished ?? null,
        status: row.status,
        rowsIn: longOrNull(row.rows_in),
        rowsOut: longOrNull(row.rows_out),
        horizon: longOrNull(row.horizon),
        version: row.version ?? null,
        error: row.error ?? null,
      });
  }
  return all.sort((a, b) => b.started.getTime() - a.started.getTime() || (a.id < b.id ? 1 : -1)).slice(0, limit);
}

export type RunRequest = { id: string; kind: RunKind; requestedBy: string; requestedAt: Date };

/** Ask the batch scheduler for a recompute (serving's way to trigger one). Returns the request id. */
export async function requestRecompute(client: CassandraClient, requestedBy: string): Promise<string> {
  const now = new Date();
  const id = TimeUuid.fromDate(now).toString();
  await client.execute('INSERT INTO batch_run_requests (kind, id, requested_by, requested_at) VALUES (?, ?, ?, ?)', ['recompute', id, requestedBy, now], opts);
  return id;
}

export async function pendingRunRequests(client: CassandraClient, kind: RunKind = 'recompute'): Promise<RunRequest[]> {
  const rs = await client.execute('SELECT * FROM batch_run_requests WHERE kind = ? LIMIT 100', [kind], opts);
  return rs.rows.map((r) => ({ id: r.id.toString(), kind: r.kind, requestedBy: r.requested_by, requestedAt: r.requested_at }));
}

/** Take a request; true for exactly one claimer. */
export async function claimRunRequest(client: CassandraClient, req: Pick<RunRequest, 'id' | 'kind'>): Promise<boolean> {
  const rs = await client.execute('DELETE FROM batch_run_requests WHERE kind = ? AND id = ? IF EXISTS', [req.kind, req.id], opts);
  return rs.rows[0]?.['[applied]'] === true;
}
