/** The terminal report: a summary line, then findings grouped by severity, then what was skipped. */
import type { ScanReport } from '../types.js';
import { SEVERITIES } from '../types.js';
import { countBySeverity, sortFindings } from './summary.js';

export function renderText(report: ScanReport): string {
  const lines: string[] = [];
  const counts = countBySeverity(report.findings);
  const ran = report.results.filter((r) => r.status === 'pass' || r.status === 'fail').length;
  lines.push(`rampart scan ${report.target}`);
  lines.push(`${ran} checks ran, ${report.results.length - ran} not run; findings: ${SEVERITIES.map((s) => `${counts[s]} ${s}`).join(', ')}`);
  lines.push('');
  const sorted = sortFindings(report.findings);
  for (const severity of SEVERITIES) {
    const group = sorted.filter((f) => f.severity === severity);
    if (group.length === 0) continue;
    lines.push(`${severity.toUpperCase()} (${group.length})`);
    for (const f of group) {
      lines.push(`  ${f.checkId}  ${f.title}${f.cwe ? `  [CWE-${f.cwe}]` : ''}  (catalogue ${f.catalogue.join(', ')})`);
      lines.push(`    ${f.message}`);
      for (const e of f.evidence.slice(0, 4)) {
        lines.push(`    - ${e.label}${e.sent ? `: sent ${e.sent}` : ''}${e.received ? ` → ${e.received}` : ''}`);
      }
      lines.push(`    fix: ${f.remediation}`);
    }
    lines.push('');
  }
  if (report.findings.length === 0) lines.push('No findings.', '');
  const notRun = report.results.filter((r) => r.status === 'skipped' || r.status === 'error');
  if (notRun.length > 0) {
    lines.push('Not run:');
    for (const r of notRun) lines.push(`  ${r.checkId}  ${r.title}: ${r.status === 'error' ? 'error: ' : ''}${r.note ?? ''}`);
    lines.push('');
  }
  return lines.join('\n');
}
