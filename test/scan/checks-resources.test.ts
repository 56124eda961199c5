/**
 * The resource checks (RWS-060 … RWS-069, all aggressive): each one finds its flaw on the weak
 * fixture (test/fixtures/vulnerable-frames-server.ts), and a default Rampart — scanned through
 * the real runner, so the liveness canary runs after each check — yields nothing above `info`,
 * with the rampart profile and with only a bearer header.
 *
 * Several checks wait by design (idle 35 s, slow drip 36 s, close stall 33 s), so every test runs
 * concurrently against a server of its own; the file takes about as long as the slowest check.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer } from '../helpers/server.js';
import { PASSWORD, registerAndLogin } from '../helpers/client.js';
import { startFramingFixture, type FramingFlaws } from '../fixtures/vulnerable-frames-server.js';
import { ScanContext, type ScanOptions } from '../../src/scan/context.js';
import { runScan } from '../../src/scan/runner.js';
import { resourceChecks } from '../../src/scan/checks/resources/index.js';
import type { ConfigInput } from '../../src/config/schema.js';
import type { CheckDefinition, CheckOutcome, CheckResult, Finding } from '../../src/scan/types.js';
import { severityRank } from '../../src/scan/types.js';

function options(target: string, extra: Partial<ScanOptions> = {}): ScanOptions {
  return { target, headers: [], subprotocols: ['rampart.v1'], timeoutMs: 2000, aggressive: true, paceMs: 5, ...extra };
}

const byId = (id: string): CheckDefinition => {
  const check = resourceChecks.find((c) => c.id === id);
  assert.ok(check, `check ${id} exists`);
  return check;
};

/** Runs one check against a fresh fixture with the given flaws (rampart profile: logs in first). */
async function againstFixture(id: string, flaws: Partial<FramingFlaws>, profile = false): Promise<CheckOutcome> {
  const fixture = await startFramingFixture(flaws);
  try {
    const ctx = new ScanContext(options(fixture.url, profile ? { profile: { kind: 'rampart', user: 'scanner', password: 'x' } } : {}));
    if (profile) await ctx.loginRampart();
    return await byId(id).run(ctx);
  } finally {
    await fixture.close();
  }
}

function findingsOf(outcome: CheckOutcome): Array<{ message: string; severity?: string }> {
  assert.equal(outcome.status, 'fail', `expected fail, got ${JSON.stringify(outcome).slice(0, 800)}`);
  if (outcome.status !== 'fail') return [];
  for (const f of outcome.findings) {
    assert.ok(f.evidence.length > 0, `finding without evidence: ${f.message}`);
    for (const e of f.evidence) assert.ok(e.sent && e.received, `evidence needs sent and received: ${JSON.stringify(e)}`);
  }
  return outcome.findings;
}

function assertPass(outcome: CheckOutcome, note?: RegExp): void {
  assert.equal(outcome.status, 'pass', `expected pass, got ${JSON.stringify(outcome).slice(0, 800)}`);
  if (note && outcome.status === 'pass') assert.match(outcome.note ?? '', note);
}

/** Serializes the CPU-heavy part of Rampart setups (scrypt on register/login), so concurrent tests do not starve the handshakes. */
let setupQueue: Promise<unknown> = Promise.resolve();
function serialized<T>(work: () => Promise<T>): Promise<T> {
  const next = setupQueue.then(work, work);
  setupQueue = next.catch(() => undefined);
  return next;
}

/**
 * Scans a fresh default Rampart (plus `config`) with the given checks through the runner (the
 * liveness canary runs after each); with `profile` the scan logs in as a registered user,
 * otherwise it carries that user's bearer header. Asserts nothing above info was reported.
 */
