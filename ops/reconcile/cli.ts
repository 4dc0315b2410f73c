// `chainlake reconcile [--from A --to B] [--json] [--cron EXPR]`: prints a table of
// differences between chain, speed views and batch; exit code 1 on any drift.
import { type Command, InvalidArgumentError } from 'commander';
import cron from 'node-cron';
import { createCommon, serveProcessEndpoints } from '../../core/runtime.js';
import { errorMessage } from '../../core/errors.js';
import { formatDrifts, SOURCES, type Source } from './compare.js';
import { reconcileMetrics, runReconcile } from './reconcile.js';

const blockArg = (v: string): number => {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError('must be a non-negative block number.');
  return n;
};
const sourcesArg = (v: string): Source[] => {
  const list = v.split(',').map((s) => s.trim()) as Source[];
  if (list.length < 2 || list.some((s) => !SOURCES.includes(s))) throw new InvalidArgumentError(`must list at least two of ${SOURCES.join(',')}.`);
  return list;
};

export function registerReconcileCommands(program: Command): void {
  program
    .command('reconcile')
    .description('Compare chain (re-fetched), speed views and batch for a block range below the horizon; exit 1 on drift')
    .option('--from <block>', 'first block (default: 499 blocks before --to)', blockArg)
    .option('--to <block>', 'last block (default: the batch horizon)', blockArg)
    .option('--sources <list>', `which sources to compare (default ${SOURCES.join(',')})`, sourcesArg)
    .option('--json', 'print the result as JSON')
    .option('--cron <expr>', 'keep running and reconcile on this schedule, exporting chainlake_reconcile_drift on /metrics')
    .option('--metrics-port <port>', 'port for /metrics with --cron', '9469')
    .action(async (opts: { from?: number; to?: number; sources?: Source[]; json?: boolean; cron?: string; metricsPort: string }) => {
      const common = createCommon('reconcile');
      const metrics = reconcileMetrics(common);
      const once = async () => {
        const result = await runReconcile(common, { ...opts });
        metrics.drift.set(result.drifts.length);
        metrics.blocks.set(result.blocksChecked);
        metrics.lastRun.set(Date.now() / 1000);
        if (opts.json) process.stdout.write(`${JSON.stringify(result)}\n`);
        else {
          process.stdout.write(`chain ${result.chainId}, blocks ${result.from}..${result.to} (horizon ${result.horizon ?? 'none'}): ${result.blocksChecked} blocks, ${result.txsChecked} txs, ${result.minutesChecked} whole minutes\n`);
          process.stdout.write(formatDrifts(result.drifts));
        }
        return result;
      };
      if (!opts.cron) {
        const result = await once();
        process.exit(result.drifts.length === 0 ? 0 : 1);
      }
      if (!cron.validate(opts.cron)) throw new InvalidArgumentError(`--cron ${opts.cron} is not a valid cron expression`);
      await serveProcessEndpoints(common, Number(opts.metricsPort));
      const task = cron.schedule(opts.cron, () => {
        void once().catch((e) => common.logger.error({ msg: 'Reconcile failed', error: errorMessage(e) }));
      });
      common.shutdown.add('reconcile-cron', () => void task.stop());
    });
}
