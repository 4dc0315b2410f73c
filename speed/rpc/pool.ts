// The RPC provider pool: token bucket + daily quota per endpoint (in quota units per method),
// weighted pick among available endpoints, cooldown with backoff on transient failures
// (429/5xx/timeouts/errors), failover, and waiting (never skipping) when every endpoint is
// cooling down or out of quota. Terminal failures end: a refused key disables its endpoint
// (and with every endpoint disabled the pool fails), and the same invalid answer from every
// endpoint asked becomes RpcInvalidAnswerError after a bounded number of attempts.
// One HTTP call is speed/rpc/transport.ts; block + receipts is speed/rpc/block-bundle.ts.
// Endpoints are known by label only; URLs (with keys) never leave this closure.
import type { Registry } from 'prom-client';
import type { ZodType } from 'zod';
import { utcDay } from '../../core/chain.js';
import type { Config } from '../../core/config.js';
import { backoffMs, errorMessage, sleep } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { counter, gauge, histogram } from '../../core/metrics.js';
import type { RpcUsageDelta, RpcUsageStore } from '../../storage/rpc-usage.js';
import { type BlockBundle, type BlockBundleOptions, type BlockReceiptsSupport, createBlockBundleReader } from './block-bundle.js';
import { type RpcEndpoint, parseRpcEndpoints } from './endpoints.js';
import {
  RpcAuthError,
  RpcConfigError,
  RpcEndpointsDisabledError,
  RpcInvalidAnswerError,
  RpcMethodNotFoundError,
  RpcNotAvailableError,
  RpcRateLimitedError,
  RpcResponseError,
} from './errors.js';
import { hexQuantity } from './schemas.js';
import { createScrubber, type Scrub } from './scrub.js';
import { createHttpTransport, rpcOutcome } from './transport.js';

export type Clock = {
  now: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
};
export const systemClock: Clock = { now: () => Date.now(), sleep };

export type RpcRequestOptions<T> = {
  /**
   * Validates the `result`; a mismatch is asked of the other endpoints, and after
   * invalidAnswerLimit identical mismatches (from every endpoint asked) it is RpcInvalidAnswerError.
   */
  schema?: ZodType<T>;
  signal?: AbortSignal;
  /** Give up after this many attempts and rethrow the last error (default: never, keeps waiting for an endpoint). */
  maxAttempts?: number;
};

export type EndpointStatus = {
  label: string;
  host: string;
  rps: number;
  dailyQuota: number;
  weight: number;
  /** Requests this UTC day across processes (usage store) plus this process's since the last refresh. */
  usedToday: number;
  /** dailyQuota - usedToday (≥ 0), or null when unlimited. */
  quotaRemaining: number | null;
  /** Unix ms until which the endpoint cools down, or null. */
  coolingUntil: number | null;
  consecutiveFailures: number;
  /** Why the endpoint was disabled (a refused key), or null. */
  disabled: string | null;
  /** eth_getBlockReceipts support, learned on first use. */
  blockReceipts: BlockReceiptsSupport;
  /** Since the pool was created. */
  requests: number;
  errors: number;
  rateLimited: number;
};

export type RpcPool = {
  /** One JSON-RPC call, retried on other endpoints until it succeeds (or maxAttempts / abort). */
  request: <T = unknown>(method: string, params: unknown[], opts?: RpcRequestOptions<T>) => Promise<T>;
  /** eth_chainId (cached after the first answer). */
  chainId: () => Promise<number>;
  blockNumber: (opts?: { signal?: AbortSignal }) => Promise<bigint>;
  /**
   * eth_getBlockByNumber(n, true) + eth_getBlockReceipts(n), validated (with the chain
   * family's fields, opts.family) and consistent (every receipt belongs to this block hash).
   * Endpoints without eth_getBlockReceipts get per-transaction eth_getTransactionReceipt
   * instead. Throws BlockNotAvailableError (retryable) when no endpoint has the block yet.
   */
  getBlockBundle: (n: bigint | number, opts?: BlockBundleOptions) => Promise<BlockBundle>;
  status: () => EndpointStatus[];
  /** Replaces every configured endpoint's URL, key and header values in a provider string by [redacted]. */
  scrub: Scrub;
  /** Rejects waiting requests; does not close the usage store (its owner does). */
  close: () => Promise<void>;
};