async function scanRampart(ids: readonly string[], profile: boolean, config: ConfigInput = {}): Promise<CheckResult[]> {
  const { t, opts } = await serialized(async () => {
    const t = await startTestServer(config);
    const user = await registerAndLogin(t.url);
    const opts = profile
      ? options(t.wsUrl, { profile: { kind: 'rampart', user: user.name, password: PASSWORD } })
      : options(t.wsUrl, { headers: [['Authorization', `Bearer ${user.token}`]] });
    return { t, opts };
  });
  try {
    const report = await runScan(opts, ids.map(byId), 'test');
    const loud = report.findings.filter((f) => severityRank(f.severity) > severityRank('info'));
    assert.deepEqual(loud.map((f) => `${f.checkId} ${f.severity}: ${f.message} ${JSON.stringify(f.evidence)}`), [], `against a default Rampart (${profile ? 'profile' : 'bearer'})`);
    for (const r of report.results) assert.ok(['pass', 'fail', 'skipped'].includes(r.status), `${r.checkId}: ${r.status} ${r.note ?? ''}`);
    return report.results;
  } finally {
    await t.close();
  }
}

const status = (results: CheckResult[]): Record<string, string> => Object.fromEntries(results.map((r) => [r.checkId, `${r.status}: ${r.note ?? ''}`]));

