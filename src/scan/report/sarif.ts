/**
 * SARIF 2.1.0 for code-scanning tools: every check is a rule in tool.driver.rules; every finding
 * a result (level error for critical/high, warning for medium/low, note for info); a check that
 * passes yields no result. There is no source file: code scanning accepts only repository-relative
 * locations, so the physical location is a relative pseudo-path named after the endpoint and the
 * URL itself is the logical location.
 */
import type { ScanReport, Severity } from '../types.js';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = {
  critical: 'error',
  high: 'error',
  medium: 'warning',
  low: 'warning',
  info: 'note',
};

/** GitHub code scanning reads a 0–10 score from this property to rank alerts. */
const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '3.0', info: '0.0' };

/** `ws://127.0.0.1:8080/ws` → `websocket/127.0.0.1_8080/ws` (relative, no scheme, no colon). */
export function endpointPseudoPath(target: string): string {
  const url = new URL(target);
  const path = url.pathname.replace(/^\/+/, '') || 'root';
  return `websocket/${url.host.replace(/[:[\]]/g, '_')}/${path}`;
}

export function renderSarif(report: ScanReport): string {
  const location = endpointPseudoPath(report.target);
  const ruleIndex = new Map(report.checks.map((c, i) => [c.id, i]));
  const sarif = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: report.tool.name,
            version: report.tool.version,
            rules: report.checks.map((c) => ({
              id: c.id,
              name: c.title.replace(/[^A-Za-z0-9]+(.)?/g, (_m, ch: string | undefined) => (ch ? ch.toUpperCase() : '')),
              shortDescription: { text: c.title },
              fullDescription: { text: c.description },
              help: { text: c.remediation, markdown: `**Remediation:** ${c.remediation}` },
              defaultConfiguration: { level: LEVEL[c.severity] },
              properties: {
                tags: ['security', 'websocket', c.category, ...(c.cwe ? [`external/cwe/cwe-${c.cwe}`] : [])],
                'security-severity': SECURITY_SEVERITY[c.severity],
                catalogue: c.catalogue,
              },
            })),
          },
        },
        invocations: [
          {
            executionSuccessful: true,
            startTimeUtc: report.startedAt,
            endTimeUtc: report.finishedAt,
          },
        ],
        results: report.findings.map((f) => ({
          ruleId: f.checkId,
          ruleIndex: ruleIndex.get(f.checkId) ?? 0,
          level: LEVEL[f.severity],
          message: { text: f.message },
          locations: [
            {
              physicalLocation: { artifactLocation: { uri: location } },
              logicalLocations: [{ fullyQualifiedName: report.target, kind: 'resource' }],
            },
          ],
          properties: {
            target: report.target,
            severity: f.severity,
            'security-severity': SECURITY_SEVERITY[f.severity],
            evidence: f.evidence,
          },
        })),
      },
    ],
  };
  return `${JSON.stringify(sarif, null, 2)}\n`;
}