export type RpcPoolOptions = {
  endpoints: RpcEndpoint[];
  logger: Logger;
  metrics: Registry;
  usageStore?: RpcUsageStore;
  clock?: Clock;
  fetchFn?: typeof fetch;
  signal?: AbortSignal;
  /** Per-request timeout (RPC_TIMEOUT_MS). */
  timeoutMs?: number;
  random?: () => number;
  /** First cooldown after a failure; doubles per consecutive failure (with jitter). */
  cooldownBaseMs?: number;
  cooldownMaxMs?: number;
  /** How often quota use is re-read from the usage store (other processes' requests). */
  usageRefreshMs?: number;
  /** Parallel eth_getTransactionReceipt calls in the receipts fallback. */
  receiptConcurrency?: number;
  /** Identical invalid answers (schema failures) before a request is given up (default 3, at least one per endpoint). */
  invalidAnswerLimit?: number;
  /** Blocks behind the head within which missing receipts are a lagging node (retried), beyond which they are terminal (default 64). */
  receiptsNearHead?: number;
  /** More secrets to scrub from provider strings (ETH_WS_URL). */
  secrets?: string[];
};

type EndpointState = {
  ep: RpcEndpoint;
  capacity: number;
  tokens: number;
  refilledAt: number;
  coolingUntil: number;
  failures: number;
  day: string;
  used: number;
  requests: number;
  errors: number;
  rateLimited: number;
  disabled: string | null;
};

const MAX_WAIT_SLICE_MS = 5_000;

function rpcMetrics(registry: Registry) {
  return {
    requests: counter(registry, { name: 'chainlake_rpc_requests_total', help: 'JSON-RPC requests by method, endpoint label and outcome', labelNames: ['method', 'endpoint', 'outcome'] }),
    duration: histogram(registry, {
      name: 'chainlake_rpc_request_duration_seconds',
      help: 'JSON-RPC request latency by method and endpoint label',
      labelNames: ['method', 'endpoint'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    }),
    quotaRemaining: gauge(registry, { name: 'chainlake_rpc_quota_remaining', help: 'Requests left today per endpoint label (+Inf = unlimited)', labelNames: ['endpoint'] }),
    cooldown: gauge(registry, { name: 'chainlake_rpc_cooldown_seconds', help: 'Seconds until the endpoint is tried again (0 = available)', labelNames: ['endpoint'] }),
    allExhausted: gauge(registry, { name: 'chainlake_rpc_all_exhausted', help: '1 while every endpoint is cooling down or out of quota' }),
    disabled: gauge(registry, { name: 'chainlake_rpc_endpoint_disabled', help: '1 when the endpoint was disabled for this process (the provider refused its key)', labelNames: ['endpoint'] }),
    invalid: counter(registry, { name: 'chainlake_rpc_invalid_answers_total', help: 'Requests given up because every endpoint asked gave the same invalid answer', labelNames: ['method'] }),
  };
}

function msUntilNextUtcDay(nowMs: number): number {
  const d = new Date(nowMs);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1) - nowMs;
}

