/**
 * The handshake checks (RWS-010 … RWS-020) against the vulnerable fixture with one flaw each
 * (must fail, with evidence) and against a default Rampart with the rampart profile (must pass
 * or report only info). The aggressive ones (RWS-021, RWS-022) are in checks-handshake-aggressive.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  crossSiteOriginCheck,
  originBypassCheck,
  missingOriginCookieCheck,
  malformedOriginHostCheck,
  subprotocolConfusionCheck,
  legacyVersionsCheck,
  malformedHandshakeCheck,
  headerAbuseCheck,
  headerRedosCheck,
  refusedUpgradeSmugglingCheck,
  hostValidationCheck,
  handshakeChecks,
} from '../../src/scan/checks/handshake/index.js';
import { originVariants } from '../../src/scan/checks/handshake/origin-bypass.js';
import { parseResponses, showRequest } from '../../src/scan/checks/http-probe.js';
import type { CheckDefinition } from '../../src/scan/types.js';
import type { Flaws } from '../fixtures/vulnerable-server.js';
import { assertClean, assertFinding, runOnFixture, startRampart, type Baseline, type RampartTarget } from './scan-harness.js';

describe('handshake checks: metadata', () => {
  it('have unique ids in RWS-010..029, CWE, catalogue rows, description and remediation', () => {
    const ids = new Set<string>();
    for (const c of handshakeChecks) {
      assert.match(c.id, /^RWS-0(1\d|2\d)$/);
      assert.ok(!ids.has(c.id), c.id);
      ids.add(c.id);
      assert.equal(c.category, 'handshake');
      assert.ok(c.catalogue.length > 0 && c.catalogue.every((r) => /^H\d+$|^A\d+$/.test(r)), c.id);
      assert.ok(c.description.length > 40 && c.remediation.length > 40, c.id);
      assert.ok(c.cwe && c.cwe > 0, c.id);
    }
  });

  it('parseResponses splits pipelined responses and stops at a 101', () => {
    const two = Buffer.from('HTTP/1.1 426 Upgrade Required\r\nContent-Length: 3\r\n\r\nabcHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nxyz\r\n0\r\n\r\n');
    assert.deepEqual(parseResponses(two).map((r) => r.status), [426, 200]);
    const upgraded = Buffer.from('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n\x81\x02hiHTTP/1.1 200 OK\r\n\r\n');
    assert.deepEqual(parseResponses(upgraded).map((r) => r.status), [101]);
    assert.deepEqual(parseResponses(Buffer.from('garbage')), []);
  });

  it('evidence redacts credentials', () => {
    const shown = showRequest('GET /ws?token=abcdefghijklmnop HTTP/1.1\r\nAuthorization: Bearer abcdefghijklmnopqrstuvwxyz\r\nCookie: rampart_session=abcdefghijklmnopqrstuvwxyz\r\n\r\n');
    assert.doesNotMatch(shown, /ghijklmnop/);
    assert.match(shown, /redacted/);
  });

  it('origin variants cover the H2 list', () => {
    const variants = originVariants('https://app.example.com').map((v) => v.origin);
    for (const expected of [
      'null',
      'http://app.example.com',
      'https://app.example.com.evil.example',
      'https://rws-test.app.example.com',
      'https://evilapp.example.com',
      'https://appxexample.com',
      'https://app.example.com:8443',
      'https://app.example.com`.evil.example',
    ]) {
      assert.ok(variants.includes(expected), `${expected} in ${variants.join(' ')}`);
    }
  });
});

describe('handshake checks find the flaw in the vulnerable fixture', () => {
  const cases: Array<{ check: CheckDefinition; flaws: Partial<Flaws>; baseline: Baseline; atLeast?: 'high' | 'medium' | 'low' | 'info'; name?: string }> = [
    { check: crossSiteOriginCheck, flaws: { originCheck: 'none' }, baseline: 'cookie', atLeast: 'high', name: 'any origin with cookie auth' },
    { check: crossSiteOriginCheck, flaws: { originCheck: 'none' }, baseline: 'profile', atLeast: 'high', name: 'any origin, profile cookie' },
    { check: crossSiteOriginCheck, flaws: { originCheck: 'none', noAuth: true }, baseline: 'anonymous', atLeast: 'medium', name: 'any origin, anonymous loopback' },
    { check: originBypassCheck, flaws: { originCheck: 'prefix' }, baseline: 'cookie', atLeast: 'high', name: 'startsWith' },
    { check: originBypassCheck, flaws: { originCheck: 'suffix' }, baseline: 'cookie', atLeast: 'high', name: 'endsWith' },
    { check: originBypassCheck, flaws: { originCheck: 'regex-unescaped' }, baseline: 'cookie', atLeast: 'high', name: 'unescaped regex' },
    { check: originBypassCheck, flaws: { allowNullOrigin: true }, baseline: 'cookie', atLeast: 'high', name: 'null origin' },
    { check: missingOriginCookieCheck, flaws: { allowMissingOriginWithCookie: true }, baseline: 'cookie', atLeast: 'medium' },
    { check: malformedOriginHostCheck, flaws: { dieOnMalformedOrigin: true }, baseline: 'bearer', atLeast: 'high' },
    { check: subprotocolConfusionCheck, flaws: { echoAnyProtocol: true }, baseline: 'bearer', atLeast: 'medium' },
    { check: legacyVersionsCheck, flaws: { acceptVersion8: true }, baseline: 'bearer', atLeast: 'medium' },
    { check: malformedHandshakeCheck, flaws: { lenientHandshake: true }, baseline: 'bearer', atLeast: 'medium' },
    { check: headerAbuseCheck, flaws: { maxHeaderSize: 1024 * 1024 }, baseline: 'bearer', atLeast: 'low' },
    { check: headerRedosCheck, flaws: { redos: true }, baseline: 'bearer', atLeast: 'high' },
    { check: refusedUpgradeSmugglingCheck, flaws: { keepAliveAfterRefusal: true }, baseline: 'bearer', atLeast: 'medium' },
    { check: hostValidationCheck, flaws: { hostCheck: false }, baseline: 'bearer', atLeast: 'low', name: 'Host unchecked' },
    { check: hostValidationCheck, flaws: { hostCheck: false, originCheck: 'none' }, baseline: 'bearer', atLeast: 'medium', name: 'Host and Origin unchecked' },
  ];
  for (const c of cases) {
    it(`${c.check.id} ${c.name ?? Object.keys(c.flaws).join('+')}`, async () => {
      const outcome = await runOnFixture(c.check, c.flaws, c.baseline);
      assertFinding(outcome, c.check, c.atLeast ?? 'low');
    });
  }

  it('RWS-010 reports only info for a bearer-only baseline (a browser cannot send the header)', async () => {
    const outcome = await runOnFixture(crossSiteOriginCheck, { originCheck: 'none' }, 'bearer');
    assertFinding(outcome, crossSiteOriginCheck, 'info');
    assert.ok(outcome.status === 'fail' && outcome.findings.every((f) => f.severity === 'info'));
  });

  it('the safe-ish fixture passes the same checks', async () => {
    for (const check of [crossSiteOriginCheck, originBypassCheck, missingOriginCookieCheck, subprotocolConfusionCheck, legacyVersionsCheck, refusedUpgradeSmugglingCheck, hostValidationCheck]) {
      const outcome = await runOnFixture(check, {}, 'cookie');
      assertClean(outcome, check);
    }
  });
});

describe('handshake checks against a default Rampart', () => {
  let rampart: RampartTarget;
  before(async () => {
    rampart = await startRampart();
  });
  after(async () => {
    await rampart.close();
  });

  const checks = [
    crossSiteOriginCheck,
    originBypassCheck,
    missingOriginCookieCheck,
    malformedOriginHostCheck,
    subprotocolConfusionCheck,
    legacyVersionsCheck,
    malformedHandshakeCheck,
    headerAbuseCheck,
    headerRedosCheck,
    refusedUpgradeSmugglingCheck,
    hostValidationCheck,
  ];
  for (const check of checks) {
    it(`${check.id} passes (profile rampart)`, async () => {
      const ctx = await rampart.context();
      const outcome = await check.run(ctx);
      assertClean(outcome, check);
      if (check.id !== 'RWS-015') assert.equal(outcome.status, 'pass', JSON.stringify(outcome).slice(0, 800));
      const alive = await ctx.canary();
      assert.ok(alive.ok, alive.detail);
    });
  }

  it('RWS-010/011/012 pass with a browser-style baseline (Origin + cookie)', async () => {
    const login = await rampart.context();
    const token = login.rampart!.token;
    const { ScanContext } = await import('../../src/scan/context.js');
    const { scanOptions } = await import('./scan-harness.js');
    const ctx = new ScanContext(scanOptions(rampart.server.wsUrl, { subprotocols: ['rampart.v1'], origin: rampart.server.url, cookie: `rampart_session=${token}` }));
    assert.ok((await ctx.canary()).ok);
    for (const check of [crossSiteOriginCheck, originBypassCheck, missingOriginCookieCheck]) {
      const outcome = await check.run(ctx);
      assert.equal(outcome.status, 'pass', `${check.id}: ${JSON.stringify(outcome).slice(0, 800)}`);
    }
  });
});
