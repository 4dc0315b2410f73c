// The traffic mix, as pure logic: a seeded RNG and a planner that turns it into
// unsigned transactions (kind, sender index, to, value, calldata, gas). No I/O: the
// generator and prefill sign and send what this plans, so a seed fixes the sequence.
import { type Address, type Hex, bytesToHex, encodeDeployData, encodeFunctionData, getAddress, maxUint256, parseEther } from 'viem';
import { counterAbi, tokenAbi } from './artifacts.js';

export const TX_KINDS = [
  'native_transfer',
  'erc20_transfer',
  'erc20_approve',
  'erc20_transfer_from',
  'contract_deploy',
  'counter_call',
  'failing_erc20_transfer',
  'failing_call',
] as const;
export type TxKind = (typeof TX_KINDS)[number];

/** Relative weights (per 100 txs): 40 % native, 25 % transfer, 10 % approve, 10 % transferFrom, 5 % deploys, 7 % failing. */
export const DEFAULT_MIX: Readonly<Record<TxKind, number>> = {
  native_transfer: 40,
  erc20_transfer: 25,
  erc20_approve: 10,
  erc20_transfer_from: 10,
  contract_deploy: 5,
  counter_call: 3,
  failing_erc20_transfer: 4,
  failing_call: 3,
};

/** Kinds whose tx is meant to be mined with status 0 (explicit gas limit, so no estimateGas rejects them). */
export const FAILING_KINDS: ReadonlySet<TxKind> = new Set(['failing_erc20_transfer', 'failing_call']);

/**
 * Gas limits, ~1.5× the gas used on anvil (token deploy with 10 holders 758k, pop-up deploy
 * 579k, transfer 52k, transferFrom 54k, approve 46k, increment 45k), so no estimateGas
 * round trip is needed and failing txs are mined instead of rejected.
 */
export const GAS: Readonly<Record<TxKind | 'setup_deploy_token' | 'setup_approve', bigint>> = {
  native_transfer: 21_000n,
  erc20_transfer: 80_000n,
  erc20_approve: 70_000n,
  erc20_transfer_from: 90_000n,
  contract_deploy: 900_000n,
  counter_call: 70_000n,
  failing_erc20_transfer: 80_000n,
  failing_call: 50_000n,
  setup_deploy_token: 1_500_000n,
  setup_approve: 70_000n,
};
/** A Counter deployment uses 130k gas; the token-sized contract_deploy limit would waste block space. */
export const COUNTER_DEPLOY_GAS = 200_000n;

/** Every generator account receives this many token units (1e9 tokens at 18 decimals) per token: it never runs dry. */
export const TOKENS_PER_HOLDER = 10n ** 27n;
/** More than any TrafficToken's total supply: a transfer of it always reverts with "exceeds balance". */
export const OVERDRAFT_AMOUNT = 2n ** 255n;

export type Rng = {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Uniform-ish bigint in [1, max]. */
  amount(max: bigint): bigint;
  bytes(n: number): Uint8Array;
};

/** sfc32 seeded through splitmix32: small, fast, and good enough for traffic shapes. */
export function createRng(seed: number): Rng {
  let s = seed >>> 0;
  const splitmix = () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  const u32 = () => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  const next = () => u32() / 4294967296;
  return {
    next,
    int: (n) => Math.floor(next() * n),
    amount: (max) => {
      const r = (BigInt(u32()) << 32n) | BigInt(u32());
      return (r % max) + 1n;
    },
    bytes: (n) => {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = u32() & 0xff;
      return out;
    },
  };
}

export type PlannedTx = {
  kind: TxKind | 'setup_deploy_token' | 'setup_deploy_counter' | 'setup_approve';
  /** Index into the generator's accounts. */
  from: number;
  to: Address | null;
  value: bigint;
  data: Hex;
  gas: bigint;
};

export type TrafficWorld = {
  accounts: readonly Address[];
  /** The long-lived tokens every account holds and has approved to its successor. */
  tokens: readonly Address[];
  counter: Address;
  bytecode: { token: Hex; counter: Hex };
};

/** Constructor calldata of a TrafficToken that airdrops TOKENS_PER_HOLDER to each holder. */
export function tokenDeployData(bytecode: Hex, name: string, symbol: string, decimals: number, holders: readonly Address[], perHolder = TOKENS_PER_HOLDER): Hex {
  return encodeDeployData({ abi: tokenAbi, bytecode, args: [name, symbol, decimals, 1_000_000n * 10n ** BigInt(decimals), holders, perHolder] });
}

export const SETUP_TOKENS = [
  { name: 'Traffic Dollar', symbol: 'TUSD', decimals: 6 },
  { name: 'Traffic Ether', symbol: 'TETH', decimals: 18 },
  { name: 'Traffic Governance', symbol: 'TGOV', decimals: 18 },
] as const;

/**
 * Setup in two phases that must be mined in order: (1) account 0 deploys the three
 * tokens and the Counter, (2) every account approves its successor for each token, so
 * erc20_transfer_from (spender = owner's successor) always has allowance.
 */
