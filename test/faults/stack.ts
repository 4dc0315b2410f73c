// The whole chainlake stack as real child processes (`node bin/chainlake.mjs <cmd>`) around a
// private anvil, with an RPC fault proxy in front of the chain. Used by the fault tests
// (test/faults) and the soak run (bench/soak). No vitest imports: plain Node.
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { type Config, parseConfig } from '../../core/config.js';
import { freePortPlain as freePort } from '../ports.js';
import { mulberry32 } from '../../core/random.js';
import { waitFor } from '../../core/wait.js';

export const CHILD_KINDS = ['ingest', 'views', 'schedule', 'serve'] as const;
export type ChildKind = (typeof CHILD_KINDS)[number];

/** Seeded RNG (mulberry32): the fault schedule of a run is reproducible from its seed. */
export function createRng(seed: number) {
  const next = mulberry32(seed);
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T,
    shuffle: <T>(xs: readonly T[]): T[] => {
      const out = [...xs];
      for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [out[i], out[j]] = [out[j] as T, out[i] as T];
      }
      return out;
    },
  };
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function rpc<T>(url: string, method: string, params: unknown[] = []): Promise<T> {
  const r = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }) });
  const body = (await r.json()) as { result?: T; error?: { message: string } };
  if (body.error) throw new Error(`${method}: ${body.error.message}`);
  return body.result as T;
}
export const chainHead = async (url: string) => Number.parseInt(await rpc<string>(url, 'eth_blockNumber'), 16);

/** The fault suite's wait: core/wait.ts's, polling every 500 ms by default. */
export const waitUntil = (what: string, check: () => Promise<boolean>, timeoutMs: number, everyMs = 500): Promise<void> => waitFor(what, check, timeoutMs, { everyMs });

// ---------------------------------------------------------------------------------------------
// RPC fault proxy: forwards JSON-RPC to the upstream, or answers 429, or holds requests (hang).

export type ProxyMode = 'ok' | '429' | 'hang';
export type RpcProxy = { url: string; setMode(m: ProxyMode): void; mode(): ProxyMode; counts: Record<ProxyMode, number>; close(): Promise<void> };

