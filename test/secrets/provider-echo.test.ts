// Provider strings are scrubbed: a stub provider on 127.0.0.1 echoes the URL it was called
// with (key in path, query and user:password) in a JSON-RPC error message, in a 2xx body
// that is not JSON, in an HTTP error body, and over a websocket in a JSON-RPC error and the
// close reason. Logs, error text, metrics, the DLQ payload and stderr never contain the key.
import { Writable } from 'node:stream';
import pino from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createHeadWaiter } from '../../speed/ingest/heads.js';
import { createRpcBlockSource } from '../../speed/ingest/source.js';
import { createRpcPool, makeEndpoint } from '../../speed/rpc/index.js';
import { type ProviderStub, startProviderStub } from '../rpc/provider-stub.js';

const PATH_KEY = 'SEKRETpathKey0123456789';
const QUERY_KEY = 'SEKRETqueryKey98765';
const PASSWORD = 'SEKRETpassword42';
const WS_KEY = 'SEKRETwsKey0123456789ab';

let stub: ProviderStub;
beforeAll(async () => {
  stub = await startProviderStub(null);
});
afterAll(async () => {
  await stub?.close();
});

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _e, cb) {
      lines.push(String(chunk));
      cb();
    },
  });
  return { logger: pino({ level: 'trace' }, stream), lines };
}

test('keys echoed by an HTTP provider and a websocket never reach logs, errors, metrics, the DLQ or stderr', async () => {
  const url = `${stub.url.replace('http://', `http://user:${PASSWORD}@`)}/v2/${PATH_KEY}?key=${QUERY_KEY}`;
  const wsUrl = `${stub.url.replace('http://', 'ws://')}/ws/${WS_KEY}`;
  const echoed = (r: { url: string; headers: { host?: string } }) => `${r.headers.host}${r.url} (${url}) (${stub.url}${r.url})`;
  let n = 0;
  stub.handle((r) => {
    if (r.method === 'eth_chainId') return { result: '0x1' };
    if (r.method === 'eth_blockNumber') return { result: '0x100000' };
    if (r.method === 'eth_getBlockByNumber') {
      n++;
      if (n % 3 === 1) return { error: { code: -32000, message: `upstream failed for ${echoed(r)}` } };
      if (n % 3 === 2) return { status: 500, body: `internal error at ${echoed(r)}` };
      // Well-formed but invalid: the reason and the original answer (DLQ) quote the URL.
      return { result: { number: `provider at ${echoed(r)}`, note: echoed(r) } };
    }
    return { error: { code: -32000, message: `unknown for ${echoed(r)}` } };
  });

  const stderr: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    stderr.push(String(chunk));
    return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof process.stderr.write;
  const log = capture();
  const metrics = new Registry();
  const errors: string[] = [];
  try {
    const pool = createRpcPool({
      endpoints: [makeEndpoint(url, { rps: 1000, dailyQuota: 0, weight: 1 })],
      logger: log.logger,
      metrics,
      secrets: [wsUrl],
      cooldownBaseMs: 1,
      cooldownMaxMs: 5,
      timeoutMs: 2_000,
    });
    for (let i = 0; i < 2; i++) await pool.request('eth_getBlockByNumber', ['0x1', true], { maxAttempts: 1 }).catch((e: Error) => errors.push(`${e.message} ${String(e.stack)}`));
    const source = createRpcBlockSource({ pool, chainId: 1, logger: log.logger, onInvalid: 'dlq', retries: 0 });
    const dlq = await source.fetch(7);
    expect(dlq.kind).toBe('dlq');
    const dlqText = JSON.stringify(dlq);
    expect(dlqText).toContain('[redacted]');
    // INGEST_ON_INVALID=dlq keeps the provider's original answer (fields the schema would strip included).
    expect((dlq as { raw: { answer: { note?: string } } }).raw.answer.note).toContain('[redacted]');
    const failing = createRpcBlockSource({ pool, chainId: 1, logger: log.logger, retries: 0 });
    await failing.fetch(8).catch((e: Error) => errors.push(`${e.message} ${String(e.stack)}`));

    const heads = createHeadWaiter({ wsUrl, logger: log.logger, scrub: pool.scrub, reconnectBaseMs: 50 });
    await new Promise((r) => setTimeout(r, 1_500));
    heads.close();
    await pool.close();

    const wsLines = log.lines.filter((l) => l.includes('newHeads'));
    expect(wsLines.length).toBeGreaterThan(0);
    expect(errors.length).toBe(3);
    // INGEST_ON_INVALID=fail: a FatalError naming the block, the endpoint label and the field.
    expect(errors[2]).toMatch(/^block 8: eth_getBlockByNumber number is invalid on 127\.0\.0\.1#[0-9a-f]{8}/);
    expect(errors.join('\n')).toContain('upstream failed');
    const everything = [...errors, ...log.lines, dlqText, await metrics.metrics(), ...stderr].join('\n');
    for (const secret of [PATH_KEY, QUERY_KEY, PASSWORD, WS_KEY]) expect(everything).not.toContain(secret);
    expect(everything).not.toContain('SEKRET');
  } finally {
    process.stderr.write = write;
  }
}, 30_000);
