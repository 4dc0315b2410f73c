// Shared benchmark helpers: machine description, peak RSS, timing.
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';

export function machine(): string {
  const cpu = cpus()[0]?.model ?? 'unknown cpu';
  return `${cpus().length} cores (${cpu}), ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}`;
}

/** Peak resident set size of this process in MiB (VmHWM). */
export function peakRssMiB(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m?.[1]) return Math.round(Number(m[1]) / 1024);
  } catch {
    /* not linux */
  }
  return Math.round(process.memoryUsage().rss / 2 ** 20);
}

export async function timed<T>(fn: () => Promise<T>): Promise<{ seconds: number; result: T }> {
  const t0 = process.hrtime.bigint();
  const result = await fn();
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, result };
}

export const round = (n: number, digits = 0) => Number(n.toFixed(digits));
