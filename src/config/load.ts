/**
 * Loads the configuration from four layers, later ones winning:
 *
 *     schema defaults  <  config file (JSON)  <  RAMPART_* environment variables  <  CLI flags
 *
 * Everything is validated key by key against src/config/schema.ts so that an error names the
 * source it came from (file path, environment variable or flag) and the key, with zod's reason.
 * Unknown keys in the file and unknown RAMPART_* variables are errors, never ignored: a typo in a
 * security option ("maxMesageBytes") must not silently leave the default in force.
 *
 * The key → env var / flag mapping, the string conversions and the generated documentation are
 * all derived from the schema, so adding a key to the schema is the only step needed.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { configSchema, type Config, type ConfigKey } from './schema.js';

/** Thrown for any invalid configuration; `problems` holds one line per problem. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID' as const;
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
    this.problems = Object.freeze([...problems]);
  }
}

export interface LoadConfigOptions {
  /** Config file path (relative to cwd); it must exist. Default: cwd/rampart.config.json if present. */
  file?: string;
  /** Directory relative paths and the default config file are resolved against. Default process.cwd(). */
  cwd?: string;
  /** Environment to read RAMPART_* variables from. Default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Config flags only, kebab-case names without dashes (`max-message-bytes`), plus `config`. */
  flags?: Record<string, string | boolean>;
}

/** Read from cwd when no file is named. */
export const DEFAULT_CONFIG_FILE = 'rampart.config.json';
export const ENV_PREFIX = 'RAMPART_';
/** The flag (and its env var, RAMPART_CONFIG) naming the config file. */
export const CONFIG_FILE_FLAG = 'config';
export const CONFIG_FILE_ENV = 'RAMPART_CONFIG';

/**
 * RAMPART_* variables that are not config keys and so are not "unknown":
 * - RAMPART_CONFIG: path to the config file, same as --config.
 * - RAMPART_REQUIRE_SERVICES: read by the test suites (fail instead of skip when PostgreSQL/Redis are missing).
 * Keep this list short: every entry is a name a typo can hide behind.
 */
export const NON_CONFIG_ENV_VARS: readonly string[] = Object.freeze([CONFIG_FILE_ENV, 'RAMPART_REQUIRE_SERVICES']);

// ───────────────────────────── schema introspection ─────────────────────────────

/** The shape of a zod v4 schema node that this module reads (`.def` is public API in v4). */
interface SchemaNode {
  def: {
    type: string;
    innerType?: SchemaNode;
    defaultValue?: unknown;
    element?: SchemaNode;
    entries?: Record<string, string | number>;
    checks?: Array<{ _zod: { def: CheckDef } }>;
  };
  description?: string;
  safeParse(value: unknown): { success: true; data: unknown } | { success: false; error: { issues: Issue[] } };
}
interface CheckDef {
  check: string;
  value?: unknown;
  inclusive?: boolean;
  minimum?: number;
  maximum?: number;
  format?: string;
}
interface Issue {
  path: PropertyKey[];
  message: string;
}

type ValueKind = 'number' | 'boolean' | 'string' | 'enum' | 'array';

interface KeyInfo {
  key: ConfigKey;
  env: string;
  flag: string;
  kind: ValueKind;
  /** The key's full schema (with its default/optional wrapper): validates one value. */
  schema: SchemaNode;
  /** The unwrapped type. */
  inner: SchemaNode;
  hasDefault: boolean;
  defaultValue: unknown;
  optional: boolean;
  description: string;
}

