// Persistent RPC usage per endpoint label and UTC day, so daily quotas hold across
// restarts and across processes. Each process owns one row per (endpoint, day) and
// writes the absolute totals it keeps in memory (continued from its own row on first
// use): no read-modify-write, no counters. usedToday sums the rows of all processes.
import type { CassandraClient } from './cassandra.js';

/** coolingUntil: unix ms until which the pool keeps this endpoint cooling down (after 429s, 5xx, timeouts). */
export type RpcUsageDelta = { requests?: number; errors?: number; rateLimited?: number; coolingUntil?: number };

export type RpcUsageRow = { endpoint: string; day: string; processId: string; requests: number; errors: number; rateLimited: number; lastUsed: Date | null };

export type RpcUsageStore = {
  /** Count usage now (in memory); written by the next flush. Never throws. */
  record: (label: string, delta: RpcUsageDelta, nowMs?: number) => void;
  /** Requests on this endpoint in the UTC day of nowMs, summed over every process (this one's unflushed counts included). */
  usedToday: (label: string, nowMs?: number) => Promise<number>;
  /** All rows of one endpoint and day (operators, tests). */
  rows: (label: string, day: string) => Promise<RpcUsageRow[]>;
  /** Write dirty rows now. */
  flush: () => Promise<void>;
  /** Stop the timer and flush. */
  close: () => Promise<void>;
};

/** Rows expire after 90 days: enough for monthly quota reviews. */
const USAGE_TTL_SECONDS = 90 * 24 * 3600;

type Own = {
  label: string;
  day: string;
  loaded: boolean;
  requests: number;
  errors: number;
  rateLimited: number;
  lastUsed: number;
  coolingUntil: number;
  dirty: boolean;
};

const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v.toString()));

export function createRpcUsageStore(
  client: CassandraClient,
  processId: string,
  opts: { flushIntervalMs?: number; onError?: (e: unknown) => void } = {},
): RpcUsageStore {
  const own = new Map<string, Own>();
  const key = (label: string, day: string) => `${label}\u0000${day}`;
  let flushing: Promise<void> | null = null;
  let closed = false;

  /** Continue from this process's stored row (after a restart with the same process id). */
  async function load(o: Own): Promise<void> {
    if (o.loaded) return;
    const rs = await client.execute(
      'SELECT requests, errors, rate_limited, last_used FROM rpc_usage WHERE endpoint = ? AND day = ? AND process_id = ?',
      [o.label, o.day, processId],
      { prepare: true },
    );
    if (o.loaded) return;
    const row = rs.first();
    if (row) {
      o.requests += num(row.requests);
      o.errors += num(row.errors);
      o.rateLimited += num(row.rate_limited);
      const last = row.last_used as Date | null;
      if (last) o.lastUsed = Math.max(o.lastUsed, last.getTime());
    }
    o.loaded = true;
  }

  function entry(label: string, day: string): Own {
    const k = key(label, day);
    let o = own.get(k);
    if (!o) {
      o = { label, day, loaded: false, requests: 0, errors: 0, rateLimited: 0, lastUsed: 0, coolingUntil: 0, dirty: false };
      own.set(k, o);
    }
    return o;
  }

  function record(label: string, delta: RpcUsageDelta, nowMs: number = Date.now()): void {
    const o = entry(label, dayOf(nowMs));
    o.requests += delta.requests ?? 0;
    o.errors += delta.errors ?? 0;
    o.rateLimited += delta.rateLimited ?? 0;
    o.lastUsed = Math.max(o.lastUsed, nowMs);
    o.coolingUntil = Math.max(o.coolingUntil, delta.coolingUntil ?? 0);
    o.dirty = true;
  }

  async function flushOnce(): Promise<void> {
    const dirty = [...own.values()].filter((o) => o.dirty);
    await Promise.all(
      dirty.map(async (o) => {
        await load(o);
        o.dirty = false;
        try {
          await client.execute(
            `INSERT INTO rpc_usage (endpoint, day, process_id, requests, errors, rate_limited, last_used, cooling_until) VALUES (?, ?, ?, ?, ?, ?, ?, ?) USING TTL ${USAGE_TTL_SECONDS}`,
            [o.label, o.day, processId, o.requests, o.errors, o.rateLimited, o.lastUsed > 0 ? new Date(o.lastUsed) : null, o.coolingUntil > 0 ? new Date(o.coolingUntil) : null],
            { prepare: true },
          );
        } catch (e) {
          o.dirty = true;
          throw e;
        }
      }),
    );
    // Past days are final once written.
    const today = dayOf(Date.now());
    for (const [k, o] of own) if (!o.dirty && o.day < today) own.delete(k);
  }

  function flush(): Promise<void> {
    flushing ??= flushOnce().finally(() => {
      flushing = null;
    });
    return flushing;
  }

  async function rows(label: string, day: string): Promise<RpcUsageRow[]> {
    const rs = await client.execute(
      'SELECT process_id, requests, errors, rate_limited, last_used FROM rpc_usage WHERE endpoint = ? AND day = ?',
      [label, day],
      { prepare: true },
    );
    return rs.rows.map((r) => ({
      endpoint: label,
      day,
      processId: r.process_id as string,
      requests: num(r.requests),
      errors: num(r.errors),
      rateLimited: num(r.rate_limited),
      lastUsed: (r.last_used as Date | null) ?? null,
    }));
  }

  async function usedToday(label: string, nowMs: number = Date.now()): Promise<number> {
    const day = dayOf(nowMs);
    const o = entry(label, day);
    await load(o);
    const stored = await rows(label, day);
    // This process's row may be stale in the store: use the in-memory total instead.
    return stored.filter((r) => r.processId !== processId).reduce((a, r) => a + r.requests, 0) + o.requests;
  }

  const timer = setInterval(() => {
    flush().catch((e) => opts.onError?.(e));
  }, opts.flushIntervalMs ?? 1_000);
  timer.unref();

  async function close(): Promise<void> {
    if (closed) return;
    closed = true;
    clearInterval(timer);
    await flush();
  }

  return { record, usedToday, rows, flush, close };
}

