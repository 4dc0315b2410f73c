import fc from 'fast-check';
import { type Address, type Hex, decodeDeployData, decodeFunctionData, getAddress, maxUint256 } from 'viem';
import { describe, expect, test } from 'vitest';
import { counterAbi, tokenAbi, trafficBytecode } from './artifacts.js';
import { DEFAULT_MIX, FAILING_KINDS, OVERDRAFT_AMOUNT, TOKENS_PER_HOLDER, TX_KINDS, type TrafficWorld, type TxKind, createPlanner, createRng, planSetup } from './mix.js';

const addr = (i: number) => getAddress(`0x${(i + 1).toString(16).padStart(40, '0')}`);
const world = (accounts = 10): TrafficWorld => ({
  accounts: Array.from({ length: accounts }, (_, i) => addr(i)),
  tokens: [addr(100), addr(101), addr(102)],
  counter: addr(200),
  bytecode: trafficBytecode(),
});

describe('createRng', () => {
  test('int stays in [0, n) and amount in [1, max]', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 1_000_000 }), fc.bigInt({ min: 1n, max: maxUint256 }), (seed, n, max) => {
        const rng = createRng(seed);
        for (let i = 0; i < 20; i++) {
          const v = rng.int(n);
          const a = rng.amount(max);
          if (v < 0 || v >= n || !Number.isInteger(v) || a < 1n || a > max) return false;
        }
        return true;
      }),
    );
  });

  test('is deterministic per seed and differs across seeds', () => {
    const draw = (seed: number) => {
      const rng = createRng(seed);
      return Array.from({ length: 8 }, () => rng.next());
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
  });
});

