/**
 * `rampart scan` end to end: a default Rampart scans clean, each weakened defense is reported as
 * exactly that weakness, every report format is produced, and --fail-on gates the exit code.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { api, PASSWORD } from '../helpers/client.js';
import { runScan } from '../../src/scan/runner.js';
import { ALL_CHECKS } from '../../src/scan/checks/index.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { severityRank } from '../../src/scan/types.js';

const USER = 'scan_operator';

async function serverWithUser(overrides: ConfigInput = {}): Promise<TestServer> {
  const t = await startTestServer(overrides);
  const reg = await api(t.url, '/api/register', { username: USER, password: PASSWORD });
  assert.equal(reg.status, 201);
  return t;
}

/** Non-aggressive full scan in process; returns the check ids with findings above info. */
async function findingsAboveInfo(t: TestServer): Promise<string[]> {
  const report = await runScan(
    {
      target: t.wsUrl,
      headers: [],
      subprotocols: ['rampart.v1'],
      timeoutMs: 2000,
      aggressive: false,
      profile: { kind: 'rampart', user: USER, password: PASSWORD },
      paceMs: 5,
    },
    ALL_CHECKS,
    'test',
  );
  return [...new Set(report.findings.filter((f) => severityRank(f.severity) > severityRank('info')).map((f) => f.checkId))].sort();
}

describe('rampart scan against Rampart', () => {
  let t: TestServer;
  let dir: string;
  before(async () => {
    t = await serverWithUser();
    dir = await mkdtemp(join(tmpdir(), 'rampart-scan-'));
  });
  after(async () => {
    await t.close();
    await rm(dir, { recursive: true, force: true });
  });

  const profile = () => ['--profile', 'rampart', '--user', USER, '--password', PASSWORD];

  it('a default Rampart scans clean: nothing above info, exit 0 with --fail-on low', async () => {
    const out = join(dir, 'report.json');
    const result = await runCli(['scan', t.wsUrl, ...profile(), '--timeout', '2000', '--format', 'json', '--out', out, '--fail-on', 'low'], { timeoutMs: 120_000 });
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(await readFile(out, 'utf8'));
    const ran = report.results.filter((r: { status: string }) => r.status === 'pass' || r.status === 'fail');
    assert.ok(ran.length >= 30, `most checks ran (${ran.length})`);
    assert.deepEqual(report.results.filter((r: { status: string }) => r.status === 'error'), []);
    assert.deepEqual(report.findings.filter((f: { severity: string }) => f.severity !== 'info'), []);
  });

  it('writes text, SARIF and HTML reports; --fail-on info exits 1 on an info finding', async () => {
    const common = ['scan', t.wsUrl, ...profile(), '--checks', 'RWS-010,RWS-090', '--timeout', '2000'];
    const text = await runCli(common);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /rampart scan ws:\/\/127\.0\.0\.1:\d+\/ws/);
    assert.match(text.stdout, /INFO \(1\)\n {2}RWS-090/);

    const sarifFile = join(dir, 'report.sarif');
    assert.equal((await runCli([...common, '--format', 'sarif', '--out', sarifFile])).code, 0);
    const sarif = JSON.parse(await readFile(sarifFile, 'utf8'));
    assert.equal(sarif.version, '2.1.0');
    assert.deepEqual(sarif.runs[0].results.map((r: { ruleId: string; level: string }) => [r.ruleId, r.level]), [['RWS-090', 'note']]);
    assert.ok(sarif.runs[0].tool.driver.rules.some((r: { id: string }) => r.id === 'RWS-010'), 'a passing check is still a rule');

    const htmlFile = join(dir, 'report.html');
    assert.equal((await runCli([...common, '--format', 'html', '--out', htmlFile])).code, 0);
    const html = await readFile(htmlFile, 'utf8');
    assert.match(html, /^<!doctype html>/);
    assert.match(html, /RWS-090/);

    const gated = await runCli([...common, '--fail-on', 'info']);
    assert.equal(gated.code, 1);
  });

  it('usage errors exit 2 and an unreachable target exits 3', async () => {
    assert.equal((await runCli(['scan', 'http://127.0.0.1:1/ws'])).code, 2);
    assert.equal((await runCli(['scan', t.wsUrl, '--checks', 'RWS-999'])).code, 2);
    assert.equal((await runCli(['scan', t.wsUrl, '--format', 'pdf'])).code, 2);
    const unreachable = await runCli(['scan', 'ws://127.0.0.1:1/ws', '--timeout', '1000']);
    assert.equal(unreachable.code, 3);
    assert.match(unreachable.stderr, /cannot scan/);
  });
});

describe('a Rampart with one defense weakened is reported with exactly that weakness', () => {
  for (const [name, overrides, expected] of [
    ['dangerouslyAllowAnyOrigin', { dangerouslyAllowAnyOrigin: true }, ['RWS-010']],
    ['permessageDeflate', { permessageDeflate: true }, ['RWS-052']],
  ] as const) {
    it(`${name} → ${expected.join(', ')}`, async () => {
      const t = await serverWithUser(overrides);
      try {
        assert.deepEqual(await findingsAboveInfo(t), expected);
      } finally {
        await t.close();
      }
    });
  }
});
