// The RPC provider pool: token bucket + daily quota per endpoint, weighted pick among
// available endpoints, cooldown with backoff on 429/5xx/timeouts/errors, failover, and
// waiting (never skipping) when every endpoint is cooling down or out of quota.
// Endpoints are known by label only; URLs (with keys) never leave this closure.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { ZodType } from 'zod';
import { utcDay } from '../../core/chain.js';
import type { Config } from '../../core/config.js';
import { backoffMs, errorMessage, sleep } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { RpcUsageDelta, RpcUsageStore } from '../../storage/rpc-usage.js';
import { type RpcEndpoint, parseRpcEndpoints } from './endpoints.js';
import {
  BlockBundleInconsistentError,
  BlockNotAvailableError,
  RpcConfigError,
  RpcHttpError,
  RpcJsonRpcError,
  RpcMethodNotFoundError,
  RpcNetworkError,
  RpcRateLimitedError,
  RpcResponseError,
  RpcTimeoutError,
} from './errors.js';
import {
  type RpcBlock,
  type RpcReceipt,
  hexQuantity,
  jsonRpcResponseSchema,
  rpcBlockOrNullSchema,
  rpcReceiptOrNullSchema,
  rpcReceiptsOrNullSchema,
  toHexQuantity,
} from './schemas.js';

export type Clock = {
  now: () => number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
};
export const systemClock: Clock = { now: () => Date.now(), sleep };

export type RpcRequestOptions<T> = {
  /** Validates the `result`; a mismatch is an RpcResponseError (endpoint failure, retried elsewhere). */
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
  /** eth_getBlockReceipts support, learned on first use. */
  blockReceipts: 'unknown' | 'supported' | 'unsupported';
  /** Since the pool was created. */
  requests: number;
  errors: number;
  rateLimited: number;
};

export type BlockBundle = {
  block: RpcBlock;
  /** In transaction order; [] for a block without transactions (no receipts call is made). */
  receipts: RpcReceipt[];
  /** HTTP requests sent for this bundle, failed attempts included (2 when all goes well). */
  requests: number;
};

export type RpcPool = {
  /** One JSON-RPC call, retried on other endpoints until it succeeds (or maxAttempts / abort). */
  request: <T = unknown>(method: string, params: unknown[], opts?: RpcRequestOptions<T>) => Promise<T>;
  /** eth_chainId (cached after the first answer). */
  chainId: () => Promise<number>;
  blockNumber: (opts?: { signal?: AbortSignal }) => Promise<bigint>;
  /**
   * eth_getBlockByNumber(n, true) + eth_getBlockReceipts(n), validated and consistent
   * (every receipt belongs to this block hash). Endpoints without eth_getBlockReceipts
   * get per-transaction eth_getTransactionReceipt instead. Throws BlockNotAvailableError
   * (retryable) when no endpoint has the block yet.
   */
  getBlockBundle: (n: bigint | number, opts?: { signal?: AbortSignal }) => Promise<BlockBundle>;
  status: () => EndpointStatus[];
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
  blockReceipts: EndpointStatus['blockReceipts'];
  requests: number;
  errors: number;
  rateLimited: number;
};

type Outcome = 'ok' | 'rate_limited' | 'http_error' | 'timeout' | 'network_error' | 'rpc_error' | 'bad_response' | 'method_not_found';

const MAX_WAIT_SLICE_MS = 5_000;
const MAX_RETRY_AFTER_MS = 3_600_000;

function getOrCreate<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

