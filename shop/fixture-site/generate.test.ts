import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect, test } from 'vitest';
import { BROKEN_BOOK_PATH, buildSite, fixtureBooks, SITE_DIR } from './generate.js';

const walk = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p) : [relative(SITE_DIR, p)];
  });

test('the committed fixture site equals the generator output (deterministic)', () => {
  const site = buildSite();
  expect(walk(SITE_DIR).sort()).toEqual([...site.keys()].sort());
  for (const [path, html] of site) expect(readFileSync(join(SITE_DIR, path), 'utf8'), path).toBe(html);
  expect(buildSite()).toEqual(site);
});

test('the site has 48 books over 3 listing pages plus one broken page', () => {
  const site = buildSite();
  expect(fixtureBooks()).toHaveLength(48);
  expect(new Set(fixtureBooks().map((b) => b.upc)).size).toBe(48);
  expect([...site.keys()].filter((p) => /^catalogue\/page-\d+\.html$/.test(p))).toHaveLength(3);
  expect(site.has(BROKEN_BOOK_PATH)).toBe(true);
});