/** One endpoint's usage on one UTC day, summed over every process's row. */
export type RpcUsageDay = { endpoint: string; day: string; requests: number; errors: number; rateLimited: number; lastUsed: Date | null; coolingUntil: Date | null };

/**
 * Usage of every endpoint label on one UTC day (operators, the serving /ops endpoint).
 * The partition key is (endpoint, day) and labels are not known up front, so this scans the
 * table: it holds one row per (endpoint, day, process) for 90 days, which stays small.
 */
export async function usageForDay(client: CassandraClient, day: string): Promise<RpcUsageDay[]> {
  const byEndpoint = new Map<string, RpcUsageDay>();
  const rs = await client.execute('SELECT endpoint, day, requests, errors, rate_limited, last_used, cooling_until FROM rpc_usage', [], { prepare: true, fetchSize: 1000 });
  for await (const r of rs as unknown as AsyncIterable<{ get(name: string): unknown }>) {
    if (r.get('day') !== day) continue;
    const endpoint = String(r.get('endpoint'));
    const o = byEndpoint.get(endpoint) ?? { endpoint, day, requests: 0, errors: 0, rateLimited: 0, lastUsed: null, coolingUntil: null };
    o.requests += num(r.get('requests'));
    o.errors += num(r.get('errors'));
    o.rateLimited += num(r.get('rate_limited'));
    const last = r.get('last_used') as Date | null;
    if (last && (o.lastUsed === null || last.getTime() > o.lastUsed.getTime())) o.lastUsed = last;
    const cooling = r.get('cooling_until') as Date | null;
    if (cooling && (o.coolingUntil === null || cooling.getTime() > o.coolingUntil.getTime())) o.coolingUntil = cooling;
    byEndpoint.set(endpoint, o);
  }
  return [...byEndpoint.values()].sort((a, b) => a.endpoint.localeCompare(b.endpoint));
}
