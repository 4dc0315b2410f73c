// Polling until a condition holds: the one waitFor of the code base (stack start-up, tests).
// A check that throws counts as "not yet"; the last error is named when the wait times out.
import { errorMessage } from './errors.js';

export type WaitOptions = { everyMs?: number; onTick?: () => void };

/** Poll until check() is true; throws a clear error naming what was awaited. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number, opts: WaitOptions = {}): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      if (await check()) return;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      const seconds = timeoutMs >= 1000 ? `${Math.round(timeoutMs / 1000)} s` : `${timeoutMs} ms`;
      throw new Error(`${what} did not become ready within ${seconds}${lastError === undefined ? '' : ` (last error: ${errorMessage(lastError)})`}`);
    }
    opts.onTick?.();
    await new Promise((r) => setTimeout(r, opts.everyMs ?? 250));
  }
}
