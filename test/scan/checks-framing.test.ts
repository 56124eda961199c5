/**
 * The framing checks (RWS-040 … RWS-052): each one finds its flaw on the deliberately weak
 * fixture (test/fixtures/vulnerable-frames-server.ts), and a default Rampart — scanned through
 * the real runner, with the liveness canary after every check — yields nothing above `info`,
 * with a bearer header and with the rampart profile. A fixture with no flaw switched on (a
 * generic, non-Rampart, careful server) passes them all too: the verdicts follow RFC 6455, not
 * Rampart's own close codes.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { PASSWORD, registerAndLogin } from '../helpers/client.js';
import { startFramingFixture, type FramingFixture, type FramingFlaws } from '../fixtures/vulnerable-frames-server.js';
import { ScanContext, type ScanOptions } from '../../src/scan/context.js';
import { runScan } from '../../src/scan/runner.js';
import { framingChecks } from '../../src/scan/checks/framing/index.js';
import type { CheckDefinition, CheckOutcome, ScanReport } from '../../src/scan/types.js';
import { severityRank } from '../../src/scan/types.js';

function options(target: string, extra: Partial<ScanOptions> = {}): ScanOptions {
  return { target, headers: [], subprotocols: ['rampart.v1'], timeoutMs: 2000, aggressive: false, paceMs: 5, ...extra };
}

const byId = (id: string): CheckDefinition => {
  const check = framingChecks.find((c) => c.id === id);
  assert.ok(check, `check ${id} exists`);
  return check;
};

/** Runs one check against a fresh fixture with the given flaws. */
async function againstFixture(id: string, flaws: Partial<FramingFlaws>, extra: Partial<ScanOptions> = {}, login = false): Promise<CheckOutcome> {
  const fixture = await startFramingFixture(flaws);
  try {
    const ctx = new ScanContext(options(fixture.url, login ? { profile: { kind: 'rampart', user: 'scanner', password: 'x' }, ...extra } : extra));
    if (login) await ctx.loginRampart();
    return await byId(id).run(ctx);
  } finally {
    await fixture.close();
  }
}

/** Asserts a `fail` whose findings all carry evidence with bytes sent; returns the messages. */
function assertFinding(outcome: CheckOutcome, severity?: string): string[] {
  assert.equal(outcome.status, 'fail', `expected fail, got ${JSON.stringify(outcome).slice(0, 600)}`);
  if (outcome.status !== 'fail') return [];
  assert.ok(outcome.findings.length > 0);
  for (const f of outcome.findings) {
    assert.ok(f.evidence.length > 0, `finding without evidence: ${f.message}`);
    for (const e of f.evidence) assert.ok(e.sent && e.received, `evidence needs sent and received: ${JSON.stringify(e)}`);
    if (severity) assert.equal(f.severity ?? undefined, severity === 'default' ? undefined : severity, f.message);
  }
  return outcome.findings.map((f) => f.message);
}

function assertPass(outcome: CheckOutcome): void {
  assert.equal(outcome.status, 'pass', `expected pass, got ${JSON.stringify(outcome).slice(0, 800)}`);
}

