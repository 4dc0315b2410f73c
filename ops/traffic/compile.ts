// Compiles the traffic contracts with solc-js and writes artifacts.json (abi + bytecode).
// The artifacts are committed, so the generator never needs solc at runtime; the unit
// test compile.test.ts recompiles and fails when artifacts.json is stale.
//   npx tsx ops/traffic/compile.ts
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FatalError } from '../../core/errors.js';
import { repoPath } from '../../core/paths.js';
import type { Artifacts } from './artifacts.js';

const here = repoPath('ops', 'traffic');
export const CONTRACTS_DIR = join(here, 'contracts');
export const ARTIFACTS_PATH = join(here, 'artifacts.json');

type Solc = { compile(input: string): string; version(): string };
type SolcOutput = {
  errors?: { severity: 'error' | 'warning' | 'info'; formattedMessage: string }[];
  contracts?: Record<string, Record<string, { abi: unknown[]; evm: { bytecode: { object: string } } }>>;
};

/** Compiler settings are part of the artifact: changing them must change artifacts.json. */
export const SOLC_SETTINGS = {
  optimizer: { enabled: true, runs: 200 },
  evmVersion: 'cancun',
  outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
} as const;

/** Compile every contracts/*.sol. Source unit names are the bare file names, so output is path-independent. */
export function compileContracts(dir: string = CONTRACTS_DIR): Artifacts {
  const solc = createRequire(import.meta.url)('solc') as Solc;
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.sol'))
    .sort();
  const sources = Object.fromEntries(files.map((f) => [f, { content: readFileSync(join(dir, f), 'utf8') }]));
  const output = JSON.parse(solc.compile(JSON.stringify({ language: 'Solidity', sources, settings: SOLC_SETTINGS }))) as SolcOutput;
  const errors = (output.errors ?? []).filter((e) => e.severity === 'error');
  if (errors.length > 0) throw new FatalError(`solc failed:\n${errors.map((e) => e.formattedMessage).join('\n')}`);
  const contracts: Artifacts['contracts'] = {};
  for (const file of files) {
    for (const [name, c] of Object.entries(output.contracts?.[file] ?? {})) {
      contracts[name] = { source: file, abi: c.abi, bytecode: `0x${c.evm.bytecode.object}` };
    }
  }
  return { compiler: solc.version(), contracts };
}

export function writeArtifacts(artifacts: Artifacts, path: string = ARTIFACTS_PATH): void {
  writeFileSync(path, `${JSON.stringify(artifacts, null, 2)}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const artifacts = compileContracts();
  writeArtifacts(artifacts);
  process.stderr.write(`wrote ${ARTIFACTS_PATH}: ${Object.keys(artifacts.contracts).join(', ')} (solc ${artifacts.compiler})\n`);
}
