// Request validation for every route (chain API and plugins): parse a value with its zod
// schema or throw ValidationError (→ 400) naming the first issue and listing all of them.
import type { z } from 'zod';
import { ValidationError } from '../core/errors.js';

const REQUEST_PARTS = new Set(['body', 'query', 'params']);

/**
 * `what` names the value in the message ("query", "block id"). For a request part (body,
 * query, params) a missing value parses as {} and each issue path starts with the part
 * ("body.price"), which is how the dashboard maps issues to form fields.
 */
export function parse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const part = REQUEST_PARTS.has(what);
  const r = schema.safeParse(part ? (value ?? {}) : value);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
  const first = issues[0];
  const details = issues.map((i) => ({ path: part ? [what, i.path].filter(Boolean).join('.') : i.path, message: i.message }));
  throw new ValidationError(`invalid ${what}${first ? `: ${first.path ? `${first.path}: ` : ''}${first.message}` : ''}`, details);
}
