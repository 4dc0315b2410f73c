// The shop's books pipeline (scrape + recommendations) on a node-cron schedule, never two
// runs at once: a tick that finds the previous run still going is skipped and logged.
import cron, { type ScheduledTask } from 'node-cron';
import type { Logger } from '../../core/logger.js';
import { errorMessage } from '../../core/errors.js';

export function scheduleBooksPipeline(expr: string, run: () => Promise<unknown>, logger: Logger): ScheduledTask {
  let running = false;
  return cron.schedule(expr, () => {
    if (running) return void logger.warn({ msg: 'Books pipeline still running; this tick is skipped' });
    running = true;
    void run()
      .catch((e: unknown) => logger.error({ msg: 'Books pipeline failed', err: errorMessage(e) }))
      .finally(() => {
        running = false;
      });
  });
}
