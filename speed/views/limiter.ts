// Bounded concurrency with backpressure. One limiter per consumer bounds all in-flight writes
// (VIEWS_CONCURRENCY); each Kafka batch gets its own task group, so it waits only for (and sees
// only the errors of) its own writes before committing. `schedule` resolves once a slot is
// free, so the caller's loop — and with it the next Kafka fetch — waits while writes are in flight.
export type TaskGroup = {
  /** Resolves once a slot is free and fn has started; errors surface through drain/failed. */
  schedule: (fn: () => Promise<void>) => Promise<void>;
  /** Waits for every task of this group; throws the first error one of them raised since the last drain. */
  drain: () => Promise<void>;
  /** The first error since the last drain, if any (lets a loop stop early). */
  failed: () => unknown;
};

export type Limiter = { group: () => TaskGroup; active: () => number };

export function createLimiter(max: number): Limiter {
  let active = 0;
  const waiters: (() => void)[] = [];
  const acquire = async () => {
    while (active >= max) await new Promise<void>((resolve) => waiters.push(resolve));
    active++;
  };
  const release = () => {
    active--;
    waiters.shift()?.();
  };

  return {
    active: () => active,
    group() {
      let firstError: unknown;
      const running = new Set<Promise<void>>();
      return {
        async schedule(fn) {
          await acquire();
          const p: Promise<void> = fn()
            .catch((e: unknown) => {
              firstError ??= e;
            })
            .finally(() => {
              running.delete(p);
              release();
            });
          running.add(p);
        },
        async drain() {
          while (running.size > 0) await Promise.all([...running]);
          const e = firstError;
          firstError = undefined;
          if (e !== undefined) throw e;
        },
        failed: () => firstError,
      };
    },
  };
}