describe('framing checks against their flaws (fixture)', { concurrency: 4, timeout: 40_000 }, () => {
  it('RWS-040 finds an accepted unmasked frame', async () => {
    const messages = assertFinding(await againstFixture('RWS-040', { acceptUnmasked: true }));
    assert.match(messages[0]!, /unmasked/);
  });

  it('RWS-041 finds ignored RSV bits (all three)', async () => {
    const outcome = await againstFixture('RWS-041', { ignoreRsv: true });
    assertFinding(outcome);
    assert.equal(outcome.status === 'fail' && outcome.findings[0]!.evidence.length, 3);
  });

  it('RWS-042 finds accepted reserved opcodes', async () => {
    const outcome = await againstFixture('RWS-042', { acceptReservedOpcodes: true });
    assertFinding(outcome);
    assert.equal(outcome.status === 'fail' && outcome.findings[0]!.evidence.length, 4);
    assert.match(outcome.status === 'fail' ? outcome.findings[0]!.evidence[0]!.sent! : '', /^83 80 /);
  });

  it('RWS-043 finds lax control frames (oversized, fragmented, 1-byte close)', async () => {
    const outcome = await againstFixture('RWS-043', { laxControlFrames: true });
    const messages = assertFinding(outcome);
    assert.equal(messages.length, 2, messages.join('\n'));
    assert.match(messages.join('\n'), /126-byte/);
    assert.match(messages.join('\n'), /1-byte body/);
  });

  it('RWS-044 finds a server that waits for a 2^63-byte body', async () => {
    const outcome = await againstFixture('RWS-044', { hangOnHugeLength: true });
    assertFinding(outcome);
    assert.match(outcome.status === 'fail' ? outcome.findings[0]!.evidence[0]!.sent! : '', /^82 ff 80 00 00 00 00 00 00 00 /);
  });

  it('RWS-045 finds a server without a size limit (256 MiB header), but not one with ws\'s 100 MiB', async () => {
    const outcome = await againstFixture('RWS-045', { noSizeLimit: true });
    const messages = assertFinding(outcome);
    assert.match(messages[0]!, /waits for \(or allocates\) huge frames/);
    assertPass(await againstFixture('RWS-045', { largeSizeLimit: true }));
  });

  it('RWS-046 finds lax fragmentation', async () => {
    const outcome = await againstFixture('RWS-046', { laxFragmentation: true });
    assertFinding(outcome);
    assert.equal(outcome.status === 'fail' && outcome.findings[0]!.evidence.length, 3);
  });

  it('RWS-047 finds skipped UTF-8 validation (text and close reason)', async () => {
    const messages = assertFinding(await againstFixture('RWS-047', { skipUtf8Validation: true }));
    assert.equal(messages.length, 2, messages.join('\n'));
    assert.match(messages.join('\n'), /C3 28 \(bad continuation byte\).*C0 AF.*ED A0 80.*F4 90 80 80.*split/s);
    assert.match(messages.join('\n'), /close frame whose reason/);
  });

  it('RWS-047 counter-test: a server that validates each fragment rejects valid split UTF-8 → low', async () => {
    const outcome = await againstFixture('RWS-047', { rejectSplitUtf8: true });
    const messages = assertFinding(outcome, 'low');
    assert.equal(messages.length, 1);
    assert.match(messages[0]!, /rejects valid UTF-8 split across fragments/);
  });

  it('RWS-048 finds echoed invalid close codes', async () => {
    const outcome = await againstFixture('RWS-048', { echoInvalidCloseCodes: true });
    const messages = assertFinding(outcome);
    assert.match(messages[0]!, /echoed 9 invalid close code/);
    assert.ok(outcome.status === 'fail' && outcome.findings[0]!.evidence.some((e) => /close 1005/.test(e.received ?? '')), 'evidence shows the echoed 1005');
  });

  it('RWS-049 reports binary frames on a rampart-profile target as info, and only notes them on a generic one', async () => {
    assertFinding(await againstFixture('RWS-049', { acceptBinary: true }, {}, true), 'default');
    const generic = await againstFixture('RWS-049', { acceptBinary: true });
    assertPass(generic);
    assert.match(generic.status === 'pass' ? generic.note ?? '' : '', /legitimate for a generic endpoint/);
    assert.equal(byId('RWS-049').severity, 'info');
  });

  it('RWS-050 reports a tolerated non-minimal length as info only', async () => {
    assertFinding(await againstFixture('RWS-050', { acceptNonMinimalLength: true }));
    assert.equal(byId('RWS-050').severity, 'info');
  });

  it('RWS-051 finds a missing message limit (1 MiB), and with --aggressive reports 16 MiB', async () => {
    const messages = assertFinding(await againstFixture('RWS-051', { largeSizeLimit: true }));
    assert.match(messages[0]!, /at least 1 MiB/);
    const aggressive = assertFinding(await againstFixture('RWS-051', { largeSizeLimit: true }, { aggressive: true }));
    assert.match(aggressive[0]!, /at least 16 MiB/);
  });

  it('RWS-052 finds negotiated permessage-deflate with context takeover', async () => {
    const messages = assertFinding(await againstFixture('RWS-052', { permessageDeflate: true }));
    assert.match(messages[0]!, /permessage-deflate enabled: CRIME-style leaks and memory cost/);
    assert.match(messages[0]!, /no server_no_context_takeover/);
  });
});

describe('framing checks against a careful generic server (fixture, no flaw)', { timeout: 30_000 }, () => {
  let fixture: FramingFixture;
  before(async () => {
    fixture = await startFramingFixture({});
  });
  after(() => fixture.close());

  it('every framing check passes (RFC verdicts, not Rampart codes)', async () => {
    const report = await runScan(options(fixture.url, { aggressive: true }), framingChecks, 'test');
    for (const r of report.results) assert.equal(r.status, 'pass', `${r.checkId}: ${r.status} ${r.note ?? ''} ${JSON.stringify(r.findings).slice(0, 400)}`);
  });
});

describe('framing checks against a default Rampart', { timeout: 40_000 }, () => {
  let t: TestServer;
  let user: { name: string; token: string };
  before(async () => {
    t = await startTestServer();
    user = await registerAndLogin(t.url);
  });
  after(() => t.close());

  function assertNothingAboveInfo(report: ScanReport): void {
    const loud = report.findings.filter((f) => severityRank(f.severity) > severityRank('info'));
    assert.deepEqual(loud.map((f) => `${f.checkId} ${f.severity}: ${f.message}`), []);
    for (const r of report.results) assert.ok(r.status === 'pass' || r.status === 'fail', `${r.checkId} ${r.status}: ${r.note ?? ''}`);
  }

  it('with a bearer header: nothing above info, every check ran, the canary stayed green', async () => {
    const started = Date.now();
    const report = await runScan(options(t.wsUrl, { headers: [['Authorization', `Bearer ${user.token}`]] }), framingChecks, 'test');
    assertNothingAboveInfo(report);
    assert.equal(report.results.length, framingChecks.length);
    const infos = report.findings.map((f) => f.checkId);
    // ws tolerates non-minimal lengths (F14): the only expected observation.
    assert.deepEqual(infos, ['RWS-050']);
    assert.ok(Date.now() - started < 20_000, `took ${Date.now() - started} ms`);
  });

  it('with the rampart profile and --aggressive: nothing above info; binary frames are closed 1003', async () => {
    const report = await runScan(
      options(t.wsUrl, { aggressive: true, profile: { kind: 'rampart', user: user.name, password: PASSWORD } }),
      framingChecks,
      'test',
    );
    assertNothingAboveInfo(report);
    const binary = report.results.find((r) => r.checkId === 'RWS-049');
    assert.equal(binary?.status, 'pass');
    assert.match(binary?.note ?? '', /close 1003/);
    const size = report.results.find((r) => r.checkId === 'RWS-051');
    assert.match(size?.note ?? '', /close 1009/);
  });
});
