/**
 * Writes docs/scanner.md: what `rampart scan` is and how to use it, the table of every check
 * (generated from the check metadata), and the detection matrix (check × fixture) from a REAL run:
 * every case of the vulnerable-fixture family below is started, scanned with runScan, and stopped;
 * then a real Rampart with the default configuration is scanned with every check, aggressive on.
 *
 *     node --import tsx scripts/scan-matrix.ts                 # run everything, write the doc
 *     npm run docs:scan-matrix                                 # the same
 *     node --import tsx scripts/scan-matrix.ts --cases a,b     # only these cases (+ rampart-default), no doc written
 *     node --import tsx scripts/scan-matrix.ts --no-write      # run everything, print the summary only
 *     node --import tsx scripts/scan-matrix.ts --no-rampart    # skip the default-Rampart column (no doc written)
 *     node --import tsx scripts/scan-matrix.ts --json FILE     # also dump every cell (notes, messages) as JSON
 *
 * Exit 1 when there is a problem: a case whose expected check did not report its flaw (or below
 * the expected severity), a control check that reported something above info, a case that could
 * not run, or anything above info (or a check error) on the default Rampart. So the script is
 * also an end-to-end test of the scanner; test/docs/scanner-doc.test.ts only checks that the
 * committed doc matches the check metadata (it never scans).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ALL_CHECKS } from '../src/scan/checks/index.js';
import { livenessCheck } from '../src/scan/checks/liveness.js';
import { runScan } from '../src/scan/runner.js';
import type { ScanOptions } from '../src/scan/context.js';
import { severityRank, type CheckDefinition, type ScanReport, type Severity } from '../src/scan/types.js';
import { SCAN_USAGE } from '../src/cli/scan.js';
import { configSchema } from '../src/config/schema.js';
import { startServer } from '../src/app/rampart-server.js';
import { FIXTURE_COOKIE, FIXTURE_ORIGIN, FIXTURE_PASSWORD, FIXTURE_PROTOCOL, startVulnerableServer, type Flaws } from '../test/fixtures/vulnerable-server.js';
import { startFramingFixture, type FramingFlaws } from '../test/fixtures/vulnerable-frames-server.js';
import { fixtureLogin } from '../test/scan/scan-harness.js';
import { PASSWORD, registerAndLogin } from '../test/helpers/client.js';
import { makeSelfSigned, opensslMissing, type SelfSigned } from '../test/helpers/self-signed.js';

const SCANNER_DOC_PATH = fileURLToPath(new URL('../docs/scanner.md', import.meta.url));
const COMMAND = 'npm run docs:scan-matrix';
const TIMEOUT_MS = 2000;
const PACE_MS = 5;
const CONCURRENCY = 2;

// ───────────────────────────── the fixture family ─────────────────────────────

type Baseline = 'cookie' | 'bearer' | 'anonymous' | 'profile';

interface CaseBase {
  /** Column name in the matrix. */
  name: string;
  baseline: Baseline;
  /** Check id → the least severity its finding must have (as the per-check self-tests assert). */
  expect: Record<string, Severity>;
  /** Checks that must run and report nothing above info (control cells). */
  clean?: string[];
  /** Checks left out of this case (say why in the note). */
  skip?: string[];
  /** One line for the case table. */
  note?: string;
}

interface VulnerableCase extends CaseBase {
  fixture: 'vulnerable';
  flaws: Partial<Omit<Flaws, 'tls'>>;
  /** Serve wss with the throwaway self-signed certificate; `trust`: whether the scan is given its CA. */
  tls?: { minVersion?: 'TLSv1'; hsts?: boolean; trust: boolean };
}

interface FramingCase extends CaseBase {
  fixture: 'framing';
  flaws: Partial<FramingFlaws>;
}

type Case = VulnerableCase | FramingCase;

const v = (name: string, flaws: VulnerableCase['flaws'], baseline: Baseline, expect: Record<string, Severity>, extra: Partial<VulnerableCase> = {}): VulnerableCase => ({
  fixture: 'vulnerable',
  name,
  flaws,
  baseline,
  expect,
  ...extra,
});
const f = (name: string, flaws: Partial<FramingFlaws>, baseline: Baseline, expect: Record<string, Severity>, extra: Partial<FramingCase> = {}): FramingCase => ({
  fixture: 'framing',
  name,
  flaws,
  baseline,
  expect,
  ...extra,
});

/**
 * One case per flaw switch that some check targets, with the baseline its self-test uses
 * (test/scan/checks-*.test.ts), plus three control cases (no flaw, or a legal behaviour).
 */
