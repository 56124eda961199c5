/** The aggressive handshake checks: RWS-021 slowloris and RWS-022 forwarded-header trust. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { slowlorisCheck, forwardedHeaderTrustCheck } from '../../src/scan/checks/handshake/index.js';
import { slowlorisBoundMs } from '../../src/scan/checks/handshake/slowloris.js';
import { assertClean, assertFinding, runOnFixture, startRampart, type RampartTarget } from './scan-harness.js';

describe('aggressive handshake checks', () => {
  it('are marked aggressive and bounded', () => {
    assert.ok(slowlorisCheck.aggressive && forwardedHeaderTrustCheck.aggressive);
    assert.equal(slowlorisBoundMs(5000), 40_000);
    assert.equal(slowlorisBoundMs(100), 5_000);
    assert.equal(slowlorisBoundMs(60_000), 60_000);
  });

  it('RWS-021 finds a server that keeps a trickled head open (60 s headers timeout)', async () => {
    const outcome = await runOnFixture(slowlorisCheck, { headersTimeoutMs: 60_000 }, 'bearer', { timeoutMs: 600, aggressive: true });
    assertFinding(outcome, slowlorisCheck, 'medium');
  });

  it('RWS-022 finds a per-IP limit keyed on X-Forwarded-For', async () => {
    assertFinding(await runOnFixture(forwardedHeaderTrustCheck, { perIpLimit: 5, trustForwardedFor: true }, 'bearer', { aggressive: true }), forwardedHeaderTrustCheck, 'medium');
  });

  it('RWS-022 passes a per-IP limit that ignores forwarded headers, and notes the absence of a limit', async () => {
    const held = await runOnFixture(forwardedHeaderTrustCheck, { perIpLimit: 5 }, 'bearer', { aggressive: true });
    assert.equal(held.status, 'pass', JSON.stringify(held).slice(0, 500));
    assert.match(held.status === 'pass' ? (held.note ?? '') : '', /held/);
  });

  describe('against a default Rampart', () => {
    let rampart: RampartTarget;
    before(async () => {
      rampart = await startRampart();
    });
    after(async () => {
      await rampart.close();
    });
    it('RWS-021 passes: Rampart cuts the unfinished head after its 10 s handshake timeout', async () => {
      const ctx = await rampart.context({ timeoutMs: 2000, aggressive: true });
      const outcome = await slowlorisCheck.run(ctx);
      assertClean(outcome, slowlorisCheck);
      assert.equal(outcome.status, 'pass', JSON.stringify(outcome).slice(0, 500));
    });
    it('RWS-022 passes: the per-user cap (429) holds with forwarded headers', async () => {
      const ctx = await rampart.context({ aggressive: true });
      const outcome = await forwardedHeaderTrustCheck.run(ctx);
      assert.equal(outcome.status, 'pass', JSON.stringify(outcome).slice(0, 500));
      assert.match(outcome.status === 'pass' ? (outcome.note ?? '') : '', /held/);
      assert.ok((await ctx.canary()).ok, 'slots released afterwards');
    });
  });
});
