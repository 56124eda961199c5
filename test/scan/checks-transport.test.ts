/** The transport checks (RWS-090, RWS-091): cleartext targets, and TLS on the fixture and on Rampart. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { ScanContext } from '../../src/scan/context.js';
import { cleartextCheck, tlsConfigurationCheck } from '../../src/scan/checks/transport/index.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { makeSelfSigned, opensslMissing, type SelfSigned } from '../helpers/self-signed.js';
import { assertClean, assertFinding, runOnFixture, scanOptions } from './scan-harness.js';

const missing = opensslMissing();

describe('RWS-090 cleartext ws://', () => {
  it('is info on loopback, medium on a network host, pass for wss', async () => {
    const local = await cleartextCheck.run(new ScanContext(scanOptions('ws://127.0.0.1:9/ws')));
    assertFinding(local, cleartextCheck, 'info');
    assert.ok(local.status === 'fail' && local.findings[0]!.severity === 'info');
    assertFinding(await cleartextCheck.run(new ScanContext(scanOptions('ws://chat.example.com/ws'))), cleartextCheck, 'medium');
    assert.equal((await cleartextCheck.run(new ScanContext(scanOptions('wss://chat.example.com/ws')))).status, 'pass');
  });
  it('RWS-091 is skipped for ws://', async () => {
    assert.equal((await tlsConfigurationCheck.run(new ScanContext(scanOptions('ws://127.0.0.1:9/ws')))).status, 'skipped');
  });
});

describe('RWS-091 TLS configuration', { skip: missing }, () => {
  let cert: SelfSigned;
  let rampart: TestServer;
  before(async () => {
    cert = await makeSelfSigned();
    rampart = await startTestServer({ tlsCert: cert.certFile, tlsKey: cert.keyFile });
  });
  after(async () => {
    await rampart.close();
    await rm(cert.dir, { recursive: true, force: true });
  });

  it('finds TLS 1.0/1.1 and missing HSTS on the fixture', async () => {
    const outcome = await runOnFixture(
      tlsConfigurationCheck,
      { noAuth: true, tls: { cert: cert.cert, key: await import('node:fs/promises').then((fs) => fs.readFile(cert.keyFile)), minVersion: 'TLSv1', hsts: false } },
      'anonymous',
      { tls: { ca: cert.cert } },
    );
    assertFinding(outcome, tlsConfigurationCheck, 'medium');
    const messages = outcome.status === 'fail' ? outcome.findings.map((f) => `${f.severity ?? tlsConfigurationCheck.severity}: ${f.message}`) : [];
    assert.ok(messages.some((m) => /^medium: .*TLSv1/.test(m)), messages.join('\n'));
    assert.ok(messages.some((m) => /^low: .*Strict-Transport-Security/.test(m)), messages.join('\n'));
  });

  it('finds an untrusted certificate when the scan is not given the CA', async () => {
    const outcome = await runOnFixture(
      tlsConfigurationCheck,
      { noAuth: true, tls: { cert: cert.cert, key: await import('node:fs/promises').then((fs) => fs.readFile(cert.keyFile)) } },
      'anonymous',
      { tls: { ca: cert.cert } },
    );
    assertClean(outcome, tlsConfigurationCheck); // trusted CA, TLS 1.2+, HSTS on (the 1-day test certificate is info)
    const untrusted = await tlsConfigurationCheck.run(new ScanContext(scanOptions(rampart.wsUrl, { tls: { rejectUnauthorized: false } })));
    assertFinding(untrusted, tlsConfigurationCheck, 'medium');
    assert.ok(untrusted.status === 'fail' && untrusted.findings.some((f) => /SELF_SIGNED|self-signed/i.test(f.message)));
  });

  it('a TLS Rampart passes (TLS 1.2+, HSTS; a short-lived test certificate is only info)', async () => {
    const outcome = await tlsConfigurationCheck.run(new ScanContext(scanOptions(rampart.wsUrl, { tls: { ca: cert.cert } })));
    assertClean(outcome, tlsConfigurationCheck);
    assert.equal((await cleartextCheck.run(new ScanContext(scanOptions(rampart.wsUrl, { tls: { ca: cert.cert } })))).status, 'pass');
  });
});