export function createRpcPool(opts: RpcPoolOptions): RpcPool {
  if (opts.endpoints.length === 0) throw new RpcConfigError('no RPC endpoints configured');
  const log = opts.logger.child({ component: 'rpc' });
  const clock = opts.clock ?? systemClock;
  const random = opts.random ?? Math.random;
  const cooldownBaseMs = opts.cooldownBaseMs ?? 500;
  const cooldownMaxMs = opts.cooldownMaxMs ?? 60_000;
  const usageRefreshMs = opts.usageRefreshMs ?? 5_000;
  const store = opts.usageStore;
  const m = rpcMetrics(opts.metrics);
  const scrub = createScrubber([...opts.endpoints.flatMap((e) => [...(e.secrets ?? []), e.url]), ...(opts.secrets ?? [])]);
  const invalidAnswerLimit = Math.max(opts.invalidAnswerLimit ?? 3, 1);
  const closer = new AbortController();
  const poolSignal = opts.signal ? AbortSignal.any([opts.signal, closer.signal]) : closer.signal;
  const transport = createHttpTransport({
    ...(opts.fetchFn ? { fetchFn: opts.fetchFn } : {}),
    timeoutMs: opts.timeoutMs ?? 10_000,
    now: clock.now,
    scrub,
    onLatency: (target, method, seconds) => m.duration.observe({ method, endpoint: target.label }, seconds),
  });

  const labels = new Set<string>();
  const states: EndpointState[] = opts.endpoints.map((ep) => {
    if (labels.has(ep.label)) throw new RpcConfigError(`duplicate RPC endpoint ${ep.label}`);
    labels.add(ep.label);
    const capacity = Math.max(1, ep.rps);
    return {
      ep,
      capacity,
      tokens: capacity,
      refilledAt: clock.now(),
      coolingUntil: 0,
      failures: 0,
      day: utcDay(clock.now() / 1000),
      used: 0,
      requests: 0,
      errors: 0,
      rateLimited: 0,
      disabled: null,
    };
  });

  let exhaustedSince: number | null = null;
  let usageLoaded: Promise<void> | null = null;
  let usageRefreshing = false;
  let usageRefreshedAt = Number.NEGATIVE_INFINITY;
  let cachedChainId: number | undefined;

  // ---- quota bookkeeping (shared across processes through the usage store) ----

  async function refreshUsage(): Promise<void> {
    if (!store) return;
    const now = clock.now();
    await Promise.all(
      states.map(async (s) => {
        const day = utcDay(now / 1000);
        const used = await store.usedToday(s.ep.label, now);
        if (s.day === day) s.used = Math.max(s.used, used);
      }),
    );
    usageRefreshedAt = now;
  }

  async function ensureUsage(): Promise<void> {
    if (!store) return;
    // Awaited once; afterwards refreshes run in the background so a slow store never stalls RPC.
    usageLoaded ??= refreshUsage().catch((e) => {
      usageRefreshedAt = clock.now();
      log.warn({ msg: 'Could not read RPC usage; quotas count this process only until it can', error: errorMessage(e) });
    });
    await usageLoaded;
    if (!usageRefreshing && clock.now() - usageRefreshedAt >= usageRefreshMs) {
      usageRefreshing = true;
      refreshUsage()
        .catch((e) => log.debug({ msg: 'RPC usage refresh failed', error: errorMessage(e) }))
        .finally(() => {
          usageRefreshing = false;
        });
    }
  }

  function rollDay(s: EndpointState, now: number): void {
    const day = utcDay(now / 1000);
    if (s.day !== day) {
      s.day = day;
      s.used = 0;
    }
  }

  const quotaLeft = (s: EndpointState) => s.ep.dailyQuota === 0 || s.used < s.ep.dailyQuota;

  function refill(s: EndpointState, now: number): void {
    const elapsed = Math.max(0, now - s.refilledAt);
    s.tokens = Math.min(s.capacity, s.tokens + (elapsed / 1000) * s.ep.rps);
    s.refilledAt = now;
  }

  function updateGauges(now: number): void {
    for (const s of states) {
      m.cooldown.set({ endpoint: s.ep.label }, Math.max(0, (s.coolingUntil - now) / 1000));
      m.quotaRemaining.set({ endpoint: s.ep.label }, s.ep.dailyQuota === 0 ? Number.POSITIVE_INFINITY : Math.max(0, s.ep.dailyQuota - s.used));
    }
  }

  function recordUsage(s: EndpointState, delta: RpcUsageDelta): void {
    store?.record(s.ep.label, delta, clock.now());
  }

  const costOf = (s: EndpointState, method: string) => s.ep.costs?.[method] ?? 1;

  function allDisabled(): void {
    if (states.every((s) => s.disabled !== null)) throw new RpcEndpointsDisabledError(states.map((s) => ({ endpoint: s.ep.label, why: s.disabled ?? '' })));
  }

  /** A refused key: no retry can fix it, so the endpoint is out for this process, said once. */
  function disable(s: EndpointState, e: RpcAuthError): void {
    if (s.disabled !== null) return;
    s.disabled = e.why;
    m.disabled.set({ endpoint: s.ep.label }, 1);
    log.error({ msg: 'RPC endpoint disabled: the provider refused its key; fix the URL or ETH_RPC_HEADERS and restart', endpoint: s.ep.label, method: e.method, reason: e.why });
  }

  /**
   * Wait for an endpoint that is not disabled or cooling, has quota and a token; take the
   * token and the method's quota units. Endpoints in `avoid` are chosen only when no other is ready.
   */
  async function acquire(signal: AbortSignal, method: string, avoid?: ReadonlySet<string>): Promise<EndpointState> {
    for (;;) {
      signal.throwIfAborted();
      allDisabled();
      await ensureUsage();
      const now = clock.now();
      let ready: EndpointState[] = [];
      let waitMs = Number.POSITIVE_INFINITY;
      let anyHealthy = false;
      for (const s of states) {
        rollDay(s, now);
        refill(s, now);
        if (s.disabled !== null) continue;
        if (s.coolingUntil > now) {
          waitMs = Math.min(waitMs, s.coolingUntil - now);
        } else if (!quotaLeft(s)) {
          waitMs = Math.min(waitMs, msUntilNextUtcDay(now));
        } else {
          anyHealthy = true;
          if (s.tokens >= 1) ready.push(s);
          else waitMs = Math.min(waitMs, ((1 - s.tokens) / s.ep.rps) * 1000);
        }
      }
      updateGauges(now);
      if (avoid && avoid.size > 0 && ready.some((s) => !avoid.has(s.ep.label))) ready = ready.filter((s) => !avoid.has(s.ep.label));
      if (ready.length > 0) {
        m.allExhausted.set(0);
        const total = ready.reduce((a, s) => a + s.ep.weight, 0);
        let r = random() * total;
        let pick = ready[ready.length - 1] as EndpointState;
        for (const s of ready) {
          r -= s.ep.weight;
          if (r < 0) {
            pick = s;
            break;
          }
        }
        pick.tokens -= 1;
        pick.used += costOf(pick, method);
        return pick;
      }
      if (!anyHealthy) m.allExhausted.set(1);
      // One log line per episode: it ends with the next successful request, not the next attempt.
      if (!anyHealthy && exhaustedSince === null) {
        exhaustedSince = now;
        log.warn({
          msg: 'All RPC endpoints cooling down or out of quota; waiting (no block is skipped)',
          waitMs: Math.round(waitMs),
          endpoints: states.map((s) => ({ endpoint: s.ep.label, coolingMs: Math.max(0, s.coolingUntil - now), quotaLeft: quotaLeft(s) })),
        });
      }
      await clock.sleep(Math.max(1, Math.ceil(Math.min(waitMs, MAX_WAIT_SLICE_MS))), signal);
    }
  }

  function coolDown(s: EndpointState, e: Error, method: string): void {
    s.failures += 1;
    const ms =
      e instanceof RpcRateLimitedError && e.retryAfterMs !== null
        ? e.retryAfterMs
        : backoffMs(s.failures - 1, cooldownBaseMs, cooldownMaxMs, random);
    const now = clock.now();
    s.coolingUntil = Math.max(s.coolingUntil, now + ms);
    m.cooldown.set({ endpoint: s.ep.label }, ms / 1000);
    recordUsage(s, { coolingUntil: s.coolingUntil });
    log.warn({ msg: 'RPC endpoint failed, cooling down', endpoint: s.ep.label, method, error: e.message, cooldownMs: ms, consecutiveFailures: s.failures });
  }

  /** One attempt on one endpoint through the transport, counted per outcome. */
  async function send<T>(s: EndpointState, method: string, params: unknown[], schema: ZodType<T> | undefined, signal: AbortSignal): Promise<T> {
    const endpoint = s.ep.label;
    s.requests += 1;
    recordUsage(s, { requests: costOf(s, method) });
    try {
      const result = await transport({ url: s.ep.url, label: endpoint, headers: s.ep.headers }, method, params, schema, signal);
      m.requests.inc({ method, endpoint, outcome: 'ok' });
      return result;
    } catch (e) {
      const outcome = rpcOutcome(e);
      if (outcome !== null) {
        m.requests.inc({ method, endpoint, outcome });
        if (outcome === 'rate_limited') {
          s.rateLimited += 1;
          recordUsage(s, { rateLimited: 1, errors: 1 });
        } else if (outcome !== 'method_not_found' && outcome !== 'not_available') {
          recordUsage(s, { errors: 1 });
        }
        if (outcome !== 'method_not_found' && outcome !== 'not_available') s.errors += 1;
      }
      throw e;
    }
  }

  type CallOptions<T> = RpcRequestOptions<T> & {
    /** Called before sending on the chosen endpoint; returning false skips the send and throws RpcMethodNotFoundError. */
    supports?: (endpoint: string) => boolean;
    onSend?: () => void;
    /** RpcNotAvailableError is an answer ("the node lacks it"), handed to the caller without a cooldown. */
    notAvailableIsAnswer?: boolean;
  };

  async function call<T>(method: string, params: unknown[], o: CallOptions<T> = {}): Promise<{ result: T; endpoint: EndpointState }> {
    const signal = o.signal ? AbortSignal.any([o.signal, poolSignal]) : poolSignal;
    /** Invalid answers so far, by field + reason, and which endpoints gave them. */
    const invalid = new Map<string, { count: number; endpoints: Set<string>; last: RpcResponseError }>();
    const gaveInvalid = new Set<string>();
    for (let attempt = 1; ; attempt++) {
      const s = await acquire(signal, method, gaveInvalid);
      if (o.supports && !o.supports(s.ep.label)) {
        s.tokens += 1;
        s.used -= costOf(s, method);
        throw new RpcMethodNotFoundError(s.ep.label, method);
      }
      o.onSend?.();
      try {
        const result = await send(s, method, params, o.schema, signal);
        s.failures = 0;
        if (exhaustedSince !== null) {
          log.info({ msg: 'RPC requests succeed again, resuming', endpoint: s.ep.label, waitedMs: clock.now() - exhaustedSince });
          exhaustedSince = null;
        }
        return { result, endpoint: s };
      } catch (e) {
        if (signal.aborted) throw signal.reason;
        if (e instanceof RpcMethodNotFoundError) throw e;
        if (e instanceof RpcNotAvailableError && o.notAvailableIsAnswer) throw e;
        if (e instanceof RpcAuthError) {
          disable(s, e);
          continue;
        }
        if (e instanceof RpcResponseError && e.field !== undefined) {
          // The answer is well-formed JSON-RPC but its data does not fit: not the endpoint's fault.
          const key = `${e.field}\u0000${e.reason}`;
          const seen = invalid.get(key) ?? { count: 0, endpoints: new Set<string>(), last: e };
          seen.count += 1;
          seen.endpoints.add(s.ep.label);
          seen.last = e;
          invalid.set(key, seen);
          gaveInvalid.add(s.ep.label);
          const enabled = states.filter((x) => x.disabled === null).length;
          // Every endpoint asked (or, when some cannot be reached meanwhile, a hard cap): bounded either way.
          const everyone = seen.count >= Math.max(invalidAnswerLimit, enabled) && seen.endpoints.size >= enabled;
          if (everyone || seen.count >= invalidAnswerLimit * states.length * 2) {
            m.invalid.inc({ method });
            throw new RpcInvalidAnswerError(method, [...seen.endpoints], e.field, e.reason, seen.count, e.raw);
          }
          log.warn({ msg: 'RPC answer failed validation, asking again', endpoint: s.ep.label, method, field: e.field, error: e.message, attempt: seen.count });
          if (o.maxAttempts !== undefined && attempt >= o.maxAttempts) throw e;
          continue;
        }
        const err = e instanceof Error ? e : new Error(String(e));
        coolDown(s, err, method);
        if (o.maxAttempts !== undefined && attempt >= o.maxAttempts) throw err;
      }
    }
  }

  async function request<T = unknown>(method: string, params: unknown[], o: RpcRequestOptions<T> = {}): Promise<T> {
    return (await call(method, params, o)).result;
  }

  async function chainId(): Promise<number> {
    cachedChainId ??= Number(BigInt(await request('eth_chainId', [], { schema: hexQuantity })));
    return cachedChainId;
  }

  async function blockNumber(o: { signal?: AbortSignal } = {}): Promise<bigint> {
    return BigInt(await request('eth_blockNumber', [], { schema: hexQuantity, signal: o.signal }));
  }

  const bundles = createBlockBundleReader(
    {
      call: async (method, params, o) => {
            const { result, endpoint } = await call(method, params, o);
        return { result, endpoint: endpoint.ep.label };
      },
      head: async (signal) => BigInt(await request('eth_blockNumber', [], { schema: hexQuantity, ...(signal ? { signal } : {}) })),
      coolDown: (endpoint, e, method) => {
        const s = states.find((x) => x.ep.label === endpoint);
        if (s) coolDown(s, e, method);
      },
      endpointCount: states.length,
      sleep: (ms, signal) => clock.sleep(ms, signal),
      signal: poolSignal,
    },
    { logger: log, metrics: opts.metrics, receiptConcurrency: opts.receiptConcurrency ?? 8, nearHead: opts.receiptsNearHead ?? 64 },
  );

  function status(): EndpointStatus[] {
    const now = clock.now();
    return states.map((s) => {
      rollDay(s, now);
      return {
        label: s.ep.label,
        host: s.ep.host,
        rps: s.ep.rps,
        dailyQuota: s.ep.dailyQuota,
        weight: s.ep.weight,
        usedToday: s.used,
        quotaRemaining: s.ep.dailyQuota === 0 ? null : Math.max(0, s.ep.dailyQuota - s.used),
        coolingUntil: s.coolingUntil > now ? s.coolingUntil : null,
        consecutiveFailures: s.failures,
        disabled: s.disabled,
        blockReceipts: bundles.blockReceipts(s.ep.label),
        requests: s.requests,
        errors: s.errors,
        rateLimited: s.rateLimited,
      };
    });
  }

  async function close(): Promise<void> {
    closer.abort(new Error('RPC pool closed'));
  }

  return { request, chainId, blockNumber, getBlockBundle: bundles.getBlockBundle, status, scrub, close };
}

/** The pool for a process: endpoints from config, Common's logger/metrics/shutdown signal. */
export function createRpcPoolFromConfig(
  common: { config: Pick<Config, 'ETH_RPC_URLS' | 'RPC_LIMITS' | 'RPC_DEFAULT_RPS' | 'RPC_DEFAULT_DAILY_QUOTA' | 'ANVIL_PORT' | 'HOST' | 'RPC_TIMEOUT_MS'>; logger: Logger; metrics: Registry; shutdown?: { signal: AbortSignal } },
  extra: Partial<Omit<RpcPoolOptions, 'endpoints' | 'logger' | 'metrics'>> = {},
): RpcPool {
  return createRpcPool({
    endpoints: parseRpcEndpoints(common.config),
    logger: common.logger,
    metrics: common.metrics,
    timeoutMs: common.config.RPC_TIMEOUT_MS,
    ...(common.shutdown ? { signal: common.shutdown.signal } : {}),
    ...extra,
  });
}