/** maxMessageBytes → MAX_MESSAGE_BYTES */
function screamingSnake(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}
/** maxMessageBytes → max-message-bytes */
function kebab(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

let keyInfoCache: readonly KeyInfo[] | undefined;

/** One entry per schema key, in schema order. Throws at first use if the schema uses a type this loader cannot parse from strings. */
function keyInfos(): readonly KeyInfo[] {
  if (keyInfoCache) return keyInfoCache;
  const infos: KeyInfo[] = [];
  const envNames = new Set<string>();
  for (const [key, node] of Object.entries(configSchema.shape) as Array<[ConfigKey, unknown]>) {
    const schema = node as SchemaNode;
    let inner = schema;
    let hasDefault = false;
    let defaultValue: unknown;
    let optional = false;
    for (;;) {
      if (inner.def.type === 'default' && inner.def.innerType) {
        hasDefault = true;
        defaultValue = inner.def.defaultValue;
        inner = inner.def.innerType;
      } else if (inner.def.type === 'optional' && inner.def.innerType) {
        optional = true;
        inner = inner.def.innerType;
      } else break;
    }
    const t = inner.def.type;
    let kind: ValueKind;
    if (t === 'number' || t === 'boolean' || t === 'string' || t === 'enum') kind = t;
    else if (t === 'array' && inner.def.element?.def.type === 'string') kind = 'array';
    else throw new Error(`config schema key ${key}: type ${t} is not supported by src/config/load.ts`);
    const env = ENV_PREFIX + screamingSnake(key);
    if (envNames.has(env) || NON_CONFIG_ENV_VARS.includes(env)) throw new Error(`config schema key ${key}: env name ${env} collides`);
    envNames.add(env);
    infos.push({
      key,
      env,
      flag: kebab(key),
      kind,
      schema,
      inner,
      hasDefault,
      defaultValue,
      optional,
      description: schema.description ?? '',
    });
  }
  keyInfoCache = Object.freeze(infos);
  return keyInfoCache;
}

function infoByKey(): Map<string, KeyInfo> {
  return new Map(keyInfos().map((i) => [i.key, i]));
}

// ───────────────────────────── value conversion ─────────────────────────────

/** Show a rejected value briefly; never for strings (metricsToken is a secret). */
function show(value: string): string {
  return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
}

/**
 * Converts an env/flag string to the key's type. Returns a problem string on failure.
 * Numbers must be plain decimals ("0x10", "1e3", " 5" and "" are refused: a limit should read as written).
 * Booleans: true/false/1/0. Lists: comma-separated, blanks trimmed, empty items dropped ("" = empty list).
 */
function convert(info: KeyInfo, raw: string | boolean): { value: unknown } | { problem: string } {
  if (typeof raw === 'boolean') {
    if (info.kind === 'boolean') return { value: raw };
    return { problem: 'needs a value' };
  }
  switch (info.kind) {
    case 'number':
      if (!/^-?\d+(\.\d+)?$/.test(raw)) return { problem: `expected a number, got ${show(raw)}` };
      return { value: Number(raw) };
    case 'boolean':
      if (raw === 'true' || raw === '1') return { value: true };
      if (raw === 'false' || raw === '0') return { value: false };
      return { problem: `expected true, false, 1 or 0, got ${show(raw)}` };
    case 'array':
      return {
        value: raw
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== ''),
      };
    case 'enum':
    case 'string':
      return { value: raw };
  }
}

/** Checks beyond what one zod type says; run per source so the error names where the value came from. */
const extraRules: { [K in ConfigKey]?: (value: NonNullable<Config[K]>) => string | undefined } = {
  // The publicUrl's origin becomes an allowed Origin; z.string().url() alone accepts javascript:, ftp:, data:...
  publicUrl: (v) => {
    let protocol: string;
    try {
      protocol = new URL(v).protocol;
    } catch {
      return 'must be an http(s) URL';
    }
    return protocol === 'http:' || protocol === 'https:' ? undefined : 'must be an http(s) URL';
  },
  // Belt and braces over the schema regex: a wildcard or the opaque "null" origin (sandboxed
  // iframes, file:) would re-open cross-site WebSocket hijacking.
  allowedOrigins: (v) =>
    v.some((o) => o.trim() === '*' || o.trim().toLowerCase() === 'null') ? "may not contain '*' or 'null'" : undefined,
  // A bucket smaller than one token never admits a frame.
  messageBurst: (v) => (v >= 1 ? undefined : 'must be >= 1'),
  userMessageBurst: (v) => (v >= 1 ? undefined : 'must be >= 1'),
};

function formatIssues(source: string, key: string, issues: Issue[]): string[] {
  return issues.map((issue) => {
    const where = [key, ...issue.path.map(String)].join('.');
    return `${source}: ${where}: ${issue.message}`;
  });
}

/** Validates one value for one key; pushes problems; returns whether it is good. */
function validate(info: KeyInfo, value: unknown, source: string, problems: string[]): boolean {
  const result = info.schema.safeParse(value);
  if (!result.success) {
    problems.push(...formatIssues(source, info.key, result.error.issues));
    return false;
  }
  const rule = extraRules[info.key] as ((v: unknown) => string | undefined) | undefined;
  const problem = rule && result.data !== undefined ? rule(result.data) : undefined;
  if (problem) {
    problems.push(`${source}: ${info.key}: ${problem}`);
    return false;
  }
  return true;
}

