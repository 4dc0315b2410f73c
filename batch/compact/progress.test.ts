import { PassThrough } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { pino } from 'pino';
import { createCompactProgress, progressRates } from './progress.js';

const memoryLogger = () => {
  const lines: Record<string, unknown>[] = [];
  const sink = new PassThrough();
  sink.on('data', (d: Buffer) => {
    for (const l of d.toString().split('\n')) if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
  });
  return { logger: pino({ level: 'info' }, sink), lines };
};

describe('compaction progress', () => {
  test('rates and ETA from records done, txs and lag', () => {
    expect(progressRates({ records: 100, txs: 5_000, lag: 300, total: 400 }, 2)).toEqual({ recordsPerSecond: 50, txPerSecond: 2_500, etaSeconds: 6 });
    expect(progressRates({ records: 0, txs: 0, lag: 10, total: 10 }, 1).etaSeconds).toBeNull();
    expect(progressRates({ records: 10, txs: 0, lag: 0, total: 10 }, 1).etaSeconds).toBe(0);
  });

  test('a TTY gets a bar with records/s, tx/s, lag and ETA', async () => {
    const stream = Object.assign(new PassThrough(), { isTTY: true, columns: 200 }) as unknown as NodeJS.WriteStream;
    let out = '';
    (stream as unknown as PassThrough).on('data', (d: Buffer) => (out += d.toString()));
    let t = 0;
    const p = createCompactProgress({ stream, logger: memoryLogger().logger, now: () => t });
    t = 2_000;
    p.update({ records: 100, txs: 5_000, lag: 300, total: 400 });
    p.stop();
    await new Promise((r) => setImmediate(r));
    expect(out).toMatch(/100\/400 records/);
    expect(out).toMatch(/2,500 tx\/s/);
    expect(out).toMatch(/lag 300/);
    expect(out).toMatch(/ETA/);
  });

  test('without a TTY: a log line per interval and one at the end, no bar', async () => {
    const stream = Object.assign(new PassThrough(), { isTTY: false }) as unknown as NodeJS.WriteStream;
    let out = '';
    (stream as unknown as PassThrough).on('data', (d: Buffer) => (out += d.toString()));
    const { logger, lines } = memoryLogger();
    let t = 0;
    const p = createCompactProgress({ stream, logger, intervalMs: 5_000, now: () => t });
    for (let i = 1; i <= 10; i++) {
      t = i * 1_000;
      p.update({ records: i * 10, txs: i * 500, lag: 100 - i * 10, total: 100 });
    }
    p.stop();
    await new Promise((r) => setImmediate(r));
    expect(out).toBe('');
    expect(lines.map((l) => l.records)).toEqual([10, 60, 100]);
    expect(lines[1]).toMatchObject({ msg: 'Compaction progress', lag: 40, total: 100, txPerSecond: 500, recordsPerSecond: 10, etaSeconds: 4 });
  });
});
