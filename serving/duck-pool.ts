// A small pool of DuckDB connections of one instance. The lake views are TEMP views (per
// connection), so each connection registers them itself and re-registers them when the
// visible batch version changes (before the next query) or, in the background, when they are
// older than refreshMs (new raw files appear).
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';

export type DuckPool = {
  use: <T>(fn: (conn: DuckDBConnection) => Promise<T>) => Promise<T>;
  close: () => void;
};

export async function createDuckPool(opts: {
  instance: DuckDBInstance;
  size: number;
  setup: (conn: DuckDBConnection) => Promise<void>;
  version?: () => Promise<string | null>;
  refreshMs?: number;
}): Promise<DuckPool> {
  const refreshMs = opts.refreshMs ?? 10_000;
  type Slot = { conn: DuckDBConnection; at: number; version: string | null };
  const idle: Slot[] = [];
  for (let i = 0; i < opts.size; i++) {
    const conn = await opts.instance.connect();
    await opts.setup(conn);
    idle.push({ conn, at: Date.now(), version: opts.version ? await opts.version() : null });
  }
  const waiters: ((s: Slot) => void)[] = [];
  let knownVersion: { value: string | null; at: number } = { value: idle[0]?.version ?? null, at: Date.now() };
  const currentVersion = async () => {
    if (!opts.version) return null;
    if (Date.now() - knownVersion.at > 1000) knownVersion = { value: await opts.version(), at: Date.now() };
    return knownVersion.value;
  };
  const acquire = () => new Promise<Slot>((res) => (idle.length > 0 ? res(idle.pop()!) : waiters.push(res)));
  const release = (s: Slot) => {
    const w = waiters.shift();
    if (w) w(s);
    else idle.push(s);
  };
  // Refresh idle connections whose views are older than refreshMs (new raw files), off the request path.
  let refreshing = false;
  const timer = setInterval(() => {
    if (refreshing) return;
    const stale = idle.filter((s) => Date.now() - s.at > refreshMs);
    if (stale.length === 0) return;
    refreshing = true;
    void (async () => {
      for (const slot of stale) {
        const i = idle.indexOf(slot);
        if (i < 0) continue; // taken by a request meanwhile
        idle.splice(i, 1);
        try {
          await opts.setup(slot.conn);
          slot.at = Date.now();
          slot.version = opts.version ? await opts.version() : null;
        } catch {
          slot.at = Date.now(); // keep serving the previous views; retried after refreshMs
        } finally {
          release(slot);
        }
      }
    })().finally(() => {
      refreshing = false;
    });
  }, Math.min(1000, refreshMs));
  timer.unref();

  return {
    async use(fn) {
      const slot = await acquire();
      try {
        const v = await currentVersion();
        // A version switch is applied before the query; age-based refreshes run in the background.
        if (v !== slot.version) {
          await opts.setup(slot.conn);
          slot.version = v;
          slot.at = Date.now();
        }
        return await fn(slot.conn);
      } finally {
        release(slot);
      }
    },
    close() {
      clearInterval(timer);
      for (const s of idle) s.conn.closeSync();
    },
  };
}
