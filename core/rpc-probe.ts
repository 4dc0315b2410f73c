// The one bare eth_chainId request, for code that must learn which chain an endpoint serves
// before (or without) building the speed layer's RPC pool: `up`, `views status`, readiness of a
// local anvil. One HTTP POST, no store I/O, so ops/ and speed/ may both import it from core/.
import { z } from 'zod';
import type { Config } from './config.js';
import { errorMessage } from './errors.js';

const answer = z.object({ result: z.string().regex(/^0x[0-9a-fA-F]+$/) });

/** The chain id the endpoint reports; throws when it does not answer eth_chainId. */
export async function rpcChainId(url: string, timeoutMs = 10_000): Promise<number> {
  const r = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = answer.safeParse(await r.json().catch(() => null));
  if (!body.success) throw new Error('the RPC endpoint did not answer eth_chainId');
  return Number(BigInt(body.data.result));
}

/** The chain id from a flag, else from the first RPC endpoint (or the local anvil). */
export async function resolveChainId(cfg: Pick<Config, 'ETH_RPC_URLS' | 'HOST' | 'ANVIL_PORT' | 'RPC_TIMEOUT_MS'>, flag: number | undefined): Promise<number> {
  if (flag !== undefined) return flag;
  const url = cfg.ETH_RPC_URLS[0] ?? `http://${cfg.HOST}:${cfg.ANVIL_PORT}`;
  try {
    return await rpcChainId(url, cfg.RPC_TIMEOUT_MS);
  } catch (e) {
    // The URL may carry an API key: never print it.
    throw new Error(`could not ask the RPC endpoint for its chain id (${errorMessage(e)}); pass --chain-id`);
  }
}
