/** Counting findings by severity, and the exit code for --fail-on. */
import { SEVERITIES, severityRank, type Finding, type Severity } from '../types.js';

export function countBySeverity(findings: readonly Finding[]): Record<Severity, number> {
  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  for (const f of findings) counts[f.severity]++;
  return counts;
}

/** Findings sorted most severe first, then by check id. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort((a, b) => severityRank(b.severity) - severityRank(a.severity) || a.checkId.localeCompare(b.checkId));
}

/** True when any finding is at or above the threshold (the scan then exits 1 for CI gates). */
export function breachesThreshold(findings: readonly Finding[], threshold: Severity): boolean {
  return findings.some((f) => severityRank(f.severity) >= severityRank(threshold));
}
