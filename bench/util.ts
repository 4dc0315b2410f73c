// Shared benchmark helpers: machine description, peak RSS, timing.
import { readFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { basename, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

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

type BenchOptions = Record<string, { type: 'string'; default?: string; short?: string } | { type: 'boolean'; short?: string }>;
type BenchValues<O extends BenchOptions> = {
  [K in keyof O]: O[K] extends { type: 'boolean' } ? boolean : O[K] extends { default: string } ? string : string | undefined;
};

/**
 * A benchmark's flags (strings as parseArgs gives them, booleans false when absent) with `--help`
 * (the script's header comment) and a sentence plus exit code 2 for an unknown or malformed flag.
 */
export function benchArgs<O extends BenchOptions>(scriptUrl: string, options: O): BenchValues<O> {
  const path = fileURLToPath(scriptUrl);
  const usage = () =>
    `${readFileSync(path, 'utf8')
      .split('\n')
      .filter((l, i, all) => l.startsWith('//') && all.slice(0, i).every((x) => x.startsWith('//')))
      .map((l) => l.replace(/^\/\/ ?/, ''))
      .join('\n')}\n`;
  let parsed: { values: Record<string, string | boolean | undefined> };
  try {
    parsed = parseArgs({ options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false }) as typeof parsed;
  } catch (e) {
    process.stderr.write(`${basename(dirname(path))} bench: ${(e as Error).message}; see --help\n`);
    process.exit(2);
  }
  if (parsed.values.help) {
    process.stdout.write(usage());
    process.exit(0);
  }
  for (const [name, o] of Object.entries(options)) if (o.type === 'boolean') parsed.values[name] ??= false;
  return parsed.values as never;
}

/** A numeric flag's value: a sentence and exit code 2 when it is not a non-negative integer. */
export function intArg(name: string, value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) {
    process.stderr.write(`--${name} must be a non-negative integer, got ${JSON.stringify(value)}\n`);
    process.exit(2);
  }
  return n;
}
