import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig, describeConfig, configKeyDocs, NON_CONFIG_ENV_VARS } from '../../src/config/load.js';
import { configSchema } from '../../src/config/schema.js';

const root = mkdtempSync(path.join(tmpdir(), 'rampart-config-'));
after(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
/** A fresh directory, optionally holding rampart.config.json with `content`. */
function dir(content?: unknown): string {
  const d = path.join(root, `case-${n++}`);
  mkdirSync(d);
  if (content !== undefined) {
    writeFileSync(path.join(d, 'rampart.config.json'), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return d;
}

/** Runs fn, expects a ConfigError, returns its message. */
function configError(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    assert.equal(err.code, 'CONFIG_INVALID');
    return err.message;
  }
  assert.fail('expected a ConfigError');
}

const TOKEN = 'x'.repeat(40);

describe('loadConfig', () => {
  test('defaults when there is no file, env or flag', () => {
    const c = loadConfig({ cwd: dir(), env: {} });
    assert.deepEqual(c, configSchema.parse({}));
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.maxMessageBytes, 16 * 1024);
    assert.equal(c.permessageDeflate, false);
    assert.deepEqual(c.allowedOrigins, []);
    assert.equal(c.publicUrl, undefined);
  });

  test('reads rampart.config.json from cwd', () => {
    const c = loadConfig({ cwd: dir({ port: 9000, allowedOrigins: ['https://chat.example.com'] }), env: {} });
    assert.equal(c.port, 9000);
    assert.deepEqual(c.allowedOrigins, ['https://chat.example.com']);
    assert.equal(c.maxMessageBytes, 16 * 1024, 'untouched keys keep their defaults');
  });

  test('opts.file is resolved against cwd', () => {
    const d = dir();
    writeFileSync(path.join(d, 'other.json'), JSON.stringify({ port: 9100 }));
    assert.equal(loadConfig({ cwd: d, env: {}, file: 'other.json' }).port, 9100);
  });

  test('env vars: RAMPART_ + SCREAMING_SNAKE key, converted by type', () => {
    const c = loadConfig({
      cwd: dir(),
      env: {
        RAMPART_MAX_MESSAGE_BYTES: '32768',
        RAMPART_LOG_LEVEL: 'debug',
        RAMPART_PUBLIC_URL: 'https://chat.example.com/app',
        RAMPART_METRICS_TOKEN: TOKEN,
        PATH: '/usr/bin', // non-RAMPART variables are none of our business
      },
    });
    assert.equal(c.maxMessageBytes, 32768);
    assert.equal(c.logLevel, 'debug');
    assert.equal(c.publicUrl, 'https://chat.example.com/app');
    assert.equal(c.metricsToken, TOKEN);
  });

  test('flags: kebab-case, converted by type', () => {
    const c = loadConfig({
      cwd: dir(),
      env: {},
      flags: { 'max-message-bytes': '20000', 'permessage-deflate': true, 'registration-open': 'false', host: '0.0.0.0' },
    });
    assert.equal(c.maxMessageBytes, 20000);
    assert.equal(c.permessageDeflate, true);
    assert.equal(c.registrationOpen, false);
    assert.equal(c.host, '0.0.0.0');
  });

  test('precedence: defaults < file < env < flags', () => {
    const cwd = dir({ port: 1001, maxTextChars: 1001, maxConnections: 1001 });
    const env = { RAMPART_MAX_TEXT_CHARS: '2002', RAMPART_MAX_CONNECTIONS: '2002' };
    const c = loadConfig({ cwd, env, flags: { 'max-connections': '3003' } });
    assert.equal(c.replayLimit, 500, 'default');
    assert.equal(c.port, 1001, 'file over default');
    assert.equal(c.maxTextChars, 2002, 'env over file');
    assert.equal(c.maxConnections, 3003, 'flag over env');
  });

  test('unknown key in the file is an error naming the file and the key', () => {
    const msg = configError(() => loadConfig({ cwd: dir({ maxMesageBytes: 1024 }), env: {} }));
    assert.match(msg, /^rampart\.config\.json: maxMesageBytes: unknown key/m);
    assert.match(msg, /did you mean maxMessageBytes/);
  });

  test('"__proto__" in the file is an unknown key, not a prototype', () => {
    const msg = configError(() => loadConfig({ cwd: dir('{"__proto__": {"port": 1}}'), env: {} }));
    assert.match(msg, /__proto__: unknown key/);
  });

  test('bad value in the file names file, key and zod reason', () => {
    const msg = configError(() => loadConfig({ cwd: dir({ maxMessageBytes: 10 }), env: {} }));
    assert.equal(msg, 'rampart.config.json: maxMessageBytes: Too small: expected number to be >=1024');
  });

  test('invalid JSON and non-object files are refused', () => {
    assert.match(configError(() => loadConfig({ cwd: dir('{port: 1}'), env: {} })), /rampart\.config\.json: not valid JSON/);
    assert.match(configError(() => loadConfig({ cwd: dir('[1]'), env: {} })), /must hold a JSON object/);
  });

  test('unknown RAMPART_ env var is an error; the documented non-config ones are not', () => {
    const msg = configError(() => loadConfig({ cwd: dir(), env: { RAMPART_MAX_MESAGE_BYTES: '2048' } }));
    assert.match(msg, /^RAMPART_MAX_MESAGE_BYTES: unknown RAMPART_ environment variable/);
    assert.match(msg, /did you mean RAMPART_MAX_MESSAGE_BYTES/);
    assert.deepEqual([...NON_CONFIG_ENV_VARS].sort(), ['RAMPART_CONFIG', 'RAMPART_REQUIRE_SERVICES']);
    assert.doesNotThrow(() => loadConfig({ cwd: dir(), env: { RAMPART_REQUIRE_SERVICES: '1' } }));
  });

  test('unknown flag is an error', () => {
    assert.match(configError(() => loadConfig({ cwd: dir(), env: {}, flags: { 'max-mesage-bytes': '2048' } })), /^--max-mesage-bytes: unknown option/);
  });

  test('bad type in env: "abc" for a number', () => {
    const msg = configError(() => loadConfig({ cwd: dir(), env: { RAMPART_MAX_MESSAGE_BYTES: 'abc' } }));
    assert.equal(msg, 'RAMPART_MAX_MESSAGE_BYTES: maxMessageBytes: expected a number, got "abc"');
  });

  test('numbers must be plain decimals and satisfy the schema', () => {
    for (const bad of ['', ' 2048', '0x800', '2e3', '2048abc', 'Infinity']) {
      assert.match(configError(() => loadConfig({ cwd: dir(), env: { RAMPART_MAX_MESSAGE_BYTES: bad } })), /expected a number/, bad);
    }
    assert.match(configError(() => loadConfig({ cwd: dir(), env: { RAMPART_MAX_MESSAGE_BYTES: '2048.5' } })), /maxMessageBytes: .*int/i);
    assert.match(configError(() => loadConfig({ cwd: dir(), env: { RAMPART_MAX_MESSAGE_BYTES: '10' } })), /Too small/);
  });

  test('boolean parsing: true/false/1/0 only', () => {
    const load = (v: string) => loadConfig({ cwd: dir(), env: { RAMPART_PERMESSAGE_DEFLATE: v } }).permessageDeflate;
    assert.equal(load('true'), true);
    assert.equal(load('1'), true);
    assert.equal(load('false'), false);
    assert.equal(load('0'), false);
    for (const bad of ['yes', 'TRUE', 'on', '']) {
      assert.match(configError(() => load(bad)), /^RAMPART_PERMESSAGE_DEFLATE: permessageDeflate: expected true, false, 1 or 0/, bad);
    }
    // A bare flag (true) is fine for a boolean key, not for a key that needs a value.
    assert.match(configError(() => loadConfig({ cwd: dir(), env: {}, flags: { port: true } })), /^--port: port: needs a value/);
  });

  test('arrays: comma-separated, trimmed, empty = []', () => {
    const c = loadConfig({
      cwd: dir({ trustedProxies: ['10.0.0.1'] }),
      env: { RAMPART_ALLOWED_ORIGINS: 'https://a.example, https://b.example:8443 ,', RAMPART_TRUSTED_PROXIES: '' },
    });
    assert.deepEqual(c.allowedOrigins, ['https://a.example', 'https://b.example:8443']);
    assert.deepEqual(c.trustedProxies, [], 'an empty env value clears the list from the file');
    const msg = configError(() => loadConfig({ cwd: dir(), env: {}, flags: { 'allowed-origins': 'https://a.example,https://b.example/path' } }));
    assert.match(msg, /^--allowed-origins: allowedOrigins\.1: must be a serialized origin/);
  });

  test('result is deep-frozen: assignment throws in strict mode', () => {
    const c = loadConfig({ cwd: dir({ allowedOrigins: ['https://a.example'] }), env: {} });
    assert.ok(Object.isFrozen(c));
    assert.ok(Object.isFrozen(c.allowedOrigins));
    assert.throws(() => {
      (c as { maxMessageBytes: number }).maxMessageBytes = 1 << 30;
    }, TypeError);
    assert.throws(() => {
      (c.allowedOrigins as string[]).push('https://evil.example');
    }, TypeError);
    assert.equal(c.maxMessageBytes, 16 * 1024);
  });

  test("'*' and 'null' origins are refused from every source", () => {
    for (const bad of ['*', 'null', 'https://*.example.com']) {
      assert.match(configError(() => loadConfig({ cwd: dir({ allowedOrigins: [bad] }), env: {} })), /rampart\.config\.json: allowedOrigins\.0: /, bad);
      assert.match(configError(() => loadConfig({ cwd: dir(), env: { RAMPART_ALLOWED_ORIGINS: bad } })), /RAMPART_ALLOWED_ORIGINS: allowedOrigins/, bad);
      assert.match(configError(() => loadConfig({ cwd: dir(), env: {}, flags: { 'allowed-origins': bad } })), /--allowed-origins: allowedOrigins/, bad);
    }
  });

  test('publicUrl must be http(s)', () => {
    for (const bad of ['javascript:alert(1)', 'ftp://chat.example.com', 'data:text/html,x', 'not a url']) {
      assert.match(configError(() => loadConfig({ cwd: dir({ publicUrl: bad }), env: {} })), /rampart\.config\.json: publicUrl: /, bad);
    }
    assert.equal(loadConfig({ cwd: dir({ publicUrl: 'http://localhost:8080' }), env: {} }).publicUrl, 'http://localhost:8080');
  });

  test('messageBurst >= 1', () => {
    assert.match(configError(() => loadConfig({ cwd: dir(), env: { RAMPART_MESSAGE_BURST: '0' } })), /^RAMPART_MESSAGE_BURST: messageBurst: /);
    assert.equal(loadConfig({ cwd: dir(), env: { RAMPART_MESSAGE_BURST: '1' } }).messageBurst, 1);
  });

  test('a named config file must exist: opts.file, --config and RAMPART_CONFIG', () => {
    assert.equal(configError(() => loadConfig({ cwd: dir(), env: {}, file: 'missing.json' })), 'missing.json: config file not found');
    assert.match(configError(() => loadConfig({ cwd: dir(), env: {}, flags: { config: 'missing.json' } })), /^missing\.json: config file not found/);
    assert.match(configError(() => loadConfig({ cwd: dir(), env: { RAMPART_CONFIG: 'nope.json' } })), /^nope\.json: config file not found/);
    assert.match(configError(() => loadConfig({ cwd: dir(), env: {}, flags: { config: true } })), /--config: needs a file path/);
  });

  test('--config and RAMPART_CONFIG name the file; opts.file > --config > RAMPART_CONFIG > default', () => {
    const d = dir({ port: 1 });
    writeFileSync(path.join(d, 'a.json'), JSON.stringify({ port: 2 }));
    writeFileSync(path.join(d, 'b.json'), JSON.stringify({ port: 3 }));
    writeFileSync(path.join(d, 'c.json'), JSON.stringify({ port: 4 }));
    assert.equal(loadConfig({ cwd: d, env: {} }).port, 1);
    assert.equal(loadConfig({ cwd: d, env: { RAMPART_CONFIG: 'c.json' } }).port, 4);
    assert.equal(loadConfig({ cwd: d, env: { RAMPART_CONFIG: 'c.json' }, flags: { config: 'b.json' } }).port, 3);
    assert.equal(loadConfig({ cwd: d, env: { RAMPART_CONFIG: 'c.json' }, flags: { config: 'b.json' }, file: 'a.json' }).port, 2);
  });

  test('all problems from all sources are reported together', () => {
    const msg = configError(() =>
      loadConfig({ cwd: dir({ bogus: 1, port: -1 }), env: { RAMPART_PORT: 'x' }, flags: { 'log-level': 'loud' } }),
    );
    const lines = msg.split('\n');
    assert.equal(lines.length, 4, msg);
    assert.ok(lines.some((l) => l.startsWith('rampart.config.json: bogus: unknown key')));
    assert.ok(lines.some((l) => l.startsWith('rampart.config.json: port: Too small')));
    assert.ok(lines.some((l) => l.startsWith('RAMPART_PORT: port: expected a number')));
    assert.ok(lines.some((l) => l.startsWith('--log-level: logLevel: Invalid option')));
  });

  test('errors never echo a string value (metricsToken is a secret)', () => {
    const secret = 'short-secret-value';
    const msg = configError(() => loadConfig({ cwd: dir(), env: { RAMPART_METRICS_TOKEN: secret } }));
    assert.match(msg, /^RAMPART_METRICS_TOKEN: metricsToken: Too small/);
    assert.ok(!msg.includes(secret));
  });
});

describe('describeConfig', () => {
  test('plain JSON-serialisable, metricsToken redacted', () => {
    const c = loadConfig({ cwd: dir(), env: { RAMPART_METRICS_TOKEN: TOKEN } });
    const d = describeConfig(c);
    assert.equal(d.metricsToken, '[redacted]');
    const text = JSON.stringify(d);
    assert.ok(!text.includes(TOKEN));
    assert.deepEqual(JSON.parse(text), d);
    assert.equal(d.maxMessageBytes, 16 * 1024);
  });

  test('unset metricsToken is left out, not shown as redacted', () => {
    const d = describeConfig(loadConfig({ cwd: dir(), env: {} }));
    assert.ok(!('metricsToken' in d));
  });
});

describe('configKeyDocs', () => {
  test('one entry per schema key, each with env, flag and a description', () => {
    const docs = configKeyDocs();
    assert.deepEqual(
      docs.map((d) => d.key),
      Object.keys(configSchema.shape),
    );
    for (const d of docs) {
      assert.ok(d.description.length > 0, `${d.key} has a description`);
      assert.match(d.env, /^RAMPART_[A-Z0-9_]+$/);
      assert.match(d.flag, /^[a-z0-9-]+$/);
    }
    const mmb = docs.find((d) => d.key === 'maxMessageBytes');
    assert.deepEqual(
      { env: mmb?.env, flag: mmb?.flag, default: mmb?.default, type: mmb?.type },
      { env: 'RAMPART_MAX_MESSAGE_BYTES', flag: 'max-message-bytes', default: 16384, type: 'integer 1024–1048576' },
    );
    assert.equal(docs.find((d) => d.key === 'metricsToken')?.default, undefined);
  });

  test('every documented env var and flag round-trips through loadConfig', () => {
    // Proves the docs name variables the loader accepts (no key is documented under a wrong name).
    for (const d of configKeyDocs()) {
      if (d.default === undefined) continue;
      const value = Array.isArray(d.default) ? d.default.join(',') : String(d.default);
      assert.deepEqual(loadConfig({ cwd: dir(), env: { [d.env]: value } })[d.key], d.default, d.env);
      assert.deepEqual(loadConfig({ cwd: dir(), env: {}, flags: { [d.flag]: value } })[d.key], d.default, d.flag);
    }
  });
});
