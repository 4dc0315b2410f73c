// A small pool of DuckDB connections over one DuckDB instance at a time. The lake views are
// TEMP views (per connection), so each connection registers them itself and re-registers them
// when the visible batch version changes (before the next query) or, in the background, when
// they are older than refreshMs (new raw files appear).
//
// Recycling: an instance keeps ~40 KB of native memory per distinct Parquet file it has read
// until it is closed (footer/metadata caches), so a long-lived one grows with the lake's file
// churn (a loop over 1,500 new files: 114 → 179 MB, 123 MB when recycled every 100 files; the
// soak's larger growth came from union_by_name raw views, see docs/operations.md). Every
// recycleMs the pool opens a fresh instance with connections already set up, sends new queries
// to it, and closes the old instance once its last in-flight query has finished. No query waits
// for the swap and none runs on a closed connection.
import type { DuckDBConnection } from '@duckdb/node-api';

/** An instance the pool can connect to and close. */
export type PoolInstance = { connect: () => Promise<DuckDBConnection>; close: () => void };

export type DuckPool = {
  use: <T>(fn: (conn: DuckDBConnection) => Promise<T>) => Promise<T>;
  /** Instances opened so far (1 + recycles). */
  generation: () => number;
  /** Open a fresh instance now and retire the current one (also what the recycle timer does). */
  recycle: () => Promise<void>;
  close: () => void;
};

export type DuckPoolOptions = {
  /** Opens a new instance (with its settings applied). */
  open: () => Promise<PoolInstance>;
  size: number;
  setup: (conn: DuckDBConnection) => Promise<void>;
  version?: () => Promise<string | null>;
  refreshMs?: number;
  /** Replace the instance after this long; 0 = never. Default 2 min. */
  recycleMs?: number;
  /** Told about a recycle that failed (the current instance keeps serving and it is retried later). */
  onRecycleError?: (e: unknown) => void;
  /** Told about each fresh instance (its generation number) once it takes queries. */
  onRecycle?: (generation: number) => void;
};

type Gen = { id: number; instance: PoolInstance; busy: number; retired: boolean; born: number; slots: Slot[] };
type Slot = { gen: Gen; conn: DuckDBConnection; at: number; version: string | null };

export async function createDuckPool(opts: DuckPoolOptions): Promise<DuckPool> {
  const refreshMs = opts.refreshMs ?? 10_000;
  const recycleMs = opts.recycleMs ?? 120_000;
  let generations = 0;
  let closed = false;

  const openGen = async (): Promise<Gen> => {
    const instance = await opts.open();
    const gen: Gen = { id: ++generations, instance, busy: 0, retired: false, born: Date.now(), slots: [] };
    try {
      for (let i = 0; i < opts.size; i++) {
        const conn = await instance.connect();
        gen.slots.push({ gen, conn, at: Date.now(), version: null });
        await opts.setup(conn);
        gen.slots.at(-1)!.version = opts.version ? await opts.version() : null;
      }
    } catch (e) {
      closeGen(gen);
      throw e;
    }
    return gen;
  };
  const closeGen = (gen: Gen) => {
    for (const s of gen.slots) s.conn.closeSync();
    gen.instance.close();
  };

  let current = await openGen();
  let idle: Slot[] = [...current.slots];
  const waiters: ((s: Slot) => void)[] = [];
  let knownVersion: { value: string | null; at: number } = { value: idle[0]?.version ?? null, at: Date.now() };
  const currentVersion = async () => {
    if (!opts.version) return null;
    if (Date.now() - knownVersion.at > 1000) knownVersion = { value: await opts.version(), at: Date.now() };
    return knownVersion.value;
  };
  const acquire = () =>
    new Promise<Slot>((res) => {
      const s = idle.pop();
      if (s) {
        s.gen.busy++;
        res(s);
      } else waiters.push(res);
    });
  const release = (s: Slot) => {
    s.gen.busy--;
    if (s.gen.retired) {
      // Its instance is gone from the pool: close it with its last query.
      if (s.gen.busy === 0) closeGen(s.gen);
      return;
    }
    offer(s);
  };
  /** A free slot goes to the longest-waiting query, or back to the idle list. */
  const offer = (s: Slot) => {
    const w = waiters.shift();
    if (w) {
      s.gen.busy++;
      w(s);
    } else idle.push(s);
  };

  let recycling: Promise<void> | null = null;
  const recycle = (): Promise<void> =>
    (recycling ??= (async () => {
      try {
        const fresh = await openGen();
        if (closed) {
          closeGen(fresh);
          return;
        }
        const old = current;
        old.retired = true;
        // Idle slots of the old instance are dropped; busy ones close the instance on release.
        idle = idle.filter((s) => s.gen !== old);
        current = fresh;
        for (const s of fresh.slots) offer(s);
        if (old.busy === 0) closeGen(old);
        opts.onRecycle?.(fresh.id);
      } finally {
        recycling = null;
      }
    })());

  // Background work, off the request path: recycle an old instance, refresh stale views.
  let refreshing = false;
  const timer = setInterval(() => {
    if (closed) return;
    if (recycleMs > 0 && Date.now() - current.born > recycleMs && !recycling) {
      void recycle().catch((e: unknown) => {
        current.born = Date.now(); // retried after another recycleMs
        opts.onRecycleError?.(e);
      });
      return;
    }
    if (refreshing || recycling) return;
    const stale = idle.filter((s) => Date.now() - s.at > refreshMs);
    if (stale.length === 0) return;
    refreshing = true;
    void (async () => {
      for (const slot of stale) {
        const i = idle.indexOf(slot);
        if (i < 0) continue; // taken by a request (or retired) meanwhile
        idle.splice(i, 1);
        slot.gen.busy++;
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
  }, Math.min(1000, refreshMs, recycleMs > 0 ? recycleMs : Number.POSITIVE_INFINITY));
  timer.unref();

  return {
    async use(fn) {
      if (closed) throw new Error('the DuckDB pool is closed');
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
    generation: () => current.id,
    recycle,
    close() {
      closed = true;
      clearInterval(timer);
      // In-flight queries finish on their connections; their instance closes on release.
      current.retired = true;
      idle = [];
      if (current.busy === 0) closeGen(current);
    },
  };
}
