/**
 * `rampart scan <ws(s)://host/path>`: runs the scanner against any WebSocket endpoint and writes
 * a report. Exit codes: 0 done (nothing at or above --fail-on), 1 findings at or above --fail-on,
 * 2 usage error, 3 the target could not be scanned.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ALL_CHECKS } from '../scan/checks/index.js';
import { runScan, ScanAbortedError, selectChecks } from '../scan/runner.js';
import type { ScanOptions } from '../scan/context.js';
import { SEVERITIES, type Severity } from '../scan/types.js';
import { renderText } from '../scan/report/text.js';
import { renderJson } from '../scan/report/json.js';
import { renderSarif } from '../scan/report/sarif.js';
import { renderHtml } from '../scan/report/html.js';
import { breachesThreshold } from '../scan/report/summary.js';
import { readPasswordFromStdin } from './password-input.js';

export const SCAN_USAGE = `rampart scan <ws(s)://host/path> [options]
  --origin ORIGIN            Origin to send (as a browser on that site would)
  --header "K: V"            extra request header (repeatable)
  --cookie "a=b; c=d"        Cookie header for the handshake
  --subprotocol P            offer this subprotocol (repeatable)
  --profile rampart --user U (--password P | --password-stdin)
                             log in over the Rampart HTTP API and test authenticated paths too
  --checks ID,...  --skip ID,...   choose checks (see --list)
  --aggressive               also run resource-exhaustion probes (floods, slowloris, bombs; bounded)
  --timeout MS               per-wait limit (default 5000)
  --format text|json|sarif|html   report format (default text)
  --out FILE                 write the report to FILE instead of stdout
  --fail-on critical|high|medium|low|info
                             exit 1 when a finding is at or above this severity
  --ca FILE                  trust this CA certificate for wss (self-signed test servers)
  --list                     list the checks and exit`;

const renderers = { text: renderText, json: renderJson, sarif: renderSarif, html: renderHtml } as const;
type Format = keyof typeof renderers;

export async function scanCommand(args: string[], version: string): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      origin: { type: 'string' },
      header: { type: 'string', multiple: true, default: [] },
      cookie: { type: 'string' },
      subprotocol: { type: 'string', multiple: true, default: [] },
      profile: { type: 'string' },
      user: { type: 'string' },
      password: { type: 'string' },
      'password-stdin': { type: 'boolean', default: false },
      checks: { type: 'string' },
      skip: { type: 'string' },
      aggressive: { type: 'boolean', default: false },
      timeout: { type: 'string', default: '5000' },
      format: { type: 'string', default: 'text' },
      out: { type: 'string' },
      'fail-on': { type: 'string' },
      ca: { type: 'string' },
      list: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(`${SCAN_USAGE}\n`);
    return 0;
  }
  if (values.list) {
    for (const c of ALL_CHECKS) {
      process.stdout.write(`${c.id}  ${c.severity.padEnd(8)} ${c.title}${c.aggressive ? '  (aggressive)' : ''}${c.profile ? '  (profile rampart)' : ''}  [${c.catalogue.join(', ')}]\n`);
    }
    return 0;
  }
  const [target, ...extra] = positionals;
  const usage = (message: string): number => {
    process.stderr.write(`rampart scan: ${message}\n\n${SCAN_USAGE}\n`);
    return 2;
  };
  if (!target || extra.length > 0) return usage('give exactly one ws:// or wss:// URL');
  if (!/^wss?:\/\//i.test(target)) return usage('the target must be a ws:// or wss:// URL');
  if (!(values.format in renderers)) return usage(`--format must be one of ${Object.keys(renderers).join(', ')}`);
  const failOn = values['fail-on'];
  if (failOn !== undefined && !(SEVERITIES as readonly string[]).includes(failOn)) return usage(`--fail-on must be one of ${SEVERITIES.join(', ')}`);
  const timeoutMs = Number(values.timeout);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 100 || timeoutMs > 120_000) return usage('--timeout is in ms, 100..120000');

  const headers: Array<[string, string]> = [];
  for (const h of values.header) {
    const colon = h.indexOf(':');
    if (colon < 1) return usage(`--header needs "Name: value", got ${JSON.stringify(h)}`);
    headers.push([h.slice(0, colon).trim(), h.slice(colon + 1).trim()]);
  }
  let profile: ScanOptions['profile'];
  if (values.profile !== undefined) {
    if (values.profile !== 'rampart') return usage('the only profile is rampart');
    const password = values['password-stdin'] ? await readPasswordFromStdin() : values.password;
    if (!values.user || !password) return usage('--profile rampart needs --user and --password (or --password-stdin)');
    profile = { kind: 'rampart', user: values.user, password };
  }
  const subprotocols = values.subprotocol.flatMap((p) => p.split(',').map((s) => s.trim()).filter(Boolean));
  if (subprotocols.length === 0 && profile) subprotocols.push('rampart.v1');
  const split = (list: string | undefined): string[] => (list ? list.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean) : []);
  let checks;
  try {
    checks = selectChecks(ALL_CHECKS, { only: split(values.checks), skip: split(values.skip) });
  } catch (err) {
    return usage((err as Error).message);
  }

  const options: ScanOptions = {
    target,
    ...(values.origin ? { origin: values.origin } : {}),
    headers,
    ...(values.cookie ? { cookie: values.cookie } : {}),
    subprotocols,
    timeoutMs,
    aggressive: values.aggressive,
    ...(profile ? { profile } : {}),
    paceMs: 50,
    ...(values.ca ? { tls: { ca: readFileSync(values.ca) } } : {}),
  };

  const showProgress = Boolean(process.stderr.isTTY) && !process.env.CI;
  let report;
  try {
    report = await runScan(options, checks, version, {
      onCheckStart: (check, index, total) => {
        if (!showProgress) return;
        const width = 24;
        const done = Math.round((index / total) * width);
        process.stderr.write(`\r\x1b[2K[${'#'.repeat(done)}${'.'.repeat(width - done)}] ${index + 1}/${total} ${check.id} ${check.title.slice(0, 50)}`);
      },
    });
  } catch (err) {
    if (showProgress) process.stderr.write('\r\x1b[2K');
    if (err instanceof ScanAbortedError) {
      process.stderr.write(`rampart scan: ${err.message}\n`);
      return 3;
    }
    throw err;
  }
  if (showProgress) process.stderr.write('\r\x1b[2K');
  const output = renderers[values.format as Format](report);
  if (values.out) {
    writeFileSync(values.out, output);
    process.stderr.write(`rampart scan: ${report.findings.length} findings; report written to ${values.out}\n`);
  } else {
    process.stdout.write(output);
  }
  return failOn !== undefined && breachesThreshold(report.findings, failOn as Severity) ? 1 : 0;
}
