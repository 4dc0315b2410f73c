// `chainlake books scrape | recommend | user-add | runs` and `chainlake fixture-site`: the shop's
// commands (shop/main.ts). The shop's part of `serve` and `schedule` is wired in ops/cli.ts.
import type { Command } from 'commander';
import { httpUrlFlag, oneOfFlag, patternFlag, portFlag, positiveIntFlag } from './flags.js';

const ROLES = ['user', 'admin'] as const;

export function registerShopCommands(program: Command): void {
  const books = program.command('books').description('Shop books catalogue: scrape a books.toscrape-style site, compute recommendations, show job runs');

  books
    .command('scrape')
    .description('Scrape the books site into Cassandra (upsert by UPC, price history); without --base-url/BOOKS_BASE_URL the bundled fixture site is used')
    .option('--base-url <url>', 'site to scrape (default: BOOKS_BASE_URL, else the bundled fixture site)', httpUrlFlag('--base-url'))
    .option('--max-pages <n>', 'listing pages to follow at most (default: BOOKS_MAX_PAGES)', positiveIntFlag('--max-pages'))
    .option('--concurrency <n>', 'detail pages fetched in parallel', positiveIntFlag('--concurrency'), 4)
    .option('--json', 'print one JSON object per stored book on stdout (summary goes to stderr)')
    .action(async (opts: { baseUrl?: string; maxPages?: number; concurrency: number; json?: boolean }) => (await import('../../shop/main.js')).scrapeBooks(opts));

  books
    .command('recommend')
    .description('Recompute book recommendations (content similarity + carted-together) with DuckDB and publish a new version')
    .option('--top-k <n>', 'recommendations kept per book', positiveIntFlag('--top-k'), 10)
    .option('--json', 'print the run summary as JSON')
    .action(async (opts: { topK: number; json?: boolean }) => (await import('../../shop/main.js')).recommendBooks(opts));

  books
    .command('user-add')
    .description('Create a shop user (the only way to create an admin); the password is read from stdin')
    .requiredOption('--email <email>', 'e-mail address (login name)', patternFlag('--email', /^[^@\s]+@[^@\s]+\.[^@\s]+$/, 'an e-mail address'))
    .option('--name <name>', 'display name', '')
    .option('--role <role>', 'user or admin', oneOfFlag('--role', ROLES, '"user" or "admin"'), 'user')
    .action(async (opts: { email: string; name: string; role: (typeof ROLES)[number] }) => (await import('../../shop/main.js')).addShopUser(opts));

  books
    .command('runs')
    .description('Show recent scrape and recommendation runs')
    .option('--limit <n>', 'runs per job', positiveIntFlag('--limit'), 10)
    .option('--json', 'machine-readable output')
    .action(async (opts: { limit: number; json?: boolean }) => (await import('../../shop/main.js')).listShopRuns(opts));

  program
    .command('fixture-site')
    .description('Serve the bundled books.toscrape-style fixture site (48 books, 3 listing pages, 1 broken page) until stopped')
    .option('--port <n>', 'port (default: FIXTURE_SITE_PORT)', portFlag('--port'))
    .action(async (opts: { port?: number }) => (await import('../../shop/main.js')).serveFixtureSite(opts));
}
