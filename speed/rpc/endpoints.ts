// Endpoint configuration: ETH_RPC_URLS + RPC_LIMITS ("host=rps/dailyQuota/weight/method:cost,...;...",
// matched by host suffix) + ETH_RPC_HEADERS + defaults. An endpoint's identity everywhere
// outside the pool (logs, metrics, Cassandra rows) is its label: hostname#<first 8 hex of
// sha256(url)>. The URL and headers are non-enumerable properties, so serialising an
// endpoint never prints the key. Credentials in a URL (https://user:secret@host/...) become
// an Authorization: Basic header: fetch refuses URLs with credentials.
import { createHash } from 'node:crypto';
import type { Config } from '../../core/config.js';
import { RpcConfigError } from './errors.js';

/** Quota units per method (provider compute units); methods not listed cost 1. */
export type MethodCosts = Readonly<Record<string, number>>;

export type RpcLimit = { hostSuffix: string; rps: number; dailyQuota: number; weight: number; costs: MethodCosts };

export type RpcEndpoint = {
  /** hostname#abcdef12 — safe to log, use as metric label and store. */
  readonly label: string;
  readonly host: string;
  /** Requests per second (token bucket refill; burst = max(1, rps)). */
  readonly rps: number;
  /** Quota units per UTC day (requests, or the provider's units with `costs`); 0 = unlimited. */
  readonly dailyQuota: number;
  /** Relative share of traffic among available endpoints. */
  readonly weight: number;
  /** Quota units per method; absent methods cost 1. */
  readonly costs: MethodCosts;
  /** URL with its key, without user:password. Non-enumerable: JSON.stringify / pino never see it. */
  readonly url: string;
  /** Extra request headers (Authorization from URL credentials, ETH_RPC_HEADERS). Non-enumerable. */
  readonly headers: Readonly<Record<string, string>>;
  /** Every secret this endpoint was configured with (original URL, header values), for scrubbing. Non-enumerable. */
  readonly secrets: readonly string[];
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

function parseCosts(host: string, spec: string | undefined): MethodCosts {
  const costs: Record<string, number> = {};
  for (const part of (spec ?? '').split(',')) {
    if (!part.trim()) continue;
    const m = /^\s*([A-Za-z0-9_]+):([0-9.]+)\s*$/.exec(part);
    const cost = m ? Number(m[2]) : Number.NaN;
    if (!m || !(cost >= 0) || !Number.isFinite(cost)) throw new RpcConfigError(`RPC_LIMITS: cost "${part.trim()}" of ${host} must be method:units (units >= 0)`);
    costs[m[1] as string] = cost;
  }
  return costs;
}

/**
 * Parse "alchemy.com=10/100000/2/eth_getBlockReceipts:500,eth_blockNumber:10;infura.io=10/0/1".
 * Missing parts take the defaults; the fourth part weighs methods in quota units.
 */
export function parseRpcLimits(spec: string, defaults: { rps: number; dailyQuota: number }): RpcLimit[] {
  const out: RpcLimit[] = [];
  for (const raw of spec.split(/[;\n]/)) {
    const entry = raw.trim();
    if (!entry) continue;
    const m = /^([A-Za-z0-9.-]+)=([0-9.]*)(?:\/([0-9]*))?(?:\/([0-9.]*))?(?:\/([A-Za-z0-9_:.,\s]*))?$/.exec(entry);
    if (!m) throw new RpcConfigError(`RPC_LIMITS: cannot parse "${entry}" (expected host=rps/dailyQuota/weight/method:cost,...)`);
    const rps = m[2] ? Number(m[2]) : defaults.rps;
    const dailyQuota = m[3] ? Number(m[3]) : defaults.dailyQuota;
    const weight = m[4] ? Number(m[4]) : 1;
    if (!(rps > 0) || !Number.isFinite(rps)) throw new RpcConfigError(`RPC_LIMITS: rps of ${m[1]} must be > 0`);
    if (!Number.isInteger(dailyQuota) || dailyQuota < 0) throw new RpcConfigError(`RPC_LIMITS: dailyQuota of ${m[1]} must be an integer >= 0`);
    if (!(weight > 0) || !Number.isFinite(weight)) throw new RpcConfigError(`RPC_LIMITS: weight of ${m[1]} must be > 0`);
    out.push({ hostSuffix: (m[1] ?? '').toLowerCase(), rps, dailyQuota, weight, costs: parseCosts(m[1] ?? '', m[5]) });
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

const decode = (s: string) => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

export function makeEndpoint(
  url: string,
  limit: { rps: number; dailyQuota: number; weight: number; costs?: MethodCosts },
  extraHeaders: Readonly<Record<string, string>> = {},
): RpcEndpoint {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RpcConfigError('ETH_RPC_URLS: an entry is not a valid URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new RpcConfigError(`ETH_RPC_URLS: ${parsed.hostname} must use http(s) (got ${parsed.protocol})`);
  const headers: Record<string, string> = {};
  let sendTo = url;
  if (parsed.username || parsed.password) {
    headers.authorization = `Basic ${Buffer.from(`${decode(parsed.username)}:${decode(parsed.password)}`).toString('base64')}`;
    parsed.username = '';
    parsed.password = '';
    sendTo = parsed.toString();
  }
  for (const [k, v] of Object.entries(extraHeaders)) headers[k.toLowerCase()] = v;
  const endpoint = { label: endpointLabel(url), host: parsed.hostname, rps: limit.rps, dailyQuota: limit.dailyQuota, weight: limit.weight, costs: limit.costs ?? {} };
  const hidden = (value: unknown) => ({ value, enumerable: false, writable: false });
  Object.defineProperties(endpoint, {
    url: hidden(sendTo),
    headers: hidden(headers),
    secrets: hidden([url, ...Object.values(headers)]),
  });
  return endpoint as RpcEndpoint;
}

export type RpcEndpointConfig = Pick<Config, 'ETH_RPC_URLS' | 'RPC_LIMITS' | 'RPC_DEFAULT_RPS' | 'RPC_DEFAULT_DAILY_QUOTA' | 'ANVIL_PORT' | 'HOST'> &
  Partial<Pick<Config, 'ETH_RPC_HEADERS'>>;

/**
 * ETH_RPC_HEADERS: a JSON object from endpoint key to headers, the key being the 1-based
 * position in ETH_RPC_URLS ("1"), the URL's hostname ("eth.example.com"), or "*" for all;
 * the more specific key wins per header (position > hostname > "*").
 */
export function parseRpcHeaders(spec: string): Record<string, Record<string, string>> {
  if (spec.trim() === '') return {};
  let json: unknown;
  try {
    json = JSON.parse(spec);
  } catch {
    throw new RpcConfigError('ETH_RPC_HEADERS: not valid JSON (expected {"<position|hostname|*>": {"header": "value"}})');
  }
  const bad = () => new RpcConfigError('ETH_RPC_HEADERS: expected {"<position|hostname|*>": {"header": "value"}} with string values');
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw bad();
  const out: Record<string, Record<string, string>> = {};
  for (const [key, headers] of Object.entries(json)) {
    if (headers === null || typeof headers !== 'object' || Array.isArray(headers)) throw bad();
    for (const v of Object.values(headers)) if (typeof v !== 'string') throw bad();
    out[key.toLowerCase()] = headers as Record<string, string>;
  }
  return out;
}

/** Endpoints from config; with ETH_RPC_URLS empty, the local anvil. Duplicate URLs are dropped. */
export function parseRpcEndpoints(cfg: RpcEndpointConfig): RpcEndpoint[] {
  const defaults = { rps: cfg.RPC_DEFAULT_RPS, dailyQuota: cfg.RPC_DEFAULT_DAILY_QUOTA };
  const limits = parseRpcLimits(cfg.RPC_LIMITS, defaults);
  const headerSpec = parseRpcHeaders(cfg.ETH_RPC_HEADERS ?? '');
  const urls = cfg.ETH_RPC_URLS.length > 0 ? cfg.ETH_RPC_URLS : [`http://${cfg.HOST}:${cfg.ANVIL_PORT}`];
  const seen = new Set<string>();
  const out: RpcEndpoint[] = [];
  for (const [i, url] of urls.entries()) {
    if (seen.has(url)) continue;
    seen.add(url);
    let host: string;
    try {
      host = new URL(url).hostname;
    } catch {
      throw new RpcConfigError(`ETH_RPC_URLS: entry ${out.length + 1} is not a valid URL`);
    }
    const l = limitFor(host, limits);
    const headers = { ...headerSpec['*'], ...headerSpec[host.toLowerCase()], ...headerSpec[String(i + 1)] };
    out.push(
      makeEndpoint(url, { rps: l?.rps ?? defaults.rps, dailyQuota: l?.dailyQuota ?? defaults.dailyQuota, weight: l?.weight ?? 1, costs: l?.costs ?? {} }, headers),
    );
  }
  return out;
}
