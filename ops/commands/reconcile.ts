// `chainlake reconcile`: chain vs speed views vs batch (ops/reconcile/main.ts).
import type { Command } from 'commander';
import { SOURCES, type Source } from '../reconcile/compare.js';
import { blockFlag, flagFail, portFlag } from './flags.js';

const sourcesFlag = (v: string): Source[] => {
  const list = v.split(',').map((s) => s.trim()) as Source[];
  if (list.length < 2 || list.some((s) => !SOURCES.includes(s))) flagFail(`--sources must list at least two of ${SOURCES.join(',')}`);
  return list;
};

export function registerReconcileCommands(program: Command): void {
  program
    .command('reconcile')
    .description('Compare chain (re-fetched), speed views and batch for a block range below the horizon; exit 1 on drift')
    .option('--from <block>', 'first block (default: 499 blocks before --to)', blockFlag('--from'))
    .option('--to <block>', 'last block (default: the batch horizon)', blockFlag('--to'))
    .option('--sources <list>', `which sources to compare (default ${SOURCES.join(',')})`, sourcesFlag)
    .option('--json', 'print the result as JSON')
    .option('--cron <expr>', 'keep running and reconcile on this schedule, exporting chainlake_reconcile_drift on /metrics')
    .option('--metrics-port <port>', 'port for /metrics with --cron', '9469')
    .action(async (opts: { from?: number; to?: number; sources?: Source[]; json?: boolean; cron?: string; metricsPort: string }) =>
      (await import('../reconcile/main.js')).runReconcileCommand({ ...opts, json: opts.json === true, metricsPort: portFlag('--metrics-port')(opts.metricsPort) }),
    );
}
