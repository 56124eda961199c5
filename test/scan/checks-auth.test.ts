/** The auth checks (RWS-030 … RWS-033) against the vulnerable fixture and a default Rampart. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { authChecks, unauthenticatedAccessCheck, tokenInUrlCheck, sessionAfterLogoutCheck, sessionTokenStrengthCheck } from '../../src/scan/checks/auth/index.js';
import { analyzeTokens } from '../../src/scan/checks/auth/session-token-strength.js';
import { assertClean, assertFinding, runOnFixture, startRampart, type RampartTarget } from './scan-harness.js';

describe('auth checks: metadata and token analysis', () => {
  it('have unique ids in RWS-030..039 with CWE and catalogue rows', () => {
    const ids = new Set(authChecks.map((c) => c.id));
    assert.equal(ids.size, authChecks.length);
    for (const c of authChecks) {
      assert.match(c.id, /^RWS-03\d$/);
      assert.equal(c.category, 'auth');
      assert.ok(c.cwe && c.catalogue.every((r) => /^A\d$/.test(r)), c.id);
    }
  });

  it('rates random, short and sequential tokens', () => {
    const random = ['Jf7aQ2c0sV9Lr1pX-_w3nM8kT4yB6dE5gH0iJ2kL3mN', 'q0W9e8R7t6Y5u4I3o2P1a_S-d9F8g7H6j5K4l3Z2x1C', 'mN3bV4cX5zL6kJ7hG8fD9sA0pO1iU2yT3rE4wQ5_-aZ'];
    const strong = analyzeTokens(random);
    assert.ok(strong.bits >= 128 && !strong.sequential, JSON.stringify(strong));
    const weak = analyzeTokens(['s1001', 's1002', 's1003']);
    assert.ok(weak.sequential && weak.bits < 128, JSON.stringify(weak));
    const shortHex = analyzeTokens(['a3f9c2d1e0b4a5c6', '0f1e2d3c4b5a6978', '9a8b7c6d5e4f3a2b']);
    assert.ok(shortHex.bits < 128 && !shortHex.sequential, JSON.stringify(shortHex));
    assert.equal(analyzeTokens(['eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig1', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIyIn0.sig2']).kind, 'jwt');
  });
});

describe('auth checks find the flaw in the vulnerable fixture', () => {
  it('RWS-030 no authentication although the baseline has a token → high', async () => {
    assertFinding(await runOnFixture(unauthenticatedAccessCheck, { noAuth: true }, 'bearer'), unauthenticatedAccessCheck, 'high');
  });
  it('RWS-030 any token accepted → high', async () => {
    const outcome = await runOnFixture(unauthenticatedAccessCheck, { acceptAnyToken: true }, 'cookie');
    assertFinding(outcome, unauthenticatedAccessCheck, 'high');
    assert.ok(outcome.status === 'fail' && outcome.findings.some((f) => /not validated/.test(f.message)));
  });
  it('RWS-030 anonymous endpoint scanned without credentials → info', async () => {
    const outcome = await runOnFixture(unauthenticatedAccessCheck, { noAuth: true }, 'anonymous');
    assertFinding(outcome, unauthenticatedAccessCheck, 'info');
    assert.ok(outcome.status === 'fail' && outcome.findings.every((f) => f.severity === 'info'));
  });
  it('RWS-031 token accepted in ?token= → medium', async () => {
    assertFinding(await runOnFixture(tokenInUrlCheck, { tokenInUrl: true }, 'bearer'), tokenInUrlCheck, 'medium');
    assertFinding(await runOnFixture(tokenInUrlCheck, { tokenInUrl: true }, 'profile'), tokenInUrlCheck, 'medium');
  });
  it('RWS-032 logout revokes nothing → two high findings', async () => {
    const outcome = await runOnFixture(sessionAfterLogoutCheck, { sessionSurvivesLogout: true }, 'profile');
    assertFinding(outcome, sessionAfterLogoutCheck, 'high');
    assert.ok(outcome.status === 'fail' && outcome.findings.length === 2, JSON.stringify(outcome).slice(0, 600));
  });
  it('RWS-032 logout revokes the token but leaves live sockets open → high', async () => {
    const outcome = await runOnFixture(sessionAfterLogoutCheck, { sessionSurvivesLogout: 'sockets' }, 'profile');
    assertFinding(outcome, sessionAfterLogoutCheck, 'high');
    assert.ok(outcome.status === 'fail' && outcome.findings.length === 1 && /stayed open/.test(outcome.findings[0]!.message));
  });
  it('RWS-033 short sequential tokens → high', async () => {
    assertFinding(await runOnFixture(sessionTokenStrengthCheck, { weakTokens: true }, 'profile'), sessionTokenStrengthCheck, 'high');
  });
  it('the safe-ish fixture passes them all', async () => {
    for (const check of authChecks) assertClean(await runOnFixture(check, {}, 'profile'), check);
  });
});

describe('auth checks against a default Rampart', () => {
  let rampart: RampartTarget;
  before(async () => {
    rampart = await startRampart();
  });
  after(async () => {
    await rampart.close();
  });
  for (const check of authChecks) {
    it(`${check.id} passes (profile rampart)`, async () => {
      const ctx = await rampart.context();
      const outcome = await check.run(ctx);
      assertClean(outcome, check);
      assert.equal(outcome.status, 'pass', JSON.stringify(outcome).slice(0, 800));
      assert.ok((await ctx.canary()).ok, 'the profile session still works afterwards');
    });
  }
});