/** "did you mean" for typos: a key equal ignoring case/separators, or within edit distance 2. */
function suggest(name: string, candidates: readonly string[]): string {
  const norm = (s: string) => s.toLowerCase().replace(/[-_]/g, '');
  const n = norm(name);
  let best: string | undefined;
  let bestDistance = 3;
  for (const c of candidates) {
    const d = norm(c) === n ? 0 : editDistance(n, norm(c), bestDistance);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  return best === undefined ? '' : ` (did you mean ${best}?)`;
}

function editDistance(a: string, b: string, cap: number): number {
  if (Math.abs(a.length - b.length) >= cap) return cap;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length] ?? cap;
}

// ───────────────────────────── the layers ─────────────────────────────

interface FileChoice {
  absolute: string;
  /** How the file is named in errors. */
  display: string;
  /** Named explicitly (option, --config, RAMPART_CONFIG): then it must exist. */
  explicit: boolean;
}

function chooseFile(opts: LoadConfigOptions, cwd: string, env: NodeJS.ProcessEnv, problems: string[]): FileChoice | undefined {
  const flag = opts.flags?.[CONFIG_FILE_FLAG];
  if (flag !== undefined && typeof flag !== 'string') {
    problems.push(`--${CONFIG_FILE_FLAG}: needs a file path`);
    return undefined;
  }
  const named = opts.file ?? flag ?? env[CONFIG_FILE_ENV];
  if (named !== undefined) {
    if (named === '') {
      problems.push('config file: empty path');
      return undefined;
    }
    return { absolute: path.resolve(cwd, named), display: named, explicit: true };
  }
  const absolute = path.resolve(cwd, DEFAULT_CONFIG_FILE);
  return { absolute, display: DEFAULT_CONFIG_FILE, explicit: false };
}

