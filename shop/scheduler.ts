// The shop's scheduler: the books pipeline (scrape + recommendations) on BOOKS_CRON, never
// two runs at once (a tick that finds the previous run still going is skipped and logged),
// and one run at start when the catalogue is empty, so a new stack shows books at once
// instead of after the first cron tick. `chainlake schedule` starts it next to the batch
// scheduler; the batch layer does not know it exists.
import cron, { type ScheduledTask } from 'node-cron';
import type { Common } from '../core/common.js';
import { validateCron } from '../core/cron.js';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { booksBaseUrl, runBooksPipeline } from './jobs/pipeline.js';
import type { ShopStore } from './store.js';

/** Runs `run` on `expr`, skipping ticks while a run (from a tick or from `runNow`) is going. */
export function scheduleBooksPipeline(expr: string, run: (trigger: string) => Promise<unknown>, logger: Logger) {
  let running: Promise<void> | null = null;
  const runNow = (trigger: string): Promise<void> | null => {
    if (running) return void logger.warn({ msg: 'Books pipeline still running; this run is skipped', trigger }), null;
    running = run(trigger)
      .then(() => {}, (e: unknown) => void logger.error({ msg: 'Books pipeline failed', trigger, err: errorMessage(e) }))
      .finally(() => {
        running = null;
      });
    return running;
  };
  const task: ScheduledTask = cron.schedule(expr, () => void runNow('cron'));
  return {
    runNow,
    /** Stops the cron task and waits for the run in progress. */
    stop: async () => {
      await task.stop();
      await running;
    },
  };
}

export type ShopScheduler = { start: () => Promise<void>; stop: () => Promise<void> };

export type ShopSchedulerOptions = {
  /** Default BOOKS_CRON; "off" disables the scheduler (no cron, no run at start). */
  cron?: string;
  /** Default booksBaseUrl(config). */
  baseUrl?: string;
  /** The pipeline to run; default runBooksPipeline (tests hand in their own). */
  run?: (trigger: string) => Promise<unknown>;
};

export function createShopScheduler(common: Common, store: ShopStore, opts: ShopSchedulerOptions = {}): ShopScheduler {
  const log = common.logger.child({ component: 'shop-schedule' });
  const expr = opts.cron ?? common.config.BOOKS_CRON;
  const baseUrl = opts.baseUrl ?? booksBaseUrl(common.config);
  const run = opts.run ?? ((trigger: string) => runBooksPipeline(common, store, { baseUrl, trigger }));
  let scheduled: ReturnType<typeof scheduleBooksPipeline> | null = null;

  return {
    async start() {
      if (expr === 'off') return void log.info({ msg: 'Books pipeline disabled (BOOKS_CRON=off)' });
      validateCron('BOOKS_CRON', expr);
      scheduled = scheduleBooksPipeline(expr, run, log);
      log.info({ msg: 'Shop scheduler started', booksCron: expr });
      const empty = await store.hasBooks().then(
        (has) => !has,
        (e: unknown) => (log.warn({ msg: 'Could not check the books catalogue; waiting for BOOKS_CRON', err: errorMessage(e) }), false),
      );
      if (empty) {
        log.info({ msg: 'Books catalogue is empty: scraping now instead of waiting for BOOKS_CRON' });
        void scheduled.runNow('start');
      }
    },
    async stop() {
      await scheduled?.stop();
    },
  };
}
