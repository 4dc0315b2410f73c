// Start-up benchmark: CPU (user + sys) the CLI spends before it does any work, run from the
// TypeScript sources through tsx (CHAINLAKE_TSX=1) and from the compiled dist/ (built first
// when stale, see ops/build.mjs).
//   (a) `chainlake --help`: total user+sys CPU of the process, all threads, as the process
//       reports it at exit (process.cpuUsage() from a tiny `--import`ed reporter);
//   (b) a 1-block `chainlake export` against a private anvil behind a counting proxy: CPU of the
//       export process at the moment its first JSON-RPC request reaches the proxy (read from
//       /proc/<pid>/stat), i.e. everything it spent loading modules and config before any work.
// Each measure is the median of --runs runs. Needs no Kafka or Cassandra. Prints JSON on stdout.
//   npx tsx bench/startup/run.ts [--runs 5]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoPath } from '../../core/paths.js';
// @ts-expect-error: plain .mjs without types
import { ensureDist } from '../../ops/build.mjs';
import { anvilBinary } from '../../ops/anvil.js';
import { rpcChainId } from '../../core/rpc-probe.js';
import { waitFor } from '../../core/wait.js';
import { benchArgs, intArg, machine, round } from '../util.js';

const args = benchArgs(import.meta.url, { runs: { type: 'string', default: '5' } });
const runs = Math.max(1, intArg('runs', args.runs));
const say = (m: string) => process.stderr.write(`[bench:startup] ${m}\n`);
const bin = repoPath('bin', 'chainlake.mjs');
const TICK = 100; // USER_HZ: /proc/<pid>/stat counts CPU in 1/100 s on Linux
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** user+sys CPU seconds of a live process, from /proc/<pid>/stat (fields 14 and 15). */
function procCpu(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / TICK;
}

// The child writes its own process.cpuUsage() (user+sys, µs, all threads) when it exits.
const dir = mkdtempSync(join(tmpdir(), 'chainlake-startup-'));
const reporter = join(dir, 'cpu-at-exit.mjs');
writeFileSync(reporter, `import { writeFileSync } from 'node:fs';\nprocess.on('exit', () => { const u = process.cpuUsage(); writeFileSync(process.env.CPU_OUT, String((u.user + u.system) / 1e6)); });\n`);

function run(cliArgs: string[], env: Record<string, string>, onSpawn?: (pid: number) => void): Promise<{ code: number | null; cpu: number }> {
  const out = join(dir, `cpu-${Date.now()}-${Math.random()}`);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', reporter, bin, ...cliArgs], { env: { ...process.env, LOG_LEVEL: 'warn', CPU_OUT: out, ...env }, stdio: ['ignore', 'ignore', 'ignore'] });
    onSpawn?.(child.pid!);
    child.once('exit', (code) => resolve({ code, cpu: Number(readFileSync(out, 'utf8')) }));
  });
}

const anvilPort = await new Promise<number>((r) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const { port } = s.address() as AddressInfo;
    s.close(() => r(port));
  });
});
const anvilProc = spawn(anvilBinary(), ['--host', '127.0.0.1', '--port', String(anvilPort), '--silent'], { stdio: 'ignore' });
const anvil = { url: `http://127.0.0.1:${anvilPort}`, stop: () => void anvilProc.kill('SIGTERM') };
await waitFor('anvil', async () => (await rpcChainId(anvil.url, 1_000)) > 0, 15_000, { everyMs: 100 });
// Counting proxy: forwards JSON-RPC to anvil and samples the exporter's CPU at its first request.
let pid = 0;
let firstRequestCpu: number | null = null;
const proxy = createServer((req, res) => {
  if (firstRequestCpu === null && pid) firstRequestCpu = procCpu(pid);
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    void fetch(anvil.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: Buffer.concat(chunks) })
      .then(async (r) => res.writeHead(r.status, { 'content-type': 'application/json' }).end(await r.text()))
      .catch(() => res.writeHead(502).end());
  });
});
await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;

const results: Record<string, unknown> = {};
const distBuilt = ensureDist(say) as boolean;
for (const mode of ['tsx', 'dist'] as const) {
  if (mode === 'dist' && !distBuilt) continue;
  const env: Record<string, string> = mode === 'tsx' ? { CHAINLAKE_TSX: '1' } : {};
  const help: number[] = [];
  const exportStart: number[] = [];
  const exportTotal: number[] = [];
  for (let i = 0; i < runs; i++) {
    help.push((await run(['--help'], env)).cpu);
    firstRequestCpu = null;
    const out = join(dir, `export-${mode}-${i}`);
    const r = await run(['export', '--rpc', proxyUrl, '--blocks', '0', '--format', 'ndjson', '--out', out], env, (p) => (pid = p));
    if (r.code !== 0 || firstRequestCpu === null) throw new Error(`export (${mode}) failed with code ${r.code}`);
    exportStart.push(firstRequestCpu);
    exportTotal.push(r.cpu);
  }
  results[mode] = { helpCpuSeconds: round(median(help), 2), exportCpuBeforeFirstRequestSeconds: round(median(exportStart), 2), exportTotalCpuSeconds: round(median(exportTotal), 2) };
  say(`${mode}: ${JSON.stringify(results[mode])}`);
}
proxy.close();
anvil.stop();
rmSync(dir, { recursive: true, force: true });
process.stdout.write(`${JSON.stringify({ bench: 'startup', date: new Date().toISOString().slice(0, 10), machine: machine(), runs, ...results })}\n`);