export function planSetup(world: TrafficWorld): { deploys: PlannedTx[]; approvals: PlannedTx[] } {
  const deploys: PlannedTx[] = SETUP_TOKENS.map((t) => ({
    kind: 'setup_deploy_token',
    from: 0,
    to: null,
    value: 0n,
    data: tokenDeployData(world.bytecode.token, t.name, t.symbol, t.decimals, world.accounts),
    gas: GAS.setup_deploy_token,
  }));
  deploys.push({ kind: 'setup_deploy_counter', from: 0, to: null, value: 0n, data: world.bytecode.counter, gas: COUNTER_DEPLOY_GAS });
  const approvals: PlannedTx[] = [];
  const n = world.accounts.length;
  for (let i = 0; i < n; i++) {
    const spender = world.accounts[(i + 1) % n] as Address;
    for (const token of world.tokens) {
      approvals.push({ kind: 'setup_approve', from: i, to: token, value: 0n, data: encodeFunctionData({ abi: tokenAbi, functionName: 'approve', args: [spender, maxUint256] }), gas: GAS.setup_approve });
    }
  }
  return { deploys, approvals };
}

export type Planner = {
  /** The next tx of the mix; kinds in `exclude` are re-drawn (used while setup is not mined yet). */
  next(exclude?: ReadonlySet<TxKind>): PlannedTx;
};

export function createPlanner(world: TrafficWorld, opts: { seed: number; mix?: Readonly<Record<TxKind, number>> }): Planner {
  const rng = createRng(opts.seed);
  const weights = TX_KINDS.map((k) => (opts.mix ?? DEFAULT_MIX)[k]);
  const total = weights.reduce((a, b) => a + b, 0);
  if (!(total > 0) || weights.some((w) => !(w >= 0))) throw new RangeError('traffic mix weights must be non-negative with a positive sum');
  const n = world.accounts.length;
  if (n < 1) throw new RangeError('traffic needs at least one account');
  let deployCount = 0;

  const pickKind = (): TxKind => {
    let r = rng.next() * total;
    for (let i = 0; i < TX_KINDS.length; i++) {
      r -= weights[i] as number;
      if (r < 0) return TX_KINDS[i] as TxKind;
    }
    return TX_KINDS[TX_KINDS.length - 1] as TxKind;
  };
  const account = (i: number) => world.accounts[i] as Address;
  const freshAddress = (): Address => getAddress(bytesToHex(rng.bytes(20)));
  /** 70 % another generator account, 30 % a never-seen address (so address cardinality grows like a real chain). */
  const recipient = (from: number): Address => (rng.next() < 0.3 || n === 1 ? freshAddress() : account((from + 1 + rng.int(n - 1)) % n));
  const token = () => world.tokens[rng.int(world.tokens.length)] as Address;
  const call = (kind: TxKind, from: number, to: Address, data: Hex): PlannedTx => ({ kind, from, to, value: 0n, data, gas: GAS[kind] });

  const plan = (kind: TxKind): PlannedTx => {
    const from = rng.int(n);
    switch (kind) {
      case 'native_transfer':
        return { kind, from, to: recipient(from), value: rng.amount(parseEther('0.01')), data: '0x', gas: GAS[kind] };
      case 'erc20_transfer':
        return call(kind, from, token(), encodeFunctionData({ abi: tokenAbi, functionName: 'transfer', args: [recipient(from), rng.amount(10n ** 20n)] }));
      case 'erc20_approve': {
        // Never the successor: that allowance is the unlimited one transferFrom relies on.
        const spender = n > 2 ? account((from + 2 + rng.int(n - 2)) % n) : freshAddress();
        return call(kind, from, token(), encodeFunctionData({ abi: tokenAbi, functionName: 'approve', args: [spender, rng.amount(10n ** 24n)] }));
      }
      case 'erc20_transfer_from': {
        // `from` is the spender; its predecessor approved it for every setup token.
        const owner = account((from + n - 1) % n);
        return call(kind, from, token(), encodeFunctionData({ abi: tokenAbi, functionName: 'transferFrom', args: [owner, recipient(from), rng.amount(10n ** 20n)] }));
      }
      case 'contract_deploy': {
        deployCount++;
        if (rng.next() < 0.4) return { kind, from, to: null, value: 0n, data: world.bytecode.counter, gas: COUNTER_DEPLOY_GAS };
        const holders = [account(rng.int(n)), freshAddress()];
        const decimals = rng.next() < 0.5 ? 18 : 6;
        return { kind, from, to: null, value: 0n, data: tokenDeployData(world.bytecode.token, `Pop-up Token ${deployCount}`, `POP${deployCount}`, decimals, holders, 10n ** 24n), gas: GAS[kind] };
      }
      case 'counter_call':
        return call(kind, from, world.counter, encodeFunctionData({ abi: counterAbi, functionName: 'increment' }));
      case 'failing_erc20_transfer':
        return call(kind, from, token(), encodeFunctionData({ abi: tokenAbi, functionName: 'transfer', args: [recipient(from), OVERDRAFT_AMOUNT] }));
      case 'failing_call':
        return call(kind, from, world.counter, encodeFunctionData({ abi: counterAbi, functionName: 'fail' }));
    }
  };

  return {
    next(exclude) {
      for (let attempt = 0; attempt < 1000; attempt++) {
        const kind = pickKind();
        if (!exclude?.has(kind)) return plan(kind);
      }
      throw new RangeError('every tx kind with a positive weight is excluded');
    },
  };
}