function readFileLayer(choice: FileChoice, byKey: Map<string, KeyInfo>, problems: string[]): Record<string, unknown> {
  const layer: Record<string, unknown> = {};
  const { absolute, display } = choice;
  let stat;
  try {
    stat = statSync(absolute);
  } catch {
    if (choice.explicit) problems.push(`${display}: config file not found`);
    return layer;
  }
  if (!stat.isFile()) {
    problems.push(`${display}: not a file`);
    return layer;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(absolute, 'utf8'));
  } catch (err) {
    problems.push(`${display}: not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
    return layer;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    problems.push(`${display}: must hold a JSON object`);
    return layer;
  }
  // Object.keys sees an own "__proto__" key from JSON.parse; it is reported as unknown like any other.
  for (const key of Object.keys(parsed)) {
    const info = byKey.get(key);
    if (!info) {
      problems.push(`${display}: ${key}: unknown key${suggest(key, [...byKey.keys()])}`);
      continue;
    }
    const value = (parsed as Record<string, unknown>)[key];
    if (validate(info, value, display, problems)) layer[key] = value;
  }
  return layer;
}

function readEnvLayer(env: NodeJS.ProcessEnv, problems: string[]): Record<string, unknown> {
  const layer: Record<string, unknown> = {};
  const byEnv = new Map(keyInfos().map((i) => [i.env, i]));
  for (const name of Object.keys(env).sort()) {
    if (!name.startsWith(ENV_PREFIX)) continue;
    const raw = env[name];
    if (raw === undefined || NON_CONFIG_ENV_VARS.includes(name)) continue;
    const info = byEnv.get(name);
    if (!info) {
      problems.push(`${name}: unknown RAMPART_ environment variable${suggest(name, [...byEnv.keys(), ...NON_CONFIG_ENV_VARS])}`);
      continue;
    }
    const converted = convert(info, raw);
    if ('problem' in converted) {
      problems.push(`${name}: ${info.key}: ${converted.problem}`);
      continue;
    }
    if (validate(info, converted.value, name, problems)) layer[info.key] = converted.value;
  }
  return layer;
}

function readFlagLayer(flags: Record<string, string | boolean>, problems: string[]): Record<string, unknown> {
  const layer: Record<string, unknown> = {};
  const byFlag = new Map(keyInfos().map((i) => [i.flag, i]));
  for (const [flag, raw] of Object.entries(flags)) {
    if (flag === CONFIG_FILE_FLAG) continue;
    const info = byFlag.get(flag);
    if (!info) {
      problems.push(`--${flag}: unknown option${suggest(flag, [...byFlag.keys()])}`);
      continue;
    }
    const converted = convert(info, raw);
    if ('problem' in converted) {
      problems.push(`--${flag}: ${info.key}: ${converted.problem}`);
      continue;
    }
    if (validate(info, converted.value, `--${flag}`, problems)) layer[info.key] = converted.value;
  }
  return layer;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/**
 * Builds the effective configuration: defaults < file < RAMPART_* env < flags.
 * The file is opts.file, else flags.config, else $RAMPART_CONFIG (each must exist), else
 * cwd/rampart.config.json when present. All problems of all layers are collected and thrown as
 * one ConfigError. The result is deep-frozen: nothing may change a limit after start.
 */
export function loadConfig(opts: LoadConfigOptions = {}): Config {
  const cwd = opts.cwd ?? process.cwd();
  const env = opts.env ?? process.env;
  const problems: string[] = [];
  const byKey = infoByKey();

  const choice = chooseFile(opts, cwd, env, problems);
  const fileLayer = choice ? readFileLayer(choice, byKey, problems) : {};
  const envLayer = readEnvLayer(env, problems);
  const flagLayer = readFlagLayer(opts.flags ?? {}, problems);
  if (problems.length > 0) throw new ConfigError(problems);

  // Only known keys reach here (each layer drops the rest), so no prototype keys can be merged.
  const merged: Record<string, unknown> = { ...fileLayer, ...envLayer, ...flagLayer };
  const result = configSchema.safeParse(merged);
  if (!result.success) {
    // Unreachable while every key is validated above; kept so a future schema-level refinement still reports cleanly.
    throw new ConfigError(result.error.issues.map((i) => `config: ${i.path.map(String).join('.') || '(root)'}: ${i.message}`));
  }
  return deepFreeze(result.data);
}

/** Shown instead of secret values. */
export const REDACTED = '[redacted]';
/** Keys whose values are secrets and never printed. */
const SECRET_KEYS: ReadonlySet<ConfigKey> = new Set<ConfigKey>(['metricsToken']);

/**
 * The effective config as a plain JSON-serialisable object, for `rampart config print`, in
 * schema order, with secrets redacted. Unset optional keys are omitted.
 */
export function describeConfig(config: Config): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { key } of keyInfos()) {
    const value = config[key];
    if (value === undefined) continue;
    out[key] = SECRET_KEYS.has(key) ? REDACTED : Array.isArray(value) ? [...value] : value;
  }
  return out;
}

export interface ConfigKeyDoc {
  key: ConfigKey;
  /** RAMPART_MAX_MESSAGE_BYTES */
  env: string;
  /** max-message-bytes (the CLI flag is --max-message-bytes) */
  flag: string;
  /** The schema default; undefined when the key is optional and unset by default. */
  default: unknown;
  /** From the schema's .describe(). */
  description: string;
  /** Human-readable type and bounds, derived from the schema (e.g. "integer 1024–1048576"). */
  type: string;
}

function describeType(info: KeyInfo): string {
  const { inner } = info;
  switch (info.kind) {
    case 'boolean':
      return 'boolean';
    case 'enum':
      return `one of ${Object.values(inner.def.entries ?? {}).join(', ')}`;
    case 'array':
      return 'list (comma-separated in env/flags)';
    case 'string': {
      const checks = (inner.def.checks ?? []).map((c) => c._zod.def);
      if (checks.some((d) => d.format === 'url')) return 'http(s) URL';
      const min = checks.find((d) => d.check === 'min_length')?.minimum;
      return min !== undefined && min > 1 ? `string, ≥ ${min} chars` : 'string';
    }
    case 'number': {
      let min: number | undefined;
      let max: number | undefined;
      const checks = (inner.def.checks ?? []).map((c) => c._zod.def);
      const integer = checks.some((d) => d.check === 'number_format' && (d.format === 'safeint' || d.format === 'int32'));
      for (const d of checks) {
        if (d.check === 'greater_than' && typeof d.value === 'number') min = d.value + (d.inclusive ? 0 : integer ? 1 : 0);
        if (d.check === 'less_than' && typeof d.value === 'number') max = d.value - (d.inclusive ? 0 : integer ? 1 : 0);
      }
      const base = integer ? 'integer' : 'number';
      if (min !== undefined && max !== undefined) return `${base} ${min}–${max}`;
      if (min !== undefined) return `${base} ≥ ${min}`;
      if (max !== undefined) return `${base} ≤ ${max}`;
      return base;
    }
  }
}

/** One entry per config key, in schema order: the source of docs/configuration.md. */
export function configKeyDocs(): ConfigKeyDoc[] {
  return keyInfos().map((info) => ({
    key: info.key,
    env: info.env,
    flag: info.flag,
    default: info.hasDefault ? info.defaultValue : undefined,
    description: info.description,
    type: describeType(info),
  }));
}
