// OpenAPI 3.1 from the same zod schemas that validate requests (z.toJSONSchema), plus a
// small self-contained HTML page that renders the document (no CDN).
import { z } from 'zod';
import { errorResponse } from './schemas.js';

export type RouteDoc = {
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  /** Express-style path, e.g. /api/v1/blocks/:id */
  path: string;
  summary: string;
  /** read/admin: API key; session: shop session token. */
  auth?: 'public' | 'read' | 'admin' | 'session';
  params?: z.ZodType;
  query?: z.ZodType;
  request?: z.ZodType;
  response?: z.ZodType;
  arrow?: boolean;
  tags?: string[];
};

const toJson = (s: z.ZodType, io: 'input' | 'output') => {
  const out = z.toJSONSchema(s, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
  delete out.$schema;
  return out;
};

function parameters(schema: z.ZodType | undefined, where: 'query' | 'path'): unknown[] {
  if (!schema) return [];
  const json = toJson(schema, 'input') as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({
    name,
    in: where,
    required: where === 'path' || (json.required ?? []).includes(name),
    ...(typeof s.description === 'string' ? { description: s.description } : {}),
    schema: s,
  }));
}

export function buildOpenApi(docs: RouteDoc[], info: { title: string; version: string; description?: string }): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const errorContent = { 'application/json': { schema: toJson(errorResponse, 'output') } };
  for (const d of docs) {
    const oaPath = d.path.replace(/:([A-Za-z_]+)/g, '{$1}');
    const pathParams = [...d.path.matchAll(/:([A-Za-z_]+)/g)].map((m) => m[1]!);
    const params = d.params
      ? parameters(d.params, 'path')
      : pathParams.map((name) => ({ name, in: 'path', required: true, schema: { type: 'string' } }));
    const content: Record<string, unknown> = { 'application/json': { schema: d.response ? toJson(d.response, 'output') : {} } };
    if (d.arrow) content['application/vnd.apache.arrow.stream'] = { schema: { type: 'string', contentMediaType: 'application/vnd.apache.arrow.stream' } };
    const responses: Record<string, unknown> = {
      '200': { description: 'OK', content },
      '400': { description: 'Invalid request', content: errorContent },
      '429': { description: 'Rate limited (see Retry-After)', content: errorContent },
    };
    if (d.auth === 'admin') {
      responses['401'] = { description: 'No or invalid API key', content: errorContent };
      responses['403'] = { description: 'The key is not an admin key', content: errorContent };
    } else if (d.auth === 'read') responses['401'] = { description: 'Key required (PUBLIC_READ=false) or invalid', content: errorContent };
    paths[oaPath] ??= {};
    paths[oaPath][d.method] = {
      summary: d.summary,
      ...(d.tags ? { tags: d.tags } : {}),
      parameters: [...params, ...parameters(d.query, 'query')],
      ...(d.request ? { requestBody: { required: true, content: { 'application/json': { schema: toJson(d.request, 'input') } } } } : {}),
      responses,
      ...(d.auth === 'admin' || d.auth === 'read' ? { security: [{ bearer: [] }, { apiKey: [] }] } : d.auth === 'session' ? { security: [{ shopSession: [] }] } : {}),
    };
  }
  return {
    openapi: '3.1.0',
    info,
    paths,
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'API key: Authorization: Bearer cl_…' },
        apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' },
        shopSession: { type: 'apiKey', in: 'header', name: 'x-session-token', description: 'Shop session token (or Authorization: Bearer shop_…)' },
      },
    },
  };
}

/** A readable page listing every operation of the spec; fetches /openapi.json in the browser. */
export const docsHtml = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>chainlake API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px/1.5 system-ui,sans-serif;max-width:1100px;margin:2rem auto;padding:0 1rem;color:#1d2430}
h1{font-size:1.6rem} .op{border:1px solid #d6dbe3;border-radius:6px;margin:.6rem 0;padding:.5rem .8rem}
.m{display:inline-block;min-width:4.5em;font-weight:700;text-transform:uppercase}
.get{color:#1a7f37}.post{color:#0b5cad}.put,.patch{color:#9a6700}.delete{color:#cf222e}
code{background:#f2f4f7;padding:0 .25em;border-radius:3px} table{border-collapse:collapse;margin:.4rem 0}
td,th{border:1px solid #e3e7ee;padding:.15rem .5rem;text-align:left;vertical-align:top} details summary{cursor:pointer}
pre{background:#f6f8fa;padding:.5rem;overflow:auto;max-height:300px}
</style></head><body>
<h1>chainlake API</h1>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1). Send <code>Accept: application/vnd.apache.arrow.stream</code> for Arrow IPC on list endpoints.</p>
<div id="ops">Loading…</div>
<script>
const esc = (s) => String(s ?? '').replace(/[&<>"]/g, (c) => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));
fetch('/openapi.json').then((r) => r.json()).then((spec) => {
  const out = [];
  for (const [path, ops] of Object.entries(spec.paths)) for (const [method, op] of Object.entries(ops)) {
    const params = (op.parameters || []).map((p) => '<tr><td><code>' + esc(p.name) + '</code></td><td>' + esc(p.in) + (p.required ? ', required' : '') + '</td><td>' + esc(p.description || '') + ' <code>' + esc(JSON.stringify(p.schema)) + '</code></td></tr>').join('');
    const body = op.requestBody ? '<details><summary>request body</summary><pre>' + esc(JSON.stringify(op.requestBody.content['application/json'].schema, null, 2)) + '</pre></details>' : '';
    const resp = op.responses && op.responses['200'] ? '<details><summary>response</summary><pre>' + esc(JSON.stringify(op.responses['200'].content['application/json'].schema, null, 2)) + '</pre></details>' : '';
    out.push('<div class="op"><span class="m ' + method + '">' + method + '</span> <code>' + esc(path) + '</code> — ' + esc(op.summary) + (op.security ? ' <em>(API key)</em>' : '') + (params ? '<table><tr><th>parameter</th><th>in</th><th>schema</th></tr>' + params + '</table>' : '') + body + resp + '</div>');
  }
  document.getElementById('ops').innerHTML = out.join('');
}).catch((e) => { document.getElementById('ops').textContent = 'Could not load /openapi.json: ' + e; });
</script></body></html>`;
