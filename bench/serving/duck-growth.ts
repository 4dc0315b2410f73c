// Standalone repro of serve's native memory growth under small SQL queries (issue #10).
//
//   npx tsx bench/serving/duck-growth.ts [--queries 6000] [--concurrency 2] [--sample 500]
//       [--files 4] [--rows 50000] [--path sandbox|replica] [--read stream|all|chunks]
//       [--no-timeout] [--no-extract] [--json|--no-json] [--set 'name=value,…'] [--gc 0]
//       [--distinct-files 0] [--window] [--recycle-ms 0] [--rate 0] [--refresh-ms 0] [--fs-noise 0]
//       [--compare 'default;UV_THREADPOOL_SIZE=1;MALLOC_MMAP_THRESHOLD_=131072;--read all'] [--repeats 2]
//       [--lake DIR] [--keep]
//
// Writes a temp lake of Parquet files (DuckDB COPY), opens a locked-down DuckDB instance like
// serving/sql.ts and runs small SQL queries (a count/sum with a filter, a GROUP BY, serve's
// soak query) over per-connection TEMP views, C at a time, sampling the process's RSS, the
// main [heap], glibc thread arenas (64 MiB-aligned anonymous heaps) and the rest of anonymous
// memory every K queries. Prints the RSS slope per 1,000 queries (least squares after the first
// 20 % of the queries) and stops by itself.
//
// --path sandbox  the real createSqlSandbox().query (serve's code path).
// --path replica  the same steps written out here, so parts can be switched:
//     --read stream|all|chunks  prepared.streamAndReadUntil (sql.ts) / prepared.runAndReadAll /
//                               prepared.stream + fetchChunk loop
//     --no-timeout              no setTimeout/interrupt per query
//     --no-extract              conn.streamAndReadUntil(sql) instead of extract + prepare
//     --no-json                 getRowObjects instead of getRowObjectsJson
//     --set 'k=v,…'             DuckDB settings SET before the lock (e.g. threads=1,parquet_metadata_cache=true)
// --gc K              a forced major V8 GC every K queries (0 = never)
// --rate R            issue at most R queries per second in total (serve's soak: 20); 0 = flat out
// --refresh-ms T      re-register the views every T ms (serve: 10 s, plus on each batch version)
// --fs-noise F        F fs calls per second (readdir + readFile) on libuv's pool, like serve's
// --distinct-files M  add one more Parquet file to the views every M queries (0 = never; the files
//                     are written before the measurement), like the soak's compaction adds raw files
// --union-by-name     read_parquet(…, hive_partitioning = false, union_by_name = true), as serve's raw views
// --window            with --distinct-files: each new file replaces the oldest in the views (the list keeps
//                     its length; only the paths are new)
// --compare 'A;B;…'   run each variant (env assignments and/or flags, space-separated; "default" =
//                     none) in its own child process, alternated --repeats times, over one lake.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createSqlSandbox } from '../../serving/sql.js';
import { benchArgs, intArg } from '../util.js';

