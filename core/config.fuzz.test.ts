// Property tests: any environment either parses into a Config or throws a ConfigError that
// names each bad variable; nothing else escapes, and secret values never leak into messages.
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { ConfigError, configSpec, parseConfig } from './config.js';

const names = Object.keys(configSpec);

test('arbitrary env values parse or fail with a ConfigError naming the variable', () => {
  fc.assert(
    fc.property(fc.dictionary(fc.constantFrom(...names), fc.string({ maxLength: 40 }), { maxKeys: 8 }), (env) => {
      try {
        parseConfig(env);
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        for (const issue of (e as ConfigError).issues) expect(names).toContain(issue.variable);
        expect((e as ConfigError).issues.length).toBeGreaterThan(0);
      }
    }),
    { numRuns: 500 },
  );
});

test('secret-bearing values never appear in the error text', () => {
  const secretNames = names.filter((n) => /URL|KEY|PASSWORD/.test(n));
  fc.assert(
    fc.property(fc.constantFrom(...secretNames), fc.stringMatching(/^[A-Za-z0-9]{20,30}$/), (name, secret) => {
      try {
        parseConfig({ [name]: secret, SERVE_PORT: 'not-a-port' });
      } catch (e) {
        expect((e as Error).message).not.toContain(secret);
      }
    }),
    { numRuns: 200 },
  );
});
