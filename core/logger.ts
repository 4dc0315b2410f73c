// Structured logs (pino): JSON, pretty when stdout is a TTY. Secrets are redacted by
// path and URLs with credentials or key-like path segments are masked before logging.
import pino, { type Logger } from 'pino';

export type { Logger };

/** stderr: log there instead of stdout (CLI commands whose stdout is their output, e.g. --json). */
export function createLogger(opts: { level?: string; name?: string; pretty?: boolean; stderr?: boolean } = {}): Logger {
  const out = opts.stderr ? process.stderr : process.stdout;
  const pretty = opts.pretty ?? (out.isTTY === true && process.env.NODE_ENV !== 'test');
  const options = {
    name: opts.name ?? 'chainlake',
    level: opts.level ?? 'info',
    redact: {
      paths: ['url', 'rpcUrl', 'apiKey', 'key', 'password', 'authorization', '*.url', '*.apiKey', '*.password', 'headers.authorization', 'headers["x-api-key"]'],
      censor: '[redacted]',
    },
  };
  const fd = opts.stderr ? 2 : 1;
  if (pretty) return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss.l', destination: fd } } });
  return opts.stderr ? pino(options, pino.destination(2)) : pino(options);
}

/** Removes credentials, query strings and long key-like path segments from a URL for display. */
export function maskUrl(raw: string): string {
  try {
    const u = new URL(raw);
    const path = u.pathname
      .split('/')
      .map((seg) => (seg.length >= 16 && /^[A-Za-z0-9_-]+$/.test(seg) ? '***' : seg))
      .join('/');
    return `${u.protocol}//${u.hostname}${u.port ? `:${u.port}` : ''}${path}${u.search ? '?***' : ''}`;
  } catch {
    return '<invalid url>';
  }
}
