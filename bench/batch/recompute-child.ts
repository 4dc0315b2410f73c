// One recompute in its own process, so its peak RSS is measured alone. Prints JSON.
import { recompute } from '../../batch/recompute/recompute.js';
import { createCommon } from '../../core/runtime.js';
import { createDuck } from '../../storage/lake.js';

const full = process.argv[2] === 'full';
const common = createCommon('bench-recompute', { installSignalHandlers: false });
const duck = await createDuck({ memoryLimit: common.config.DUCKDB_MEMORY_LIMIT, threads: common.config.DUCKDB_THREADS });
const t0 = performance.now();
const r = await recompute(common, { duck }, { full });
const ms = performance.now() - t0;
duck.close();
process.stdout.write(`${JSON.stringify({ ms: Math.round(ms), maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024), mode: r.mode, days: r.recomputedDays.length, rowsIn: r.rowsIn, rowsOut: r.rowsOut, horizon: r.horizon })}\n`);
