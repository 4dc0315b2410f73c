// `chainlake fixture-site`: serves the bundled books.toscrape-style site on 127.0.0.1
// (the offline default BOOKS_BASE_URL of `npm start`).
import type { Command } from 'commander';
import { loadConfig } from '../../core/config.js';
import { startFixtureSite } from './server.js';

export function registerFixtureSiteCommands(program: Command): void {
  program
    .command('fixture-site')
    .description('Serve the bundled books.toscrape-style fixture site (offline default for the books scraper)')
    .option('--port <port>', 'port (default FIXTURE_SITE_PORT)')
    .action(async (opts: { port?: string }) => {
      const cfg = loadConfig();
      const port = opts.port === undefined ? cfg.FIXTURE_SITE_PORT : Number(opts.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        process.stderr.write(`--port must be a port number, got ${opts.port}\n`);
        process.exit(2);
      }
      const site = await startFixtureSite({ port, host: cfg.HOST });
      process.stderr.write(`fixture site: ${site.url}\n`);
      const stop = () => void site.close().then(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
