// Child-process entry for the crash test: the ingest follower, configured from the environment
// (exactly what `chainlake ingest` runs, without loading the other layers' commands).
import { createCommon, serveProcessEndpoints } from '../../core/runtime.js';
import { createIngest } from '../../speed/ingest/ingest.js';

const common = createCommon('ingest');
const ingest = await createIngest(common);
await serveProcessEndpoints(common, common.config.INGEST_METRICS_PORT, ingest.readyChecks);
await ingest.run();
await common.shutdown.run('done');
