// A views consumer process for the crash tests: configured from the environment (like
// `chainlake views`), killed with SIGKILL at random points by test/views/crash.test.ts.
import { createCommon } from '../../core/runtime.js';
import { runViews } from '../../speed/views/main.js';

const chainId = Number(process.argv[2]);
const maxBytesPerPartition = Number(process.argv[3] ?? 65_536);
const common = createCommon('views-child');
await runViews(common, { chainId, sessionTimeoutMs: 6_000, maxBytesPerPartition, metricsPort: 0 });
process.stdout.write('views-child started\n');
