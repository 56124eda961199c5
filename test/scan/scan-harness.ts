/**
 * Shared set-up for the check self-tests: scan options for a vulnerable fixture (cookie, bearer
 * or anonymous baseline) and for a default Rampart with the rampart profile, and assertions on
 * check outcomes.
 */
import assert from 'node:assert/strict';
import { ScanContext, type ScanOptions } from '../../src/scan/context.js';
import type { CheckDefinition, CheckOutcome, Severity } from '../../src/scan/types.js';
import { severityRank } from '../../src/scan/types.js';
import { FIXTURE_COOKIE, FIXTURE_ORIGIN, FIXTURE_PASSWORD, FIXTURE_PROTOCOL, startVulnerableServer, type Flaws, type VulnerableServer } from '../fixtures/vulnerable-server.js';
import { PASSWORD, registerAndLogin } from '../helpers/client.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

export function scanOptions(target: string, extra: Partial<ScanOptions> = {}): ScanOptions {
  return { target, headers: [], subprotocols: [], timeoutMs: 2000, aggressive: false, paceMs: 5, ...extra };
}

export async function fixtureLogin(httpUrl: string, username = 'alice'): Promise<string> {
  const res = await fetch(`${httpUrl}/api/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: FIXTURE_PASSWORD }),
  });
  if (res.status !== 200) throw new Error(`fixture login: ${res.status}`);
  return ((await res.json()) as { token: string }).token;
}

export type Baseline = 'cookie' | 'bearer' | 'anonymous' | 'profile';

/** Starts a fixture with `flaws` and a context whose baseline uses the given credentials. */
export async function fixtureContext(flaws: Partial<Flaws>, baseline: Baseline, extra: Partial<ScanOptions> = {}): Promise<{ server: VulnerableServer; ctx: ScanContext }> {
  const server = await startVulnerableServer(flaws);
  const common = { subprotocols: [FIXTURE_PROTOCOL], ...extra };
  let options: ScanOptions;
  if (baseline === 'cookie') {
    const token = await fixtureLogin(server.httpUrl);
    options = scanOptions(server.url, { origin: FIXTURE_ORIGIN, cookie: `${FIXTURE_COOKIE}=${token}`, ...common });
  } else if (baseline === 'bearer') {
    const token = await fixtureLogin(server.httpUrl);
    options = scanOptions(server.url, { headers: [['Authorization', `Bearer ${token}`]], ...common });
  } else if (baseline === 'profile') {
    options = scanOptions(server.url, { profile: { kind: 'rampart', user: 'alice', password: FIXTURE_PASSWORD }, ...common });
  } else {
    options = scanOptions(server.url, common);
  }
  const ctx = new ScanContext(options);
  if (baseline === 'profile') await ctx.loginRampart();
  const alive = await ctx.canary();
  assert.ok(alive.ok, `fixture baseline must work: ${alive.detail}`);
  return { server, ctx };
}

/** Runs a check against a fixture with one flaw and closes the fixture. */
export async function runOnFixture(check: CheckDefinition, flaws: Partial<Flaws>, baseline: Baseline, extra: Partial<ScanOptions> = {}): Promise<CheckOutcome> {
  const { server, ctx } = await fixtureContext(flaws, baseline, extra);
  try {
    return await check.run(ctx);
  } finally {
    await server.close();
  }
}

export interface RampartTarget {
  server: TestServer;
  user: string;
  /** A fresh logged-in context with the rampart profile (bearer baseline, rampart.v1). */
  context(extra?: Partial<ScanOptions>): Promise<ScanContext>;
  close(): Promise<void>;
}

export async function startRampart(): Promise<RampartTarget> {
  const server = await startTestServer();
  const { name } = await registerAndLogin(server.url);
  return {
    server,
    user: name,
    async context(extra = {}) {
      const ctx = new ScanContext(scanOptions(server.wsUrl, { subprotocols: ['rampart.v1'], profile: { kind: 'rampart', user: name, password: PASSWORD }, ...extra }));
      await ctx.loginRampart();
      return ctx;
    },
    close: () => server.close(),
  };
}

/** A failing outcome with at least one finding at `atLeast` or above, each with evidence. */
export function assertFinding(outcome: CheckOutcome, check: CheckDefinition, atLeast: Severity = 'low'): void {
  assert.equal(outcome.status, 'fail', `${check.id} should fail: ${JSON.stringify(outcome).slice(0, 1500)}`);
  if (outcome.status !== 'fail') return;
  assert.ok(outcome.findings.length > 0);
  const top = Math.max(...outcome.findings.map((f) => severityRank(f.severity ?? check.severity)));
  assert.ok(top >= severityRank(atLeast), `${check.id}: expected a finding of at least ${atLeast}: ${JSON.stringify(outcome.findings.map((f) => [f.severity ?? check.severity, f.message]))}`);
  for (const f of outcome.findings) {
    assert.ok(f.evidence.length > 0, `${check.id}: every finding has evidence`);
    assert.ok(f.evidence.some((e) => (e.sent ?? '').length > 0 || (e.received ?? '').length > 0), `${check.id}: evidence has content`);
  }
}

/** Pass, or only `info` findings; never an error. */
export function assertClean(outcome: CheckOutcome, check: CheckDefinition, allowSkipped = false): void {
  if (outcome.status === 'skipped') {
    assert.ok(allowSkipped, `${check.id} unexpectedly skipped: ${outcome.reason}`);
    return;
  }
  assert.notEqual(outcome.status, 'error', `${check.id} errored: ${JSON.stringify(outcome)}`);
  if (outcome.status === 'fail') {
    for (const f of outcome.findings) assert.equal(f.severity ?? check.severity, 'info', `${check.id} must report nothing above info on Rampart: ${f.message}`);
  }
}
