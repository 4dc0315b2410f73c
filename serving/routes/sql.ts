// Read-only SQL over the lake (serving/sql.ts runs it in the sandbox) and the views it can read.
import type { Config } from '../../core/config.js';
import { HttpError } from '../http-errors.js';
import { sqlBody, sqlResponse, sqlViewsResponse } from '../schemas.js';
import type { SqlSandbox } from '../sql.js';
import { parse } from '../parse.js';
import type { RouteKit } from './route.js';

export function sqlRoutes(kit: RouteKit, deps: { sql: SqlSandbox | null; config: Config }): void {
  const { route } = kit;
  const { sql, config } = deps;
  route(
    'post',
    '/sql',
    {
      summary: `Read-only SQL over the lake views (one SELECT; ${config.SQL_TIMEOUT_MS} ms timeout; at most ${config.SQL_ROW_LIMIT} rows, more is a 400)`,
      auth: 'read',
      request: sqlBody,
      response: sqlResponse,
      arrow: true,
      tags: ['sql'],
    },
    async (req) => {
      if (!sql) throw new HttpError(503, 'unavailable', 'the SQL endpoint is not enabled on this server');
      const body = parse(sqlBody, req.body ?? {}, 'request body');
      const result = await sql.query(body.sql);
      return { payload: result, rows: result.rows, columns: result.columns.map((c) => c.name) };
    },
  );
  route('get', '/sql/views', { summary: 'Views the SQL endpoint can read', auth: 'read', response: sqlViewsResponse, tags: ['sql'] }, async () => ({
    payload: { views: sql ? await sql.views() : [] },
  }));
}