describe('resource checks', { concurrency: true, timeout: 60_000 }, () => {
  describe('against their flaws (fixture)', { concurrency: true }, () => {
    it('RWS-060 finds an unbounded inflate (high), and passes a capped one or no deflate', async () => {
      const findings = findingsOf(await againstFixture('RWS-060', { permessageDeflate: true, unboundedInflate: true }));
      assert.match(findings[0]!.message, /accepted a decompression bomb/);
      assert.equal(findings[0]!.severity, undefined, 'the check severity (high) applies');
      assert.equal(byId('RWS-060').severity, 'high');
      assertPass(await againstFixture('RWS-060', { permessageDeflate: true }), /refused \(close 1009/);
      assertPass(await againstFixture('RWS-060', {}), /not negotiated/);
    });

    it('RWS-061 finds both fragment floods without a limit, and only the empty one when empty fragments are not counted', async () => {
      const all = findingsOf(await againstFixture('RWS-061', { noFragmentLimit: true }));
      assert.equal(all.length, 2, JSON.stringify(all));
      const empty = findingsOf(await againstFixture('RWS-061', { uncountedEmptyFragments: true }));
      assert.equal(empty.length, 1);
      assert.match(empty[0]!.message, /empty continuation frames/);
    });

    it('RWS-062 finds every ping answered, but not coalesced pongs', async () => {
      const findings = findingsOf(await againstFixture('RWS-062', { noPingLimit: true }));
      assert.match(findings[0]!.message, /answered all 2000 pings/);
      assertPass(await againstFixture('RWS-062', { noPingLimit: true, coalescePongs: true }), /coalesces or drops pongs \(legal/);
    });

    it('RWS-063 finds a server without heartbeat (waits 35 s), passes one that pings', async () => {
      const [bad, good] = await Promise.all([againstFixture('RWS-063', { noHeartbeat: true }), againstFixture('RWS-063', {})]);
      assert.match(findingsOf(bad)[0]!.message, /neither pinged nor closed/);
      assertPass(good, /pings idle peers/);
    });

    it('RWS-064 finds a server without a completion deadline (waits 36 s), passes one with it', async () => {
      const [bad, heartbeatOnly, good] = await Promise.all([
        againstFixture('RWS-064', { noCompletionDeadline: true, noHeartbeat: true }),
        againstFixture('RWS-064', { noCompletionDeadline: true }),
        againstFixture('RWS-064', {}),
      ]);
      assert.equal(findingsOf(bad).length, 2, 'slow drip and unfinished fragment');
      // A peer in the middle of a frame cannot answer pings, so a heartbeat alone reaps the
      // single-frame drip; only the unfinished fragmented message (pongs between fragments) survives.
      const survived = findingsOf(heartbeatOnly);
      assert.equal(survived.length, 1);
      assert.match(survived[0]!.message, /first fragment of a message/);
      assertPass(good, /closed within the deadline/);
    });

    it('RWS-065 finds a server without a close timeout, both ways (waits 33 s)', async () => {
      const [bad, good] = await Promise.all([againstFixture('RWS-065', { noCloseTimeout: true }, true), againstFixture('RWS-065', {}, true)]);
      const findings = findingsOf(bad);
      assert.equal(findings.length, 2, JSON.stringify(findings));
      assert.match(findings[0]!.message, /still held a connection 33 s after the peer sent close/);
      assert.match(findings[1]!.message, /its own close frame went unanswered/);
      assertPass(good, /stalled closing handshakes are cut/);
    });

    it('RWS-066 finds a server without a connection cap (200 accepted), passes 429', async () => {
      const findings = findingsOf(await againstFixture('RWS-066', { noConnectionCap: true }));
      assert.match(findings[0]!.message, /accepted 200 concurrent connections/);
      assertPass(await againstFixture('RWS-066', {}), /connection #33: HTTP\/1.1 429/);
    });

    it('RWS-067 finds a missing rate limit (rampart profile) and skips generic targets', async () => {
      const findings = findingsOf(await againstFixture('RWS-067', { noRateLimit: true }, true));
      assert.match(findings[0]!.message, /answered all 200 requests/);
      const generic = await againstFixture('RWS-067', { noRateLimit: true });
      assert.equal(generic.status, 'skipped');
      assert.equal(byId('RWS-067').profile, 'rampart');
    });

    it('RWS-068 finds an unbounded send queue, passes a bounded one', async () => {
      const [bad, good] = await Promise.all([againstFixture('RWS-068', { unboundedSendQueue: true }, true), againstFixture('RWS-068', {}, true)]);
      assert.match(findingsOf(bad)[0]!.message, /kept buffering ~\d+\.\d MB for a client that stopped reading/);
      assertPass(good, /closed with 4100/);
    });

    it('RWS-069 finds no room cap and accepted long names', async () => {
      const findings = findingsOf(await againstFixture('RWS-069', { noRoomCap: true, noRateLimit: true }, true));
      assert.equal(findings.length, 2, JSON.stringify(findings));
      assert.match(findings.map((f) => f.message).join('\n'), /join 150 rooms/);
      assert.match(findings.map((f) => f.message).join('\n'), /room names of 1018 characters/);
    });

    it('every resource check is aggressive and the runner skips it without --aggressive', async () => {
      assert.ok(resourceChecks.every((c) => c.aggressive === true));
      const fixture = await startFramingFixture({});
      try {
        const report = await runScan(options(fixture.url, { aggressive: false }), resourceChecks, 'test');
        assert.ok(report.results.every((r) => r.status === 'skipped'));
      } finally {
        await fixture.close();
      }
    });
  });

  describe('against a default Rampart (runner + liveness canary)', { concurrency: true }, () => {
    const FAST = ['RWS-060', 'RWS-061', 'RWS-062', 'RWS-066', 'RWS-067', 'RWS-068', 'RWS-069'];

    it('the quick checks with the rampart profile, one after another: nothing above info, every limit seen', async () => {
      const results = await scanRampart(FAST, true);
      const s = status(results);
      for (const id of FAST) assert.match(s[id]!, /^pass/, `${id} → ${s[id]}`);
      assert.match(s['RWS-061']!, /refused before the end/);
      assert.match(s['RWS-062']!, /close 1008/);
      assert.match(s['RWS-066']!, /connection #9: HTTP\/1.1 429/);
      assert.match(s['RWS-067']!, /RATE_LIMITED/);
      assert.match(s['RWS-068']!, /closed with 4100/);
      assert.match(s['RWS-069']!, /64 joined, then join #65 refused with TOO_LARGE/);
    });

    it('with only a bearer header (generic mode): nothing above info; the profile checks are skipped', async () => {
      const results = await scanRampart([...FAST, 'RWS-065'], false);
      const s = status(results);
      for (const id of ['RWS-067', 'RWS-068', 'RWS-069']) assert.match(s[id]!, /^skipped/);
      assert.match(s['RWS-065']!, /^pass/);
    });

    for (const id of ['RWS-063', 'RWS-064', 'RWS-065']) {
      it(`${id} (slow) with the rampart profile: nothing above info`, async () => {
        const s = status(await scanRampart([id], true));
        assert.match(s[id]!, /^pass/);
      });
    }

    it('RWS-060 against Rampart with permessageDeflate on: the bomb is refused with 1009', async () => {
      const s = status(await scanRampart(['RWS-060'], true, { permessageDeflate: true }));
      assert.match(s['RWS-060']!, /^pass: the bomb was refused \(close 1009/);
    });
  });
});
