// Renders the configuration table of the README from core/config.ts (one source).
// `npx tsx ops/config-doc.ts` prints it; test/foundation/readme.test.ts keeps the README in sync.
import { configSpec } from '../core/config.js';

export function configTable(): string {
  const rows = Object.entries(configSpec).map(([name, [, def, description]]) => `| \`${name}\` | ${def === '' ? '(empty)' : `\`${def}\``} | ${description.replaceAll('|', '\\|')} |`);
  return ['| variable | default | meaning |', '|---|---|---|', ...rows].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) process.stdout.write(`${configTable()}\n`);
