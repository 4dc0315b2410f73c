// `chainlake fixture-site`: serve the bundled books site on HOST:FIXTURE_SITE_PORT until stopped.
import { type Command, InvalidArgumentError } from 'commander';
import { createCommon } from '../../core/runtime.js';
import { startFixtureSite } from './server.js';

export function registerFixtureSiteCommands(program: Command): void {
  program
    .command('fixture-site')
    .description('Serve the bundled books.toscrape-style fixture site (48 books, 3 listing pages, 1 broken page) until stopped')
    .option('--port <n>', 'port (default: FIXTURE_SITE_PORT)', (v: string) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('--port must be an integer from 0 to 65535.');
      return n;
    })
    .action(async (opts: { port?: number }) => {
      const common = createCommon('fixture-site');
      const site = await startFixtureSite({ port: opts.port ?? common.config.FIXTURE_SITE_PORT, host: common.config.HOST });
      common.shutdown.add('fixture-site', site.close);
      common.logger.info({ msg: 'Fixture site listening', port: site.port });
      process.stdout.write(`books fixture site: ${site.url}\n`);
      await new Promise<void>((resolve) => common.shutdown.signal.addEventListener('abort', () => resolve(), { once: true }));
    });
}
