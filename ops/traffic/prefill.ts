// Prefills a local anvil with history for benchmarks: automine and interval mining off,
// then for each block send exactly txsPerBlock txs of the traffic mix and evm_mine.
// Setup (token + Counter deploys, approvals) rides in the first blocks, padded with kinds
// that do not depend on it, so every mined block holds exactly txsPerBlock txs.
import type { Logger } from 'pino';
import { z } from 'zod';
import { FatalError, ValidationError } from '../../core/errors.js';
import { type SignedTx, type TrafficChain, createTrafficChain } from './chain.js';
import { DEFAULT_MIX, type PlannedTx, TX_KINDS, type TxKind, createPlanner, planSetup } from './mix.js';
import { safeError, trafficWorld } from './generator.js';

export type PrefillProgress = { block: number; blocksDone: number; blocks: number; txs: number; elapsedMs: number };

export type PrefillOptions = {
  rpcUrl: string;
  blocks: number;
  txsPerBlock: number;
  logger: Logger;
  onProgress?: (p: PrefillProgress) => void;
  seed?: number;
  accounts?: number;
  signal?: AbortSignal;
  /** Seconds between block timestamps (evm_mine with an explicit timestamp); default: anvil's clock. */
  timestampStep?: number;
  /** Re-enable interval mining with this many seconds afterwards (anvil cannot report the previous interval). */
  restoreBlockTime?: number;
};

export type PrefillResult = {
  firstBlock: number;
  lastBlock: number;
  txs: number;
  byKind: Record<string, number>;
  elapsedMs: number;
  tokens: string[];
  counter: string;
};

const optionsSchema = z.object({
  rpcUrl: z.string().url(),
  blocks: z.number().int().positive(),
  txsPerBlock: z.number().int().positive().max(5_000),
  seed: z.number().int(),
  accounts: z.number().int().min(1).max(20),
  timestampStep: z.number().int().positive().optional(),
});

/** Until the setup contracts exist only native transfers pad a block (deploys would just add gas). */
const BEFORE_DEPLOYS: ReadonlySet<TxKind> = new Set(TX_KINDS.filter((k) => k !== 'native_transfer'));
const BEFORE_APPROVALS: ReadonlySet<TxKind> = new Set<TxKind>(['erc20_transfer_from']);

