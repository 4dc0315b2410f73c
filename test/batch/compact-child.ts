// A compactor process for the kill -9 test: config from the environment (like the CLI), a
// consumer group per process start so a killed member never delays the next one's join.
import { createCompactor } from '../../batch/compact/compactor.js';
import { createCommon } from '../../core/runtime.js';
import { createKafka } from '../../storage/kafka.js';
import { createDuck } from '../../storage/lake.js';

const chainId = Number(process.argv[2]);
const mode = process.argv[3] === 'drain' ? 'drain' : 'continuous';
const common = createCommon('compact-child');
const kafka = createKafka(common.config, common.logger, 'compact-child');
const duck = await createDuck({ threads: 1, memoryLimit: '512MB' });
const compactor = createCompactor(common, { kafka, duck }, {
  chainId,
  mode,
  groupId: `${common.config.KAFKA_TOPIC_PREFIX}.${chainId}.compact.${process.pid}`,
  sessionTimeoutMs: 6000,
  onRoll: (r) => process.stdout.write(`${JSON.stringify({ roll: r.records })}\n`),
});
common.shutdown.add('compactor', () => compactor.stop());
const summary = await compactor.run();
process.stdout.write(`${JSON.stringify({ summary })}\n`);
duck.close();
process.exit(0);
