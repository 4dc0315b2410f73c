// A provider stub on 127.0.0.1 for the cases anvil never shows: a JSON-RPC proxy in front of
// anvil (or standalone) whose answers a test rewrites per method and block (missing
// receipts as -32001 / null / [], invalid fields, 401, a lying head, a hang), which checks
// the Authorization header, and which echoes the URL it was called with in error bodies,
// JSON-RPC error messages and (over a websocket upgrade, node:http only) in a JSON-RPC
// error and the close reason, as careless providers do.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';

export type StubRequest = { method: string; params: unknown[]; url: string; headers: IncomingMessage['headers'] };
/** Return a reply to override the upstream answer, or undefined to pass it on. */
export type StubReply =
  | { status: number; body?: string }
  | { result: unknown }
  | { error: { code: number; message: string } }
  | { hang: true }
  | { patchResult: (result: unknown) => unknown };

export type ProviderStub = {
  url: string;
  port: number;
  calls: StubRequest[];
  /** Replace the handler (undefined: pass everything upstream). */
  handle: (fn: ((req: StubRequest) => StubReply | undefined) | undefined) => void;
  /** Websocket behaviour: 'echo' answers eth_subscribe with an error quoting the URL and closes with the URL as reason. */
  close: () => Promise<void>;
};

const blockOf = (p: unknown[]): number | null => (typeof p[0] === 'string' && /^0x[0-9a-f]+$/i.test(p[0]) ? Number(BigInt(p[0])) : null);
export const requestBlock = (r: StubRequest): number | null => blockOf(r.params);

/** A websocket text frame (server → client, unmasked). */
function frame(opcode: number, payload: Buffer): Buffer {
  const len = payload.length;
  const head = len < 126 ? Buffer.from([0x80 | opcode, len]) : Buffer.from([0x80 | opcode, 126, len >> 8, len & 0xff]);
  return Buffer.concat([head, payload]);
}

/** The first client frame's text (masked, small), or null when incomplete. */
function readClientText(buf: Buffer): string | null {
  if (buf.length < 2) return null;
  let len = (buf[1] as number) & 0x7f;
  let off = 2;
  if (len === 126) {
    len = buf.readUInt16BE(2);
    off = 4;
  }
  if (buf.length < off + 4 + len) return null;
  const mask = buf.subarray(off, off + 4);
  const data = Buffer.from(buf.subarray(off + 4, off + 4 + len));
  for (let i = 0; i < data.length; i++) data[i] = (data[i] as number) ^ (mask[i % 4] as number);
  return data.toString('utf8');
}

function wsEcho(req: IncomingMessage, socket: Duplex): void {
  const key = String(req.headers['sec-websocket-key'] ?? '');
  const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
  let buf = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    const text = readClientText(buf);
    if (text === null) return;
    buf = Buffer.alloc(0);
    let id: unknown = 1;
    try {
      id = (JSON.parse(text) as { id?: unknown }).id ?? 1;
    } catch {
      /* not JSON: answer anyway */
    }
    socket.write(frame(1, Buffer.from(JSON.stringify({ jsonrpc: '2.0', id, error: { code: -32000, message: `subscription refused for ${req.url} (host ${req.headers.host}${req.url})` } }))));
    const reason = Buffer.from(`bye ${req.url}`.slice(0, 120));
    const code = Buffer.from([0x0f, 0xa1]); // 4001
    setTimeout(() => socket.end(frame(8, Buffer.concat([code, reason]))), 20);
  });
  socket.on('error', () => {});
}

/** Starts the stub; `upstream` is anvil's URL (or null: every call must be handled). */
export async function startProviderStub(upstream: string | null): Promise<ProviderStub> {
  let handler: ((req: StubRequest) => StubReply | undefined) | undefined;
  const calls: StubRequest[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', async () => {
      let parsed: { id?: unknown; method?: string; params?: unknown[] };
      try {
        parsed = JSON.parse(body) as typeof parsed;
      } catch {
        res.writeHead(400).end(`bad request to ${req.url}`);
        return;
      }
      const r: StubRequest = { method: parsed.method ?? '', params: parsed.params ?? [], url: req.url ?? '/', headers: req.headers };
      calls.push(r);
      const reply = handler?.(r);
      const send = (obj: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(obj));
      if (reply && 'hang' in reply) return; // never answers; the client's timeout or abort ends it
      if (reply && 'status' in reply) return void res.writeHead(reply.status, { 'content-type': 'text/plain' }).end(reply.body ?? `denied: ${req.url}`);
      if (reply && 'result' in reply) return send({ jsonrpc: '2.0', id: parsed.id, result: reply.result });
      if (reply && 'error' in reply) return send({ jsonrpc: '2.0', id: parsed.id, error: reply.error });
      if (upstream === null) return send({ jsonrpc: '2.0', id: parsed.id, error: { code: -32601, message: 'method not found' } });
      try {
        const up = await fetch(upstream, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        const json = (await up.json()) as { result?: unknown };
        if (reply && 'patchResult' in reply && json.result !== undefined) json.result = reply.patchResult(json.result);
        send(json);
      } catch {
        res.writeHead(502).end(`upstream failed for ${req.url}`);
      }
    });
  });
  server.on('upgrade', (req, socket) => wsEcho(req, socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    calls,
    handle: (fn) => {
      handler = fn;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
