#!/usr/bin/env node
// The `chainlake` CLI: runs the TypeScript sources through tsx, no build step.
import { register } from 'tsx/esm/api';

register();
await import('../ops/cli.ts');