function rpcMetrics(registry: Registry) {
  return {
    requests: getOrCreate(registry, 'chainlake_rpc_requests_total', () =>
      new Counter({ name: 'chainlake_rpc_requests_total', help: 'JSON-RPC requests by method, endpoint label and outcome', labelNames: ['method', 'endpoint', 'outcome'], registers: [registry] }),
    ),
    duration: getOrCreate(registry, 'chainlake_rpc_request_duration_seconds', () =>
      new Histogram({
        name: 'chainlake_rpc_request_duration_seconds',
        help: 'JSON-RPC request latency by method and endpoint label',
        labelNames: ['method', 'endpoint'],
        buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
        registers: [registry],
      }),
    ),
    quotaRemaining: getOrCreate(registry, 'chainlake_rpc_quota_remaining', () =>
      new Gauge({ name: 'chainlake_rpc_quota_remaining', help: 'Requests left today per endpoint label (+Inf = unlimited)', labelNames: ['endpoint'], registers: [registry] }),
    ),
    cooldown: getOrCreate(registry, 'chainlake_rpc_cooldown_seconds', () =>
      new Gauge({ name: 'chainlake_rpc_cooldown_seconds', help: 'Seconds until the endpoint is tried again (0 = available)', labelNames: ['endpoint'], registers: [registry] }),
    ),
    allExhausted: getOrCreate(registry, 'chainlake_rpc_all_exhausted', () =>
      new Gauge({ name: 'chainlake_rpc_all_exhausted', help: '1 while every endpoint is cooling down or out of quota', registers: [registry] }),
    ),
    receiptFallback: getOrCreate(registry, 'chainlake_rpc_receipt_fallback_total', () =>
      new Counter({ name: 'chainlake_rpc_receipt_fallback_total', help: 'Blocks whose receipts were fetched per transaction (endpoint without eth_getBlockReceipts)', labelNames: ['endpoint'], registers: [registry] }),
    ),
  };
}

const isMethodNotFound = (code: number, message: string) =>
  code === -32601 || /method .*(not found|does not exist|not available|not supported)|unsupported method|unknown method/i.test(message);
const isRateLimitError = (code: number, message: string) =>
  code === 429 || code === -32005 || /rate.?limit|too many requests|exceeded .*(capacity|limit|quota)|compute units/i.test(message);

