// One recompute in its own process, so its peak RSS is measured alone. Prints JSON.
// Usage: recompute-child.ts full|incremental [MODULE] — MODULE: another file exporting recompute()
// (e.g. a copy of the previous code, to time it next to the current one).
import { recompute as currentRecompute } from '../../batch/recompute/recompute.js';
import { createCommon } from '../../core/runtime.js';
import { createDuck } from '../../storage/lake/duck.js';

const full = process.argv[2] === 'full';
const module = process.argv[3];
const recompute: typeof currentRecompute = module ? (await import(module)).recompute : currentRecompute;
const common = createCommon('bench-recompute', { installSignalHandlers: false });
const duck = await createDuck({ memoryLimit: common.config.DUCKDB_MEMORY_LIMIT, threads: common.config.DUCKDB_THREADS });
const t0 = performance.now();
const cpu0 = process.cpuUsage();
const r = await recompute(common, { duck }, { full });
const ms = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
duck.close();
process.stdout.write(
  `${JSON.stringify({ ms: Math.round(ms), cpuMs: Math.round((cpu.user + cpu.system) / 1000), maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024), mode: r.mode, days: r.recomputedDays.length, rowsIn: r.rowsIn, rowsOut: r.rowsOut, horizon: r.horizon, steps: r.steps })}\n`,
);
