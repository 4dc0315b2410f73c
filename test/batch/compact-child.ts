// A compactor process for the kill -9 tests: config from the environment (like the CLI), a
// consumer group per process start so a killed member never delays the next one's join.
// argv: <chainId> continuous|drain|merge (merge: only merge closed days, no consuming).
import { createCompactor } from '../../batch/compact/compactor.js';
import { createCommon } from '../../core/runtime.js';
import { createKafka } from '../../storage/kafka.js';
import { createDuck } from '../../storage/lake/duck.js';

const chainId = Number(process.argv[2]);
const arg = process.argv[3];
const mode = arg === 'drain' || arg === 'merge' ? 'drain' : 'continuous';
const common = createCommon('compact-child');
const kafka = createKafka(common.config, common.logger, 'compact-child');
const duck = await createDuck({ threads: 1, memoryLimit: '512MB' });
const compactor = createCompactor(common, { kafka, duck }, {
  chainId,
  mode,
  mergeOnly: arg === 'merge',
  groupId: `${common.config.KAFKA_TOPIC_PREFIX}.${chainId}.compact.${process.pid}`,
  sessionTimeoutMs: 6000,
  onRoll: (r) => process.stdout.write(`${JSON.stringify({ roll: r.records })}\n`),
  onMerge: (r) => process.stdout.write(`${JSON.stringify({ merge: r })}\n`),
});
common.shutdown.add('compactor', () => compactor.stop());
process.stdout.write(`${JSON.stringify({ started: true })}\n`);
const summary = await compactor.run();
process.stdout.write(`${JSON.stringify({ summary })}\n`);
duck.close();
process.exit(0);
