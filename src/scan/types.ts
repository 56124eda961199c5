/**
 * The scanner's vocabulary: checks, findings, evidence and the results a scan produces.
 * Every check has a stable id `RWS-###` that is never reused for another meaning (CI baselines
 * and SARIF consumers key on it), the catalogue rows it covers, and a CWE where one exists.
 */
import type { ScanContext } from './context.js';

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'info'] as const;
export type Severity = (typeof SEVERITIES)[number];

export function severityRank(s: Severity): number {
  return SEVERITIES.length - SEVERITIES.indexOf(s); // critical 5 … info 1
}

export type CheckCategory = 'handshake' | 'auth' | 'framing' | 'resources' | 'leakage' | 'transport' | 'liveness';

/** One piece of proof: what was sent and what came back, as text or hex. */
export interface Evidence {
  label: string;
  sent?: string;
  received?: string;
}

/** A problem one check found. Severity defaults to the check's. */
export interface FindingDetail {
  message: string;
  severity?: Severity;
  evidence: Evidence[];
}

export type CheckOutcome =
  | { status: 'pass'; note?: string; evidence?: Evidence[] }
  | { status: 'fail'; findings: FindingDetail[] }
  | { status: 'skipped'; reason: string }
  | { status: 'error'; message: string };

export interface CheckDefinition {
  /** Stable id, `RWS-###`. */
  id: string;
  title: string;
  category: CheckCategory;
  /** Severity of a finding of this check (a finding may lower or raise it). */
  severity: Severity;
  cwe?: number;
  /** Rows of the attack catalogue (security-catalogue.md) this check covers, e.g. ['H1', 'H2']. */
  catalogue: readonly string[];
  /** Resource-exhaustion probes (floods, slowloris, bombs): only with --aggressive. */
  aggressive?: boolean;
  /** Needs the rampart profile (logs in over the Rampart HTTP API). */
  profile?: 'rampart';
  /** What the check sends and what safe behaviour it expects. */
  description: string;
  remediation: string;
  run(ctx: ScanContext): Promise<CheckOutcome>;
}

/** A finding as reported: the check's metadata plus the detail. */
export interface Finding {
  checkId: string;
  title: string;
  severity: Severity;
  cwe?: number;
  catalogue: readonly string[];
  message: string;
  evidence: Evidence[];
  remediation: string;
}

export interface CheckResult {
  checkId: string;
  title: string;
  category: CheckCategory;
  status: CheckOutcome['status'];
  /** Why skipped, the error message, or a pass note. */
  note?: string;
  durationMs: number;
  findings: Finding[];
}

export interface ScanReport {
  tool: { name: 'rampart-scan'; version: string };
  target: string;
  startedAt: string;
  finishedAt: string;
  options: { aggressive: boolean; profile: string | null; checks: string[] };
  results: CheckResult[];
  findings: Finding[];
  /** The checks that ran or could run, for reporters that list rules (SARIF). */
  checks: Array<Omit<CheckDefinition, 'run'>>;
}
