// Typed errors: the one error language of every layer. Each error says whether retrying can
// help (retryable), names itself with a stable code, keeps its cause, and may carry the HTTP
// status (and headers) it answers with when it reaches a client; serving/http-errors.ts maps
// them to responses without looking at anything else.
export type ErrorOptions = { cause?: unknown };

export class BaseError extends Error {
  readonly retryable: boolean = false;
  readonly code: string = 'internal';
  /** HTTP status when this error reaches a client; undefined: 503 if retryable, else 500 (message hidden). */
  readonly status: number | undefined = undefined;
  /** Extra response headers (e.g. retry-after) when this error reaches a client. */
  readonly headers: Readonly<Record<string, string>> = {};
  constructor(message: string, options?: ErrorOptions) {
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

/**
 * A backing store (Cassandra, Kafka) cannot answer now: retry later. Its message is public
 * (it reaches API clients as a 503 with Retry-After); the driver's own error stays in cause.
 */
export class StoreUnavailableError extends RetryableError {
  override readonly code: string = 'unavailable';
  override readonly status: number = 503;
  override readonly headers: Readonly<Record<string, string>>;
  constructor(message: string, options?: ErrorOptions & { retryAfterSeconds?: number }) {
    super(message, options);
    this.headers = { 'retry-after': String(options?.retryAfterSeconds ?? 1) };
  }
}

/** A failure retrying cannot fix (bad config, corrupt data, deep reorg): stop loudly. */
export class FatalError extends BaseError {
  override readonly code: string = 'fatal';
}

/** Bad input from a user or a peer (HTTP body, CLI flag, RPC response). */
export class ValidationError extends BaseError {
  override readonly code: string = 'validation';
  override readonly status: number = 400;
  constructor(
    message: string,
    readonly details?: unknown,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export class NotFoundError extends BaseError {
  override readonly code: string = 'not_found';
  override readonly status: number = 404;
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
