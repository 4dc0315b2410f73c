// `chainlake export` (the real CLI process) against the replay server of recorded real-node
// answers: per block, the NDJSON and Parquet rows give exactly the figures the independent
// reference computes from the raw JSON (test/realdata/reference.ts). Also covers the
// liberal/strict receipt rules on real data: pre-Byzantium receipts (root, no status; Parity's
// without from/to) export with status null, and nodes without eth_getBlockReceipts.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { createDuck, queryRows } from '../../storage/lake/duck.js';
import { type LoadedSet, completeSets } from './corpus.js';
import { referenceFigures } from './reference.js';
import { startReplay } from './replay.js';

const out = mkdtempSync(join(tmpdir(), 'chainlake-realdata-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

function cli(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', 'ops/cli.ts', 'export', ...args], { env: { ...process.env, LOG_LEVEL: 'warn' } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (c) => (stdout += c));
    p.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => p.kill('SIGKILL'), 60_000);
    p.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

type Row = Record<string, unknown>;
const ndjson = (dir: string, table: string): Row[] =>
  readFileSync(join(dir, `${table}.ndjson`), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));

/** The reference's figures, recomputed from export rows of one block. */
function figuresFromRows(number: number, blocks: Row[], txs: Row[], transfers: Row[]) {
  const block = blocks.find((b) => Number(b.number) === number);
  const mine = txs.filter((t) => Number(t.block_number) === number);
  const status = (t: Row) => (t.status === null || t.status === undefined ? null : Number(t.status));
  const sum = (rows: Row[], c: string) => rows.reduce((a, r) => a + BigInt(String(r[c])), 0n);
  return {
    txCount: Number(block?.tx_count),
    txRows: mine.length,
    gasUsed: BigInt(String(block?.gas_used)),
    receiptGasUsed: sum(mine, 'gas_used'),
    fees: sum(mine, 'fee'),
    failed: mine.filter((t) => status(t) === 0).length,
    succeeded: mine.filter((t) => status(t) === 1).length,
    unknown: mine.filter((t) => status(t) === null).length,
    erc20Transfers: transfers.filter((t) => Number(t.block_number) === number).length,
    nativeValueAll: sum(mine, 'value'),
  };
}
const expected = (s: LoadedSet) => {
  const r = referenceFigures(s);
  return {
    txCount: r.txCount,
    txRows: r.txCount,
    gasUsed: r.gasUsed,
    receiptGasUsed: r.receiptGasUsed,
    // Fees as chainlake stores them today: the execution fee. Blob and L1 fees are separate
    // reference figures (0 in every complete set of the corpus: no blob/OP receipts with blocks).
    fees: r.executionFees,
    failed: r.failed,
    succeeded: r.succeeded,
    unknown: r.unknown,
    erc20Transfers: r.erc20Transfers,
    nativeValueAll: r.nativeValueAll,
  };
};

const byChain = new Map<number, LoadedSet[]>();
for (const s of completeSets()) byChain.set(s.chainId ?? 0, [...(byChain.get(s.chainId ?? 0) ?? []), s]);

describe.each([...byChain.entries()].map(([chainId, sets]) => [chainId, sets] as const))('chain %i', (chainId, sets) => {
  const list = sets.map((s) => s.number).join(',');

  test.each([
    ['ndjson', {}],
    ['parquet', {}],
    ['ndjson, node without eth_getBlockReceipts', { noBlockReceipts: true }],
  ] as const)('export %s gives the reference figures per block', async (format, switches) => {
    const replay = await startReplay({ sets, chainId, ...switches });
    const dir = join(out, `${chainId}-${format.replace(/\W+/g, '-')}`);
    try {
      const fmt = format.startsWith('parquet') ? 'parquet' : 'ndjson';
      const r = await cli(['--rpc', replay.url, '--blocks', list, '--format', fmt, '--out', dir]);
      expect(r.status, r.stderr).toBe(0);
      if ('noBlockReceipts' in switches) expect(replay.calls.get('eth_getTransactionReceipt') ?? 0).toBeGreaterThan(0);
      let tables: Record<'blocks' | 'transactions' | 'token_transfers', Row[]>;
      if (fmt === 'ndjson') tables = { blocks: ndjson(dir, 'blocks'), transactions: ndjson(dir, 'transactions'), token_transfers: ndjson(dir, 'token_transfers') };
      else {
        const duck = await createDuck();
        const conn = await duck.connect();
        try {
          const read = (t: string) => queryRows(conn, `SELECT * FROM '${join(dir, `${t}.parquet`)}'`);
          tables = { blocks: await read('blocks'), transactions: await read('transactions'), token_transfers: await read('token_transfers') };
        } finally {
          conn.closeSync();
          duck.close();
        }
      }
      expect(tables.blocks.map((b) => Number(b.number)).sort((a, b) => a - b)).toEqual(sets.map((s) => s.number).sort((a, b) => a - b));
      for (const s of sets) expect(figuresFromRows(s.number, tables.blocks, tables.transactions, tables.token_transfers), s.name).toEqual(expected(s));
    } finally {
      await replay.close();
    }
  });
});
