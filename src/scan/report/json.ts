/** The JSON report: the ScanReport itself, stable field names, for scripts and baselines. */
import type { ScanReport } from '../types.js';

export function renderJson(report: ScanReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
