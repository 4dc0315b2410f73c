// Head notifications: with ETH_WS_URL, a newHeads subscription wakes the follower at once;
// polling every POLL_INTERVAL_MS stays as the fallback (a dropped socket never stalls ingest).
// viem's own reconnect loop prints failed sockets (URL and key included) with console.error,
// so it is off: this file reconnects itself, with backoff, and every provider string it logs
// (error messages, close reasons) is scrubbed of the configured secrets first.
import { createPublicClient, webSocket } from 'viem';
import { backoffMs, sleep } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';

export type HeadWaiter = { wait: (ms: number, signal: AbortSignal) => Promise<void>; close: () => void };

/** What a socket failure says, whatever shape it comes in (Error, ErrorEvent, CloseEvent, JSON-RPC error object). */
function describe(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (e !== null && typeof e === 'object') {
    const o = e as { message?: unknown; code?: unknown; reason?: unknown; error?: unknown };
    const parts = [o.code, o.message, o.reason].filter((x) => typeof x === 'string' || typeof x === 'number').map(String);
    if (parts.length === 0 && o.error !== undefined) return describe(o.error);
    return parts.join(' ') || 'socket error';
  }
  return String(e);
}

export function createHeadWaiter(opts: { wsUrl: string; logger: Logger; scrub?: (text: string) => string; reconnectBaseMs?: number }): HeadWaiter {
  if (!opts.wsUrl) return { wait: (ms, signal) => sleep(ms, signal), close: () => {} };
  const scrub = opts.scrub ?? ((t: string) => t);
  let wake: (() => void) | null = null;
  let closed = false;
  let failures = 0;
  let unwatch: (() => void) | null = null;
  let retry: ReturnType<typeof setTimeout> | null = null;

  let generation = 0;
  const subscribe = () => {
    if (closed) return;
    let failed = false;
    // A fresh cache key per attempt: viem keeps a failed socket client cached under its key.
    const transport = webSocket(opts.wsUrl, { reconnect: false, key: `heads-${++generation}` });
    const client = createPublicClient({ transport });
    const release = () =>
      void Promise.resolve()
        .then(() => client.transport.getRpcClient())
        .then((c) => c.close())
        .catch(() => {});
    unwatch = client.watchBlockNumber({
      emitOnBegin: false,
      onBlockNumber: () => {
        failures = 0;
        wake?.();
      },
      onError: (e) => {
        if (failed || closed) return;
        failed = true;
        failures += 1;
        // One line per failure episode step; the URL never appears (scrubbed).
        opts.logger.warn({ msg: 'newHeads subscription error, polling meanwhile', err: scrub(describe(e)).slice(0, 300), failures });
        unwatch?.();
        unwatch = null;
        release();
        retry = setTimeout(subscribe, backoffMs(Math.min(failures - 1, 5), opts.reconnectBaseMs ?? 1_000, 30_000));
        retry.unref?.();
      },
    });
  };
  subscribe();

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
      closed = true;
      if (retry) clearTimeout(retry);
      unwatch?.();
    },
  };
}
