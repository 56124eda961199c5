/** The four report formats, from one synthetic report with a hostile evidence string. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ScanReport } from '../../src/scan/types.js';
import { renderText } from '../../src/scan/report/text.js';
import { renderJson } from '../../src/scan/report/json.js';
import { renderSarif } from '../../src/scan/report/sarif.js';
import { renderHtml } from '../../src/scan/report/html.js';
import { breachesThreshold, countBySeverity } from '../../src/scan/report/summary.js';

const hostile = '<script>alert(1)</script><img src=x onerror=alert(2)>';

function report(): ScanReport {
  const meta = (id: string, severity: 'high' | 'low' | 'info', cwe?: number) => ({
    id,
    title: `Check ${id}`,
    category: 'handshake' as const,
    severity,
    ...(cwe ? { cwe } : {}),
    catalogue: ['H1'],
    description: `what ${id} does`,
    remediation: `fix ${id}`,
  });
  return {
    tool: { name: 'rampart-scan', version: '9.9.9' },
    target: 'ws://127.0.0.1:1/ws',
    startedAt: '2026-11-25T00:00:00.000Z',
    finishedAt: '2026-11-25T00:00:01.000Z',
    options: { aggressive: false, profile: null, checks: ['RWS-010', 'RWS-011', 'RWS-012'] },
    checks: [meta('RWS-001', 'high'), meta('RWS-010', 'high', 1385), meta('RWS-011', 'low'), meta('RWS-012', 'info')],
    results: [
      { checkId: 'RWS-010', title: 'Check RWS-010', category: 'handshake', status: 'fail', durationMs: 5, findings: [] },
      { checkId: 'RWS-011', title: 'Check RWS-011', category: 'handshake', status: 'pass', durationMs: 5, findings: [] },
      { checkId: 'RWS-012', title: 'Check RWS-012', category: 'handshake', status: 'skipped', note: 'needs --aggressive', durationMs: 0, findings: [] },
    ],
    findings: [
      {
        checkId: 'RWS-010',
        title: 'Check RWS-010',
        severity: 'high',
        cwe: 1385,
        catalogue: ['H1'],
        message: `accepted Origin ${hostile}`,
        evidence: [{ label: 'probe', sent: `Origin: ${hostile}`, received: 'HTTP/1.1 101 Switching Protocols' }],
        remediation: 'fix RWS-010',
      },
      {
        checkId: 'RWS-012',
        title: 'Check RWS-012',
        severity: 'info',
        catalogue: ['H1'],
        message: 'just so you know',
        evidence: [],
        remediation: 'fix RWS-012',
      },
    ],
  };
}

describe('scan reports', () => {
  it('text groups findings by severity and lists what did not run', () => {
    const text = renderText(report());
    assert.match(text, /findings: 0 critical, 1 high, 0 medium, 0 low, 1 info/);
    assert.ok(text.indexOf('HIGH (1)') < text.indexOf('INFO (1)'));
    assert.match(text, /RWS-010 +Check RWS-010 +\[CWE-1385\]/);
    assert.match(text, /Not run:\n {2}RWS-012/);
  });

  it('json is the report itself', () => {
    assert.deepEqual(JSON.parse(renderJson(report())), report());
  });

  it('sarif 2.1.0: every check a rule, every finding a result with the mapped level, passes yield nothing', () => {
    const sarif = JSON.parse(renderSarif(report()));
    assert.equal(sarif.version, '2.1.0');
    const run = sarif.runs[0];
    assert.deepEqual(run.tool.driver.rules.map((r: { id: string }) => r.id), ['RWS-001', 'RWS-010', 'RWS-011', 'RWS-012']);
    assert.ok(run.tool.driver.rules.every((r: { shortDescription: { text: string }; help: { text: string } }) => r.shortDescription.text && r.help.text));
    assert.deepEqual(run.tool.driver.rules[1].properties.tags.slice(-1), ['external/cwe/cwe-1385']);
    assert.deepEqual(run.results.map((r: { ruleId: string; level: string }) => [r.ruleId, r.level]), [['RWS-010', 'error'], ['RWS-012', 'note']]);
    for (const result of run.results) {
      assert.equal(run.tool.driver.rules[result.ruleIndex].id, result.ruleId);
      assert.equal(result.locations[0].physicalLocation.artifactLocation.uri, 'websocket/127.0.0.1_1/ws', 'relative: code scanning refuses ws:// URIs');
      assert.equal(result.locations[0].logicalLocations[0].fullyQualifiedName, 'ws://127.0.0.1:1/ws');
    }
  });

  it('html is self-contained, escapes target-controlled text, and charts the severities', () => {
    const html = renderHtml(report());
    assert.ok(!html.includes(hostile), 'hostile text is escaped');
    assert.ok(html.includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
    assert.doesNotMatch(html, /<script/i);
    assert.doesNotMatch(html, /(src|href)=["']?https?:/i, 'no external assets');
    assert.match(html, /Content-Security-Policy" content="default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'/);
    assert.match(html, /<svg class="chart"/);
    assert.match(html, /RWS-010 · Check RWS-010/);
  });

  it('--fail-on compares severities', () => {
    const { findings } = report();
    assert.equal(breachesThreshold(findings, 'high'), true);
    assert.equal(breachesThreshold(findings.filter((f) => f.severity === 'info'), 'low'), false);
    assert.deepEqual(countBySeverity(findings), { critical: 0, high: 1, medium: 0, low: 0, info: 1 });
  });
});
