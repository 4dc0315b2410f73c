// SIGINT/SIGTERM → abort one AbortController, then close registered resources in reverse
// order of registration (last opened, first closed): finish in-flight work, commit, close.
import type { Logger } from 'pino';

export type Shutdown = {
  signal: AbortSignal;
  /** Register a close step; steps run newest first. */
  add: (name: string, close: () => Promise<void> | void) => void;
  /** Abort and run all close steps once. */
  run: (reason?: string) => Promise<void>;
  isShuttingDown: () => boolean;
};

export function createShutdown(logger: Logger, opts: { installSignalHandlers?: boolean; timeoutMs?: number } = {}): Shutdown {
  const controller = new AbortController();
  const steps: { name: string; close: () => Promise<void> | void }[] = [];
  let running: Promise<void> | undefined;

  const run = (reason = 'shutdown') => {
    running ??= (async () => {
      logger.info({ msg: 'Shutting down', reason });
      controller.abort(new Error(reason));
      const timer = setTimeout(() => {
        logger.error({ msg: 'Shutdown timed out, exiting' });
        process.exit(1);
      }, opts.timeoutMs ?? 15_000);
      timer.unref();
      for (const step of [...steps].reverse()) {
        try {
          await step.close();
        } catch (err) {
          logger.warn({ msg: 'Close step failed', step: step.name, err });
        }
      }
      clearTimeout(timer);
    })();
    return running;
  };

  if (opts.installSignalHandlers !== false) {
    for (const sig of ['SIGINT', 'SIGTERM'] as const) {
      process.once(sig, () => {
        void run(sig).then(() => process.exit(0));
      });
    }
  }
  return {
    signal: controller.signal,
    add: (name, close) => steps.push({ name, close }),
    run,
    isShuttingDown: () => controller.signal.aborted,
  };
}
