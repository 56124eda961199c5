/**
 * The whole scan (every handshake, auth, transport and leakage check, aggressive ones included)
 * through runScan against a default Rampart with the rampart profile: nothing above info, no
 * check errors, and the liveness oracle never fires.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { runScan } from '../../src/scan/runner.js';
import { handshakeChecks } from '../../src/scan/checks/handshake/index.js';
import { authChecks } from '../../src/scan/checks/auth/index.js';
import { transportChecks } from '../../src/scan/checks/transport/index.js';
import { leakageChecks } from '../../src/scan/checks/leakage/index.js';
import { PASSWORD } from '../helpers/client.js';
import { scanOptions, startRampart, type RampartTarget } from './scan-harness.js';

describe('full scan of a default Rampart (handshake, auth, transport, leakage)', () => {
  let rampart: RampartTarget;
  before(async () => {
    rampart = await startRampart();
  });
  after(async () => {
    await rampart.close();
  });

  it('reports nothing above info', async () => {
    const checks = [...handshakeChecks, ...authChecks, ...transportChecks, ...leakageChecks];
    const ids = checks.map((c) => c.id);
    assert.equal(new Set(ids).size, ids.length, 'unique ids');
    const report = await runScan(
      scanOptions(rampart.server.wsUrl, { subprotocols: ['rampart.v1'], aggressive: true, timeoutMs: 2000, paceMs: 10, profile: { kind: 'rampart', user: rampart.user, password: PASSWORD } }),
      checks,
      'test',
    );
    const summary = report.results.map((r) => `${r.checkId} ${r.status} ${r.note ?? ''} ${r.findings.map((f) => `[${f.severity}] ${f.message}`).join(' ')}`).join('\n');
    for (const result of report.results) {
      assert.notEqual(result.status, 'error', summary);
      for (const f of result.findings) assert.equal(f.severity, 'info', `${f.checkId}: ${f.message}\n${summary}`);
    }
    assert.ok(!report.findings.some((f) => f.checkId === 'RWS-001'), 'the liveness oracle never fired');
    // Only the ws:// target (RWS-090, info on loopback) and TLS (skipped) are not plain passes.
    const notPass = report.results.filter((r) => r.status !== 'pass').map((r) => `${r.checkId}:${r.status}`);
    assert.deepEqual(notPass.sort(), ['RWS-090:fail', 'RWS-091:skipped'], summary);
  });
});
