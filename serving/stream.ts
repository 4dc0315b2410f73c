// Server-sent events at /api/v1/stream: new blocks and the current minute's stats. One poller
// (every pollMs, default 500 ms) is shared by all clients; it runs only while clients are
// connected, and a slow client is dropped rather than buffered without bound.
import type { Request, Response } from 'express';
import type { Logger } from '../core/logger.js';

const SENT_WINDOW = 256;

export type StreamSnapshot = { blocks: Record<string, unknown>[]; minute: Record<string, unknown> | null };

export function createStreamHub(opts: {
  poll: (sinceBlock: number | null) => Promise<StreamSnapshot>;
  pollMs?: number;
  heartbeatMs?: number;
  logger: Logger;
  maxClients?: number;
}) {
  const clients = new Set<Response>();
  let timer: NodeJS.Timeout | null = null;
  let heartbeat: NodeJS.Timeout | null = null;
  let lastBlock: number | null = null;
  /** number → hash of blocks already sent, for the last SENT_WINDOW heights. */
  const sent = new Map<number, string>();
  let lastMinute = '';
  let polling = false;

  const send = (event: string, data: unknown) => {
    const frame = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const res of clients) {
      if (res.writableLength > 1 << 20) {
        clients.delete(res);
        res.end();
        continue;
      }
      res.write(frame);
    }
  };

  async function tick() {
    if (polling) return;
    polling = true;
    try {
      const snap = await opts.poll(lastBlock);
      // Views of several Kafka partitions land out of order, and a reorg replaces a height: send
      // every block (number, hash) not sent yet within the recent window, ascending.
      const fresh = snap.blocks
        .filter((b) => sent.get(Number(b.number)) !== String(b.hash) && (lastBlock === null || Number(b.number) > lastBlock - SENT_WINDOW))
        .sort((a, b) => Number(a.number) - Number(b.number));
      for (const b of fresh) {
        send('block', b);
        sent.set(Number(b.number), String(b.hash));
        lastBlock = Math.max(lastBlock ?? 0, Number(b.number));
      }
      if (lastBlock !== null) for (const n of sent.keys()) if (n <= lastBlock - SENT_WINDOW) sent.delete(n);
      const m = JSON.stringify(snap.minute);
      if (snap.minute && m !== lastMinute) {
        lastMinute = m;
        send('stats', snap.minute);
      }
    } catch (err) {
      opts.logger.warn({ msg: 'Stream poll failed', err: (err as Error).message });
    } finally {
      polling = false;
    }
  }

  function start() {
    if (timer) return;
    timer = setInterval(() => void tick(), opts.pollMs ?? 500);
    heartbeat = setInterval(() => {
      for (const res of clients) res.write(': keep-alive\n\n');
    }, opts.heartbeatMs ?? 15_000);
    void tick();
  }
  function stop() {
    if (timer) clearInterval(timer);
    if (heartbeat) clearInterval(heartbeat);
    timer = heartbeat = null;
    lastBlock = null;
    sent.clear();
    lastMinute = '';
  }

  return {
    handler(req: Request, res: Response) {
      if (clients.size >= (opts.maxClients ?? 1000)) {
        res.status(503).json({ error: { code: 'too_many_streams', message: 'too many stream clients, retry later' } });
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      res.write('retry: 2000\n\n');
      clients.add(res);
      // A new client gets the current minute at once.
      if (lastMinute) res.write(`event: stats\ndata: ${lastMinute}\n\n`);
      start();
      req.on('close', () => {
        clients.delete(res);
        if (clients.size === 0) stop();
      });
    },
    clientCount: () => clients.size,
    close() {
      for (const res of clients) res.end();
      clients.clear();
      stop();
    },
  };
}