/** Retry-After: delta seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, nowMs: number): number | null {
  if (value === null || value.trim() === '') return null;
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.min(MAX_RETRY_AFTER_MS, Math.round(Number(v) * 1000));
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.min(MAX_RETRY_AFTER_MS, Math.max(0, at - nowMs));
}

function msUntilNextUtcDay(nowMs: number): number {
  const d = new Date(nowMs);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1) - nowMs;
}

export function createRpcPool(opts: RpcPoolOptions): RpcPool {
  if (opts.endpoints.length === 0) throw new RpcConfigError('no RPC endpoints configured');
  const log = opts.logger.child({ component: 'rpc' });
  const clock = opts.clock ?? systemClock;
  const fetchFn = opts.fetchFn ?? fetch;
  const random = opts.random ?? Math.random;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const cooldownBaseMs = opts.cooldownBaseMs ?? 500;
  const cooldownMaxMs = opts.cooldownMaxMs ?? 60_000;
  const usageRefreshMs = opts.usageRefreshMs ?? 5_000;
  const receiptConcurrency = opts.receiptConcurrency ?? 8;
  const store = opts.usageStore;
  const m = rpcMetrics(opts.metrics);
  const closer = new AbortController();
  const poolSignal = opts.signal ? AbortSignal.any([opts.signal, closer.signal]) : closer.signal;

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
      blockReceipts: 'unknown',
      requests: 0,
      errors: 0,
      rateLimited: 0,
    };
  });

  let nextId = 1;
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

  /** Wait for an endpoint that is not cooling, has quota and a token; take the token. */
  async function acquire(signal: AbortSignal): Promise<EndpointState> {
    for (;;) {
      signal.throwIfAborted();
      await ensureUsage();
      const now = clock.now();
      const ready: EndpointState[] = [];
      let waitMs = Number.POSITIVE_INFINITY;
      let anyHealthy = false;
      for (const s of states) {
        rollDay(s, now);
        refill(s, now);
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
        pick.used += 1;
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

  /** One HTTP POST to one endpoint. Every thrown error names the endpoint by label only. */
  async function send<T>(s: EndpointState, method: string, params: unknown[], schema: ZodType<T> | undefined, signal: AbortSignal): Promise<T> {
    const label = s.ep.label;
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), timeoutMs);
    const both = AbortSignal.any([signal, timeout.signal]);
    const started = performance.now();
    s.requests += 1;
    recordUsage(s, { requests: 1 });
    const fail = (outcome: Outcome, e: Error): Error => {
      m.requests.inc({ method, endpoint: label, outcome });
      if (outcome === 'rate_limited') {
        s.rateLimited += 1;
        recordUsage(s, { rateLimited: 1, errors: 1 });
      } else if (outcome !== 'method_not_found') {
        recordUsage(s, { errors: 1 });
      }
      if (outcome !== 'method_not_found') s.errors += 1;
      return e;
    };
    try {
      let res: Response;
      let text: string;
      try {
        res = await fetchFn(s.ep.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body: JSON.stringify({ jsonrpc: '2.0', id: nextId++, method, params }),
          signal: both,
          keepalive: true,
        });
        if (res.status === 429) {
          await res.body?.cancel().catch(() => {});
          throw fail('rate_limited', new RpcRateLimitedError(label, method, parseRetryAfter(res.headers.get('retry-after'), clock.now())));
        }
        if (!res.ok) {
          await res.body?.cancel().catch(() => {});
          throw fail('http_error', new RpcHttpError(label, res.status, method));
        }
        text = await res.text();
      } catch (e) {
        if (e instanceof RpcRateLimitedError || e instanceof RpcHttpError) throw e;
        if (signal.aborted) throw signal.reason;
        if (timeout.signal.aborted) throw fail('timeout', new RpcTimeoutError(label, method, timeoutMs));
        const cause = (e as { cause?: { code?: unknown } } | null)?.cause;
        const code = typeof cause?.code === 'string' ? cause.code : e instanceof Error ? e.name : 'unknown';
        throw fail('network_error', new RpcNetworkError(label, method, code));
      }
      m.duration.observe({ method, endpoint: label }, (performance.now() - started) / 1000);
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch {
        throw fail('bad_response', new RpcResponseError(label, method, 'body is not JSON'));
      }
      const envelope = jsonRpcResponseSchema.safeParse(json);
      if (!envelope.success) throw fail('bad_response', new RpcResponseError(label, method, 'not a JSON-RPC response'));
      const body = envelope.data;
      if ('error' in body) {
        const { code, message } = body.error;
        if (isMethodNotFound(code, message)) throw fail('method_not_found', new RpcMethodNotFoundError(label, method));
        if (isRateLimitError(code, message)) throw fail('rate_limited', new RpcRateLimitedError(label, method, null));
        throw fail('rpc_error', new RpcJsonRpcError(label, method, code, message));
      }
      if (!schema) {
        m.requests.inc({ method, endpoint: label, outcome: 'ok' });
        return body.result as T;
      }
      const parsed = schema.safeParse(body.result);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw fail('bad_response', new RpcResponseError(label, method, `result invalid at ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`));
      }
      m.requests.inc({ method, endpoint: label, outcome: 'ok' });
      return parsed.data;
    } finally {
      clearTimeout(timer);
    }
  }

  type CallOptions<T> = RpcRequestOptions<T> & {
    /** Called before sending on the chosen endpoint; returning false skips the send and throws RpcMethodNotFoundError. */
    supports?: (s: EndpointState) => boolean;
    onSend?: () => void;
  };

  async function call<T>(method: string, params: unknown[], o: CallOptions<T> = {}): Promise<{ result: T; endpoint: EndpointState }> {
    const signal = o.signal ? AbortSignal.any([o.signal, poolSignal]) : poolSignal;
    for (let attempt = 1; ; attempt++) {
      const s = await acquire(signal);
      if (o.supports && !o.supports(s)) {
        s.tokens += 1;
        s.used -= 1;
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

  /** Why the receipts do not belong to the block, or null when they match one to one. */
  function mismatch(block: RpcBlock, receipts: (RpcReceipt | null)[]): string | null {
    if (receipts.length !== block.transactions.length) return `${block.transactions.length} transactions, ${receipts.length} receipts`;
    for (let i = 0; i < receipts.length; i++) {
      const r = receipts[i];
      const tx = block.transactions[i];
      if (!r || !tx) return `no receipt for transaction ${i}`;
      if (r.blockHash !== block.hash) return `receipt ${i} is from block ${r.blockHash}`;
      if (r.transactionHash !== tx.hash) return `receipt ${i} is for ${r.transactionHash}, not ${tx.hash}`;
    }
    return null;
  }

  async function receiptsPerTx(block: RpcBlock, signal: AbortSignal | undefined, onSend: () => void): Promise<(RpcReceipt | null)[]> {
    const out: (RpcReceipt | null)[] = new Array(block.transactions.length).fill(null);
    let next = 0;
    const worker = async () => {
      for (;;) {
        const i = next++;
        const tx = block.transactions[i];
        if (!tx) return;
        out[i] = (await call('eth_getTransactionReceipt', [tx.hash], { schema: rpcReceiptOrNullSchema, signal, onSend })).result;
      }
    };
    await Promise.all(Array.from({ length: Math.min(receiptConcurrency, block.transactions.length) }, worker));
    return out;
  }

  async function getBlockBundle(n: bigint | number, o: { signal?: AbortSignal } = {}): Promise<BlockBundle> {
    const num = BigInt(n);
    const tag = toHexQuantity(num);
    let requests = 0;
    const onSend = () => {
      requests += 1;
    };
    const maxNulls = Math.max(2, states.length * 2);
    let nulls = 0;
    let inconsistent = 0;
    for (;;) {
      const { result: block, endpoint } = await call('eth_getBlockByNumber', [tag, true], { schema: rpcBlockOrNullSchema, signal: o.signal, onSend });
      if (block === null) {
        if (++nulls >= maxNulls) throw new BlockNotAvailableError(num);
        continue;
      }
      if (BigInt(block.number) !== num) {
        coolDown(endpoint, new RpcResponseError(endpoint.ep.label, 'eth_getBlockByNumber', `asked for block ${num}, got ${BigInt(block.number)}`), 'eth_getBlockByNumber');
        continue;
      }
      if (block.transactions.length === 0) return { block, receipts: [], requests };

      let receipts: (RpcReceipt | null)[] | null;
      try {
        const r = await call('eth_getBlockReceipts', [tag], {
          schema: rpcReceiptsOrNullSchema,
          signal: o.signal,
          onSend,
          supports: (s) => s.blockReceipts !== 'unsupported',
        });
        if (r.endpoint.blockReceipts === 'unknown') r.endpoint.blockReceipts = 'supported';
        receipts = r.result;
      } catch (e) {
        if (!(e instanceof RpcMethodNotFoundError)) throw e;
        const s = states.find((x) => x.ep.label === e.endpoint);
        if (s && s.blockReceipts !== 'unsupported') {
          s.blockReceipts = 'unsupported';
          log.warn({ msg: 'Endpoint lacks eth_getBlockReceipts; using per-transaction receipts there', endpoint: s.ep.label });
        }
        m.receiptFallback.inc({ endpoint: e.endpoint });
        receipts = await receiptsPerTx(block, o.signal, onSend);
      }
      const why = receipts === null ? 'receipts not available yet' : mismatch(block, receipts);
      if (why === null && receipts !== null) return { block, receipts: receipts as RpcReceipt[], requests };
      // A reorg between the two calls or a lagging node: fetch both again.
      inconsistent += 1;
      log.info({ msg: 'Block and receipts disagree, refetching', block: Number(num), reason: why, attempt: inconsistent });
      if (inconsistent >= 5) throw new BlockBundleInconsistentError(num, why ?? 'unknown');
      await clock.sleep(Math.min(2_000, 100 * 2 ** inconsistent), o.signal ? AbortSignal.any([o.signal, poolSignal]) : poolSignal);
    }
  }

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
        blockReceipts: s.blockReceipts,
        requests: s.requests,
        errors: s.errors,
        rateLimited: s.rateLimited,
      };
    });
  }

  async function close(): Promise<void> {
    closer.abort(new Error('RPC pool closed'));
  }

  return { request, chainId, blockNumber, getBlockBundle, status, close };
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
