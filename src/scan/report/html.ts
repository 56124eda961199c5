/**
 * A self-contained HTML report: no script, no external asset, a CSP that allows only its own
 * stylesheet (by hash), a severity chart as inline SVG, and every finding with its evidence.
 * Everything that came from the target is escaped: a hostile server's reply must not become markup.
 */
import { createHash } from 'node:crypto';
import type { ScanReport, Severity } from '../types.js';
import { SEVERITIES } from '../types.js';
import { countBySeverity, sortFindings } from './summary.js';

const COLORS: Record<Severity, string> = {
  critical: '#7f1d1d',
  high: '#b91c1c',
  medium: '#c2410c',
  low: '#a16207',
  info: '#1d4ed8',
};

const STYLE = `
:root { color-scheme: light dark; --fg: #111827; --bg: #ffffff; --muted: #6b7280; --card: #f9fafb; --line: #e5e7eb; }
@media (prefers-color-scheme: dark) { :root { --fg: #e5e7eb; --bg: #0b1120; --muted: #9ca3af; --card: #111827; --line: #1f2937; } }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); margin: 0; }
main { max-width: 980px; margin: 0 auto; padding: 32px 20px 64px; }
h1 { font-size: 24px; margin: 0 0 4px; } h2 { font-size: 18px; margin: 32px 0 12px; }
.meta { color: var(--muted); margin: 0 0 24px; word-break: break-all; }
.chart text { font-size: 13px; fill: currentColor; }
.finding { background: var(--card); border: 1px solid var(--line); border-left-width: 6px; border-radius: 8px; padding: 14px 16px; margin: 12px 0; }
.finding h3 { font-size: 16px; margin: 0 0 6px; }
.badge { display: inline-block; color: #fff; border-radius: 4px; padding: 0 8px; font-size: 12px; font-weight: 600; text-transform: uppercase; margin-right: 8px; }
.tags { color: var(--muted); font-size: 13px; }
pre { background: var(--bg); border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; overflow-x: auto; white-space: pre-wrap; word-break: break-all; font-size: 12.5px; }
table { border-collapse: collapse; width: 100%; font-size: 14px; } th, td { text-align: left; border-bottom: 1px solid var(--line); padding: 6px 8px; vertical-align: top; }
${SEVERITIES.map((s) => `.sev-${s} { border-left-color: ${COLORS[s]}; } .badge.sev-${s} { background: ${COLORS[s]}; }`).join('\n')}
.status-pass { color: #15803d; } .status-fail { color: #b91c1c; } .status-skipped, .status-error { color: var(--muted); }
`;

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function chart(report: ScanReport): string {
  const counts = countBySeverity(report.findings);
  const max = Math.max(1, ...SEVERITIES.map((s) => counts[s]));
  const rowHeight = 28;
  const rows = SEVERITIES.map((s, i) => {
    const width = Math.round((counts[s] / max) * 560);
    const y = i * rowHeight;
    return `<text x="0" y="${y + 18}">${s}</text><rect x="90" y="${y + 4}" width="${Math.max(width, 2)}" height="18" rx="3" fill="${COLORS[s]}"/><text x="${100 + width}" y="${y + 18}">${counts[s]}</text>`;
  }).join('');
  return `<svg class="chart" role="img" aria-label="Findings by severity" width="700" height="${SEVERITIES.length * rowHeight}" viewBox="0 0 700 ${SEVERITIES.length * rowHeight}">${rows}</svg>`;
}

export function renderHtml(report: ScanReport): string {
  const styleHash = createHash('sha256').update(STYLE).digest('base64');
  const findings = sortFindings(report.findings)
    .map(
      (f) => `<article class="finding sev-${f.severity}">
  <h3><span class="badge sev-${f.severity}">${f.severity}</span>${escapeHtml(f.checkId)} · ${escapeHtml(f.title)}</h3>
  <p class="tags">${f.cwe ? `CWE-${f.cwe} · ` : ''}catalogue ${escapeHtml(f.catalogue.join(', '))}</p>
  <p>${escapeHtml(f.message)}</p>
  ${f.evidence
    .map(
      (e) => `<p><strong>${escapeHtml(e.label)}</strong></p>${e.sent ? `<pre>sent: ${escapeHtml(e.sent)}</pre>` : ''}${e.received ? `<pre>received: ${escapeHtml(e.received)}</pre>` : ''}`,
    )
    .join('\n  ')}
  <p><strong>Remediation:</strong> ${escapeHtml(f.remediation)}</p>
</article>`,
    )
    .join('\n');
  const results = report.results
    .map(
      (r) =>
        `<tr><td>${escapeHtml(r.checkId)}</td><td>${escapeHtml(r.title)}</td><td class="status-${r.status}">${r.status}${r.findings.length ? ` (${r.findings.length})` : ''}</td><td>${escapeHtml(r.note ?? '')}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'sha256-${styleHash}'; img-src 'none'">
<title>rampart scan · ${escapeHtml(report.target)}</title>
<style>${STYLE}</style>
</head>
<body><main>
<h1>WebSocket security scan</h1>
<p class="meta">${escapeHtml(report.target)} · ${escapeHtml(report.startedAt)} → ${escapeHtml(report.finishedAt)} · ${escapeHtml(report.tool.name)} ${escapeHtml(report.tool.version)}${report.options.aggressive ? ' · aggressive' : ''}${report.options.profile ? ` · profile ${escapeHtml(report.options.profile)}` : ''}</p>
<h2>Findings by severity</h2>
${chart(report)}
<h2>Findings (${report.findings.length})</h2>
${findings || '<p>No findings.</p>'}
<h2>Checks</h2>
<table><thead><tr><th>id</th><th>check</th><th>result</th><th>note</th></tr></thead><tbody>
${results}
</tbody></table>
</main></body>
</html>
`;
}
