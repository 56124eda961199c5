/** Turns command-line arguments into config flags for loadConfig, refusing unknown flags. */
import { parseArgs } from 'node:util';
import { configKeyDocs } from '../config/load.js';

export interface ParsedCommand {
  positionals: string[];
  /** Config flags (kebab-case, without dashes) plus `config`. */
  configFlags: Record<string, string>;
  /** Command-specific boolean switches that were given. */
  switches: Set<string>;
}

/**
 * Every config key is a `--kebab-name VALUE` flag; `--config FILE` names the config file.
 * `switches` are the command's own boolean options (e.g. password-stdin).
 */
export function parseCommandArgs(args: string[], switches: readonly string[] = []): ParsedCommand {
  const options: Record<string, { type: 'string' | 'boolean' }> = { config: { type: 'string' } };
  for (const doc of configKeyDocs()) options[doc.flag] = { type: 'string' };
  for (const name of switches) options[name] = { type: 'boolean' };
  const { values, positionals } = parseArgs({ args, options, allowPositionals: true, strict: true });
  const configFlags: Record<string, string> = {};
  const given = new Set<string>();
  for (const [name, value] of Object.entries(values)) {
    if (typeof value === 'boolean') {
      if (value) given.add(name);
    } else if (typeof value === 'string') {
      configFlags[name] = value;
    }
  }
  return { positionals, configFlags, switches: given };
}