const CASES: Case[] = [
  // test/fixtures/vulnerable-server.ts: handshake (checks-handshake*.test.ts)
  v('safe-ish', {}, 'cookie', { 'RWS-090': 'info' }, { clean: ['RWS-010', 'RWS-011', 'RWS-012', 'RWS-014', 'RWS-015', 'RWS-019', 'RWS-020'], note: 'control: no flaw switched on' }),
  v('origin-none', { originCheck: 'none' }, 'cookie', { 'RWS-010': 'high' }),
  v('origin-prefix', { originCheck: 'prefix' }, 'cookie', { 'RWS-011': 'high' }),
  v('origin-suffix', { originCheck: 'suffix' }, 'cookie', { 'RWS-011': 'high' }),
  v('origin-regex', { originCheck: 'regex-unescaped' }, 'cookie', { 'RWS-011': 'high' }),
  v('null-origin', { allowNullOrigin: true }, 'cookie', { 'RWS-011': 'high' }),
  v('missing-origin-cookie', { allowMissingOriginWithCookie: true }, 'cookie', { 'RWS-012': 'medium' }),
  // The fixture "dies" on any Origin its URL parser refuses. RWS-011 comes first in a scan and one of
  // its look-alikes (Safari's backtick, `https://app.example.com\`.evil.example`) is such an origin, so
  // in a full scan the crash is reported by the liveness oracle right after RWS-011 and every later
  // check, RWS-013 included, is skipped; the second case leaves RWS-011 out so RWS-013 meets the flaw.
  v('malformed-origin-crash', { dieOnMalformedOrigin: true }, 'bearer', { 'RWS-001': 'high' }, {
    note: 'the process "dies" on an unparsable Origin: RWS-011\'s backtick origin already kills it (RWS-001), later checks cannot run',
  }),
  v('malformed-origin-crash-013', { dieOnMalformedOrigin: true }, 'bearer', { 'RWS-013': 'high', 'RWS-001': 'high' }, {
    skip: ['RWS-011'],
    note: 'the same without RWS-011',
  }),
  v('echo-protocol', { echoAnyProtocol: true }, 'bearer', { 'RWS-014': 'medium' }),
  v('version-8', { acceptVersion8: true }, 'bearer', { 'RWS-015': 'medium' }),
  v('lenient-handshake', { lenientHandshake: true }, 'bearer', { 'RWS-016': 'medium' }),
  v('huge-headers', { maxHeaderSize: 1024 * 1024 }, 'bearer', { 'RWS-017': 'low' }),
  v('redos', { redos: true }, 'bearer', { 'RWS-018': 'high' }),
  v('keepalive-after-refusal', { keepAliveAfterRefusal: true }, 'bearer', { 'RWS-019': 'medium' }),
  v('no-host-check', { hostCheck: false }, 'bearer', { 'RWS-020': 'low' }),
  v('slowloris', { headersTimeoutMs: 60_000 }, 'bearer', { 'RWS-021': 'medium' }),
  v('xff-trusted', { perIpLimit: 5, trustForwardedFor: true }, 'bearer', { 'RWS-022': 'medium' }),
  // auth (checks-auth.test.ts)
  v('no-auth', { noAuth: true }, 'bearer', { 'RWS-030': 'high' }),
  v('any-token', { acceptAnyToken: true }, 'cookie', { 'RWS-030': 'high' }),
  v('token-in-url', { tokenInUrl: true }, 'bearer', { 'RWS-031': 'medium' }),
  v('session-survives-logout', { sessionSurvivesLogout: true }, 'profile', { 'RWS-032': 'high' }),
  v('sockets-survive-logout', { sessionSurvivesLogout: 'sockets' }, 'profile', { 'RWS-032': 'high' }),
  v('weak-tokens', { weakTokens: true }, 'profile', { 'RWS-033': 'high' }),
  // transport (checks-transport.test.ts)
  v('tls-1.0', { noAuth: true }, 'anonymous', { 'RWS-091': 'medium' }, { tls: { minVersion: 'TLSv1', trust: true }, note: 'wss, TLS 1.0 allowed (CA given to the scan)' }),
  v('no-hsts', { noAuth: true }, 'anonymous', { 'RWS-091': 'low' }, { tls: { hsts: false, trust: true }, note: 'wss without Strict-Transport-Security (CA given)' }),
  v('self-signed', { noAuth: true }, 'anonymous', { 'RWS-091': 'medium' }, { tls: { trust: false }, note: 'wss, the scan is not given the CA' }),
  // leakage (checks-leakage.test.ts)
  v('banners', { banners: true }, 'bearer', { 'RWS-080': 'low' }),
  v('verbose-errors', { verboseErrors: true }, 'bearer', { 'RWS-081': 'medium' }),
  v('close-reason-fingerprint', { closeReasonFingerprint: true }, 'bearer', { 'RWS-082': 'info' }),
  v('overshare', { overshare: true }, 'bearer', { 'RWS-083': 'low' }),

  // test/fixtures/vulnerable-frames-server.ts: framing (checks-framing.test.ts)
  f('careful-frames', {}, 'anonymous', { 'RWS-090': 'info' }, {
    clean: ['RWS-040', 'RWS-041', 'RWS-042', 'RWS-043', 'RWS-044', 'RWS-045', 'RWS-046', 'RWS-047', 'RWS-048', 'RWS-049', 'RWS-050', 'RWS-051', 'RWS-052'],
    note: 'control: no flaw switched on',
  }),
  f('unmasked', { acceptUnmasked: true }, 'anonymous', { 'RWS-040': 'medium' }),
  f('rsv', { ignoreRsv: true }, 'anonymous', { 'RWS-041': 'low' }),
  f('reserved-opcodes', { acceptReservedOpcodes: true }, 'anonymous', { 'RWS-042': 'low' }),
  f('lax-control', { laxControlFrames: true }, 'anonymous', { 'RWS-043': 'medium' }),
  f('huge-length', { hangOnHugeLength: true }, 'anonymous', { 'RWS-044': 'medium' }),
  f('no-size-limit', { noSizeLimit: true }, 'anonymous', { 'RWS-045': 'medium', 'RWS-051': 'medium' }),
  f('large-size-limit', { largeSizeLimit: true }, 'anonymous', { 'RWS-051': 'medium' }, { clean: ['RWS-045'], note: "ws's default 100 MiB limit" }),
  f('lax-fragmentation', { laxFragmentation: true }, 'anonymous', { 'RWS-046': 'low' }),
  f('invalid-utf8', { skipUtf8Validation: true }, 'anonymous', { 'RWS-047': 'medium' }),
  f('split-utf8-refused', { rejectSplitUtf8: true }, 'anonymous', { 'RWS-047': 'low' }, { note: 'valid UTF-8 split across fragments refused' }),
  f('bad-close-codes', { echoInvalidCloseCodes: true }, 'anonymous', { 'RWS-048': 'low' }),
  f('binary', { acceptBinary: true }, 'profile', { 'RWS-049': 'info' }),
  f('non-minimal-length', { acceptNonMinimalLength: true }, 'anonymous', { 'RWS-050': 'info' }),
  f('deflate', { permessageDeflate: true }, 'anonymous', { 'RWS-052': 'low' }),
  // resources (checks-resources.test.ts)
  f('deflate-bomb', { permessageDeflate: true, unboundedInflate: true }, 'anonymous', { 'RWS-060': 'high', 'RWS-052': 'low' }),
  f('fragment-flood', { noFragmentLimit: true }, 'anonymous', { 'RWS-061': 'medium' }),
  f('empty-fragment-flood', { uncountedEmptyFragments: true }, 'anonymous', { 'RWS-061': 'medium' }),
  f('ping-flood', { noPingLimit: true }, 'anonymous', { 'RWS-062': 'low' }),
  f('coalesced-pongs', { noPingLimit: true, coalescePongs: true }, 'anonymous', {}, { clean: ['RWS-062'], note: 'control: legal pong coalescing (RFC 6455 §5.5.3)' }),
  f('no-heartbeat', { noHeartbeat: true }, 'anonymous', { 'RWS-063': 'low' }),
  f('no-completion-deadline', { noCompletionDeadline: true, noHeartbeat: true }, 'anonymous', { 'RWS-064': 'low' }),
  f('no-close-timeout', { noCloseTimeout: true }, 'profile', { 'RWS-065': 'low' }),
  f('no-connection-cap', { noConnectionCap: true }, 'anonymous', { 'RWS-066': 'medium' }),
  f('no-rate-limit', { noRateLimit: true }, 'profile', { 'RWS-067': 'medium' }),
  f('unbounded-send-queue', { unboundedSendQueue: true }, 'profile', { 'RWS-068': 'medium' }),
  f('no-room-cap', { noRoomCap: true, noRateLimit: true }, 'profile', { 'RWS-069': 'medium' }),
];

