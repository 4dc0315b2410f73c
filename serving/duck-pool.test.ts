// The DuckDB pool's instance recycling, over real DuckDB instances: a fresh instance takes new
// queries, in-flight queries finish on the old one, which closes after the last of them; the
// SQL sandbox's fresh instances are locked down like the first.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createDuck } from '../storage/lake/duck.js';
import { createDuckPool, type DuckPool, type PoolInstance } from './duck-pool.js';
import { SqlRejectedError } from './sql-guard.js';
import { createSqlSandbox, QueryFailedError } from './sql.js';

/**
 * Real DuckDB instances that record whether they were closed. Each one's table `gen` holds its
 * number (an in-memory table is shared by the instance's connections).
 */
function instances() {
  const opened: { id: number; closed: boolean }[] = [];
  const open = async (): Promise<PoolInstance> => {
    const duck = await createDuck({ threads: 1, memoryLimit: '128MB' });
    const rec = { id: opened.length + 1, closed: false };
    opened.push(rec);
    const c = await duck.connect();
    await c.run(`CREATE TABLE gen AS SELECT ${rec.id} AS g`);
    c.closeSync();
    return {
      connect: () => duck.connect(),
      close: () => {
        rec.closed = true;
        duck.close();
      },
    };
  };
  return { opened, open };
}
const setup = async () => {};

describe('DuckDB pool recycling', () => {
  const genOf = async (conn: Awaited<ReturnType<PoolInstance['connect']>>) =>
    Number((await conn.runAndReadAll('SELECT g FROM gen')).getRowObjectsJson()[0]?.g);
  /** A query that holds its connection until `release()`; returns once it runs. */
  const holdConnection = async (pool: DuckPool) => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const result = pool.use(async (conn) => {
      started();
      await gate;
      return genOf(conn);
    });
    await running;
    return { result, release };
  };

  test('a recycle sends new queries to a fresh instance; an in-flight query finishes on the old one, which closes after it', async () => {
    const inst = instances();
    const pool = await createDuckPool({ open: inst.open, size: 2, setup, recycleMs: 0 });
    try {
      expect(await pool.use(genOf)).toBe(1);
      const slow = await holdConnection(pool);
      await pool.recycle();
      expect(pool.generation()).toBe(2);
      // The old instance is retired, not closed: a query is still running on it.
      expect(inst.opened[0]!.closed).toBe(false);
      expect(await pool.use(genOf)).toBe(2);
      expect(await Promise.all([pool.use(genOf), pool.use(genOf), pool.use(genOf)])).toEqual([2, 2, 2]);
      slow.release();
      expect(await slow.result).toBe(1);
      expect(inst.opened[0]!.closed).toBe(true);
      expect(inst.opened[1]!.closed).toBe(false);
      // Without anything in flight the old instance closes at once.
      await pool.recycle();
      expect(inst.opened[1]!.closed).toBe(true);
      expect(await pool.use(genOf)).toBe(3);
    } finally {
      pool.close();
    }
    expect(inst.opened.every((o) => o.closed)).toBe(true);
  });

  test('a query waiting for a connection during a recycle gets one of the fresh instance', async () => {
    const inst = instances();
    const pool = await createDuckPool({ open: inst.open, size: 1, setup, recycleMs: 0 });
    try {
      const first = await holdConnection(pool);
      const waiting = pool.use(genOf); // no free connection: it waits
      await pool.recycle();
      expect(await waiting).toBe(2);
      first.release();
      expect(await first.result).toBe(1);
      expect(inst.opened[0]!.closed).toBe(true);
    } finally {
      pool.close();
    }
  });

  test('the timer recycles an instance older than recycleMs, and a failed open keeps the current one serving', async () => {
    const inst = instances();
    let fail = false;
    const errors: unknown[] = [];
    const open = async () => {
      if (fail) throw new Error('cannot open');
      return inst.open();
    };
    const pool = await createDuckPool({ open, size: 1, setup, recycleMs: 100, onRecycleError: (e) => errors.push(e) });
    try {
      const deadline = Date.now() + 5_000;
      while (pool.generation() < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(pool.generation()).toBeGreaterThanOrEqual(3);
      expect(inst.opened.filter((o) => !o.closed)).toHaveLength(1);
      fail = true;
      const gen = pool.generation();
      while (errors.length === 0 && Date.now() < deadline + 5_000) await new Promise((r) => setTimeout(r, 50));
      expect(String(errors[0])).toContain('cannot open');
      expect(pool.generation()).toBe(gen);
      expect(await pool.use(async (c) => (await c.runAndReadAll('SELECT 41 + 1 AS x')).getRowObjectsJson()[0]?.x)).toBe(42);
    } finally {
      pool.close();
    }
  });
});

describe('SQL sandbox recycling', () => {
  let lakeDir: string;
  beforeAll(async () => {
    lakeDir = await mkdtemp(join(tmpdir(), 'chainlake-pool-'));
  });
  afterAll(async () => {
    await rm(lakeDir, { recursive: true, force: true });
  });

  test('a fresh sandbox instance is locked down like the first: files outside the lake stay unreadable', async () => {
    const sandbox = await createSqlSandbox({
      lakeDir,
      memoryLimit: '128MB',
      timeoutMs: 5_000,
      rowLimit: 10,
      threads: 1,
      connections: 1,
      recycleMs: 0,
      registerViews: async (conn) => {
        await conn.run('CREATE OR REPLACE TEMP VIEW numbers AS SELECT range AS n FROM range(5)');
      },
    });
    try {
      for (let round = 1; round <= 2; round++) {
        expect(sandbox.generation()).toBe(round);
        expect((await sandbox.query('SELECT sum(n) AS s FROM numbers')).rows).toEqual([{ s: '10' }]);
        // Passes the text check; refused by the instance (no external access, locked configuration).
        await expect(sandbox.query("SELECT * FROM '/etc/passwd'")).rejects.toSatisfy((e) => e instanceof SqlRejectedError || e instanceof QueryFailedError);
        const settings = await sandbox.query("SELECT name, value FROM duckdb_settings() WHERE name IN ('lock_configuration', 'enable_external_access', 'allowed_directories') ORDER BY name");
        // DuckDB adds its own spill directory (`<cwd>/.tmp/`) to the lake; the list is sorted, so either may come first.
        expect(settings.rows[0]?.name).toBe('allowed_directories');
        const allowed = String(settings.rows[0]?.value).replace(/^\[|\]$/g, '').split(', ');
        expect(allowed).toContain(`${lakeDir}/`);
        expect(allowed.filter((d) => d !== `${lakeDir}/`).every((d) => d.endsWith('/.tmp/'))).toBe(true);
        expect(allowed.length).toBeLessThanOrEqual(2);
        expect(settings.rows.slice(1)).toEqual([
          { name: 'enable_external_access', value: 'false' },
          { name: 'lock_configuration', value: 'true' },
        ]);
        await sandbox.recycle();
      }
    } finally {
      sandbox.close();
    }
  });
});