const flags = benchArgs(import.meta.url, {
  queries: { type: 'string', default: '6000' },
  concurrency: { type: 'string', default: '2' },
  sample: { type: 'string', default: '500' },
  files: { type: 'string', default: '4' },
  rows: { type: 'string', default: '50000' },
  path: { type: 'string', default: 'sandbox' },
  read: { type: 'string', default: 'stream' },
  'no-timeout': { type: 'boolean' },
  'no-extract': { type: 'boolean' },
  'no-json': { type: 'boolean' },
  json: { type: 'boolean' },
  set: { type: 'string', default: '' },
  gc: { type: 'string', default: '0' },
  'distinct-files': { type: 'string', default: '0' },
  'recycle-ms': { type: 'string', default: '0' },
  rate: { type: 'string', default: '0' },
  'refresh-ms': { type: 'string', default: '0' },
  'fs-noise': { type: 'string', default: '0' },
  'union-by-name': { type: 'boolean' },
  window: { type: 'boolean' },
  compare: { type: 'string' },
  repeats: { type: 'string', default: '1' },
  lake: { type: 'string' },
  keep: { type: 'boolean' },
  child: { type: 'boolean' },
});
const N = intArg('queries', flags.queries);
const C = Math.max(1, intArg('concurrency', flags.concurrency));
const K = Math.max(1, intArg('sample', flags.sample));
const FILES = Math.max(1, intArg('files', flags.files));
const ROWS = Math.max(1, intArg('rows', flags.rows));
const GC_EVERY = intArg('gc', flags.gc);
const NEW_FILE_EVERY = intArg('distinct-files', flags['distinct-files']);
const RATE = intArg('rate', flags.rate);
const REFRESH_MS = intArg('refresh-ms', flags['refresh-ms']);
const FS_NOISE = intArg('fs-noise', flags['fs-noise']);
/** Files on disk: the FILES the views start with, plus one per NEW_FILE_EVERY queries. */
const TOTAL_FILES = FILES + (NEW_FILE_EVERY > 0 ? Math.ceil(N / NEW_FILE_EVERY) : 0);
const fileName = (dir: string, i: number) => join(dir, `blocks_${String(i).padStart(5, '0')}.parquet`);
const readOpts = flags['union-by-name'] ? ', hive_partitioning = false, union_by_name = true' : '';

const sqlQ = (s: string) => `'${s.replaceAll("'", "''")}'`;

// ---------------------------------------------------------------------------------------------
// The lake: FILES Parquet files of ROWS rows each (blocks-like: number, ts, miner, gas, x).

async function writeFile(conn: DuckDBConnection, dir: string, i: number): Promise<string> {
  const file = fileName(dir, i);
  await conn.run(
    `COPY (SELECT ${i * ROWS} + r AS number, TIMESTAMP '2026-01-01' + INTERVAL (r) SECOND AS ts,
            'miner_' || (hash(r + ${i}) % 50)::VARCHAR AS miner, (hash(r * 7 + ${i}) % 30000000)::BIGINT AS gas,
            (r % 1000)::DOUBLE / 7 AS x
          FROM range(${ROWS}) t(r)) TO ${sqlQ(file)} (FORMAT parquet, ROW_GROUP_SIZE 10000)`,
  );
  return file;
}

async function makeLake(dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const inst = await DuckDBInstance.create(':memory:', { threads: '1' });
  const conn = await inst.connect();
  for (let i = 0; i < TOTAL_FILES; i++) if (!existsSync(fileName(dir, i))) await writeFile(conn, dir, i);
  conn.closeSync();
  inst.closeSync();
}

// ---------------------------------------------------------------------------------------------
// Memory sampling.

type Mem = { rss: number; heap: number; arenas: number; arenaCount: number; otherAnon: number; jsHeap: number; threads: number };
const MB = 1024 * 1024;
const ARENA_ALIGN = 64 * MB; // glibc HEAP_MAX_SIZE on 64-bit: non-main arena heaps are 64 MiB-aligned

function sampleMem(): Mem {
  const smaps = readFileSync('/proc/self/smaps', 'utf8').split('\n');
  let heap = 0;
  let arenas = 0;
  let arenaCount = 0;
  let otherAnon = 0;
  let kind: 'heap' | 'arena' | 'anon' | 'file' = 'file';
  for (const line of smaps) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ (\d+)\s*(.*)$/.exec(line);
    if (m) {
      const start = parseInt(m[1]!, 16);
      const end = parseInt(m[2]!, 16);
      const perms = m[3]!;
      const inode = m[4]!;
      const name = m[5]!.trim();
      if (name === '[heap]') kind = 'heap';
      else if (inode === '0' && name === '' && perms.startsWith('rw') && start % ARENA_ALIGN === 0 && end - start <= ARENA_ALIGN) {
        kind = 'arena';
        arenaCount++;
      } else if (inode === '0' && (name === '' || name.startsWith('[anon'))) kind = 'anon';
      else kind = 'file';
      continue;
    }
    if (line.startsWith('Rss:')) {
      const kb = Number(line.split(/\s+/)[1]) * 1024;
      if (kind === 'heap') heap += kb;
      else if (kind === 'arena') arenas += kb;
      else if (kind === 'anon') otherAnon += kb;
    }
  }
  const status = readFileSync('/proc/self/status', 'utf8');
  const rss = Number(/VmRSS:\s+(\d+)/.exec(status)![1]) * 1024;
  const threads = Number(/Threads:\s+(\d+)/.exec(status)![1]);
  return { rss, heap, arenas, arenaCount, otherAnon, jsHeap: process.memoryUsage().heapUsed, threads };
}

