// Detached local processes with pid files (DATA_DIR/run) and logs (DATA_DIR/logs), so
// `chainlake down` stops exactly what `chainlake up` started.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';

export type ProcSpec = {
  name: string;
  command: string;
  args: string[];
  env?: Record<string, string>;
  cwd?: string;
};

export const runDir = (dataDir: string) => resolve(dataDir, 'run');
export const logDir = (dataDir: string) => resolve(dataDir, 'logs');
const pidFile = (dataDir: string, name: string) => join(runDir(dataDir), `${name}.pid`);
export const logFile = (dataDir: string, name: string) => join(logDir(dataDir), `${name}.log`);

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function readPid(dataDir: string, name: string): number | null {
  const f = pidFile(dataDir, name);
  if (!existsSync(f)) return null;
  const pid = Number(readFileSync(f, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : null;
}

/** Start a process in its own process group, detached from ours, stdout/stderr appended to its log. */
export function startDetached(dataDir: string, spec: ProcSpec): number {
  mkdirSync(runDir(dataDir), { recursive: true });
  mkdirSync(logDir(dataDir), { recursive: true });
  const existing = readPid(dataDir, spec.name);
  if (existing) return existing;
  const out = openSync(logFile(dataDir, spec.name), 'a');
  const child = spawn(spec.command, spec.args, {
    cwd: spec.cwd ?? process.cwd(),
    env: { ...process.env, ...spec.env },
    detached: true,
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  if (child.pid === undefined) throw new Error(`could not start ${spec.name}: ${spec.command} not executable`);
  child.unref();
  writeFileSync(pidFile(dataDir, spec.name), String(child.pid));
  return child.pid;
}

/** SIGTERM the process group, wait, then SIGKILL. Removes the pid file. */
export async function stopProc(dataDir: string, name: string, timeoutMs = 20_000): Promise<boolean> {
  const pid = readPid(dataDir, name);
  rmSync(pidFile(dataDir, name), { force: true });
  if (!pid) return false;
  const signalGroup = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig);
    } catch {
      try {
        process.kill(pid, sig);
      } catch {
        /* already gone */
      }
    }
  };
  signalGroup('SIGTERM');
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (isAlive(pid)) signalGroup('SIGKILL');
  return true;
}

export function portOpen(port: number, host = '127.0.0.1', timeoutMs = 500): Promise<boolean> {
  return new Promise((resolvePort) => {
    const sock = connect({ port, host });
    const done = (ok: boolean) => {
      sock.destroy();
      resolvePort(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}
