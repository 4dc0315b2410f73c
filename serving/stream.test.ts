import { EventEmitter } from 'node:events';
import type { Request, Response } from 'express';
import { expect, test } from 'vitest';
import { createLogger } from '../core/logger.js';
import { createStreamHub, type StreamSnapshot } from './stream.js';

/** A response that records the SSE frames written to it. */
function fakeClient() {
  const frames: string[] = [];
  const res = { writableLength: 0, writeHead: () => res, write: (s: string) => frames.push(s), end: () => {} };
  const req = new EventEmitter();
  const blocks = () =>
    frames
      .filter((f) => f.startsWith('event: block'))
      .map((f) => JSON.parse(f.split('data: ')[1] as string) as { number: number; hash: string })
      .map((b) => `${b.number}${b.hash}`);
  return { req: req as unknown as Request, res: res as unknown as Response, blocks, close: () => req.emit('close') };
}

test('blocks that land late (another Kafka partition) or replace a height (reorg) are still streamed, each once', async () => {
  const b = (number: number, hash = 'a') => ({ number, hash });
  const snapshots: StreamSnapshot['blocks'][] = [
    [b(100)],
    [b(101), b(100)],
    [b(103), b(101), b(100)], // 102 is not in the views yet
    [b(103), b(102), b(101), b(100)], // now it is
    [b(103, 'x'), b(102), b(101)], // 103 was reorged
    [b(104), b(103, 'x'), b(102)],
  ];
  let i = 0;
  let polls = 0;
  const hub = createStreamHub({
    logger: createLogger({ level: 'silent', pretty: false }),
    pollMs: 5,
    poll: async () => {
      polls++;
      return { blocks: snapshots[Math.min(i++, snapshots.length - 1)] ?? [], minute: null };
    },
  });
  const client = fakeClient();
  hub.handler(client.req, client.res);
  for (let k = 0; k < 200 && polls < snapshots.length + 2; k++) await new Promise((r) => setTimeout(r, 5));
  client.close();
  expect(client.blocks()).toEqual(['100a', '101a', '103a', '102a', '103x', '104a']);
});