/** Least-squares slope of y over x. */
function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  if (n < 2) return NaN;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return num / den;
}

// ---------------------------------------------------------------------------------------------
// One measurement (in this process).

type Query = (sql: string) => Promise<unknown>;

async function measure(lakeDir: string): Promise<void> {
  let files: string[] = [];
  for (let i = 0; i < FILES; i++) files.push(fileName(lakeDir, i));
  let nextFile = FILES;
  const register = async (conn: DuckDBConnection) => {
    await conn.run(`CREATE OR REPLACE TEMP VIEW blocks AS SELECT * FROM read_parquet([${files.map(sqlQ).join(', ')}]${readOpts})`);
  };
  const registered = new Map<DuckDBConnection, number>();
  let filesVersion = 0;

  let query: Query;
  let close: () => void;
  if (flags.path === 'sandbox') {
    const sandbox = await createSqlSandbox({
      lakeDir,
      memoryLimit: '1GB',
      timeoutMs: 30_000,
      rowLimit: 10_000,
      threads: 2,
      connections: C,
      registerViews: register,
      currentVersion: async () => String(filesVersion),
      refreshMs: REFRESH_MS > 0 ? REFRESH_MS : 3_600_000,
      recycleMs: Number(flags['recycle-ms']),
    });
    query = (sql) => sandbox.query(sql);
    close = () => sandbox.close();
  } else if (flags.path === 'replica') {
    const inst = await DuckDBInstance.create(':memory:', { memory_limit: '1GB', threads: '2' });
    const admin = await inst.connect();
    // --set options are SET before the lock (extension settings such as parquet_metadata_cache
    // cannot be given at instance creation).
    for (const kv of flags.set.split(',').filter(Boolean)) {
      const [k, v] = kv.split('=');
      await admin.run(`SET ${k!.trim()} = ${/^[0-9.]+$|^(true|false)$/i.test(v!.trim()) ? v!.trim() : sqlQ(v!.trim())}`);
    }
    await admin.run(`SET allowed_directories = [${sqlQ(`${resolve(lakeDir)}/`)}]`);
    await admin.run('SET enable_external_access = false');
    await admin.run('SET autoinstall_known_extensions = false');
    await admin.run('SET autoload_known_extensions = false');
    await admin.run('SET lock_configuration = true');
    admin.closeSync();
    const idle: DuckDBConnection[] = [];
    for (let i = 0; i < C; i++) {
      const c = await inst.connect();
      await register(c);
      registered.set(c, filesVersion);
      idle.push(c);
    }
    const waiters: ((c: DuckDBConnection) => void)[] = [];
    const acquire = () => new Promise<DuckDBConnection>((res) => (idle.length ? res(idle.pop()!) : waiters.push(res)));
    const release = (c: DuckDBConnection) => {
      const w = waiters.shift();
      if (w) w(c);
      else idle.push(c);
    };
    const noTimeout = flags['no-timeout'];
    const noExtract = flags['no-extract'];
    const json = !flags['no-json'];
    query = async (sql) => {
      const conn = await acquire();
      try {
        if (registered.get(conn) !== filesVersion) {
          await register(conn);
          registered.set(conn, filesVersion);
        }
        const timer = noTimeout ? null : setTimeout(() => conn.interrupt(), 30_000);
        try {
          if (noExtract) {
            const reader = await conn.streamAndReadUntil(sql, 10_001);
            return json ? reader.getRowObjectsJson() : reader.getRowObjects();
          }
          const extracted = await conn.extractStatements(sql);
          const prepared = await extracted.prepare(0);
          try {
            if (flags.read === 'all') {
              const reader = await prepared.runAndReadAll();
              return json ? reader.getRowObjectsJson() : reader.getRowObjects();
            }
            if (flags.read === 'chunks') {
              const result = await prepared.stream();
              const rows: unknown[] = [];
              for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk())
                rows.push(...chunk.getRows().map((r) => (json ? JSON.stringify(r, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v)) : r)));
              return rows;
            }
            const reader = await prepared.streamAndReadUntil(10_001);
            return json ? reader.getRowObjectsJson() : reader.getRowObjects();
          } finally {
            prepared.destroySync();
          }
        } finally {
          if (timer) clearTimeout(timer);
        }
      } finally {
        release(conn);
      }
    };
    close = () => {
      for (const c of idle) c.closeSync();
      inst.closeSync();
    };
  } else throw new Error(`--path must be sandbox or replica, got ${flags.path}`);

  let gc: (() => void) | null = null;
  if (GC_EVERY > 0) {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  }

  // Small queries with varying literals (distinct plans), like the soak's SQL endpoint.
  const sqlFor = (i: number): string => {
    switch (i % 3) {
      case 0:
        return `SELECT count(*) AS n, sum(x) AS s FROM blocks WHERE gas > ${(i * 7919) % 30_000_000}`;
      case 1:
        return `SELECT miner, count(*) AS n, max(gas) AS g FROM blocks WHERE number % 10 = ${i % 10} GROUP BY miner ORDER BY n DESC LIMIT 10`;
      default:
        return 'SELECT count(*) AS n, max(number) AS head FROM blocks';
    }
  };

  const samples: ({ q: number; t: number } & Mem)[] = [];
  const t0 = Date.now();
  samples.push({ q: 0, t: 0, ...sampleMem() });
  let issued = 0;
  let done = 0;
  let errors = 0;
  let firstError = '';
  // Other thread-pool work, like serve's fs calls (view listing, CURRENT reads): N per second.
  const noise = FS_NOISE > 0 ? setInterval(() => void readdir(lakeDir).then(() => readFile(files[0]!)).catch(() => {}), 1000 / FS_NOISE) : null;
  // Replica path: re-register every connection's views this often (the sandbox path uses the pool's refreshMs).
  const refresher = REFRESH_MS > 0 && flags.path === 'replica' ? setInterval(() => filesVersion++, REFRESH_MS) : null;
  // Samples are taken with no query in flight (the other workers wait), so transient
  // per-query memory does not blur the trend.
  let inflight = 0;
  let gate: Promise<void> | null = null;
  const sampleQuiet = async () => {
    let open!: () => void;
    gate = new Promise((r) => (open = r));
    while (inflight > 0) await new Promise((r) => setTimeout(r, 1));
    samples.push({ q: done, t: Date.now() - t0, ...sampleMem() });
    gate = null;
    open();
  };
  const worker = async () => {
    while (issued < N) {
      while (gate) await gate;
      if (issued >= N) break;
      const i = issued++;
      inflight++;
      if (RATE > 0) {
        const due = t0 + (i * 1000) / RATE;
        if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
      }
      try {
        await query(sqlFor(i));
      } catch (e) {
        errors++;
        firstError ||= String((e as Error)?.message ?? e).split('\n')[0]!;
      }
      inflight--;
      done++;
      if (NEW_FILE_EVERY > 0 && done % NEW_FILE_EVERY === 0 && nextFile < TOTAL_FILES) {
        files = [...(flags.window ? files.slice(1) : files), fileName(lakeDir, nextFile++)];
        filesVersion++;
      }
      if (gc && done % GC_EVERY === 0) gc();
      if (done % K === 0) await sampleQuiet();
    }
  };
  await Promise.all(Array.from({ length: C }, worker));
  const elapsed = Date.now() - t0;
  if (noise) clearInterval(noise);
  if (refresher) clearInterval(refresher);
  close();

  const fit = samples.filter((s) => s.q >= N * 0.2);
  const k = (b: number) => Math.round(b / 1024);
  const perK = (f: (s: Mem) => number) => (slope(fit.map((s) => s.q), fit.map((s) => f(s) / MB)) * 1000).toFixed(2);
  const summary = {
    variant: { env: Object.fromEntries(Object.entries(process.env).filter(([n]) => /^(UV_|MALLOC_|GLIBC_TUNABLES|LD_PRELOAD)/.test(n))), argv: process.argv.slice(2).filter((a) => a !== '--child') },
    queries: N,
    errors,
    firstError,
    qps: Math.round((N / elapsed) * 1000),
    rssStartMB: Math.round(samples[0]!.rss / MB),
    rssEndMB: Math.round(samples.at(-1)!.rss / MB),
    rssMBPerMin: (slope(fit.map((s) => s.t), fit.map((s) => s.rss / MB)) * 60_000).toFixed(1),
    seconds: Math.round(elapsed / 1000),
    slopeMBPer1kQ: { rss: perK((s) => s.rss), arenas: perK((s) => s.arenas), heap: perK((s) => s.heap), otherAnon: perK((s) => s.otherAnon) },
    arenasMB: `${Math.round(samples[0]!.arenas / MB)} → ${Math.round(samples.at(-1)!.arenas / MB)} (${samples.at(-1)!.arenaCount} heaps)`,
    threads: samples.at(-1)!.threads,
    rssKB: samples.map((s) => k(s.rss)),
  };
  console.log(`RESULT ${JSON.stringify(summary)}`);
}

