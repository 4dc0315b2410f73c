// Cron expressions of the schedulers (batch, the shop): one check with one message, so a bad
// BATCH_CRON, COMPACT_CRON or BOOKS_CRON is the same sentence wherever it is read.
import cron from 'node-cron';
import { ValidationError } from './errors.js';

export function validateCron(name: string, expr: string): void {
  if (!cron.validate(expr)) throw new ValidationError(`${name} "${expr}" is not a valid cron expression (5 or 6 fields)`);
}