const RAMPART_COLUMN = 'rampart-default';

// ───────────────────────────── running ─────────────────────────────

type Cell =
  | { kind: 'finding'; severity: Severity; messages: string[] }
  | { kind: 'clean'; note?: string }
  | { kind: 'skipped'; reason: string }
  | { kind: 'error'; message: string }
  | { kind: 'not-run' };

interface ColumnResult {
  name: string;
  cells: Map<string, Cell>;
  durationMs: number;
  /** The case could not be scanned at all. */
  failure?: string;
}

const ROW_IDS = [livenessCheck.id, ...ALL_CHECKS.map((c) => c.id)];
const byId = new Map<string, Omit<CheckDefinition, 'run'>>([[livenessCheck.id, livenessCheck], ...ALL_CHECKS.map((c) => [c.id, c] as const)]);

/** What each check showed in one report. */
function cellsOf(report: ScanReport | null): Map<string, Cell> {
  const cells = new Map<string, Cell>(ROW_IDS.map((id) => [id, { kind: 'not-run' }]));
  if (!report) return cells;
  const top = (findings: ScanReport['findings']): Cell => {
    const severity = findings.map((x) => x.severity).sort((a, b) => severityRank(b) - severityRank(a))[0]!;
    return { kind: 'finding', severity, messages: findings.map((x) => `${x.severity}: ${x.message}`) };
  };
  for (const r of report.results) {
    const own = r.findings.filter((x) => x.checkId === r.checkId);
    if (own.length > 0) cells.set(r.checkId, top(own));
    else if (r.status === 'skipped') cells.set(r.checkId, { kind: 'skipped', reason: r.note ?? '' });
    else if (r.status === 'error') cells.set(r.checkId, { kind: 'error', message: r.note ?? '' });
    else cells.set(r.checkId, { kind: 'clean', ...(r.note ? { note: r.note } : {}) });
  }
  const liveness = report.findings.filter((x) => x.checkId === livenessCheck.id);
  const canaryRan = report.results.some((r) => r.status !== 'skipped');
  cells.set(livenessCheck.id, liveness.length > 0 ? top(liveness) : canaryRan ? { kind: 'clean' } : { kind: 'not-run' });
  return cells;
}

/** The checks a fixture case runs: every non-aggressive one plus the aggressive ones it expects. */
function checksFor(c: Case): CheckDefinition[] {
  const wanted = new Set([...Object.keys(c.expect), ...(c.clean ?? [])]);
  return ALL_CHECKS.filter((check) => (!check.aggressive || wanted.has(check.id)) && !(c.skip ?? []).includes(check.id));
}

function caseIsAggressive(c: Case): boolean {
  return checksFor(c).some((check) => check.aggressive);
}

let certificate: Promise<SelfSigned> | null = null;
function selfSigned(): Promise<SelfSigned> {
  const missing = opensslMissing();
  if (missing) return Promise.reject(new Error(missing));
  certificate ??= makeSelfSigned();
  return certificate;
}

function baseOptions(target: string, extra: Partial<ScanOptions>): ScanOptions {
  return { target, headers: [], subprotocols: [], timeoutMs: TIMEOUT_MS, aggressive: false, paceMs: PACE_MS, ...extra };
}

async function runCase(c: Case, version: string): Promise<ColumnResult> {
  const started = Date.now();
  const aggressive = caseIsAggressive(c);
  let close: (() => Promise<void>) | undefined;
  try {
    let options: ScanOptions;
    if (c.fixture === 'vulnerable') {
      let flaws: Partial<Flaws> = c.flaws;
      let tls: ScanOptions['tls'];
      if (c.tls) {
        const cert = await selfSigned();
        flaws = { ...flaws, tls: { cert: cert.cert, key: await readFile(cert.keyFile), ...(c.tls.minVersion ? { minVersion: c.tls.minVersion } : {}), ...(c.tls.hsts === false ? { hsts: false } : {}) } };
        tls = c.tls.trust ? { ca: cert.cert } : { rejectUnauthorized: false };
      }
      const server = await startVulnerableServer(flaws);
      close = () => server.close();
      const common: Partial<ScanOptions> = { subprotocols: [FIXTURE_PROTOCOL], aggressive, ...(tls ? { tls } : {}) };
      if (c.baseline === 'cookie') {
        const token = await fixtureLogin(server.httpUrl);
        options = baseOptions(server.url, { origin: FIXTURE_ORIGIN, cookie: `${FIXTURE_COOKIE}=${token}`, ...common });
      } else if (c.baseline === 'bearer') {
        const token = await fixtureLogin(server.httpUrl);
        options = baseOptions(server.url, { headers: [['Authorization', `Bearer ${token}`]], ...common });
      } else if (c.baseline === 'profile') {
        options = baseOptions(server.url, { profile: { kind: 'rampart', user: 'alice', password: FIXTURE_PASSWORD }, ...common });
      } else {
        options = baseOptions(server.url, common);
      }
    } else {
      const fixture = await startFramingFixture(c.flaws);
      close = () => fixture.close();
      if (c.baseline === 'cookie' || c.baseline === 'bearer') throw new Error('the framing fixture has no cookie or bearer baseline');
      options = baseOptions(fixture.url, {
        subprotocols: ['rampart.v1'],
        aggressive,
        ...(c.baseline === 'profile' ? { profile: { kind: 'rampart', user: 'scanner', password: 'x' } } : {}),
      });
    }
    const report = await runScan(options, checksFor(c), version);
    return { name: c.name, cells: cellsOf(report), durationMs: Date.now() - started };
  } catch (err) {
    return { name: c.name, cells: cellsOf(null), durationMs: Date.now() - started, failure: (err as Error).message };
  } finally {
    await close?.().catch(() => undefined);
  }
}

