/** docs/security.md stays true: every catalogue row, existing test files, existing config keys. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { configSchema } from '../../src/config/schema.js';

const root = new URL('../../', import.meta.url);
const doc = readFileSync(new URL('docs/security.md', root), 'utf8');
const rows = doc.split('\n').filter((l) => /^\| [HAFRIZTL]\d+ \|/.test(l));

const expectedRows = [
  ...Array.from({ length: 14 }, (_, i) => `H${i + 1}`),
  ...Array.from({ length: 7 }, (_, i) => `A${i + 1}`),
  ...Array.from({ length: 14 }, (_, i) => `F${i + 1}`),
  ...Array.from({ length: 12 }, (_, i) => `R${i + 1}`),
  ...Array.from({ length: 6 }, (_, i) => `I${i + 1}`),
  ...Array.from({ length: 4 }, (_, i) => `Z${i + 1}`),
  ...Array.from({ length: 3 }, (_, i) => `T${i + 1}`),
  ...Array.from({ length: 5 }, (_, i) => `L${i + 1}`),
];

describe('docs/security.md', () => {
  it('has exactly one row for each of the 65 catalogue rows', () => {
    assert.equal(expectedRows.length, 65);
    assert.deepEqual(rows.map((r) => r.split('|')[1]!.trim()), expectedRows);
  });

  it('names only test files that exist and config keys that exist', () => {
    const keys = new Set(Object.keys(configSchema.shape));
    for (const row of rows) {
      const cells = row.split('|').map((c) => c.trim());
      const [id, , , configCell, testsCell] = cells.slice(1);
      for (const file of testsCell!.match(/`[^`]+`/g) ?? []) {
        assert.ok(existsSync(new URL(file.slice(1, -1), root)), `${id}: ${file} exists`);
      }
      for (const key of configCell!.match(/`[^`]+`/g) ?? []) {
        assert.ok(keys.has(key.slice(1, -1)), `${id}: config key ${key} exists`);
      }
    }
  });
});