describe('createPlanner', () => {
  test('the same seed plans the same txs; another seed plans others', () => {
    const plan = (seed: number) => {
      const p = createPlanner(world(), { seed });
      return Array.from({ length: 200 }, () => p.next());
    };
    expect(plan(7)).toEqual(plan(7));
    expect(plan(7)).not.toEqual(plan(8));
  });

  test('kind frequencies follow the default mix within 1.5 percentage points over 20 000 txs', () => {
    const p = createPlanner(world(), { seed: 1 });
    const counts = Object.fromEntries(TX_KINDS.map((k) => [k, 0])) as Record<TxKind, number>;
    const N = 20_000;
    for (let i = 0; i < N; i++) counts[p.next().kind as TxKind]++;
    const total = Object.values(DEFAULT_MIX).reduce((a, b) => a + b, 0);
    for (const k of TX_KINDS) expect(Math.abs((counts[k] / N) * 100 - (DEFAULT_MIX[k] / total) * 100), k).toBeLessThan(1.5);
    const failing = [...FAILING_KINDS].reduce((a, k) => a + counts[k], 0) / N;
    expect(failing).toBeGreaterThan(0.05);
    expect(failing).toBeLessThan(0.1);
  });

  test('each kind has the tx shape its class needs: creation to=null, native input 0x, calls with known calldata', () => {
    const w = world();
    const p = createPlanner(w, { seed: 3 });
    const seen = new Set<string>();
    for (let i = 0; i < 3_000; i++) {
      const tx = p.next();
      seen.add(tx.kind);
      const sender = w.accounts[tx.from] as Address;
      switch (tx.kind) {
        case 'native_transfer':
          expect(tx.data).toBe('0x');
          expect(tx.to).not.toBeNull();
          expect(tx.value).toBeGreaterThan(0n);
          expect(tx.to).not.toBe(sender);
          break;
        case 'contract_deploy':
          expect(tx.to).toBeNull();
          expect(tx.data.startsWith(w.bytecode.token) || tx.data === w.bytecode.counter).toBe(true);
          break;
        case 'erc20_transfer_from': {
          const call = decodeFunctionData({ abi: tokenAbi, data: tx.data });
          expect(call.functionName).toBe('transferFrom');
          // The owner is the sender's predecessor, which approved the sender in setup.
          expect(call.args?.[0]).toBe(w.accounts[(tx.from + w.accounts.length - 1) % w.accounts.length]);
          expect(w.tokens).toContain(tx.to);
          break;
        }
        case 'erc20_approve': {
          const call = decodeFunctionData({ abi: tokenAbi, data: tx.data });
          expect(call.functionName).toBe('approve');
          // Never overwrite the unlimited successor allowance transferFrom depends on.
          expect(call.args?.[0]).not.toBe(w.accounts[(tx.from + 1) % w.accounts.length]);
          break;
        }
        case 'erc20_transfer': {
          const call = decodeFunctionData({ abi: tokenAbi, data: tx.data });
          expect(call.functionName).toBe('transfer');
          expect(call.args?.[1] as bigint).toBeLessThan(TOKENS_PER_HOLDER / 1000n);
          break;
        }
        case 'failing_erc20_transfer': {
          const call = decodeFunctionData({ abi: tokenAbi, data: tx.data });
          expect(call.functionName).toBe('transfer');
          expect(call.args?.[1]).toBe(OVERDRAFT_AMOUNT);
          expect(tx.gas).toBeGreaterThan(21_000n);
          break;
        }
        case 'failing_call':
          expect(tx.to).toBe(w.counter);
          expect(decodeFunctionData({ abi: counterAbi, data: tx.data }).functionName).toBe('fail');
          break;
        case 'counter_call':
          expect(decodeFunctionData({ abi: counterAbi, data: tx.data }).functionName).toBe('increment');
          break;
        default:
          throw new Error(`unexpected kind ${tx.kind}`);
      }
    }
    expect([...seen].sort()).toEqual([...TX_KINDS].sort());
  });

  test('excluded kinds are never planned', () => {
    const p = createPlanner(world(), { seed: 5 });
    const exclude = new Set<TxKind>(['erc20_transfer_from', 'failing_call']);
    for (let i = 0; i < 2_000; i++) expect(exclude.has(p.next(exclude).kind as TxKind)).toBe(false);
    expect(() => p.next(new Set(TX_KINDS))).toThrow(/excluded/);
  });

  test('rejects a mix without positive weight and a world without accounts', () => {
    const zero = Object.fromEntries(TX_KINDS.map((k) => [k, 0])) as Record<TxKind, number>;
    expect(() => createPlanner(world(), { seed: 1, mix: zero })).toThrow(RangeError);
    expect(() => createPlanner(world(0), { seed: 1 })).toThrow(RangeError);
  });

  test('works with a single account (transferFrom spends its own self-approval)', () => {
    const w = world(1);
    const p = createPlanner(w, { seed: 9 });
    for (let i = 0; i < 500; i++) {
      const tx = p.next();
      expect(tx.from).toBe(0);
      if (tx.kind === 'erc20_transfer_from') expect(decodeFunctionData({ abi: tokenAbi, data: tx.data }).args?.[0]).toBe(w.accounts[0]);
    }
  });
});

describe('planSetup', () => {
  test('account 0 deploys three airdropping tokens and the Counter, then every account approves its successor for each token', () => {
    const w = world(4);
    const { deploys, approvals } = planSetup(w);
    expect(deploys.map((d) => d.kind)).toEqual(['setup_deploy_token', 'setup_deploy_token', 'setup_deploy_token', 'setup_deploy_counter']);
    for (const d of deploys) {
      expect(d.from).toBe(0);
      expect(d.to).toBeNull();
    }
    const ctor = decodeDeployData({ abi: tokenAbi, bytecode: w.bytecode.token, data: (deploys[0] as { data: Hex }).data });
    expect(ctor.args?.[4]).toEqual(w.accounts);
    expect(ctor.args?.[5]).toBe(TOKENS_PER_HOLDER);
    expect(approvals).toHaveLength(4 * 3);
    const pairs = approvals.map((a) => {
      const call = decodeFunctionData({ abi: tokenAbi, data: a.data });
      expect(call.args?.[1]).toBe(maxUint256);
      return `${a.from}:${a.to}:${call.args?.[0]}`;
    });
    const expected = w.accounts.flatMap((_, i) => w.tokens.map((t) => `${i}:${t}:${w.accounts[(i + 1) % 4]}`));
    expect(pairs.sort()).toEqual(expected.sort());
  });
});