/** A real Rampart, default configuration (port 0, a temp data dir), one registered user; every check, aggressive on. */
async function runRampart(version: string): Promise<ColumnResult> {
  const started = Date.now();
  const dataDir = await mkdtemp(join(tmpdir(), 'rampart-scan-matrix-'));
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  try {
    server = await startServer(configSchema.parse({ port: 0, dataDir }));
    const user = await registerAndLogin(server.url, 'scanmatrix');
    const wsUrl = `${server.url.replace(/^http/, 'ws')}/ws`;
    const report = await runScan(
      baseOptions(wsUrl, { subprotocols: ['rampart.v1'], aggressive: true, profile: { kind: 'rampart', user: user.name, password: PASSWORD } }),
      ALL_CHECKS,
      version,
    );
    return { name: RAMPART_COLUMN, cells: cellsOf(report), durationMs: Date.now() - started };
  } catch (err) {
    return { name: RAMPART_COLUMN, cells: cellsOf(null), durationMs: Date.now() - started, failure: (err as Error).message };
  } finally {
    await server?.close().catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Runs the jobs with at most `limit` at a time, keeping the results in job order. */
async function pool<T>(jobs: Array<() => Promise<T>>, limit: number): Promise<T[]> {
  const results: T[] = new Array<T>(jobs.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const i = next++;
      results[i] = await jobs[i]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
  return results;
}

// ───────────────────────────── verdicts ─────────────────────────────

interface Problem {
  column: string;
  checkId: string | null;
  text: string;
}

const LETTER: Record<Severity, string> = { critical: 'C', high: 'H', medium: 'M', low: 'L', info: 'I' };

/** At most `max` characters, cut at a word boundary; loopback ports (random per run) as PORT. */
function clip(text: string, max = 240): string {
  const stable = text.replace(/\b(127\.0\.0\.1|localhost):\d{2,5}\b/g, '$1:PORT');
  if (stable.length <= max) return stable;
  const cut = stable.slice(0, max);
  return `${cut.slice(0, Math.max(cut.lastIndexOf(' '), max - 40))}…`;
}

function describeCell(cell: Cell): string {
  switch (cell.kind) {
    case 'finding':
      return `reported ${cell.severity}: ${clip(cell.messages[0]!.slice(cell.severity.length + 2))}`;
    case 'clean':
      return `ran clean${cell.note ? ` (${clip(cell.note)})` : ''}`;
    case 'skipped':
      return `skipped (${clip(cell.reason)})`;
    case 'error':
      return `errored (${clip(cell.message)})`;
    case 'not-run':
      return 'not run';
  }
}

function problemsOf(column: ColumnResult, c: Case | null): Problem[] {
  const problems: Problem[] = [];
  if (column.failure) problems.push({ column: column.name, checkId: null, text: `could not be scanned: ${clip(column.failure, 600)}` });
  if (c === null) {
    for (const [id, cell] of column.cells) {
      if (cell.kind === 'finding' && severityRank(cell.severity) > severityRank('info')) {
        problems.push({ column: column.name, checkId: id, text: `false positive on a default Rampart: ${clip(cell.messages.filter((m) => !m.startsWith('info:')).join(' / '), 600)}` });
      }
      if (cell.kind === 'error') problems.push({ column: column.name, checkId: id, text: `errored on a default Rampart: ${cell.message}` });
    }
    return problems;
  }
  if (column.failure) return problems;
  for (const [id, atLeast] of Object.entries(c.expect)) {
    const cell = column.cells.get(id) ?? { kind: 'not-run' };
    if (cell.kind !== 'finding' || severityRank(cell.severity) < severityRank(atLeast)) {
      problems.push({ column: column.name, checkId: id, text: `missed: expected a finding of at least ${atLeast}, ${describeCell(cell)}` });
    }
  }
  for (const id of c.clean ?? []) {
    const cell = column.cells.get(id) ?? { kind: 'not-run' };
    if (cell.kind === 'finding' && severityRank(cell.severity) > severityRank('info')) {
      problems.push({ column: column.name, checkId: id, text: `false positive on a control case: ${clip(cell.messages.join(' / '), 600)}` });
    } else if (cell.kind !== 'finding' && cell.kind !== 'clean') {
      problems.push({ column: column.name, checkId: id, text: `control check did not run: ${describeCell(cell)}` });
    }
  }
  return problems;
}

function cellText(cell: Cell, problem: boolean, expected: boolean): string {
  if (problem && cell.kind !== 'finding') return '✗';
  if (problem && cell.kind === 'finding') return `✗${LETTER[cell.severity]}`;
  switch (cell.kind) {
    case 'finding':
      return expected ? `**${LETTER[cell.severity]}**` : LETTER[cell.severity];
    case 'clean':
      return '·';
    case 'skipped':
    case 'not-run':
      return '–';
    case 'error':
      return 'E';
  }
}

// ───────────────────────────── the document ─────────────────────────────

/** Table cells may not hold raw pipes or newlines. */
function md(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** The first sentence of a description (at least ~60 characters; the full text is in the details). */
function firstSentence(text: string): string {
  const sentences = text.replace(/\s+/g, ' ').trim().split(/(?<=[.!?])\s+(?=[A-Z(`])/);
  let out = '';
  for (const sentence of sentences) {
    out = out ? `${out} ${sentence}` : sentence;
    if (out.length >= 60) break;
  }
  return out;
}

function checkTableRows(): string[] {
  const all: Array<Omit<CheckDefinition, 'run'>> = [livenessCheck, ...ALL_CHECKS];
  return all.map((c) =>
    [
      '',
      ` ${c.id} `,
      ` ${md(c.title)} `,
      ` ${c.severity} `,
      ` ${c.cwe ? `CWE-${c.cwe}` : '—'} `,
      ` ${c.catalogue.join(', ')} `,
      ` ${c.aggressive ? 'yes' : 'no'} `,
      ` ${c.profile ? c.profile : '—'} `,
      ` ${md(c.id === livenessCheck.id ? `Run by the runner after every check, not on its own. ${firstSentence(c.description)}` : firstSentence(c.description))} `,
      '',
    ].join('|'),
  );
}

function flawsText(c: Case): string {
  const parts = Object.entries(c.flaws).map(([k, val]) => (val === true ? k : `${k}=${typeof val === 'string' ? val : JSON.stringify(val)}`));
  if (c.fixture === 'vulnerable' && c.tls) {
    parts.push(`tls${c.tls.minVersion ? ` minVersion=${c.tls.minVersion}` : ''}${c.tls.hsts === false ? ' hsts=false' : ''}${c.tls.trust ? ' (CA given)' : ' (CA not given)'}`);
  }
  return parts.length ? parts.map((p) => `\`${p}\``).join(' ') : '(none)';
}

function staticSections(): string[] {
  return [
    '# `rampart scan`: the WebSocket security scanner',
    '',
    '<!-- Generated by scripts/scan-matrix.ts (npm run docs:scan-matrix) from the check metadata and a real run.',
    '     Do not edit by hand; test/docs/scanner-doc.test.ts checks the check table against the code. -->',
    '',
    '`rampart scan` audits **any** WebSocket endpoint, not only Rampart, against the attack catalogue',
    '(`shared/research/security-catalogue.md`; Rampart\'s own answers to every row are in [security.md](security.md)).',
    `It runs ${ALL_CHECKS.length} checks (\`RWS-010\` … \`RWS-091\`) plus the liveness oracle \`RWS-001\`: handshake, authentication,`,
    'RFC 6455 framing, transport, resource exhaustion and information leakage. Every finding carries a check id that is never',
    'reused, a severity, a CWE, the catalogue rows it covers, the bytes sent and received as evidence, and a remediation.',
    'Every check is tested against a deliberately vulnerable fixture (it must find the flaw) and against a default Rampart',
    '(it must report nothing above info); the [detection matrix](#detection-matrix) below is that test, run for real.',
    '',
    '## Running it',
    '',
    '```sh',
    '# a generic endpoint, as a browser on https://app.example.com would connect',
    'rampart scan wss://chat.example.com/ws --origin https://app.example.com --cookie "session=…"',
    '',
    '# a Rampart server: log in over its HTTP API and test the authenticated paths too,',
    '# including the bounded resource-exhaustion probes',
    'rampart scan ws://127.0.0.1:8080/ws --profile rampart --user a --password b --aggressive',
    '',
    '# the password from stdin instead of the command line',
    'printf "%s" "$PASSWORD" | rampart scan ws://127.0.0.1:8080/ws --profile rampart --user a --password-stdin',
    '',
    '# reports: text (default), json, sarif, html; --out writes to a file instead of stdout',
    'rampart scan wss://chat.example.com/ws --format html --out scan.html',
    '',
    '# CI gate: exit 1 when a finding is medium or worse',
    'rampart scan wss://staging.example.com/ws --format sarif --out rampart-scan.sarif --fail-on medium',
    '',
    '# choose checks (ids from --list), or trust a test CA',
    'rampart scan wss://127.0.0.1:8443/ws --checks RWS-010,RWS-011,RWS-091 --ca ./test-ca.pem',
    'rampart scan ws://127.0.0.1:8080/ws --skip RWS-017',
    'rampart scan --list',
    '```',
    '',
    'All options (`rampart scan --help`):',
    '',
    '```text',
    SCAN_USAGE,
    '```',
    '',
    'Notes on the options, from `src/cli/scan.ts`:',
    '',
    '- The **baseline handshake** is what `--origin`, `--header` (repeatable, `"Name: value"`), `--cookie` and `--subprotocol`',
    '  (repeatable or comma-separated) describe: it must succeed, and every probe is that handshake with one thing changed.',
    '  With `--profile rampart` the scanner logs in with `POST /api/login` and adds the bearer token; without `--subprotocol`',
    '  it then offers `rampart.v1`.',
    '- `--checks` and `--skip` take comma-separated ids (case-insensitive); an unknown id is a usage error.',
    '- `--fail-on` accepts any severity: `critical`, `high`, `medium`, `low` or `info`.',
    '- `--timeout` is the per-wait limit in ms (handshakes, replies, close waits), 100 … 120000, default 5000.',
    '- `--ca FILE` trusts that CA for `wss://` (a self-signed test server); the certificate is still verified.',
    '- The report goes to stdout, or to `--out FILE` (a one-line summary then goes to stderr). A progress bar is drawn',
    '  on stderr only when it is a terminal and `CI` is not set.',
    '',
    '### Exit codes',
    '',
    '| code | meaning |',
    '|---|---|',
    '| 0 | the scan finished, and no finding is at or above `--fail-on` (or no `--fail-on` was given) |',
    '| 1 | the scan finished with a finding at or above `--fail-on` |',
    '| 2 | usage error: an unknown option, an option without its value, an invalid `--format`/`--fail-on`/`--timeout`/`--header`/`--profile` value, not exactly one `ws://`/`wss://` URL, an unknown check id |',
    '| 3 | the target could not be scanned: unreachable, the baseline handshake failed, or the rampart login was refused |',
    '',
    '## Safety by design',
    '',
    '- **Only the given target.** Every probe connects to the host and port of the URL given, and the rampart profile talks',
    '  to the same origin\'s `/api/login` and `/api/logout`. Nothing is discovered, crawled or brute-forced; run it only',
    '  against systems you are allowed to test.',
    '- **One check at a time, paced.** The runner never runs checks in parallel ("a scan must not become the flood it tests',
    '  for"); the CLI waits 50 ms between probes, and the probes that need many requests pace themselves inside the limits',
    '  the server announces (backing off on `RATE_LIMITED`).',
    '- **Bounded.** Every wait is bounded by `--timeout`; every check by a 120 s deadline (then reported as an error).',
    '  The resource-exhaustion probes (floods, slowloris, bombs: the rows marked *aggressive* below) only run with',
    '  `--aggressive`, and each has a fixed ceiling stated in its description: e.g. at most 200 connections (`RWS-066`),',
    '  2 000 pings (`RWS-062`), 200 requests (`RWS-067`), 150 rooms (`RWS-069`), one 64 KiB frame inflating to 64 MiB (`RWS-060`).',
    '  Checks close the connections they opened when they finish.',
    '- **What it writes on a Rampart target** (rampart profile only). `RWS-032` and `RWS-033` log in up to three extra',
    '  sessions of the scanning user and log them out again. With `--aggressive`, `RWS-068` (slow consumer) writes chat',
    '  messages of the maximum size into the scanner\'s own **private** room `rws-scan-<8 hex of the user id>-slow` (about',
    '  100 messages, ~1.6 MB, on the first scan; ~20 on later ones, which reuse the room), and `RWS-069` (room cap) creates',
    '  private rooms `rws-scan-<hash>-r1`, `-r2`, … one at a time until a join is refused (65 rooms once on a default Rampart,',
    '  reused by later scans) after trying one create with a 1 000-character name (refused). Private rooms are visible to',
    '  their members only; rooms of other users are never joined or written to. Use a dedicated scanning account.',
    '- **Credentials in evidence are redacted**: `Authorization` and `Cookie` values and token-like query parameters',
    '  (`token`, `auth`, `jwt`, `session`, `key`) in the requests shown are cut to their first 6 characters + `…(redacted)`.',
    '',
    '## The liveness oracle (`RWS-001`)',
    '',
    'Before the first check the scanner opens the baseline connection and sends a ping; if that fails there is nothing to',
    'scan (exit 3). After **every** check that ran, the same canary runs again: a fresh baseline handshake must succeed and',
    'a ping must be answered with its pong within `--timeout`. If it fails, the runner waits one second and tries once more',
    '(a server that restarts itself still counts). A second failure is a high finding `RWS-001`, attributed to the check',
    'that ran just before ("After RWS-013 (…) a fresh connection failed: …"), and every later check is skipped: the target',
    'stopped answering. This is how crashes and hangs (catalogue I5, R1, R12) are found without any access to the server,',
    'and why a probe that merely closes its own connection is never mistaken for a crash.',
    '',
    '## Reports and CI',
    '',
    '`--format text` (default, grouped by severity), `json` (the whole `ScanReport`: every result with status, note and',
    'duration, every finding with evidence), `html` (one self-contained file, no script, everything from the target',
    'escaped) and `sarif` (SARIF 2.1.0). In SARIF every check is a rule (`tool.driver.rules`, with CWE tags, catalogue rows',
    'and a `security-severity` score), every finding a result located at the target URL; critical/high map to `error`,',
    'medium/low to `warning`, info to `note`. Code scanning accepts only repository-relative locations (it refuses',
    '`ws://` URIs, github/codeql-action#754), so each result\'s physical location is a relative pseudo-path named after',
    'the endpoint (`websocket/127.0.0.1_8080/ws`) and the URL itself is its logical location. Upload the file as it is:',
    '',
    '```yaml',
    '# steps of a GitHub Actions job, after starting the server under test',
    '- name: Scan the WebSocket endpoint',
    '  run: npx rampart scan ws://127.0.0.1:8080/ws --profile rampart --user scanner --password-stdin \\',
    '         --format sarif --out rampart-scan.sarif --fail-on medium <<< "${{ secrets.SCAN_PASSWORD }}"',
    '- name: Upload to code scanning',
    '  if: always()',
    '  uses: github/codeql-action/upload-sarif@v3',
    '  with:',
    '    sarif_file: rampart-scan.sarif',
    '    category: rampart-scan',
    '```',
    '',
    '`--fail-on medium` fails the scan step (exit 1) when a finding is medium or worse; `if: always()` still uploads the',
    'report. Exit 3 (target not scannable) also fails the step, so a server that did not start is not mistaken for a',
    'clean scan.',
    '',
    '## Compared with other tools',
    '',
    'From the research notes (`shared/research/security-catalogue.md`, sections b.4 and c.1):',
    '',
    '- **STEWS** (PalindromeLabs, 2021; last commit 2022-01): endpoint discovery, fingerprinting series (opcodes, RSV bits,',
    '  versions, extensions, subprotocols, long payloads) and exactly four vulnerability tests: generic CSWSH and three',
    '  CVEs (ws ReDoS CVE-2021-32640, websocket-extensions CVE-2020-7662/7663, Gorilla CVE-2020-27813). Its Gorilla',
    '  verdict branch is hard-coded `if False`, so that test never reports; its timing heuristics use a fixed 0.4 s delta.',
    '  `rampart scan` has no discovery or bulk mode; it covers those CSWSH and ReDoS cases (`RWS-010`/`011`/`012`,',
    '  `RWS-018`) and sends the Gorilla frame shape (`RWS-044`), and every check is run against a fixture with the flaw',
    '  and one without it (the matrix below) instead of trusting a timing threshold or an untested branch.',
    '- **OWASP ZAP** (WebSockets add-on): intercept, breakpoints, resend, fuzzing, and passive scan rules on WebSocket',
    '  messages (application/debug error, e-mail, PII, private IP … disclosure); **no active scanning** of WebSocket',
    '  messages (issue #4276, open since 2018). Its passive rules correspond to `RWS-081` and `RWS-083` here.',
    '- **wsrepl** (Doyensec, 2023): an interactive REPL with curl-compatible flags and Python plugins, not a scanner;',
    '  automation means writing a plugin.',
    '- What `rampart scan` adds: active checks across handshake, auth, framing, resources, transport and leakage with a',
    '  liveness oracle, bounded and paced by design, with SARIF for CI. What it does not do: intercept or fuzz',
    '  application messages, discover endpoints, or test authorization rules (catalogue Z rows) and injection in',
    '  application fields (I1–I4, I6) on non-Rampart targets.',
    '',
  ];
}

function checksSection(): string[] {
  const all: Array<Omit<CheckDefinition, 'run'>> = [livenessCheck, ...ALL_CHECKS];
  return [
    '## Checks',
    '',
    `Every check (${all.length} with \`RWS-001\`), generated from the check metadata (\`src/scan/checks/\`), in the order a scan`,
    'runs them. *aggressive*: runs only with `--aggressive`; *profile*: needs `--profile rampart` (skipped otherwise).',
    '',
    '| id | title | severity | CWE | catalogue | aggressive | profile | what it does |',
    '|---|---|---|---|---|---|---|---|',
    ...checkTableRows(),
    '',
    '### Check details',
    '',
    ...all.flatMap((c) => [`- **${c.id}** ${md(c.title)}. ${c.description.replace(/\s+/g, ' ')} *Fix:* ${c.remediation.replace(/\s+/g, ' ')}`]),
    '',
  ];
}

interface RunInfo {
  date: string;
  durationMs: number;
  node: string;
  cores: number;
}

function matrixSection(cases: Case[], columns: ColumnResult[], rampart: ColumnResult, problems: Problem[], info: RunInfo): string[] {
  const problemKeys = new Set(problems.filter((p) => p.checkId).map((p) => `${p.column} ${p.checkId}`));
  const header = ['check', ...cases.map((_, i) => String(i + 1)), 'R'];
  const lines = [
    '## Detection matrix',
    '',
    `Generated by \`scripts/scan-matrix.ts\` from a real run on ${info.date} (Node ${info.node}, ${info.cores} cores; run time`,
    `${formatDuration(info.durationMs)}, ${CONCURRENCY} cases at a time): \`${COMMAND}\`.`,
    '',
    `Columns 1–${cases.length} are the cases of the vulnerable-fixture family (listed under the table): a fixture from`,
    '`test/fixtures/vulnerable-server.ts` (handshake, auth, transport, leakage flaws) or',
    '`test/fixtures/vulnerable-frames-server.ts` (framing and resource flaws) with one flaw switched on, scanned through the',
    `real runner (\`runScan\`, liveness canary after every check; timeout ${TIMEOUT_MS} ms, pace ${PACE_MS} ms) with the baseline its`,
    'self-test uses. To keep the run bounded, a case runs **every non-aggressive check plus only the aggressive checks it',
    'expects** (so `–` in an aggressive row means "not run here", not "passed"; one case leaves a check out, and says',
    'so); `--aggressive` is on only for cases that',
    `run an aggressive check. Column **R** is \`${RAMPART_COLUMN}\`: a real Rampart started in-process with the default configuration`,
    '(port 0, a temp data dir, one registered user), scanned with `--profile rampart`, **every** check, `--aggressive` on.',
    '',
    'Cells: **C**/**H**/**M**/**L**/**I** the check reported a finding of that highest severity (bold: the flaw the case is',
    'about), `·` ran and reported nothing, `–` not run (not selected, skipped, or the target was already down), `E` the check',
    'errored, `✗` an expected finding was missed (or a control check reported something above info).',
    '',
    `| ${header.join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
  ];
  for (const id of ROW_IDS) {
    const row = [id];
    for (const [i, col] of columns.entries()) {
      const c = cases[i]!;
      const cell = col.cells.get(id) ?? { kind: 'not-run' as const };
      row.push(cellText(cell, problemKeys.has(`${col.name} ${id}`), id in c.expect));
    }
    const rc = rampart.cells.get(id) ?? { kind: 'not-run' as const };
    row.push(cellText(rc, problemKeys.has(`${rampart.name} ${id}`), false));
    lines.push(`| ${row.join(' | ')} |`);
  }
  lines.push('');

  lines.push('### Problems', '');
  if (problems.length === 0) {
    lines.push('None: every case reported its expected finding, every control check ran clean, and the default Rampart got nothing above info.');
  } else {
    for (const p of problems) lines.push(`- **${p.column}**${p.checkId ? ` ${p.checkId}` : ''}: ${md(p.text)}`);
  }
  lines.push('');

  lines.push('### The cases', '');
  lines.push('| # | case | fixture | flaws | baseline | expected (at least) | also reported above info | time |');
  lines.push('|---|---|---|---|---|---|---|---|');
  for (const [i, c] of cases.entries()) {
    const col = columns[i]!;
    const expected = Object.entries(c.expect).map(([id, s]) => `${id} ≥ ${s}`);
    if (c.clean?.length) expected.push(`clean: ${c.clean.join(', ')}`);
    if (c.skip?.length) expected.push(`(${c.skip.join(', ')} left out)`);
    const also = [...col.cells.entries()]
      .filter(([id, cell]) => !(id in c.expect) && cell.kind === 'finding' && severityRank(cell.severity) > severityRank('info'))
      .map(([id, cell]) => `${id} ${LETTER[(cell as { severity: Severity }).severity]}`);
    lines.push(
      `| ${i + 1} | \`${c.name}\`${c.note ? ` — ${md(c.note)}` : ''} | ${c.fixture === 'vulnerable' ? 'vulnerable-server' : 'vulnerable-frames-server'} | ${flawsText(c)} | ${c.baseline} | ${expected.join(', ') || '—'} | ${also.join(', ') || '—'} | ${formatDuration(col.durationMs)} |`,
    );
  }
  lines.push(`| R | \`${RAMPART_COLUMN}\` | Rampart (src/app/rampart-server.ts) | default configuration | profile | nothing above info | ${[...rampart.cells.entries()].filter(([, cell]) => cell.kind === 'finding' && severityRank(cell.severity) > severityRank('info')).map(([id]) => id).join(', ') || '—'} | ${formatDuration(rampart.durationMs)} |`);
  lines.push('');
  lines.push(
    'Baselines: *cookie* = `Origin: https://app.example.com` + the fixture\'s session cookie; *bearer* = an',
    '`Authorization: Bearer` token; *profile* = `--profile rampart` (login over `POST /api/login`); *anonymous* = no',
    'credentials. "Also reported" lists findings above info outside the case\'s own flaw: they are true for that fixture',
    '(e.g. the framing fixture accepts any Origin and needs no credentials), not false positives.',
    '',
  );

  if (!rampart.failure && [...rampart.cells.values()].some((cell) => cell.kind !== 'not-run')) {
    lines.push('What each check saw on the default Rampart (column R), from its result note:', '');
    for (const [id, cell] of rampart.cells) if (id !== livenessCheck.id) lines.push(`- ${id}: ${md(describeCell(cell))}`);
    lines.push('');
  }
  const errors = columns.flatMap((col) => [...col.cells.entries()].filter(([, cell]) => cell.kind === 'error').map(([id, cell]) => `- ${col.name} ${id}: ${md(describeCell(cell))}`));
  if (errors.length > 0) lines.push('Check errors on fixture cases (`E`):', '', ...errors, '');
  return lines;
}

function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s} s`;
}

// ───────────────────────────── main ─────────────────────────────

/** Rough cost of a case, so the slowest start first. */
function weight(c: Case): number {
  const slow: Record<string, number> = { 'RWS-063': 40, 'RWS-064': 40, 'RWS-065': 36, 'RWS-068': 30, 'RWS-021': 18, 'RWS-069': 12, 'RWS-022': 6 };
  return checksFor(c).reduce((sum, check) => sum + (slow[check.id] ?? 0), 0);
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const onlyArg = args.indexOf('--cases');
  const only = onlyArg >= 0 ? (args[onlyArg + 1] ?? '').split(',').filter(Boolean) : [];
  const withRampart = !args.includes('--no-rampart');
  const jsonArg = args.indexOf('--json');
  const jsonOut = jsonArg >= 0 ? args[jsonArg + 1] : undefined;
  const write = only.length === 0 && withRampart && !args.includes('--no-write');
  for (const name of only) if (!CASES.some((c) => c.name === name)) throw new Error(`unknown case ${name}`);
  const cases = only.length ? CASES.filter((c) => only.includes(c.name)) : CASES;
  const names = new Set(CASES.map((c) => c.name));
  if (names.size !== CASES.length) throw new Error('case names must be unique');
  for (const c of CASES) for (const id of [...Object.keys(c.expect), ...(c.clean ?? [])]) if (!byId.has(id)) throw new Error(`${c.name}: unknown check ${id}`);

  const version = (JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  const started = Date.now();
  const date = new Date().toISOString().slice(0, 10);

  // The default Rampart is the longest job: start it first, then the slowest cases.
  const order = cases.map((c, i) => ({ c, i })).sort((a, b) => weight(b.c) - weight(a.c));
  const log = (text: string): void => void process.stderr.write(`${text}\n`);
  const jobs: Array<() => Promise<{ index: number; result: ColumnResult }>> = [
    async () => {
      if (!withRampart) return { index: -1, result: { name: RAMPART_COLUMN, cells: cellsOf(null), durationMs: 0 } };
      const result = await runRampart(version);
      log(`[${formatDuration(Date.now() - started)}] ${RAMPART_COLUMN} done in ${formatDuration(result.durationMs)}${result.failure ? ` — FAILED: ${result.failure}` : ''}`);
      return { index: -1, result };
    },
    ...order.map(({ c, i }) => async () => {
      const result = await runCase(c, version);
      log(`[${formatDuration(Date.now() - started)}] ${c.name} done in ${formatDuration(result.durationMs)}${result.failure ? ` — FAILED: ${result.failure}` : ''}`);
      return { index: i, result };
    }),
  ];
  const done = await pool(jobs, CONCURRENCY);
  const rampart = done.find((d) => d.index === -1)!.result;
  const columns = cases.map((_, i) => done.find((d) => d.index === i)!.result);
  const durationMs = Date.now() - started;

  const problems = [...cases.flatMap((c, i) => problemsOf(columns[i]!, c)), ...problemsOf(rampart, null)];
  const info: RunInfo = { date, durationMs, node: process.versions.node, cores: cpus().length };
  const doc = [...staticSections(), ...checksSection(), ...matrixSection(cases, columns, rampart, problems, info)].join('\n');

  if (jsonOut) {
    const dump = [...columns, rampart].map((col) => ({ ...col, cells: Object.fromEntries(col.cells) }));
    writeFileSync(jsonOut, `${JSON.stringify(dump, null, 2)}\n`);
  }
  if (write) {
    writeFileSync(SCANNER_DOC_PATH, doc.endsWith('\n') ? doc : `${doc}\n`);
    log(`wrote ${SCANNER_DOC_PATH}`);
  }
  log(`${cases.length} cases × ${ROW_IDS.length} checks + ${RAMPART_COLUMN} in ${formatDuration(durationMs)}; ${problems.length} problem(s)`);
  for (const p of problems) log(`  PROBLEM ${p.column}${p.checkId ? ` ${p.checkId}` : ''}: ${p.text}`);
  if (certificate) await rm((await certificate).dir, { recursive: true, force: true });
  return problems.length > 0 ? 1 : 0;
}

// Exit explicitly: a fixture's stray timer must not keep a finished run alive.
main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`scan-matrix: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