// ---------------------------------------------------------------------------------------------
// Parent: lake, variants in child processes.

async function runChild(spec: string, lake: string, passthrough: string[]): Promise<Record<string, unknown>> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  const args: string[] = [];
  for (const tok of spec.trim().split(/\s+/)) {
    if (tok === 'default' || tok === '') continue;
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(tok);
    if (m) env[m[1]!] = m[2]!;
    else args.push(tok);
  }
  const script = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, [...process.execArgv, script, ...passthrough, ...args, '--lake', lake, '--child'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const code: number = await new Promise((res) => child.on('close', (c) => res(c ?? 1)));
  const line = out.split('\n').find((l) => l.startsWith('RESULT '));
  if (code !== 0 || !line) throw new Error(`variant "${spec}" exited ${code}: ${out.slice(-2000)}`);
  return JSON.parse(line.slice(7)) as Record<string, unknown>;
}

async function main(): Promise<void> {
  const ownLake = !flags.lake;
  const lake = flags.lake ?? mkdtempSync(join(tmpdir(), 'duck-growth-'));
  try {
    // Missing files are written (a given --lake is reused); a child finds them written by its parent.
    if (!flags.child) await makeLake(lake);
    // A child measures its one variant, never compares (it must not spawn children of its own).
    if (!flags.compare || flags.child) {
      await measure(lake);
      return;
    }
    // Flags given to the parent (except compare/repeats/lake/keep) apply to every variant.
    const passthrough: string[] = [];
    const raw = process.argv.slice(2);
    for (let i = 0; i < raw.length; i++) {
      const a = raw[i]!;
      if (['--compare', '--repeats', '--lake'].includes(a)) i++;
      else if (/^--(compare|repeats|lake)=/.test(a) || a === '--keep') continue;
      else passthrough.push(a);
    }
    const variants = flags.compare.split(';').map((s) => s.trim()).filter(Boolean);
    const repeats = Math.max(1, intArg('repeats', flags.repeats));
    const table: string[] = [];
    for (let r = 1; r <= repeats; r++) {
      for (const v of variants) {
        const res = await runChild(v, lake, passthrough);
        const s = res.slopeMBPer1kQ as Record<string, string>;
        const row = `round ${r} | ${v.padEnd(40)} | RSS ${res.rssStartMB} → ${res.rssEndMB} MB | slope MB/1k q: rss ${s.rss}, arenas ${s.arenas}, heap ${s.heap}, other anon ${s.otherAnon} | arenas ${res.arenasMB} | ${res.rssMBPerMin} MB/min | ${res.qps} q/s, ${res.seconds} s | threads ${res.threads} | errors ${res.errors}`;
        console.log(row);
        table.push(row);
      }
    }
  } finally {
    if (ownLake && !flags.keep) rmSync(lake, { recursive: true, force: true });
  }
}

await main();