export async function startRpcProxy(upstream: string): Promise<RpcProxy> {
  let mode: ProxyMode = 'ok';
  const counts: Record<ProxyMode, number> = { ok: 0, '429': 0, hang: 0 };
  let held: (() => void)[] = [];
  const forward = async (body: Buffer, res: ServerResponse) => {
    try {
      const r = await fetch(upstream, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body.toString('utf8') });
      const text = await r.text();
      res.writeHead(r.status, { 'content-type': 'application/json' }).end(text);
    } catch {
      res.writeHead(502).end();
    }
  };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      counts[mode]++;
      if (mode === '429') return void res.writeHead(429, { 'retry-after': '1', 'content-type': 'application/json' }).end('{"error":"rate limited"}');
      if (mode === 'hang') return void held.push(() => void forward(body, res));
      void forward(body, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  const release = () => {
    const h = held;
    held = [];
    for (const f of h) f();
  };
  return {
    url: `http://127.0.0.1:${port}`,
    setMode(m) {
      mode = m;
      if (m !== 'hang') release();
    },
    mode: () => mode,
    counts,
    close: () =>
      new Promise<void>((r) => {
        release();
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

// ---------------------------------------------------------------------------------------------
// Child processes

export type StackChild = { kind: ChildKind; pid: () => number | undefined; port: number; starts: number };

export type StackOptions = {
  kafkaBrokers: string;
  cassandraContactPoints: string;
  /** RPC URL the processes use (the fault proxy). */
  rpcUrl: string;
  chainId: number;
  finalityDepth?: number;
  /** Extra env for every child. */
  env?: Record<string, string>;
  /** Restart a child that exits on its own (like a container restart policy); the exit is still recorded in crashes. */
  supervise?: boolean;
};

export type Stack = {
  env: Record<string, string>;
  /** Config equal to the children's, except ETH_RPC_URLS (pass one for in-test reads). */
  config(overrides?: Record<string, string>): Config;
  lakeDir: string;
  dir: string;
  children: Record<ChildKind, StackChild>;
  start(kind: ChildKind): Promise<void>;
  kill9(kind: ChildKind): void;
  /** SIGTERM every child and wait for exit. */
  stopAll(): Promise<void>;
  logTail(kind: ChildKind, lines?: number): string;
  /** Unexpected exits (exit while not killed by us). */
  crashes: { kind: ChildKind; code: number | null; signal: string | null; at: number }[];
  cleanup(): void;
};

const uniq = (p: string) => `${p}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
const root = resolve(import.meta.dirname, '..', '..');

async function healthy(port: number): Promise<boolean> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(1000) })).ok;
  } catch {
    return false;
  }
}

export async function createStack(opts: StackOptions): Promise<Stack> {
  const dir = mkdtempSync(join(tmpdir(), 'chainlake-faults-'));
  const lakeDir = join(dir, 'lake');
  const ports: Record<ChildKind, number> = { ingest: await freePort(), views: await freePort(), schedule: await freePort(), serve: await freePort() };
  const env: Record<string, string> = {
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    KAFKA_BROKERS: opts.kafkaBrokers,
    CASSANDRA_CONTACT_POINTS: opts.cassandraContactPoints,
    CASSANDRA_KEYSPACE: uniq('f').toLowerCase(),
    KAFKA_TOPIC_PREFIX: uniq('f').toLowerCase(),
    KAFKA_PARTITIONS: '3',
    ETH_RPC_URLS: opts.rpcUrl,
    RPC_TIMEOUT_MS: '2000',
    RPC_DEFAULT_RPS: '500',
    START_BLOCK: '0',
    FINALITY_DEPTH: String(opts.finalityDepth ?? 4),
    LAKE_DIR: lakeDir,
    DATA_DIR: join(dir, 'data'),
    BATCH_CRON: '*/3 * * * * *',
    COMPACT_CRON: '*/3 * * * * *',
    BATCH_REQUEST_POLL_MS: '60000',
    DUCKDB_THREADS: '1',
    DUCKDB_MEMORY_LIMIT: '512MB',
    VIEWS_CONCURRENCY: '16',
    INGEST_METRICS_PORT: String(ports.ingest),
    VIEWS_METRICS_PORT: String(ports.views),
    BATCH_METRICS_PORT: String(ports.schedule),
    COMPACT_METRICS_PORT: String(await freePort()),
    SERVE_PORT: String(ports.serve),
    CACHE_TTL_MS: '500',
    ...opts.env,
  };
  const args: Record<ChildKind, string[]> = {
    ingest: ['ingest'],
    views: ['views', 'run', '--chain-id', String(opts.chainId)],
    schedule: ['schedule', '--chain-id', String(opts.chainId)],
    serve: ['serve', '--chain-id', String(opts.chainId), '--no-shop'],
  };
  const procs = new Map<ChildKind, ChildProcess>();
  const killedByUs = new Set<number>();
  let stopping = false;
  const crashes: Stack['crashes'] = [];
  const children = Object.fromEntries(
    CHILD_KINDS.map((kind) => [kind, { kind, pid: () => procs.get(kind)?.pid, port: ports[kind], starts: 0 } satisfies StackChild]),
  ) as Record<ChildKind, StackChild>;
  const logPath = (kind: ChildKind) => join(dir, `${kind}.log`);

  const start = async (kind: ChildKind) => {
    const out = openSync(logPath(kind), 'a');
    const child = spawn(process.execPath, [join(root, 'bin/chainlake.mjs'), ...args[kind]], {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', out, out],
    });
    closeSync(out);
    procs.set(kind, child);
    children[kind].starts++;
    child.once('exit', (code, signal) => {
      if (child.pid !== undefined && killedByUs.has(child.pid)) return;
      crashes.push({ kind, code, signal, at: Date.now() });
      if (opts.supervise && !stopping)
        setTimeout(() => {
          if (!stopping && procs.get(kind) === child) start(kind).catch(() => {});
        }, 1_000);
    });
    await waitUntil(`chainlake ${kind} /health on ${ports[kind]} (log ${logPath(kind)})`, async () => {
      if (child.exitCode !== null) throw new Error(`chainlake ${kind} exited with ${child.exitCode}: ${tail(kind, 20)}`);
      return healthy(ports[kind]);
    }, 60_000, 200).catch((e: unknown) => {
      throw new Error(`${(e as Error).message}\n${tail(kind, 20)}`);
    });
  };
  const tail = (kind: ChildKind, lines = 20) => {
    try {
      return readFileSync(logPath(kind), 'utf8').split('\n').slice(-lines).join('\n');
    } catch {
      return '';
    }
  };
  const kill9 = (kind: ChildKind) => {
    const child = procs.get(kind);
    if (!child?.pid || child.exitCode !== null) return;
    killedByUs.add(child.pid);
    child.kill('SIGKILL');
  };
  const stopAll = async () => {
    stopping = true;
    await Promise.all(
      [...procs.values()].map(
        (c) =>
          new Promise<void>((r) => {
            if (c.exitCode !== null || c.signalCode !== null || !c.pid) return r();
            killedByUs.add(c.pid);
            const t = setTimeout(() => c.kill('SIGKILL'), 10_000);
            c.once('exit', () => {
              clearTimeout(t);
              r();
            });
            c.kill('SIGTERM');
          }),
      ),
    );
  };
  return {
    env,
    config: (overrides = {}) => parseConfig({ ...env, ...overrides }),
    lakeDir,
    dir,
    children,
    start,
    kill9,
    stopAll,
    logTail: tail,
    crashes,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Resident set size of a pid in kB (/proc/<pid>/status VmRSS), or null when gone. */
export function rssKb(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** A private anvil without vitest (for bench/soak); block time in seconds. */
export async function startAnvilPlain(blockTime = 1): Promise<{ url: string; pid: number | undefined; stop: () => Promise<void> }> {
  const { anvilBinary } = await import('../../ops/anvil.js');
  const port = await freePort();
  const child = spawn(anvilBinary(), ['--host', '127.0.0.1', '--port', String(port), '--silent', '--block-time', String(blockTime)], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  await waitUntil(`anvil on ${port}`, async () => (await chainHead(url)) >= 0, 15_000, 100);
  return {
    url,
    pid: child.pid,
    stop: () =>
      new Promise<void>((r) => {
        if (child.exitCode !== null) return r();
        child.once('exit', () => r());
        child.kill('SIGTERM');
      }),
  };
}
