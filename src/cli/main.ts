#!/usr/bin/env node
/** The `rampart` command: serve, config, user. Thin: every command calls into the library. */
import { readFileSync } from 'node:fs';
import { ConfigError, describeConfig, loadConfig } from '../config/load.js';
import { parseArgs } from 'node:util';
import { parseCommandArgs } from './config-flags.js';
import { chat } from './chat.js';
import { scanCommand } from './scan.js';
import { serve } from './serve.js';
import { userCommand, USER_USAGE } from './user-commands.js';

const USAGE = `Rampart: a secure-by-default WebSocket chat server

usage:
  rampart serve [--config FILE] [--KEY VALUE ...]   run the chat server (default http://127.0.0.1:8080)
  rampart config print [--config FILE] [...]        show the effective config (defaults < file < RAMPART_* env < flags)
  rampart config check FILE                         validate a config file
${USER_USAGE.replace(/^/gm, '  ')}
  rampart scan <ws(s)://host/path> [--profile rampart --user U --password P] [--aggressive]
             [--format text|json|sarif|html] [--out FILE] [--fail-on high|medium|low] [--list]
                                                    audit any WebSocket endpoint (rampart scan --help)
  rampart chat --user NAME [--room general] [--url URL] [--register] [--password-stdin]
                                                    a terminal chat client
  rampart version

Every config key is also a flag (--max-message-bytes 16384) and an environment variable
(RAMPART_MAX_MESSAGE_BYTES=16384); see docs/configuration.md.`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve': {
      const { positionals, configFlags } = parseCommandArgs(rest);
      if (positionals.length > 0) return usageError(`unexpected argument: ${positionals[0]}`);
      await serve(loadConfig({ flags: configFlags }));
      return -1; // keep running until a signal
    }
    case 'config': {
      const { positionals, configFlags } = parseCommandArgs(rest);
      const [action, file] = positionals;
      if (action === 'print' && !file) {
        process.stdout.write(`${JSON.stringify(describeConfig(loadConfig({ flags: configFlags })), null, 2)}\n`);
        return 0;
      }
      if (action === 'check' && file) {
        // Only the file is checked: environment variables and flags do not hide its mistakes.
        loadConfig({ file, env: {}, flags: {} });
        process.stdout.write(`${file}: valid\n`);
        return 0;
      }
      return usageError('usage: rampart config print | rampart config check FILE');
    }
    case 'user': {
      const { positionals, configFlags, switches } = parseCommandArgs(rest, ['admin', 'password-stdin']);
      return userCommand(loadConfig({ flags: configFlags }), positionals, switches);
    }
    case 'chat': {
      const { values, positionals } = parseArgs({
        args: rest,
        options: {
          url: { type: 'string', default: 'http://127.0.0.1:8080' },
          user: { type: 'string' },
          room: { type: 'string', default: 'general' },
          register: { type: 'boolean', default: false },
          'password-stdin': { type: 'boolean', default: false },
        },
        allowPositionals: false,
        strict: true,
      });
      if (!values.user || positionals.length > 0) return usageError('usage: rampart chat --user NAME [--room general] [--url http://127.0.0.1:8080] [--register] [--password-stdin]');
      return chat({
        url: values.url,
        user: values.user,
        room: values.room,
        register: values.register,
        passwordFromStdin: values['password-stdin'],
      });
    }
    case 'scan':
      return scanCommand(rest, packageVersion());
    case 'version':
    case '--version': {
      process.stdout.write(`rampart ${packageVersion()}\n`);
      return 0;
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(`${USAGE}\n`);
      return command === undefined ? 2 : 0;
    default:
      return usageError(`unknown command: ${command}`);
  }
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function usageError(message: string): number {
  process.stderr.write(`rampart: ${message}\n\n${USAGE}\n`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof ConfigError) {
      process.stderr.write(`rampart: invalid configuration\n${err.message}\n`);
      process.exitCode = 78; // EX_CONFIG
    } else if (['ERR_PARSE_ARGS_UNKNOWN_OPTION', 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE', 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL'].includes((err as { code?: string }).code ?? '')) {
      process.stderr.write(`rampart: ${(err as Error).message}\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`rampart: ${(err as Error).message}\n`);
      process.exitCode = 1;
    }
  },
);
