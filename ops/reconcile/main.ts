// Entry point of `chainlake reconcile` (ops/commands/reconcile.ts parses the flags): once, with
// exit code 1 on any drift, or on a cron schedule exporting chainlake_reconcile_drift on /metrics.
import cron from 'node-cron';
import { errorMessage, ValidationError } from '../../core/errors.js';
import { createCommon, serveProcessEndpoints } from '../../core/runtime.js';
import { formatDrifts, type Source } from './compare.js';
import { reconcileMetrics, runReconcile } from './reconcile.js';

export type ReconcileCommand = { from?: number; to?: number; sources?: Source[]; json: boolean; cron?: string; metricsPort: number };

export async function runReconcileCommand(opts: ReconcileCommand): Promise<void> {
  if (opts.cron !== undefined && !cron.validate(opts.cron)) throw new ValidationError(`--cron ${opts.cron} is not a valid cron expression`);
  const common = createCommon('reconcile');
  const metrics = reconcileMetrics(common);
  const range = { ...(opts.from !== undefined ? { from: opts.from } : {}), ...(opts.to !== undefined ? { to: opts.to } : {}), ...(opts.sources ? { sources: opts.sources } : {}) };
  const once = async () => {
    const result = await runReconcile(common, range);
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
  if (opts.cron === undefined) {
    const result = await once();
    process.exit(result.drifts.length === 0 ? 0 : 1);
  }
  await serveProcessEndpoints(common, opts.metricsPort);
  const task = cron.schedule(opts.cron, () => {
    void once().catch((e) => common.logger.error({ msg: 'Reconcile failed', error: errorMessage(e) }));
  });
  common.shutdown.add('reconcile-cron', () => void task.stop());
}
