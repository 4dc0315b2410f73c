// Polling until a condition holds: the one waitFor of the code base (stack start-up, tests).
// A check that throws counts as "not yet"; the last error is named when the wait times out.
import { errorMessage } from './errors.js';

export type WaitOptions = {
  everyMs?: number;
  onTick?: () => void;
  /** More to say when the wait times out (e.g. the tail of a child process's stderr). */
  context?: () => string;
};

/** Poll until fn() gives a value (not undefined, null or false) and return it; throws a clear error naming what was awaited. */
export async function waitForValue<T>(what: string, fn: () => T | null | undefined | false | Promise<T | null | undefined | false>, timeoutMs: number, opts: WaitOptions = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== null && v !== false) return v;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      const seconds = timeoutMs >= 1000 ? `${Math.round(timeoutMs / 1000)} s` : `${timeoutMs} ms`;
      const extra = opts.context?.();
      throw new Error(`${what} did not become ready within ${seconds}${lastError === undefined ? '' : ` (last error: ${errorMessage(lastError)})`}${extra ? `; ${extra}` : ''}`);
    }
    opts.onTick?.();
    await new Promise((r) => setTimeout(r, opts.everyMs ?? 250));
  }
}

/** Poll until check() is true. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number, opts: WaitOptions = {}): Promise<void> {
  await waitForValue(what, check, timeoutMs, opts);
}
