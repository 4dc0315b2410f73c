// Scrubbing of provider text: every string a provider sends back (JSON-RPC error messages,
// schema failure reasons, DLQ payloads, websocket errors and close reasons) may quote the
// URL it was called with, and with it the key. Before such a string reaches a log, an error,
// a metric or the DLQ, every configured endpoint's URL, host+path, path, query, user/password
// and extra header values are replaced by [redacted].
export type Scrub = (text: string) => string;

const REDACTED = '[redacted]';

/** Substrings that would reveal a secret of this URL, longest first. */
function secretsOf(raw: string): string[] {
  const out = new Set<string>([raw]);
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return [raw];
  }
  const decoded = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  };
  if (u.username) out.add(u.username).add(decoded(u.username));
  if (u.password) out.add(u.password).add(decoded(u.password));
  const bare = `${u.protocol}//${u.host}${u.pathname}${u.search}`;
  out.add(bare);
  const path = `${u.pathname}${u.search}`;
  if (path.length > 1) {
    out.add(`${u.host}${path}`);
    out.add(path);
  }
  for (const seg of u.pathname.split('/')) if (seg.length >= 6) out.add(seg).add(decoded(seg));
  if (u.search.length > 1) {
    out.add(u.search.slice(1));
    for (const [, v] of u.searchParams) if (v.length >= 6) out.add(v);
  }
  return [...out];
}

/** A scrubber over the given endpoint URLs (http and ws) and other secret values (header values). */
export function createScrubber(urls: readonly string[], values: readonly string[] = []): Scrub {
  const needles = [...new Set([...urls.filter(Boolean).flatMap(secretsOf), ...values.filter((v) => v.length >= 6)])]
    .filter((n) => n.length >= 6)
    .sort((a, b) => b.length - a.length);
  if (needles.length === 0) return (t) => t;
  return (text) => {
    let out = text;
    for (const n of needles) if (out.includes(n)) out = out.split(n).join(REDACTED);
    return out;
  };
}

/** Deep-scrubs every string in a JSON value (DLQ payloads). */
export function scrubJson(value: unknown, scrub: Scrub): unknown {
  if (typeof value === 'string') return scrub(value);
  if (Array.isArray(value)) return value.map((v) => scrubJson(v, scrub));
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubJson(v, scrub)]));
  return value;
}
