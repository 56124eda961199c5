/**
 * Runs checks one after another against one target, with the liveness oracle after each, and
 * gathers a ScanReport. Checks never run in parallel: a scan must not become the flood it tests for.
 */
import { ScanContext, type ScanOptions } from './context.js';
import { livenessCheck } from './checks/liveness.js';
import type { CheckDefinition, CheckOutcome, CheckResult, Finding, ScanReport } from './types.js';

export interface ScanSelection {
  /** Only these check ids (empty: all). */
  only: string[];
  skip: string[];
}

export interface ScanProgress {
  onCheckStart?(check: CheckDefinition, index: number, total: number): void;
  onCheckDone?(result: CheckResult, index: number, total: number): void;
}

/** The target could not be scanned at all (unreachable, refused with the given credentials). */
export class ScanAbortedError extends Error {
  override name = 'ScanAbortedError';
}

/** Longest time one check may take, in ms, before it is reported as an error. 120 s. */
const CHECK_DEADLINE_MS = 120_000;

export function selectChecks(all: readonly CheckDefinition[], selection: ScanSelection): CheckDefinition[] {
  const known = new Set(all.map((c) => c.id));
  for (const id of [...selection.only, ...selection.skip]) {
    if (!known.has(id)) throw new Error(`unknown check id ${id} (see rampart scan --list)`);
  }
  return all.filter((c) => (selection.only.length === 0 || selection.only.includes(c.id)) && !selection.skip.includes(c.id));
}

export async function runScan(
  options: ScanOptions,
  checks: readonly CheckDefinition[],
  version: string,
  progress: ScanProgress = {},
): Promise<ScanReport> {
  const startedAt = new Date();
  const ctx = new ScanContext(options);
  if (options.profile) {
    try {
      await ctx.loginRampart();
    } catch (err) {
      throw new ScanAbortedError((err as Error).message);
    }
  }
  const baseline = await ctx.canary();
  if (!baseline.ok) throw new ScanAbortedError(`cannot scan ${options.target}: ${baseline.detail}`);

  const results: CheckResult[] = [];
  let down = false;
  for (const [index, check] of checks.entries()) {
    progress.onCheckStart?.(check, index, checks.length);
    const started = Date.now();
    const outcome = down ? { status: 'skipped' as const, reason: 'the target stopped answering earlier in the scan' } : await runOne(check, ctx, options);
    const result = toResult(check, outcome, Date.now() - started);
    if (outcome.status !== 'skipped' && !down) {
      const alive = await livenessAfter(ctx);
      if (!alive.ok) {
        result.findings.push({
          checkId: livenessCheck.id,
          title: livenessCheck.title,
          severity: livenessCheck.severity,
          ...(livenessCheck.cwe === undefined ? {} : { cwe: livenessCheck.cwe }),
          catalogue: livenessCheck.catalogue,
          message: `After ${check.id} (${check.title}) a fresh connection failed: ${alive.detail}.`,
          evidence: [{ label: 'canary', received: alive.detail }],
          remediation: livenessCheck.remediation,
        });
        down = true;
      }
    }
    results.push(result);
    progress.onCheckDone?.(result, index, checks.length);
    await ctx.pace();
  }

  const findings = results.flatMap((r) => r.findings);
  return {
    tool: { name: 'rampart-scan', version },
    target: options.target,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    options: { aggressive: options.aggressive, profile: options.profile?.kind ?? null, checks: checks.map((c) => c.id) },
    results,
    findings,
    checks: [livenessCheck, ...checks.map(({ run: _run, ...meta }) => meta)],
  };
}

async function runOne(check: CheckDefinition, ctx: ScanContext, options: ScanOptions): Promise<CheckOutcome> {
  if (check.aggressive && !options.aggressive) return { status: 'skipped', reason: 'resource-exhaustion probe: run with --aggressive' };
  if (check.profile === 'rampart' && !ctx.rampart) return { status: 'skipped', reason: 'needs --profile rampart --user U --password P' };
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      check.run(ctx),
      new Promise<CheckOutcome>((resolve) => {
        timer = setTimeout(() => resolve({ status: 'error', message: `did not finish within ${CHECK_DEADLINE_MS / 1000} s` }), CHECK_DEADLINE_MS);
      }),
    ]);
  } catch (err) {
    return { status: 'error', message: (err as Error).message };
  } finally {
    clearTimeout(timer);
  }
}

/** The canary, given one second and a second chance: a server that restarts itself is still a finding. */
async function livenessAfter(ctx: ScanContext) {
  const first = await ctx.canary();
  if (first.ok) return first;
  await new Promise((resolve) => setTimeout(resolve, 1000));
  return ctx.canary();
}

function toResult(check: CheckDefinition, outcome: CheckOutcome, durationMs: number): CheckResult {
  const findings: Finding[] =
    outcome.status === 'fail'
      ? outcome.findings.map((f) => ({
          checkId: check.id,
          title: check.title,
          severity: f.severity ?? check.severity,
          ...(check.cwe === undefined ? {} : { cwe: check.cwe }),
          catalogue: check.catalogue,
          message: f.message,
          evidence: f.evidence,
          remediation: check.remediation,
        }))
      : [];
  const note = outcome.status === 'skipped' ? outcome.reason : outcome.status === 'error' ? outcome.message : outcome.status === 'pass' ? outcome.note : undefined;
  return {
    checkId: check.id,
    title: check.title,
    category: check.category,
    status: outcome.status,
    ...(note === undefined ? {} : { note }),
    durationMs,
    findings,
  };
}
