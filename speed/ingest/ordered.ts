// Fetch a range of heights concurrently, hand the results over strictly in order.
// At most `concurrency` fetches run at once and at most `buffer` results wait unconsumed,
// so memory stays bounded however slow the consumer (Kafka) is.

export type OrderedFetcher<T> = {
  /** True when every height in the range was handed over. */
  done: () => boolean;
  /** Waits for the next height, then also takes the following ones that are already fetched, up to `max` items. */
  take: (max: number, accept?: (item: T, taken: readonly T[]) => boolean) => Promise<T[]>;
  /** Stop launching; pending failures are ignored. */
  close: () => void;
};

type Slot<T> = { promise: Promise<T>; settled: boolean; value?: T };

export function orderedFetch<T>(opts: {
  from: number;
  to: number;
  concurrency: number;
  buffer?: number;
  fetch: (n: number) => Promise<T>;
}): OrderedFetcher<T> {
  const buffer = Math.max(opts.buffer ?? opts.concurrency * 4, opts.concurrency);
  const slots = new Map<number, Slot<T>>();
  let cursor = opts.from;
  let nextLaunch = opts.from;
  let running = 0;
  let closed = false;

  const fill = () => {
    while (!closed && nextLaunch <= opts.to && running < opts.concurrency && nextLaunch - cursor < buffer) {
      const n = nextLaunch++;
      running++;
      const slot: Slot<T> = { settled: false, promise: undefined as unknown as Promise<T> };
      slot.promise = opts.fetch(n).then(
        (v) => {
          slot.settled = true;
          slot.value = v;
          running--;
          fill();
          return v;
        },
        (e: unknown) => {
          slot.settled = true;
          running--;
          throw e;
        },
      );
      // A failure surfaces when its height is taken; never as an unhandled rejection.
      slot.promise.catch(() => {});
      slots.set(n, slot);
    }
  };
  fill();

  return {
    done: () => cursor > opts.to,
    async take(max, accept) {
      const out: T[] = [];
      while (cursor <= opts.to && out.length < max) {
        const slot = slots.get(cursor);
        if (!slot) break;
        if (out.length > 0 && !slot.settled) break;
        const value = await slot.promise;
        if (out.length > 0 && accept && !accept(value, out)) break;
        slots.delete(cursor);
        cursor++;
        out.push(value);
        fill();
      }
      return out;
    },
    close() {
      closed = true;
      slots.clear();
    },
  };
}
