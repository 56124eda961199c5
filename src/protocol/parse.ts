/**
 * parseClientFrame: one text frame in, one validated ClientMessage or one error code out.
 *
 * This runs for every frame a client sends, so it rejects in order of cost: a first-character check
 * and a nesting scan before JSON.parse, then a flat look at the top-level keys (count, reserved
 * names, nested values) before zod, then the per-type schema, then text normalisation. It never throws: every failure is
 * a code the session answers with an `error` reply (and counts towards the invalid-frame limit).
 */
import { clientSchemas, ID_RE, type ClientMessage } from './client-messages.js';
import { ErrorCode } from './codes.js';
import { normalizeText } from './text.js';

export type ParseResult = { ok: true; msg: ClientMessage } | { ok: false; code: ErrorCode; id?: string };

export interface ParseLimits {
  /** Largest chat text in code points after NFC (config `maxTextChars`). */
  maxTextChars: number;
}

/** More keys than any message has (5 at most) but bounded, so a key flood costs little. */
const MAX_KEYS = 16;

/**
 * Nesting levels parsed at all. v1 frames have one; up to 4 we still parse, so a client that
 * mistakenly sends `{"text": [{"a": 1}]}` gets its id echoed; deeper is treated as an attack.
 */
const MAX_SCAN_DEPTH = 4;

/**
 * Keys that point at or through an object's prototype. JSON.parse makes `"__proto__"` an own data
 * property (no pollution by itself), but any code that later copies or merges the object would
 * follow it, so such a frame is refused outright.
 */
const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

const hasOwn = Object.prototype.hasOwnProperty;

function fail(code: ErrorCode, id: string | undefined): ParseResult {
  return id === undefined ? { ok: false, code } : { ok: false, code, id };
}

/** Parses and validates one client frame. Never throws. */
export function parseClientFrame(raw: string, limits: ParseLimits): ParseResult {
  // Only an object can be a message: skip JSON.parse for arrays, primitives and junk.
  let i = 0;
  while (i < raw.length && isJsonSpace(raw.charCodeAt(i))) i++;
  if (raw.charCodeAt(i) !== 0x7b /* { */) return fail(ErrorCode.BAD_REQUEST, undefined);
  // No v1 field holds an object or array, so nesting deeper than a mistaken client would send is
  // refused before JSON.parse: a 16 KiB nesting bomb then costs one scan, not a parse (~50x
  // cheaper). Its id is not echoed: reading it would take the parse we are avoiding.
  if (nestsDeeperThan(raw, i, MAX_SCAN_DEPTH)) return fail(ErrorCode.BAD_REQUEST, undefined);

  let value: unknown;
  try {
    // V8's JSON.parse is iterative, so deep nesting cannot overflow the stack; the catch is for
    // syntax errors (and any engine limit), never rethrown.
    value = JSON.parse(raw);
  } catch {
    return fail(ErrorCode.BAD_REQUEST, undefined);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail(ErrorCode.BAD_REQUEST, undefined);
  }
  const obj = value as Record<string, unknown>;

  // Echo the id on every later failure when it is readable, so the client can match the reply.
  const rawId = hasOwn.call(obj, 'id') ? obj.id : undefined;
  const id = typeof rawId === 'string' && ID_RE.test(rawId) ? rawId : undefined;

  // Flat structural checks. No v1 field takes an object or an array, so a nested value is refused
  // here without walking into it (and zod never sees it).
  const keys = Object.keys(obj);
  if (keys.length > MAX_KEYS) return fail(ErrorCode.BAD_REQUEST, id);
  for (const key of keys) {
    if (RESERVED_KEYS.has(key)) return fail(ErrorCode.BAD_REQUEST, id);
    const v = obj[key];
    if (typeof v === 'object' && v !== null) return fail(ErrorCode.BAD_REQUEST, id);
  }

  const type = hasOwn.call(obj, 'type') ? obj.type : undefined;
  if (typeof type !== 'string') return fail(ErrorCode.BAD_REQUEST, id);
  const schema = clientSchemas.get(type);
  if (schema === undefined) return fail(ErrorCode.UNKNOWN_TYPE, id);

  const parsed = schema.safeParse(obj);
  if (!parsed.success) return fail(ErrorCode.BAD_REQUEST, id);
  const msg = parsed.data as ClientMessage;

  if (msg.type === 'send') {
    const text = normalizeText(msg.text, limits.maxTextChars);
    if (!text.ok) return fail(text.code, id);
    msg.text = text.text; // zod returned a fresh object, so this mutates nothing of the caller's
  }
  return { ok: true, msg };
}

/**
 * True when objects/arrays nest more than `max` levels deep (the frame itself is level 1), counting
 * only brackets outside JSON strings. indexOf (vectorised in V8) settles the common case of no
 * brackets after the opening one; malformed input is fine here, JSON.parse still judges the syntax.
 */
function nestsDeeperThan(raw: string, start: number, max: number): boolean {
  if (raw.indexOf('{', start + 1) === -1 && raw.indexOf('[', start + 1) === -1) return false;
  let depth = 0;
  let inString = false;
  for (let i = start; i < raw.length; i++) {
    const c = raw.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* backslash */) i++; // skip the escaped character, so an escaped quote stays inside
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > max) return true;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) depth--;
  }
  return false;
}

/** JSON's insignificant whitespace (RFC 8259): space, tab, LF, CR. */
function isJsonSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}
