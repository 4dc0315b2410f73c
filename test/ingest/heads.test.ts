// ETH_WS_URL: a newHeads subscription wakes the follower as soon as anvil mines a block.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createHeadWaiter } from '../../speed/ingest/heads.js';
import { startAnvil, testLogger, type TestAnvil } from '../helpers.js';
import { rpc } from './support.js';

let anvil: TestAnvil;
beforeAll(async () => {
  anvil = await startAnvil();
});
afterAll(async () => {
  await anvil?.stop();
});

test('newHeads over websocket ends the wait well before the poll fallback', async () => {
  const heads = createHeadWaiter({ wsUrl: anvil.url.replace('http://', 'ws://'), logger: testLogger() });
  try {
    await new Promise((r) => setTimeout(r, 500)); // subscription established
    const t0 = Date.now();
    const waiting = heads.wait(10_000, new AbortController().signal);
    setTimeout(() => void rpc(anvil.url, 'evm_mine'), 100);
    await waiting;
    expect(Date.now() - t0).toBeLessThan(1_500);
  } finally {
    heads.close();
  }
});

test('without a websocket URL the wait is the poll interval', async () => {
  const heads = createHeadWaiter({ wsUrl: '', logger: testLogger() });
  const t0 = Date.now();
  await heads.wait(120, new AbortController().signal);
  expect(Date.now() - t0).toBeGreaterThanOrEqual(110);
});
