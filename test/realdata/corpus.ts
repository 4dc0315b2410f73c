// The recorded node answers in test/fixtures/rpc, read through provenance.json: which file
// holds which block and receipts, and how to take the node's answer out of its wrapper.
// The raw JSON is returned as parsed, untouched, so the reference and the integrity check
// see exactly the bytes the node sent.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'rpc');

/** Where an answer sits: erigon rpc-tests files are [{request, response}] (a batch answers an array); ethereum-etl files are one plain answer. */
export type AnswerRef = { file: string; format: 'erigon-rpc-tests'; entry: number; item?: number } | { file: string; format: 'web3-response' };
export type FixtureFile = { file: string; repo: string; commit: string; path: string; sha256: string; contents: string };
export type FixtureSet = {
  name: string;
  chain: string;
  chainId: number | null;
  number: number;
  block: AnswerRef;
  /** null: no receipts were published for this block (block-only fixture). */
  receipts: AnswerRef[] | null;
  covers: string;
};
export type Provenance = { files: FixtureFile[]; sets: FixtureSet[]; errors: { name: string; answer: AnswerRef }[] };

// biome-ignore lint/suspicious/noExplicitAny: raw node JSON, read field by field by its users
export type Raw = any;
export type RpcAnswer = { result?: Raw; error?: { code: number; message: string } };

export const provenance: Provenance = JSON.parse(readFileSync(join(FIXTURE_DIR, 'provenance.json'), 'utf8'));

const cache = new Map<string, Raw>();
const readJson = (file: string): Raw => {
  let v = cache.get(file);
  if (v === undefined) {
    v = JSON.parse(readFileSync(join(FIXTURE_DIR, file), 'utf8'));
    cache.set(file, v);
  }
  return v;
};

/** The JSON-RPC answer (result or error) an AnswerRef points at. */
export function answerOf(ref: AnswerRef): RpcAnswer {
  const json = readJson(ref.file);
  if (ref.format === 'web3-response') return json;
  const response = json[ref.entry].response;
  return Array.isArray(response) ? response[ref.item ?? 0] : response;
}

export type LoadedSet = FixtureSet & { rawBlock: Raw; rawReceipts: Raw[] | null };

/** A set's block and receipts (receipts flattened: per-tx files give one each, block receipt files an array). */
export function loadSet(set: FixtureSet): LoadedSet {
  const rawBlock = answerOf(set.block).result;
  const rawReceipts = set.receipts === null ? null : set.receipts.flatMap((r) => {
    const v = answerOf(r).result;
    return Array.isArray(v) ? v : [v];
  });
  return { ...set, rawBlock, rawReceipts };
}

export const loadedSets = (): LoadedSet[] => provenance.sets.map(loadSet);
/** The sets with a complete block + receipts pair: what export / ingest can replay. */
export const completeSets = (): LoadedSet[] => loadedSets().filter((s) => s.rawReceipts !== null);
