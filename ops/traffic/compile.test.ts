import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { ARTIFACTS_PATH, compileContracts } from './compile.js';
import { counterAbi, loadArtifacts, tokenAbi, trafficBytecode } from './artifacts.js';

describe('traffic contract artifacts', () => {
  const fresh = compileContracts();
  const committed = loadArtifacts();

  test('artifacts.json matches a fresh solc compile of contracts/*.sol (run `npx tsx ops/traffic/compile.ts` when this fails)', () => {
    expect(committed.compiler).toBe(fresh.compiler);
    expect(Object.keys(committed.contracts).sort()).toEqual(Object.keys(fresh.contracts).sort());
    for (const [name, c] of Object.entries(fresh.contracts)) {
      expect(committed.contracts[name]?.bytecode, `${name} bytecode`).toBe(c.bytecode);
      expect(committed.contracts[name]?.abi, `${name} abi`).toEqual(c.abi);
    }
  });

  test('artifacts.json is exactly what compile.ts would write', () => {
    expect(readFileSync(ARTIFACTS_PATH, 'utf8')).toBe(`${JSON.stringify(fresh, null, 2)}\n`);
  });

  test('the typed ABIs the generator encodes with exist in the compiled ABIs', () => {
    const signature = (item: { type: string; name?: string; inputs?: readonly { type: string }[] }) =>
      `${item.type} ${item.name ?? ''}(${(item.inputs ?? []).map((i) => i.type).join(',')})`;
    const compiled = (name: string) => new Set((fresh.contracts[name]?.abi as { type: string; name?: string; inputs?: { type: string }[] }[]).map(signature));
    for (const item of tokenAbi) expect(compiled('TrafficToken').has(signature(item)), signature(item)).toBe(true);
    for (const item of counterAbi) expect(compiled('Counter').has(signature(item)), signature(item)).toBe(true);
  });

  test('trafficBytecode returns both contracts and rejects artifacts without them', () => {
    const { token, counter } = trafficBytecode(committed);
    expect(token).toMatch(/^0x[0-9a-f]+$/);
    expect(counter).toMatch(/^0x[0-9a-f]+$/);
    expect(() => trafficBytecode({ compiler: 'x', contracts: {} })).toThrow(/TrafficToken or Counter/);
  });
});
