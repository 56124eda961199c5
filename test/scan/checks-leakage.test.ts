/** The leakage checks (RWS-080 … RWS-083) against the vulnerable fixture and a default Rampart. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { leakageChecks, serverBannersCheck, verboseErrorsCheck, closeReasonFingerprintCheck, dataOversharingCheck } from '../../src/scan/checks/leakage/index.js';
import { findErrorLeaks } from '../../src/scan/checks/leakage/verbose-errors.js';
import { fingerprintCloseReason } from '../../src/scan/checks/leakage/close-reason-fingerprint.js';
import { findOvershares } from '../../src/scan/checks/leakage/data-oversharing.js';
import { handshakeChecks } from '../../src/scan/checks/handshake/index.js';
import { assertClean, assertFinding, runOnFixture, startRampart, type RampartTarget } from './scan-harness.js';

describe('leakage detectors', () => {
  it('find stack traces, SQL errors and paths but not stable error codes', () => {
    const stack = 'SyntaxError: Unexpected end of JSON input\n    at JSON.parse (<anonymous>)\n    at WebSocket.<anonymous> (file:///srv/app/server.js:42:17)';
    const kinds = findErrorLeaks(stack).map((l) => l.kind);
    assert.ok(kinds.includes('JavaScript stack trace') && kinds.includes('exception class name'), kinds.join());
    assert.ok(findErrorLeaks('SQLITE_ERROR: near "x": syntax error').some((l) => l.kind === 'SQL error'));
    assert.ok(findErrorLeaks('Traceback (most recent call last):\n  File "/app/ws.py", line 3').some((l) => l.kind === 'Python traceback'));
    assert.ok(findErrorLeaks('at com.acme.Chat.onMessage(Chat.java:88)').some((l) => l.kind === 'Java/Kotlin stack trace'));
    assert.deepEqual(findErrorLeaks('{"type":"error","code":"BAD_REQUEST","message":"Invalid JSON."}'), []);
    assert.deepEqual(findErrorLeaks('{"type":"error","id":"r1","code":"UNKNOWN_TYPE","message":"Unknown message type."}'), []);
  });

  it('fingerprint library close reasons and leave generic ones alone', () => {
    assert.equal(fingerprintCloseReason('Invalid WebSocket frame: RSV1 must be clear'), 'ws (Node.js)');
    assert.equal(fingerprintCloseReason('Ratchet detected an invalid reserve code'), 'Ratchet (PHP)');
    assert.equal(fingerprintCloseReason('One or more reserved bits are on: reserved1 = 1, reserved2 = 0, reserved3 = 0'), 'Faye (Ruby/Node)');
    for (const generic of ['', 'protocol error', 'policy violation', 'invalid payload', 'bye']) assert.equal(fingerprintCloseReason(generic), null, generic);
  });

  it('find e-mails, private IPs, JWTs and cards, not timestamps or versions', () => {
    const kinds = findOvershares('{"email":"bob@example.org","db":"10.0.3.7","t":"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.abcdefghijkl","card":"4111 1111 1111 1111"}').map((o) => o.kind);
    assert.deepEqual(kinds.sort(), ['JWT', 'e-mail address', 'payment card number', 'private IP address']);
    assert.deepEqual(findOvershares('{"type":"message","seq":42,"ts":1767225600000,"from":{"id":"u1","name":"bob"},"text":"v1.10.2.3 on 8.8.8.8"}'), []);
    assert.deepEqual(findOvershares('{"n":1234567890123456}'), []); // not Luhn-valid with a card prefix
  });
});

describe('leakage checks find the flaw in the vulnerable fixture', () => {
  it('RWS-080 banners with versions → low', async () => {
    assertFinding(await runOnFixture(serverBannersCheck, { banners: true }, 'bearer'), serverBannersCheck, 'low');
  });
  it('RWS-081 stack traces and SQL in error replies → medium', async () => {
    const outcome = await runOnFixture(verboseErrorsCheck, { verboseErrors: true }, 'bearer');
    assertFinding(outcome, verboseErrorsCheck, 'medium');
    const kinds = outcome.status === 'fail' ? outcome.findings.map((f) => f.message) : [];
    assert.ok(kinds.some((m) => m.startsWith('JavaScript stack trace')) && kinds.some((m) => m.startsWith('SQL error')), kinds.join('\n'));
  });
  it('RWS-082 ws-style close reasons → info with the library named', async () => {
    const outcome = await runOnFixture(closeReasonFingerprintCheck, { closeReasonFingerprint: true }, 'bearer');
    assertFinding(outcome, closeReasonFingerprintCheck, 'info');
    assert.ok(outcome.status === 'fail' && outcome.findings.some((f) => f.message.includes('ws (Node.js)')));
  });
  it('RWS-083 e-mail, private IP and JWT in the greeting → low', async () => {
    const outcome = await runOnFixture(dataOversharingCheck, { overshare: true }, 'bearer');
    assertFinding(outcome, dataOversharingCheck, 'low');
    assert.ok(outcome.status === 'fail' && outcome.findings.length >= 3);
  });
  it('the safe-ish fixture passes them all', async () => {
    for (const check of leakageChecks) {
      const outcome = await runOnFixture(check, {}, 'bearer');
      assertClean(outcome, check);
      assert.equal(outcome.status, 'pass', `${check.id}: ${JSON.stringify(outcome).slice(0, 500)}`);
    }
  });
});

describe('leakage checks against a default Rampart', () => {
  let rampart: RampartTarget;
  before(async () => {
    rampart = await startRampart();
  });
  after(async () => {
    await rampart.close();
  });
  for (const check of leakageChecks) {
    it(`${check.id} passes (profile rampart)`, async () => {
      const ctx = await rampart.context();
      const outcome = await check.run(ctx);
      assertClean(outcome, check);
      assert.equal(outcome.status, 'pass', JSON.stringify(outcome).slice(0, 800));
    });
  }
  it('the passive checks stay clean after the handshake checks filled the observations', async () => {
    const ctx = await rampart.context();
    for (const check of handshakeChecks.filter((c) => !c.aggressive)) await check.run(ctx);
    assert.ok(ctx.observations.responseHeaders.length > 20);
    for (const check of leakageChecks) {
      const outcome = await check.run(ctx);
      assert.equal(outcome.status, 'pass', `${check.id}: ${JSON.stringify(outcome).slice(0, 800)}`);
    }
  });
});
