// Serves the bundled books fixture site over node:http on 127.0.0.1. Test hooks:
// failFirst answers 500 once per listed path (to exercise the scraper's retry), rewrite
// edits a page on the fly (e.g. a price change between two scrapes).
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';
import { SITE_DIR } from './generate.js';

export type FixtureSite = {
  url: string;
  port: number;
  /** Paths requested so far, in order (e.g. "/catalogue/page-2.html"). */
  requests: string[];
  close: () => Promise<void>;
};

export type FixtureSiteOptions = {
  port?: number;
  host?: string;
  /** Paths (with or without leading "/") answered with 500 on their first request. */
  failFirst?: string[];
  /** Paths that never answer (the socket is held open until close) to exercise timeouts. */
  hang?: string[];
  rewrite?: (path: string, html: string) => string;
  dir?: string;
};

const withSlash = (p: string) => (p.startsWith('/') ? p : `/${p}`);

export async function startFixtureSite(opts: FixtureSiteOptions = {}): Promise<FixtureSite> {
  const dir = opts.dir ?? SITE_DIR;
  const pendingFailures = new Set((opts.failFirst ?? []).map(withSlash));
  const hang = new Set((opts.hang ?? []).map(withSlash));
  const requests: string[] = [];
  const server = createServer(async (req, res) => {
    let path = decodeURIComponent((req.url ?? '/').split('?')[0] ?? '/');
    if (path === '/' || path.endsWith('/')) path = `${path}index.html`;
    requests.push(path);
    if (hang.has(path)) return; // never answers; closed with the server
    if (pendingFailures.delete(path)) {
      res.writeHead(500, { 'content-type': 'text/plain' });
      return res.end('upstream failure (fixture failFirst)');
    }
    const rel = normalize(path).replace(/^(\.\.[/\\])+/, '');
    try {
      let html = await readFile(join(dir, rel), 'utf8');
      if (opts.rewrite) html = opts.rewrite(path, html);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(html);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${opts.host ?? '127.0.0.1'}:${port}/`,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
