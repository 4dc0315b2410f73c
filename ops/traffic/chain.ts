// Signing and sending for the traffic tools: anvil's dev accounts (standard test
// mnemonic), locally managed nonces, fees refreshed from the latest block, raw-tx sends.
// Nonces are local so a sender never waits for a receipt; resyncNonce repairs a lane after a failed send.
import {
  type Address,
  type Hash,
  type Hex,
  type PublicClient,
  type WalletClient,
  createPublicClient,
  createWalletClient,
  getContractAddress,
  http,
  keccak256,
  parseGwei,
} from 'viem';
import { type HDAccount, mnemonicToAccount } from 'viem/accounts';
import { RetryableError } from '../../core/errors.js';
import { maskUrl } from '../../core/logger.js';
import type { PlannedTx } from './mix.js';

/** anvil / hardhat well-known dev mnemonic: accounts 0..9 are funded with 10 000 ETH. */
export const DEV_MNEMONIC = 'test test test test test test test test test test test junk';

/** Dev accounts m/44'/60'/0'/0/i for i in 0..count-1 (~75 ms each: PBKDF2 seed derivation). */
export function devAccounts(count = 10, mnemonic = DEV_MNEMONIC): HDAccount[] {
  return Array.from({ length: count }, (_, i) => mnemonicToAccount(mnemonic, { addressIndex: i }));
}

export const PRIORITY_FEE = parseGwei('1');

export type SignedTx = { raw: Hex; hash: Hash; nonce: number; from: number };

export type TrafficChain = {
  chainId: number;
  client: PublicClient;
  wallets: readonly WalletClient[];
  accounts: readonly HDAccount[];
  addresses: readonly Address[];
  /** The next local nonce of an account. */
  nonce(from: number): number;
  /** Where the next `count` contracts created by account `from` will live. */
  nextContractAddresses(from: number, count: number): Address[];
  /** Signs with the account's next local nonce and advances it. */
  sign(tx: PlannedTx): Promise<SignedTx>;
  /** Sends a signed tx through the account's wallet client; resolves once the node accepted it. */
  send(tx: SignedTx): Promise<Hash>;
  /** Reloads an account's nonce from the node's pending state. */
  resyncNonce(from: number): Promise<void>;
  /** Re-reads the base fee; maxFeePerGas = 3 × base + tip so a few rising blocks do not strand txs. */
  refreshFees(): Promise<void>;
  /** A raw JSON-RPC call (anvil_*, evm_* methods). */
  rpc<T = unknown>(method: string, params?: unknown[]): Promise<T>;
};

export async function createTrafficChain(opts: { rpcUrl: string; accounts?: number; batch?: boolean; timeoutMs?: number }): Promise<TrafficChain> {
  const transport = http(opts.rpcUrl, { timeout: opts.timeoutMs ?? 10_000, retryCount: 0, ...(opts.batch ? { batch: { batchSize: 1000, wait: 0 } } : {}) });
  const client = createPublicClient({ transport }) as PublicClient;
  const accounts = devAccounts(opts.accounts ?? 10);
  const addresses = accounts.map((a) => a.address);
  const wallets = accounts.map((account) => createWalletClient({ account, transport }));
  let chainId: number;
  let nonces: number[];
  try {
    chainId = await client.getChainId();
    nonces = await Promise.all(addresses.map((address) => client.getTransactionCount({ address, blockTag: 'pending' })));
  } catch (e) {
    // viem's message embeds the URL, which may carry a key: keep only its short message.
    throw new RetryableError(`cannot reach the chain at ${maskUrl(opts.rpcUrl)}: ${(e as { shortMessage?: string }).shortMessage ?? 'request failed'}`);
  }
  let maxFeePerGas = 0n;

  const chain: TrafficChain = {
    chainId,
    client,
    wallets,
    accounts,
    addresses,
    nonce: (from) => nonces[from] as number,
    nextContractAddresses: (from, count) =>
      Array.from({ length: count }, (_, k) => getContractAddress({ from: addresses[from] as Address, nonce: BigInt((nonces[from] as number) + k) })),
    async sign(tx) {
      const nonce = nonces[tx.from] as number;
      nonces[tx.from] = nonce + 1;
      const raw = await (accounts[tx.from] as HDAccount).signTransaction({
        chainId,
        type: 'eip1559',
        nonce,
        to: tx.to,
        value: tx.value,
        data: tx.data,
        gas: tx.gas,
        maxFeePerGas,
        maxPriorityFeePerGas: PRIORITY_FEE,
      });
      return { raw, hash: keccak256(raw), nonce, from: tx.from };
    },
    send: (tx) => (wallets[tx.from] as WalletClient).sendRawTransaction({ serializedTransaction: tx.raw }),
    async resyncNonce(from) {
      nonces[from] = await client.getTransactionCount({ address: addresses[from] as Address, blockTag: 'pending' });
    },
    async refreshFees() {
      const block = await client.getBlock({ blockTag: 'latest' });
      maxFeePerGas = 3n * (block.baseFeePerGas ?? parseGwei('1')) + PRIORITY_FEE;
    },
    rpc: <T>(method: string, params: unknown[] = []) => client.request({ method: method as 'eth_chainId', params: params as never }) as Promise<T>,
  };
  await chain.refreshFees();
  return chain;
}
