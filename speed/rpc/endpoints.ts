// Endpoint configuration: ETH_RPC_URLS + RPC_LIMITS ("host=rps/dailyQuota/weight;...",
// matched by host suffix) + defaults. An endpoint's identity everywhere outside the pool
// (logs, metrics, Cassandra rows) is its label: hostname#<first 8 hex of sha256(url)>.
// The URL is a non-enumerable property, so serialising an endpoint never prints the key.
import { createHash } from 'node:crypto';
import type { Config } from '../../core/config.js';
import { RpcConfigError } from './errors.js';

export type RpcLimit = { hostSuffix: string; rps: number; dailyQuota: number; weight: number };

export type RpcEndpoint = {
  /** hostname#abcdef12 — safe to log, use as metric label and store. */
  readonly label: string;
  readonly host: string;
  /** Requests per second (token bucket refill; burst = max(1, rps)). */
  readonly rps: number;
  /** Requests per UTC day; 0 = unlimited. */
  readonly dailyQuota: number;
  /** Relative share of traffic among available endpoints. */
  readonly weight: number;
  /** Full URL with its key. Non-enumerable: JSON.stringify / pino never see it. */
  readonly url: string;
};

export const endpointLabel = (url: string): string => {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    throw new RpcConfigError('ETH_RPC_URLS: an entry is not a valid URL');
  }
  return `${host}#${createHash('sha256').update(url).digest('hex').slice(0, 8)}`;
};

/** Parse "alchemy.com=10/100000/2;infura.io=10/0/1". Missing parts take the defaults. */
export function parseRpcLimits(spec: string, defaults: { rps: number; dailyQuota: number }): RpcLimit[] {
  const out: RpcLimit[] = [];
  for (const raw of spec.split(/[;\n]/)) {
    const entry = raw.trim();
    if (!entry) continue;
    const m = /^([A-Za-z0-9.-]+)=([0-9.]*)(?:\/([0-9]*))?(?:\/([0-9.]*))?$/.exec(entry);
    if (!m) throw new RpcConfigError(`RPC_LIMITS: cannot parse "${entry}" (expected host=rps/dailyQuota/weight)`);
    const rps = m[2] ? Number(m[2]) : defaults.rps;
    const dailyQuota = m[3] ? Number(m[3]) : defaults.dailyQuota;
    const weight = m[4] ? Number(m[4]) : 1;
    if (!(rps > 0) || !Number.isFinite(rps)) throw new RpcConfigError(`RPC_LIMITS: rps of ${m[1]} must be > 0`);
    if (!Number.isInteger(dailyQuota) || dailyQuota < 0) throw new RpcConfigError(`RPC_LIMITS: dailyQuota of ${m[1]} must be an integer >= 0`);
    if (!(weight > 0) || !Number.isFinite(weight)) throw new RpcConfigError(`RPC_LIMITS: weight of ${m[1]} must be > 0`);
    out.push({ hostSuffix: (m[1] ?? '').toLowerCase(), rps, dailyQuota, weight });
  }
  return out;
}

/** The most specific (longest) suffix that matches the host on a label boundary. */
export function limitFor(host: string, limits: RpcLimit[]): RpcLimit | undefined {
  const h = host.toLowerCase();
  return limits
    .filter((l) => h === l.hostSuffix || h.endsWith(`.${l.hostSuffix}`))
    .sort((a, b) => b.hostSuffix.length - a.hostSuffix.length)[0];
}

export function makeEndpoint(url: string, limit: { rps: number; dailyQuota: number; weight: number }): RpcEndpoint {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RpcConfigError('ETH_RPC_URLS: an entry is not a valid URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new RpcConfigError(`ETH_RPC_URLS: ${parsed.hostname} must use http(s) (got ${parsed.protocol})`);
  const endpoint = { label: endpointLabel(url), host: parsed.hostname, rps: limit.rps, dailyQuota: limit.dailyQuota, weight: limit.weight };
  Object.defineProperty(endpoint, 'url', { value: url, enumerable: false, writable: false });
  return endpoint as RpcEndpoint;
}

export type RpcEndpointConfig = Pick<
  Config,
  'ETH_RPC_URLS' | 'RPC_LIMITS' | 'RPC_DEFAULT_RPS' | 'RPC_DEFAULT_DAILY_QUOTA' | 'ANVIL_PORT' | 'HOST'
>;

/** Endpoints from config; with ETH_RPC_URLS empty, the local anvil. Duplicate URLs are dropped. */
export function parseRpcEndpoints(cfg: RpcEndpointConfig): RpcEndpoint[] {
  const defaults = { rps: cfg.RPC_DEFAULT_RPS, dailyQuota: cfg.RPC_DEFAULT_DAILY_QUOTA };
  const limits = parseRpcLimits(cfg.RPC_LIMITS, defaults);
  const urls = cfg.ETH_RPC_URLS.length > 0 ? cfg.ETH_RPC_URLS : [`http://${cfg.HOST}:${cfg.ANVIL_PORT}`];
  const seen = new Set<string>();
  const out: RpcEndpoint[] = [];
  for (const url of urls) {
    if (seen.has(url)) continue;
    seen.add(url);
    let host: string;
    try {
      host = new URL(url).hostname;
    } catch {
      throw new RpcConfigError(`ETH_RPC_URLS: entry ${out.length + 1} is not a valid URL`);
    }
    const l = limitFor(host, limits);
    out.push(makeEndpoint(url, { rps: l?.rps ?? defaults.rps, dailyQuota: l?.dailyQuota ?? defaults.dailyQuota, weight: l?.weight ?? 1 }));
  }
  return out;
}
