// Per-caller token buckets (pure; the clock is injected). rate tokens/s, burst capacity.
export type TokenBuckets = {
  /** Take one token for `id`: ok, or how many seconds until one is available. */
  take: (id: string) => { ok: true } | { ok: false; retryAfterSeconds: number };
  size: () => number;
};

export function createTokenBuckets(opts: { ratePerSecond: number; burst: number; now?: () => number; maxIds?: number }): TokenBuckets {
  const now = opts.now ?? (() => Date.now());
  const buckets = new Map<string, { tokens: number; at: number }>();
  const maxIds = opts.maxIds ?? 100_000;
  return {
    take(id) {
      const t = now();
      let b = buckets.get(id);
      if (!b) {
        if (buckets.size >= maxIds) buckets.clear(); // bounded memory under a flood of new ids
        b = { tokens: opts.burst, at: t };
        buckets.set(id, b);
      }
      b.tokens = Math.min(opts.burst, b.tokens + ((t - b.at) / 1000) * opts.ratePerSecond);
      b.at = t;
      if (b.tokens >= 1) {
        b.tokens -= 1;
        return { ok: true };
      }
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - b.tokens) / opts.ratePerSecond)) };
    },
    size: () => buckets.size,
  };
}
