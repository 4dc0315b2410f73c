// Typed errors: every error says whether retrying can help, and keeps its cause.
export class BaseError extends Error {
  readonly retryable: boolean = false;
  readonly code: string = 'internal';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
  /** The innermost cause (viem-style walk). */
  walk(): unknown {
    let e: unknown = this;
    while (e instanceof Error && e.cause !== undefined) e = e.cause;
    return e;
  }
}

/** A transient failure (network, 429, 5xx, timeout, broker unavailable): retry with backoff. */
export class RetryableError extends BaseError {
  override readonly retryable = true;
  override readonly code: string = 'retryable';
}

/** A failure retrying cannot fix (bad config, corrupt data, deep reorg): stop loudly. */
export class FatalError extends BaseError {
  override readonly code: string = 'fatal';
}

/** Bad input from a user or a peer (HTTP body, CLI flag, RPC response). */
export class ValidationError extends BaseError {
  override readonly code: string = 'validation';
  constructor(
    message: string,
    readonly details?: unknown,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export class NotFoundError extends BaseError {
  override readonly code: string = 'not_found';
}

export const isRetryable = (e: unknown): boolean =>
  e instanceof BaseError ? e.retryable : e instanceof Error && /ECONNRESET|ECONNREFUSED|ETIMEDOUT|EPIPE|socket hang up/i.test(e.message);

export const errorMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Exponential backoff with full jitter. attempt starts at 0. */
export function backoffMs(attempt: number, baseMs = 100, maxMs = 30_000, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** attempt);
  return Math.floor(ceiling / 2 + random() * (ceiling / 2));
}

export const sleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/** Retry fn while it throws retryable errors, up to `retries` extra attempts. */
export async function withRetry<T>(
  fn: (attempt: number) => Promise<T>,
  opts: { retries: number; baseMs?: number; maxMs?: number; signal?: AbortSignal; onRetry?: (e: unknown, attempt: number) => void },
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (e) {
      if (attempt >= opts.retries || !isRetryable(e) || opts.signal?.aborted) throw e;
      opts.onRetry?.(e, attempt);
      await sleep(backoffMs(attempt, opts.baseMs, opts.maxMs), opts.signal);
    }
  }
}