export async function prefillChain(opts: PrefillOptions): Promise<PrefillResult> {
  const parsed = optionsSchema.safeParse({ ...opts, seed: opts.seed ?? 1, accounts: opts.accounts ?? 10 });
  if (!parsed.success) throw new ValidationError(`invalid prefill options: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const { blocks, txsPerBlock, seed, timestampStep } = parsed.data;
  const logger = opts.logger.child({ component: 'prefill' });
  const started = performance.now();

  const chain = await createTrafficChain({ rpcUrl: opts.rpcUrl, accounts: parsed.data.accounts, batch: true, timeoutMs: 60_000 });
  const automineBefore = await chain.rpc<boolean>('anvil_getAutomine').catch(() => {
    throw new ValidationError('prefill needs an anvil node: anvil_getAutomine is not supported by this RPC endpoint');
  });
  await chain.rpc('evm_setIntervalMining', [0]);
  await chain.rpc('evm_setAutomine', [false]);
  try {
    const pool = await chain.rpc<{ pending: string; queued: string }>('txpool_status');
    if (BigInt(pool.pending) > 0n) {
      // Somebody else's txs would land in our blocks: mine them into a block of their own first.
      logger.warn({ msg: 'Mempool not empty before prefill: mining it first', pending: Number(BigInt(pool.pending)) });
      await chain.rpc('evm_mine');
    }
    await Promise.all(chain.addresses.map((_, i) => chain.resyncNonce(i)));
    const world = trafficWorld(chain);
    const setup = planSetup(world);
    const planner = createPlanner(world, { seed, mix: DEFAULT_MIX });
    const byKind: Record<string, number> = {};
    const head = await chain.client.getBlock({ blockTag: 'latest' });
    let lastTimestamp = Number(head.timestamp);
    const firstBlock = Number(await chain.rpc<string>('eth_blockNumber')) + 1;

    // Setup phases are consumed in order; a phase counts as mined once the block holding its last tx is planned past.
    let deploysLeft = [...setup.deploys];
    let approvalsLeft = [...setup.approvals];
    let deploysMined = false;
    let approvalsMined = false;
    const planBlock = (): PlannedTx[] => {
      const txs: PlannedTx[] = [];
      let exclude: ReadonlySet<TxKind> | undefined;
      if (!deploysMined) {
        txs.push(...deploysLeft.slice(0, txsPerBlock));
        deploysLeft = deploysLeft.slice(txsPerBlock);
        exclude = BEFORE_DEPLOYS;
        deploysMined = deploysLeft.length === 0;
      } else if (!approvalsMined) {
        txs.push(...approvalsLeft.slice(0, txsPerBlock));
        approvalsLeft = approvalsLeft.slice(txsPerBlock);
        exclude = BEFORE_APPROVALS;
        approvalsMined = approvalsLeft.length === 0;
      }
      while (txs.length < txsPerBlock) txs.push(planner.next(exclude));
      return txs;
    };
    const sign = async (txs: PlannedTx[]): Promise<SignedTx[]> => {
      const out: SignedTx[] = [];
      for (const tx of txs) out.push(await chain.sign(tx));
      return out;
    };
    const mine = async (expected: number, signed: SignedTx[]) => {
      await Promise.all(signed.map((s) => chain.send(s)));
      if (timestampStep) lastTimestamp += timestampStep;
      await chain.rpc('evm_mine', timestampStep ? [lastTimestamp] : []);
      const block = await chain.client.getBlock({ blockTag: 'latest' });
      if (Number(block.number) !== expected || block.transactions.length !== signed.length)
        throw new FatalError(`prefill block ${block.number} holds ${block.transactions.length} txs, expected block ${expected} with ${signed.length} (another sender or a full block?)`);
    };

    // Sign block k+1 while anvil takes block k: signing is the CPU-bound half.
    let inflight: Promise<void> | undefined;
    let txs = 0;
    for (let k = 0; k < blocks; k++) {
      if (opts.signal?.aborted) throw opts.signal.reason;
      const planned = planBlock();
      // anvil skips a tx whose gas limit no longer fits the block: fail clearly instead of mid-run.
      const gas = planned.reduce((a, tx) => a + tx.gas, 0n);
      if (gas > head.gasLimit)
        throw new ValidationError(`block ${firstBlock + k} would need ${gas} gas but the block gas limit is ${head.gasLimit}: lower txsPerBlock or start anvil with a higher --gas-limit`);
      const signed = await sign(planned);
      await inflight;
      if (k > 0) opts.onProgress?.({ block: firstBlock + k - 1, blocksDone: k, blocks, txs, elapsedMs: performance.now() - started });
      for (const tx of planned) byKind[tx.kind] = (byKind[tx.kind] ?? 0) + 1;
      txs += planned.length;
      inflight = mine(firstBlock + k, signed);
      // Surface a failure at the next await, not as an unhandled rejection.
      inflight.catch(() => undefined);
    }
    await inflight;
    const elapsedMs = performance.now() - started;
    opts.onProgress?.({ block: firstBlock + blocks - 1, blocksDone: blocks, blocks, txs, elapsedMs });
    logger.info({ msg: 'Prefill done', firstBlock, lastBlock: firstBlock + blocks - 1, txs, elapsedMs: Math.round(elapsedMs), byKind });
    return { firstBlock, lastBlock: firstBlock + blocks - 1, txs, byKind, elapsedMs, tokens: [...world.tokens], counter: world.counter };
  } catch (e) {
    logger.error({ msg: 'Prefill failed', ...safeError(e) });
    throw e;
  } finally {
    await restoreMining(chain, automineBefore, opts.restoreBlockTime).catch((e) => logger.warn({ msg: 'Could not restore mining mode', ...safeError(e) }));
  }
}

async function restoreMining(chain: TrafficChain, automine: boolean, blockTime: number | undefined): Promise<void> {
  if (automine) await chain.rpc('evm_setAutomine', [true]);
  if (blockTime !== undefined && blockTime > 0) await chain.rpc('evm_setIntervalMining', [blockTime]);
}
