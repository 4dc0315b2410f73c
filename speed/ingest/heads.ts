// Head notifications: with ETH_WS_URL, a newHeads subscription wakes the follower at once;
// polling every POLL_INTERVAL_MS stays as the fallback (a dropped socket never stalls ingest).
import { createPublicClient, webSocket } from 'viem';
import { errorMessage, sleep } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';

export type HeadWaiter = { wait: (ms: number, signal: AbortSignal) => Promise<void>; close: () => void };

export function createHeadWaiter(opts: { wsUrl: string; logger: Logger }): HeadWaiter {
  if (!opts.wsUrl) return { wait: (ms, signal) => sleep(ms, signal), close: () => {} };
  let wake: (() => void) | null = null;
  const client = createPublicClient({ transport: webSocket(opts.wsUrl, { reconnect: true }) });
  const unwatch = client.watchBlockNumber({
    emitOnBegin: false,
    onBlockNumber: () => wake?.(),
    onError: (e) => opts.logger.warn({ msg: 'newHeads subscription error, polling meanwhile', err: errorMessage(e) }),
  });
  return {
    async wait(ms, signal) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          wake = null;
          resolve();
        };
        // The subscription makes waiting cheap; the timer still polls as a fallback.
        const timer = setTimeout(done, Math.max(ms, 2_000));
        wake = done;
        signal.addEventListener('abort', done, { once: true });
      });
    },
    close() {
      unwatch();
    },
  };
}
