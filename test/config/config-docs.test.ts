import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CONFIG_DOCS_PATH, renderConfigDocs } from '../../scripts/gen-config-docs.js';
import { configSchema } from '../../src/config/schema.js';

test('docs/configuration.md is what scripts/gen-config-docs.ts generates (run it after changing the schema)', () => {
  const committed = readFileSync(CONFIG_DOCS_PATH, 'utf8');
  assert.equal(committed, renderConfigDocs(), 'docs/configuration.md is stale: run `node --import tsx scripts/gen-config-docs.ts`');
});

test('docs/configuration.md documents every config key', () => {
  const text = renderConfigDocs();
  for (const key of Object.keys(configSchema.shape)) assert.ok(text.includes(`| \`${key}\` |`), key);
});
