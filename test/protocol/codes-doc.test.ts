/**
 * docs/protocol.md and src/protocol/codes.ts must list the same codes: client authors read the
 * former, the server sends the latter, and a silent drift makes clients mishandle a close or error.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CloseCode, ErrorCode, closeAdvice, invalidFrameCodes } from '../../src/protocol/codes.js';

const doc = readFileSync(new URL('../../docs/protocol.md', import.meta.url), 'utf8');

/** The data rows of the first table under `## heading`, as arrays of trimmed cells. */
function tableRows(heading: string): string[][] {
  const start = doc.indexOf(`\n## ${heading}\n`);
  assert.notEqual(start, -1, `docs/protocol.md has no "## ${heading}" section`);
  const next = doc.indexOf('\n## ', start + 1);
  const section = doc.slice(start, next === -1 ? undefined : next);
  const lines = section.split('\n').filter((l) => l.trimStart().startsWith('|'));
  assert.ok(lines.length >= 2, `no table under "## ${heading}"`);
  // Skip the header and the |---| separator.
  return lines.slice(2).map((l) => l.trim().replace(/^\||\|$/g, '').split('|').map((c) => c.trim()));
}

function assertSameSet(documented: string[], registry: string[], what: string): void {
  const dup = documented.filter((c, i) => documented.indexOf(c) !== i);
  assert.deepEqual(dup, [], `${what} documented twice`);
  const missing = registry.filter((c) => !documented.includes(c));
  const extra = documented.filter((c) => !registry.includes(c));
  assert.deepEqual(missing, [], `${what} in codes.ts but missing from docs/protocol.md`);
  assert.deepEqual(extra, [], `${what} in docs/protocol.md but not in codes.ts`);
}

test('every ErrorCode has exactly one row in "## Error codes", and no other code does', () => {
  const rows = tableRows('Error codes');
  const documented = rows.map((r) => {
    const m = /^`([A-Z_]+)`$/.exec(r[0] ?? '');
    assert.ok(m, `error row must start with a \`CODE\` cell: ${r.join(' | ')}`);
    return m[1]!;
  });
  assertSameSet(documented, Object.values(ErrorCode), 'ErrorCode');
  for (const r of rows) assert.equal(r.length, 3, `error row needs meaning and advice: ${r[0]}`);
});

test('the error rows say which codes count as invalid frames, as the registry does', () => {
  for (const r of tableRows('Error codes')) {
    const code = r[0]!.replaceAll('`', '') as ErrorCode;
    const says = /counts as an invalid frame/i.test(r[1] ?? '');
    assert.equal(says, invalidFrameCodes.has(code), `${code}: "Counts as an invalid frame." must match invalidFrameCodes`);
  }
});

test('every CloseCode has exactly one row in "## Close codes", and no other code does', () => {
  const rows = tableRows('Close codes');
  const documented = rows.map((r) => {
    assert.match(r[0] ?? '', /^\d{4}$/, `close row must start with a code: ${r.join(' | ')}`);
    return r[0]!;
  });
  assertSameSet(documented, Object.values(CloseCode).map(String), 'CloseCode');
});

test('each close row gives the registry\'s reconnect advice', () => {
  for (const r of tableRows('Close codes')) {
    const advice = closeAdvice[Number(r[0]) as CloseCode];
    assert.ok((r[2] ?? '').includes(`\`${advice}\``), `${r[0]}: advice cell must name \`${advice}\``);
  }
});
