import { describe, expect, test } from 'vitest';
import { parseConfig } from '../../core/config.js';
import { endpointLabel, limitFor, parseRpcEndpoints, parseRpcLimits } from './endpoints.js';
import { RpcConfigError } from './errors.js';

const cfg = (env: Record<string, string>) => parseConfig({ NODE_ENV: 'test', ...env });

describe('rpc endpoint config', () => {
  test('labels are hostname plus 8 hex of the URL hash, stable and key-free', () => {
    const url = 'https://eth-mainnet.g.alchemy.com/v2/abcdefghijklmnop1234';
    const label = endpointLabel(url);
    expect(label).toMatch(/^eth-mainnet\.g\.alchemy\.com#[0-9a-f]{8}$/);
    expect(endpointLabel(url)).toBe(label);
    expect(endpointLabel('https://eth-mainnet.g.alchemy.com/v2/otherkey000000000000')).not.toBe(label);
  });

  test('RPC_LIMITS applies by host suffix, most specific first, defaults elsewhere', () => {
    const eps = parseRpcEndpoints(
      cfg({
        ETH_RPC_URLS: 'https://eth-mainnet.g.alchemy.com/v2/k1,https://mainnet.infura.io/v3/k2,https://rpc.ankr.com/eth/k3,https://x.eth.alchemy.com/k4',
        RPC_LIMITS: 'alchemy.com=10/100000/2; eth.alchemy.com=3/50/1 ;infura.io=7',
        RPC_DEFAULT_RPS: '4',
        RPC_DEFAULT_DAILY_QUOTA: '999',
      }),
    );
    expect(eps.map((e) => [e.host, e.rps, e.dailyQuota, e.weight])).toEqual([
      ['eth-mainnet.g.alchemy.com', 10, 100000, 2],
      ['mainnet.infura.io', 7, 999, 1],
      ['rpc.ankr.com', 4, 999, 1],
      ['x.eth.alchemy.com', 3, 50, 1],
    ]);
  });

  test('suffix matches only whole host labels', () => {
    expect(limitFor('notalchemy.com', parseRpcLimits('alchemy.com=1', { rps: 5, dailyQuota: 0 }))).toBeUndefined();
    expect(limitFor('alchemy.com', parseRpcLimits('alchemy.com=1', { rps: 5, dailyQuota: 0 }))?.rps).toBe(1);
  });

  test('no ETH_RPC_URLS means the local anvil', () => {
    const eps = parseRpcEndpoints(cfg({ ANVIL_PORT: '8999' }));
    expect(eps).toHaveLength(1);
    expect(eps[0]!.url).toBe('http://127.0.0.1:8999');
  });

  test('the URL is not enumerable: serialising endpoints never shows the key', () => {
    const [e] = parseRpcEndpoints(cfg({ ETH_RPC_URLS: 'https://rpc.example.com/SECRET_KEY_123456' }));
    expect(e!.url).toContain('SECRET_KEY_123456');
    expect(JSON.stringify(e)).not.toContain('SECRET');
    expect(Object.keys(e!)).not.toContain('url');
  });

  test('bad limits and non-http URLs are config errors without the URL in the message', () => {
    expect(() => parseRpcLimits('alchemy.com=fast', { rps: 1, dailyQuota: 0 })).toThrow(RpcConfigError);
    expect(() => parseRpcLimits('alchemy.com=0/1/1', { rps: 1, dailyQuota: 0 })).toThrow(/rps/);
    const err = (() => {
      try {
        parseRpcEndpoints(cfg({ ETH_RPC_URLS: 'wss://ws.example.com/SECRET_KEY_123456' }));
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err).toBeInstanceOf(RpcConfigError);
    expect(err!.message).not.toContain('SECRET');
  });

  test('ETH_RPC_HEADERS by position, hostname or "*"; costs per method in RPC_LIMITS', () => {
    const eps = parseRpcEndpoints(
      cfg({
        ETH_RPC_URLS: 'https://a.example.com/k1,https://b.example.com/k2',
        ETH_RPC_HEADERS: JSON.stringify({ '*': { 'x-all': '1' }, 'b.example.com': { 'x-api-key': 'by-host' }, '2': { 'x-api-key': 'by-position' } }),
        RPC_LIMITS: 'a.example.com=5/1000/1/eth_getBlockReceipts:500,eth_blockNumber:10',
      }),
    );
    expect(eps[0]!.headers).toEqual({ 'x-all': '1' });
    expect(eps[1]!.headers).toEqual({ 'x-all': '1', 'x-api-key': 'by-position' });
    expect(eps[0]!.costs).toEqual({ eth_getBlockReceipts: 500, eth_blockNumber: 10 });
    expect(eps[1]!.costs).toEqual({});
    expect(JSON.stringify(eps)).not.toContain('by-position');
    expect(() => parseRpcEndpoints(cfg({ ETH_RPC_HEADERS: '[1]' }))).toThrow(RpcConfigError);
    expect(() => parseRpcLimits('a.com=1/2/3/eth_x:-1', { rps: 1, dailyQuota: 0 })).toThrow(RpcConfigError);
  });
});
