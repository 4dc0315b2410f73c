// Renders the configuration table of the README from core/config.ts (one source).
// `npx tsx ops/config-doc.ts --write` updates README.md; test/foundation/readme.test.ts keeps it in sync.
import { readFileSync, writeFileSync } from 'node:fs';
import { configSpec } from '../core/config.js';

export function configTable(): string {
  const rows = Object.entries(configSpec).map(([name, [, def, description]]) => `| \`${name}\` | ${def === '' ? '(empty)' : `\`${def}\``} | ${description.replaceAll('|', '\\|')} |`);
  return ['| variable | default | meaning |', '|---|---|---|', ...rows].join('\n');
}

const START = /<!-- config-table:start[^>]*-->\n/;
const END = '<!-- config-table:end -->';

/** The README with its configuration table replaced by the current one. */
export function withConfigTable(readme: string): string {
  const start = START.exec(readme);
  const end = readme.indexOf(END);
  if (!start || end < 0) throw new Error('README.md lacks the config-table markers');
  return `${readme.slice(0, start.index + start[0].length)}${configTable()}\n${readme.slice(end)}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (process.argv.includes('--write')) writeFileSync('README.md', withConfigTable(readFileSync('README.md', 'utf8')));
  else process.stdout.write(`${configTable()}\n`);
}
