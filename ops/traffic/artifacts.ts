// Loads the committed artifacts.json (validated) and declares the typed ABIs the
// generator encodes calls with. compile.test.ts checks both against a fresh compile.
import { readFileSync } from 'node:fs';
import { type Abi, type Hex, parseAbi } from 'viem';
import { z } from 'zod';
import { FatalError } from '../../core/errors.js';
import { repoPath } from '../../core/paths.js';

const artifactSchema = z.object({
  source: z.string().min(1),
  abi: z.array(z.unknown()),
  bytecode: z.string().regex(/^0x([0-9a-f]{2})+$/, 'expected non-empty 0x-prefixed hex bytecode'),
});
const artifactsSchema = z.object({
  compiler: z.string().min(1),
  contracts: z.record(z.string(), artifactSchema),
});
export type Artifacts = z.infer<typeof artifactsSchema>;

export type ContractArtifact = { abi: Abi; bytecode: Hex };

export const tokenAbi = parseAbi([
  'constructor(string name_, string symbol_, uint8 decimals_, uint256 initialSupply, address[] holders, uint256 perHolder)',
  'function name() view returns (string)',
  'function symbol() view returns (string)',
  'function decimals() view returns (uint8)',
  'function totalSupply() view returns (uint256)',
  'function balanceOf(address) view returns (uint256)',
  'function allowance(address, address) view returns (uint256)',
  'function transfer(address to, uint256 value) returns (bool)',
  'function approve(address spender, uint256 value) returns (bool)',
  'function transferFrom(address from, address to, uint256 value) returns (bool)',
  'event Transfer(address indexed from, address indexed to, uint256 value)',
  'event Approval(address indexed owner, address indexed spender, uint256 value)',
]);

export const counterAbi = parseAbi([
  'function count() view returns (uint256)',
  'function increment()',
  'function fail() pure',
  'event Incremented(address indexed by, uint256 count)',
]);

const defaultPath = repoPath('ops', 'traffic', 'artifacts.json');

export function loadArtifacts(path: string = defaultPath): Artifacts {
  const parsed = artifactsSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) throw new FatalError(`invalid traffic artifacts at ${path}: ${parsed.error.issues[0]?.message ?? 'unknown'}`);
  return parsed.data;
}

/** Bytecode of the two contracts the generator deploys. */
export function trafficBytecode(artifacts: Artifacts = loadArtifacts()): { token: Hex; counter: Hex } {
  const token = artifacts.contracts.TrafficToken?.bytecode;
  const counter = artifacts.contracts.Counter?.bytecode;
  if (token === undefined || counter === undefined) throw new FatalError('traffic artifacts lack TrafficToken or Counter: run `npx tsx ops/traffic/compile.ts`');
  return { token: token as Hex, counter: counter as Hex };
}
