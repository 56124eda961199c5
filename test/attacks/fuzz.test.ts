/**
 * Property-based fuzzing (fast-check) of the protocol parser and of a live server (catalogue I4,
 * I5, R12, F1–F13 in random combinations).
 *
 * 1. The parser, pure: thousands of random JSON values, valid frames with one field removed /
 *    added / replaced / renamed / duplicated, character-level edits of valid frames, random and
 *    ill-formed strings (lone surrogates), deep nesting, `__proto__` / `constructor` keys and huge
 *    numbers. parseClientFrame never throws; an ok result re-validates against its schema, holds
 *    only the schema's keys, has a plain prototype and survives a JSON round trip unchanged; an
 *    error is a registry code that counts as an invalid frame (never INTERNAL).
 * 2. A live server (rate limits lifted so the fuzzer is not just rate-limited): a few
 *    authenticated raw connections get thousands of mutated JSON frames, random strings, random
 *    bytes as text frames and random raw WebSocket frames (any opcode, RSV bits, mask or not,
 *    fragmentation, non-minimal lengths, lying huge lengths, close frames with any code). After
 *    each batch every open connection must answer a sentinel request or be closed. The server
 *    never answers INTERNAL, never logs at error level, never closes 1011 (except to echo a 1011
 *    close the fuzzer sent itself) and only closes with 1000/1001/1002/1003/1007/1008/1009; a
 *    fresh client then still joins, sends and receives its own message.
 *
 * Reproduce a failure with the seed the test logs: RAMPART_FUZZ_SEED=<seed>. Every property is
 * bounded by numRuns and by a time limit (fast-check's interruptAfterTimeLimit plugin plus a
 * deadline check in the live predicate), so the file stops by itself.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { pino } from 'pino';
import { parseClientFrame, type ParseResult } from '../../src/protocol/parse.js';
import {
  banSchema,
  createSchema,
  historySchema,
  ID_RE,
  inviteSchema,
  joinSchema,
  kickSchema,
  leaveSchema,
  roomsSchema,
  sendSchema,
  typingSchema,
} from '../../src/protocol/client-messages.js';
import { ErrorCode, invalidFrameCodes } from '../../src/protocol/codes.js';
import { normalizeText } from '../../src/protocol/text.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { registerAndLogin, TestClient } from '../helpers/client.js';
import { buildFrame, closePayload, Opcode, type FrameSpec } from '../../src/scan/wire/frame.js';
import { openRaw, RawTimeoutError, type RawFrame, type RawSocket } from '../../src/scan/wire/raw-client.js';

/** Fixed by default so CI is deterministic; override to explore or to replay a reported failure. */
const SEED = process.env.RAMPART_FUZZ_SEED !== undefined ? Number(process.env.RAMPART_FUZZ_SEED) : 0x5eed2026;
/** Upper bound of one property's wall time. */
const PROPERTY_MS = 15_000;
const LIMITS = { maxTextChars: 4000 };
const MAX_MESSAGE_BYTES = 16 * 1024;

const SCHEMAS = {
  join: joinSchema,
  leave: leaveSchema,
  send: sendSchema,
  history: historySchema,
  create: createSchema,
  invite: inviteSchema,
  kick: kickSchema,
  ban: banSchema,
  typing: typingSchema,
  rooms: roomsSchema,
} as const;
type MessageType = keyof typeof SCHEMAS;

const REGISTRY_CODES: ReadonlySet<string> = new Set(Object.values(ErrorCode));

// ───────────────────────────── arbitraries ─────────────────────────────

/** A frame as an ordered list of (key, raw JSON value text), so `__proto__` keys and non-JS numbers survive. */
type Entry = readonly [key: string, rawValue: string];
const j = (v: unknown): string => JSON.stringify(v);
function toJson(entries: readonly Entry[]): string {
  return `{${entries.map(([k, v]) => `${j(k)}:${v}`).join(',')}}`;
}

/** One UTF-16 unit of any value (lone surrogates included) or any code point. */
const anyUnit = fc.oneof(
  { arbitrary: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), weight: 2 },
  { arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c)), weight: 1 },
  { arbitrary: fc.integer({ min: 0, max: 0x10ffff }).map((c) => String.fromCodePoint(c)), weight: 2 },
  { arbitrary: fc.constantFrom('"', '\\', '{', '}', '[', ']', ':', ',', '\u0000', '\u2028', '\ufeff', '\u0301'), weight: 1 },
);
const anyString = (maxLength = 80): fc.Arbitrary<string> => fc.string({ unit: anyUnit, maxLength });

const idArb = fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 64 });
const roomArb = fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,63}$/);
const userArb = fc.stringMatching(/^[A-Za-z0-9_]{3,32}$/);
const nonceArb = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);
const seqArb = fc.oneof(fc.nat({ max: 1000 }), fc.maxSafeNat());
/** Printable ASCII plus newline/tab: always valid chat text. */
const safeTextArb = fc.string({ unit: fc.oneof(fc.constantFrom('\n', '\t'), fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 })), minLength: 1, maxLength: 200 });
/** Any text: controls, lone surrogates, combining marks, long. */
const anyTextArb = fc.oneof(safeTextArb, anyString(200), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 100 }), fc.integer({ min: 3990, max: 4010 }).map((n) => 'é'.repeat(n)));

interface FieldArbs {
  id: fc.Arbitrary<string>;
  room: fc.Arbitrary<string>;
  user: fc.Arbitrary<string>;
  text: fc.Arbitrary<string>;
  nonce: fc.Arbitrary<string>;
}

/** A schema-valid frame of each type (values as JS), with optional fields sometimes present. */
function validFrameArb(f: FieldArbs): fc.Arbitrary<Record<string, unknown>> {
  const withType = (type: MessageType, rec: fc.Arbitrary<Record<string, unknown>>): fc.Arbitrary<Record<string, unknown>> =>
    rec.map((r) => ({ type, ...r }));
  return fc.oneof(
    withType('join', fc.record({ id: f.id, room: f.room, since: seqArb }, { requiredKeys: ['id', 'room'] })),
    withType('leave', fc.record({ id: f.id, room: f.room })),
    withType('send', fc.record({ id: f.id, room: f.room, text: f.text, nonce: f.nonce })),
    withType(
      'history',
      fc.record({ id: f.id, room: f.room, before: seqArb, limit: fc.integer({ min: 1, max: 100 }) }, { requiredKeys: ['id', 'room'] }),
    ),
    withType('create', fc.record({ id: f.id, room: f.room, visibility: fc.constantFrom('public', 'private') })),
    withType('invite', fc.record({ id: f.id, room: f.room, user: f.user })),
    withType('kick', fc.record({ id: f.id, room: f.room, user: f.user })),
    withType('ban', fc.record({ id: f.id, room: f.room, user: f.user })),
    withType('typing', fc.record({ room: f.room })),
    withType('rooms', fc.record({ id: f.id })),
  );
}

const pureFields: FieldArbs = { id: idArb, room: roomArb, user: userArb, text: anyTextArb, nonce: nonceArb };

/** Keys an attacker would try: prototype names, identity fields, real field names, empty, random. */
const keyArb = fc.oneof(
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    'admin',
    'isAdmin',
    'from',
    'userId',
    'toString',
    'hasOwnProperty',
    'valueOf',
    '__defineGetter__',
    'type',
    'id',
    'room',
    'text',
    'nonce',
    'since',
    'before',
    'limit',
    'visibility',
    'user',
    '',
  ),
  anyString(20),
);

const deepArrays = (n: number): string => '['.repeat(n) + ']'.repeat(n);
const deepObjects = (n: number): string => '{"a":'.repeat(n) + '1' + '}'.repeat(n);

/** Raw JSON value texts of every awkward kind. */
const weirdValueArb: fc.Arbitrary<string> = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }).map(j),
  fc.constantFrom(
    '1e308',
    '1e309',
    '-1e309',
    '9007199254740993',
    '123456789012345678901234567890',
    '-0',
    '0.5',
    '-1',
    '1e-400',
    '1E2',
    '0',
    '100',
    '101',
    'true',
    'false',
    'null',
    '""',
    '[]',
    '{}',
    '{"__proto__":{"admin":true}}',
    '{"constructor":{"prototype":{"admin":true}}}',
    '"__proto__"',
    '"constructor"',
    '"public"',
    '"private"',
    '"general"',
  ),
  fc.integer({ min: 1, max: 3000 }).map(deepArrays),
  fc.integer({ min: 1, max: 3000 }).map(deepObjects),
  anyString().map(j),
  fc.integer({ min: 0, max: 20_000 }).map((n) => j('x'.repeat(n))),
  fc.double().map(j),
  fc.bigInt().map((b) => b.toString()),
);

/** A valid frame as entries. */
const validEntriesArb = (f: FieldArbs): fc.Arbitrary<Entry[]> =>
  validFrameArb(f).map((frame) => Object.entries(frame).map(([k, v]): Entry => [k, j(v)]));

/** A valid frame with exactly one structural mutation. */
function mutatedEntriesArb(f: FieldArbs): fc.Arbitrary<Entry[]> {
  return validEntriesArb(f).chain((entries) => {
    const last = entries.length - 1;
    return fc.oneof(
      // remove a field
      fc.nat(last).map((i) => entries.filter((_, k) => k !== i)),
      // add a field anywhere
      fc.tuple(keyArb, weirdValueArb, fc.nat(entries.length)).map(([k, v, at]) => [...entries.slice(0, at), [k, v] as Entry, ...entries.slice(at)]),
      // replace a value
      fc.tuple(fc.nat(last), weirdValueArb).map(([i, v]) => entries.map((e, k): Entry => (k === i ? [e[0], v] : e))),
      // rename a key
      fc.tuple(fc.nat(last), keyArb).map(([i, name]) => entries.map((e, k): Entry => (k === i ? [name, e[1]] : e))),
      // repeat a key with another value (JSON.parse keeps the last)
      fc.tuple(fc.nat(last), weirdValueArb).map(([i, v]) => [...entries, [entries[i]![0], v] as Entry]),
      // change the type
      fc.oneof(fc.constantFrom(...Object.keys(SCHEMAS)), anyString(12)).map((type) => entries.map((e): Entry => (e[0] === 'type' ? [e[0], j(type)] : e))),
    );
  });
}

/** Character-level edits of a JSON text: insert, delete, replace, truncate, wrap in whitespace. */
function textEditArb(source: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return source.chain((s) =>
    fc.oneof(
      fc.tuple(fc.nat(s.length), anyString(4)).map(([at, ins]) => s.slice(0, at) + ins + s.slice(at)),
      fc.tuple(fc.nat(s.length), fc.nat(8)).map(([at, n]) => s.slice(0, at) + s.slice(at + n)),
      fc.tuple(fc.nat(Math.max(0, s.length - 1)), anyUnit).map(([at, c]) => s.slice(0, at) + c + s.slice(at + 1)),
      fc.nat(s.length).map((at) => s.slice(0, at)),
      fc.constantFrom(' ', '\t', '\n', '\r', '\u00a0', '\ufeff', '').map((w) => w + s + w),
    ),
  );
}

/** Top-level inputs that need not be objects at all. */
const randomInputArb: fc.Arbitrary<string> = fc.oneof(
  fc.jsonValue().map(j),
  fc.object().map(j),
  anyString(200),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('utf8')),
  fc.integer({ min: 1, max: 8000 }).map(deepArrays),
  fc.integer({ min: 1, max: 5000 }).map(deepObjects),
  fc.integer({ min: 1, max: 5000 }).map((n) => `{"type":"join","id":"d","room":"general","x":${deepArrays(n)}}`),
  fc.integer({ min: 1, max: 5000 }).map((n) => '{'.repeat(n)),
  fc.constantFrom(
    '',
    '{',
    '}',
    'null',
    '{}',
    '{"__proto__":{"admin":true}}',
    '{"type":"join","id":"1","room":"general","__proto__":{"admin":true}}',
    '{"type":"join","id":"1","room":"general","constructor":{"prototype":{"admin":true}}}',
    '{"type":"constructor","id":"1"}',
    '{"type":"__proto__","id":"1"}',
    '{"type":"hasOwnProperty","id":"1"}',
    '{"type":"toString","id":"1"}',
    '{"type":"join","id":"1","room":"general","since":1e400}',
    '{"type":"history","id":"1","room":"general","limit":1e-400}',
  ),
);

// ───────────────────────────── the parser oracle ─────────────────────────────

/** Throws (with the input) when parseClientFrame breaks its contract on `raw`. */
function checkParse(raw: string): void {
  let r: ParseResult;
  try {
    r = parseClientFrame(raw, LIMITS);
  } catch (err) {
    throw new Error(`parseClientFrame threw ${String(err)} on ${JSON.stringify(raw.slice(0, 300))}`);
  }
  const where = (): string => `input ${JSON.stringify(raw.slice(0, 300))} → ${JSON.stringify(r).slice(0, 300)}`;
  if (!r.ok) {
    if (!REGISTRY_CODES.has(r.code)) throw new Error(`code outside the registry: ${where()}`);
    if (r.code === ErrorCode.INTERNAL) throw new Error(`INTERNAL for a client mistake: ${where()}`);
    if (!invalidFrameCodes.has(r.code)) throw new Error(`parse error that does not count as an invalid frame: ${where()}`);
    if (r.id !== undefined && !ID_RE.test(r.id)) throw new Error(`echoed id does not match ID_RE: ${where()}`);
    if (Object.keys(r).some((k) => !['ok', 'code', 'id'].includes(k))) throw new Error(`unexpected keys in the error: ${where()}`);
    return;
  }
  const msg = r.msg as unknown as Record<string, unknown>;
  const type = msg.type;
  if (typeof type !== 'string' || !Object.hasOwn(SCHEMAS, type)) throw new Error(`ok with an unknown type: ${where()}`);
  const schema = SCHEMAS[type as MessageType];
  const proto = Object.getPrototypeOf(msg);
  if (proto !== Object.prototype && proto !== null) throw new Error(`ok message with a foreign prototype: ${where()}`);
  const allowed = new Set(Object.keys(schema.shape));
  for (const key of Reflect.ownKeys(msg)) {
    if (typeof key !== 'string' || !allowed.has(key)) throw new Error(`ok message holds key ${String(key)} outside the ${type} schema: ${where()}`);
  }
  for (const [key, value] of Object.entries(msg)) {
    if (typeof value === 'object' || typeof value === 'function') throw new Error(`ok message field ${key} is not a scalar: ${where()}`);
  }
  if (!schema.safeParse(msg).success) throw new Error(`ok message does not re-validate against its schema: ${where()}`);
  if (type === 'send') {
    const text = normalizeText(msg.text as string, LIMITS.maxTextChars);
    if (!text.ok || text.text !== msg.text) throw new Error(`ok send whose text is not normalised valid text: ${where()}`);
  }
  const again = parseClientFrame(JSON.stringify(msg), LIMITS);
  if (!again.ok) throw new Error(`ok message fails when parsed again: ${where()}`);
  // Compared as JSON: a `since` of -0 is accepted as 0 and comes back as 0, which is the same seq.
  if (JSON.stringify(again.msg) !== JSON.stringify(msg)) throw new Error(`parse is not idempotent: ${where()} → ${JSON.stringify(again)}`);
}

function assertPrototypesClean(): void {
  assert.deepEqual(Object.keys(Object.prototype), [], 'Object.prototype gained enumerable keys');
  assert.equal(({} as Record<string, unknown>).admin, undefined, 'Object.prototype.admin was polluted');
  assert.equal(({} as Record<string, unknown>).isAdmin, undefined, 'Object.prototype.isAdmin was polluted');
}

/** Runs a property with the shared seed and time bound; reports seed, runs and time. */
async function runProperty(
  name: string,
  property: fc.IProperty<any> | fc.IAsyncProperty<any>,
  numRuns: number,
  diagnostic: (msg: string) => void,
): Promise<fc.RunDetails<unknown>> {
  const started = Date.now();
  const details = (await fc.check(property as fc.IAsyncProperty<unknown>, {
    seed: SEED,
    numRuns,
    plugins: [fc.interruptAfterTimeLimit(PROPERTY_MS)],
  })) as fc.RunDetails<unknown>;
  const ms = Date.now() - started;
  diagnostic(`${name}: seed ${details.seed}, ${details.numRuns} runs in ${ms} ms${details.interrupted ? ' (time limit reached)' : ''}`);
  if (details.failed) {
    const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
    throw new Error(`${name} failed (reproduce with RAMPART_FUZZ_SEED=${details.seed}):\n${cause}\n${fc.defaultReportMessage(details as fc.RunDetails<unknown>) ?? ''}`);
  }
  return details;
}

// ───────────────────────────── 1. the parser ─────────────────────────────

describe('fuzz: parseClientFrame (pure)', { timeout: 120_000 }, () => {
  after(() => assertPrototypesClean());

  it('valid frames of every type parse to exactly themselves (the generator is sound)', async (t) => {
    const safe: FieldArbs = { ...pureFields, text: safeTextArb };
    const d = await runProperty(
      'valid frames',
      fc.property(validFrameArb(safe), (frame) => {
        const r = parseClientFrame(JSON.stringify(frame), LIMITS);
        if (!r.ok) throw new Error(`a valid frame was refused (${r.code}): ${JSON.stringify(frame)}`);
        assert.deepEqual(r.msg, frame);
        checkParse(JSON.stringify(frame));
      }),
      3000,
      (m) => t.diagnostic(m),
    );
    assert.ok(d.numRuns >= 500, `only ${d.numRuns} runs`);
  });

  it('valid frames with one field removed, added, replaced, renamed or repeated', async (t) => {
    let accepted = 0;
    let refused = 0;
    const d = await runProperty(
      'mutated frames',
      fc.property(mutatedEntriesArb(pureFields), fc.constantFrom('', ' ', '\n\t '), (entries, ws) => {
        const raw = ws + toJson(entries);
        checkParse(raw);
        if (parseClientFrame(raw, LIMITS).ok) accepted++;
        else refused++;
      }),
      6000,
      (m) => t.diagnostic(m),
    );
    t.diagnostic(`mutated frames: ${accepted} still valid, ${refused} refused`);
    assert.ok(d.numRuns >= 1000, `only ${d.numRuns} runs`);
    assert.ok(refused > accepted, 'most mutations must be refused (else the mutator is not mutating)');
  });

  it('valid frames edited character by character', async (t) => {
    const d = await runProperty(
      'text edits',
      fc.property(textEditArb(validEntriesArb(pureFields).map(toJson)), (raw) => checkParse(raw)),
      5000,
      (m) => t.diagnostic(m),
    );
    assert.ok(d.numRuns >= 1000, `only ${d.numRuns} runs`);
  });

  it('random JSON values, random and ill-formed strings, deep nesting, prototype keys', async (t) => {
    const d = await runProperty('random inputs', fc.property(randomInputArb, (raw) => checkParse(raw)), 5000, (m) => t.diagnostic(m));
    assert.ok(d.numRuns >= 1000, `only ${d.numRuns} runs`);
  });

  it('frames padded up to and beyond the 16 KiB message limit', async (t) => {
    const d = await runProperty(
      'large frames',
      fc.property(mutatedEntriesArb(pureFields), fc.integer({ min: 0, max: MAX_MESSAGE_BYTES + 64 }), (entries, pad) => {
        const body = toJson(entries);
        checkParse(`{${' '.repeat(pad)}${body.slice(1)}`);
      }),
      1500,
      (m) => t.diagnostic(m),
    );
    assert.ok(d.numRuns >= 300, `only ${d.numRuns} runs`);
  });
});

// ───────────────────────────── 2. a live server ─────────────────────────────

/** Close codes a server may send for client mistakes (DESIGN.md, "Close codes"), plus normal/going away. */
const ALLOWED_CLOSES: ReadonlySet<number> = new Set([1000, 1001, 1002, 1003, 1007, 1008, 1009]);
const SLOTS = 4;

type Action =
  | { slot: number; kind: 'json'; text: string }
  /** Several texts in a row on one socket (reaches the invalid-frames-in-a-row limit). */
  | { slot: number; kind: 'burst'; texts: string[] }
  | { slot: number; kind: 'bytes'; bytes: Uint8Array }
  | { slot: number; kind: 'raw'; spec: FrameSpec };

/** Close frame bodies: every code class (valid, reserved, never-sent, out of range), any reason. */
const closeBodyArb: fc.Arbitrary<Buffer> = fc.oneof(
  fc
    .tuple(
      fc.oneof(
        fc.constantFrom(0, 999, 1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008, 1009, 1010, 1012, 1014, 1015, 1016, 2999, 3000, 4000, 4100, 4999, 5000, 65535),
        fc.integer({ min: 0, max: 65535 }),
      ),
      fc.oneof(fc.constant(Buffer.alloc(0)), fc.uint8Array({ maxLength: 130 }).map((b) => Buffer.from(b)), anyString(40).map((s) => Buffer.from(s, 'utf8'))),
    )
    .map(([code, reason]) => closePayload(code, reason)),
  fc.constant(Buffer.alloc(0)),
  fc.constant(Buffer.from([0x03])),
);

function rawFrameArb(jsonArb: fc.Arbitrary<string>): fc.Arbitrary<FrameSpec> {
  const payloadArb = fc.oneof(
    { arbitrary: jsonArb.map((s) => Buffer.from(s, 'utf8')), weight: 3 },
    { arbitrary: fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)), weight: 2 },
    { arbitrary: fc.integer({ min: 0, max: 200 }).map((n) => Buffer.alloc(n, 0x20)), weight: 1 },
  );
  const opcodeArb = fc.oneof(
    { arbitrary: fc.constantFrom(Opcode.TEXT, Opcode.CONTINUATION, Opcode.PING, Opcode.PONG), weight: 6 },
    { arbitrary: fc.constantFrom(Opcode.CLOSE, Opcode.BINARY), weight: 1 },
    { arbitrary: fc.integer({ min: 0, max: 15 }), weight: 1 },
  );
  const rare = fc.oneof({ arbitrary: fc.constant(false), weight: 15 }, { arbitrary: fc.constant(true), weight: 1 });
  return fc
    .record({
      opcode: opcodeArb,
      fin: fc.oneof({ arbitrary: fc.constant(true), weight: 4 }, { arbitrary: fc.constant(false), weight: 1 }),
      rsv1: rare,
      rsv2: rare,
      rsv3: rare,
      unmasked: rare,
      payload: payloadArb,
      closeBody: closeBodyArb,
      lengthEncoding: fc.constantFrom<'minimal' | '16' | '64'>('minimal', 'minimal', 'minimal', '16', '64'),
      // A lying length is only ever one the server must refuse at once (beyond maxPayload, or the
      // 64-bit MSB): a smaller lie would just make it wait for bytes, which is not a bug.
      lie: fc.oneof(
        { arbitrary: fc.constant(undefined), weight: 20 },
        { arbitrary: fc.constantFrom<bigint>(16_385n, 1n << 20n, 256n * 1024n * 1024n, 1n << 53n, 1n << 63n, (1n << 64n) - 1n), weight: 1 },
      ),
    })
    .map((r): FrameSpec => {
      const isControl = (r.opcode & 0x8) !== 0;
      const payload = r.opcode === Opcode.CLOSE ? r.closeBody : isControl ? r.payload.subarray(0, r.payload.length % 140) : r.payload;
      const spec: FrameSpec = { opcode: r.opcode, fin: r.fin, payload, lengthEncoding: r.lengthEncoding };
      if (r.rsv1) spec.rsv1 = true;
      if (r.rsv2) spec.rsv2 = true;
      if (r.rsv3) spec.rsv3 = true;
      if (r.unmasked) spec.mask = null;
      if (r.lie !== undefined) {
        spec.declaredLength = r.lie;
        spec.lengthEncoding = '64';
      }
      return spec;
    });
}

function json(frame: RawFrame): Record<string, unknown> | undefined {
  try {
    const v = JSON.parse(frame.payload.toString('utf8')) as unknown;
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

interface Slot {
  index: number;
  token: string;
  sock: RawSocket | null;
  /** Close codes this client itself sent on the current socket (the server echoes them). */
  sentCloses: Set<number | 'empty'>;
  recent: string[];
}

interface Stats {
  frames: number;
  json: number;
  bytes: number;
  raw: number;
  batches: number;
  connections: number;
  replies: Map<string, number>;
  closes: Map<string, number>;
}

describe('fuzz: a live server', { timeout: 120_000 }, () => {
  let t: TestServer;
  const logLines: string[] = [];
  const slots: Slot[] = [];
  let userNames: string[] = [];
  const stats: Stats = { frames: 0, json: 0, bytes: 0, raw: 0, batches: 0, connections: 0, replies: new Map(), closes: new Map() };
  const problems: string[] = [];
  let sentinelCounter = 0;

  before(async () => {
    // Warnings and errors of the server under attack are kept: a handler crash logs at error level.
    const log = pino({ level: 'warn' }, { write: (line: string) => void logLines.push(line) });
    t = await startTestServer(
      {
        messagesPerSecond: 1_000_000,
        messageBurst: 1_000_000,
        userMessagesPerSecond: 1_000_000,
        userMessageBurst: 1_000_000,
        maxConnectionsPerIp: 10_000,
        maxConnectionsPerUser: 10_000,
        // A ping flood is still closed 1008 (allowed), but the cap is high enough that pings stay fuzz input.
        maxControlFramesPerSecond: 1000,
      },
      { log },
    );
    const users = await Promise.all([registerAndLogin(t.url), registerAndLogin(t.url), registerAndLogin(t.url)]);
    userNames = users.map((u) => u.name);
    for (let i = 0; i < SLOTS; i++) slots.push({ index: i, token: users[i <= 1 ? 0 : i - 1]!.token, sock: null, sentCloses: new Set(), recent: [] });
  });

  after(async () => {
    for (const s of slots) s.sock?.destroy();
    await t?.close();
  });

  const bump = (m: Map<string, number>, key: string): void => void m.set(key, (m.get(key) ?? 0) + 1);

  async function open(slot: Slot): Promise<RawSocket> {
    const sock = await openRaw({ url: t.wsUrl, headers: { Authorization: `Bearer ${slot.token}` }, protocols: ['rampart.v1'], timeoutMs: 5000, autoPong: true });
    stats.connections++;
    const hello = await sock.waitFor((f) => json(f)?.type === 'hello', 3000);
    assert.ok(hello, 'hello');
    slot.sock = sock;
    slot.sentCloses = new Set();
    slot.recent = [];
    return sock;
  }

  /** Checks every frame the server sent on this socket so far (and takes them off the queue). */
  async function checkFrames(slot: Slot, sock: RawSocket): Promise<void> {
    while (sock.pendingFrames.length > 0) {
      const f = await sock.nextFrame(1000);
      if (!f) break;
      if (f.opcode === Opcode.TEXT) {
        const m = json(f);
        if (!m || typeof m.type !== 'string') {
          problems.push(`slot ${slot.index}: the server sent a text frame that is not a JSON object: ${f.payload.toString('utf8').slice(0, 200)}`);
          continue;
        }
        if (m.type === 'error') {
          const code = String(m.code);
          bump(stats.replies, `error ${code}`);
          if (!REGISTRY_CODES.has(code)) problems.push(`slot ${slot.index}: error code outside the registry: ${JSON.stringify(m)}`);
          if (code === ErrorCode.INTERNAL) problems.push(`slot ${slot.index}: INTERNAL after ${JSON.stringify(slot.recent.slice(-5))}`);
        } else bump(stats.replies, m.type);
      } else if (f.opcode !== Opcode.CLOSE && f.opcode !== Opcode.PING && f.opcode !== Opcode.PONG) {
        problems.push(`slot ${slot.index}: unexpected frame opcode ${f.opcode} from the server`);
      } else if (f.opcode === Opcode.PONG) bump(stats.replies, 'pong');
    }
  }

  /** The socket is closing or closed: records its close code (checked) and forgets it. */
  async function finish(slot: Slot): Promise<void> {
    const sock = slot.sock;
    if (!sock) return;
    slot.sock = null;
    const r = await sock.waitClose(3000, { echo: true });
    sock.destroy();
    await checkFrames(slot, sock);
    if (!r.closeFrameReceived) {
      bump(stats.closes, `no close frame (${r.tcpClosed ? r.tcpError ?? 'tcp closed' : 'open'})`);
      if (!r.tcpClosed) problems.push(`slot ${slot.index}: neither a close frame nor a TCP close within 3 s after ${JSON.stringify(slot.recent.slice(-5))}`);
      return;
    }
    const key = r.code === undefined ? 'empty' : r.code;
    bump(stats.closes, String(key));
    const echo = slot.sentCloses.has(key);
    if (r.code === 1011 && !echo) problems.push(`slot ${slot.index}: close 1011 for a client mistake after ${JSON.stringify(slot.recent.slice(-5))}`);
    else if (!echo && (r.code === undefined || !ALLOWED_CLOSES.has(r.code))) {
      problems.push(`slot ${slot.index}: close code ${String(r.code)} is not one of ${[...ALLOWED_CLOSES].join(', ')} (after ${JSON.stringify(slot.recent.slice(-5))})`);
    }
  }

  async function ensureOpen(slot: Slot): Promise<RawSocket> {
    if (slot.sock && (slot.sock.closeFrame || slot.sock.tcpClosed)) await finish(slot);
    return slot.sock ?? open(slot);
  }

  function describeAction(a: Action): string {
    if (a.kind === 'json') return `json ${a.text.slice(0, 120)}`;
    if (a.kind === 'burst') return `burst of ${a.texts.length}: ${a.texts.map((x) => x.slice(0, 40)).join(' | ')}`;
    if (a.kind === 'bytes') return `bytes ${Buffer.from(a.bytes).toString('hex').slice(0, 120)}`;
    const s = a.spec;
    const payload = typeof s.payload === 'string' ? Buffer.from(s.payload) : (s.payload ?? Buffer.alloc(0));
    return `raw op=${s.opcode} fin=${s.fin} rsv=${[s.rsv1, s.rsv2, s.rsv3].map((b) => (b ? 1 : 0)).join('')} mask=${s.mask === null ? 'none' : 'yes'} len=${s.lengthEncoding}${s.declaredLength !== undefined ? ` declared=${s.declaredLength}` : ''} payload=${payload.toString('hex').slice(0, 80)}`;
  }

  it('thousands of mutated, random and malformed frames: no INTERNAL, no 1011, only the documented close codes, no error logs', async (tc) => {
    // Values that mean something to this server: its rooms and its users.
    const liveFields: FieldArbs = {
      id: fc.oneof(idArb, fc.constantFrom('1', 'x')),
      room: fc.oneof({ arbitrary: fc.constantFrom('general', 'fz-a', 'fz-b', 'fz-private'), weight: 4 }, { arbitrary: roomArb, weight: 1 }),
      user: fc.oneof({ arbitrary: fc.constantFrom(...userNames), weight: 3 }, { arbitrary: userArb, weight: 1 }),
      text: anyTextArb,
      nonce: fc.oneof(fc.constantFrom('n1', 'n2', 'n3'), nonceArb),
    };
    const jsonTextArb = fc.oneof(
      { arbitrary: validFrameArb({ ...liveFields, text: safeTextArb }).map(j), weight: 3 },
      { arbitrary: mutatedEntriesArb(liveFields).map(toJson), weight: 4 },
      { arbitrary: textEditArb(validEntriesArb(liveFields).map(toJson)), weight: 2 },
      { arbitrary: randomInputArb, weight: 2 },
    );
    // Protocol-breaking input (random bytes, raw frames) goes to the last slots only, so the
    // first ones live long enough to reach the application limits (e.g. 10 invalid frames in a row → 1008).
    const actionArb: fc.Arbitrary<Action> = fc.oneof(
      { arbitrary: fc.record({ slot: fc.integer({ min: 0, max: SLOTS - 1 }), kind: fc.constant('json' as const), text: jsonTextArb }), weight: 10 },
      { arbitrary: fc.record({ slot: fc.integer({ min: 0, max: SLOTS - 1 }), kind: fc.constant('burst' as const), texts: fc.array(jsonTextArb, { minLength: 8, maxLength: 14 }) }), weight: 1 },
      { arbitrary: fc.record({ slot: fc.constantFrom(SLOTS - 2, SLOTS - 1), kind: fc.constant('bytes' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 200 }) }), weight: 1 },
      { arbitrary: fc.record({ slot: fc.constant(SLOTS - 1), kind: fc.constant('raw' as const), spec: rawFrameArb(jsonTextArb) }), weight: 3 },
    );

    const deadline = Date.now() + PROPERTY_MS;
    const property = fc.asyncProperty(fc.array(actionArb, { minLength: 1, maxLength: 40 }), async (actions) => {
      // The time bound: once past it, remaining (and shrinking) runs pass without touching the server.
      if (Date.now() > deadline) return true;
      problems.length = 0;
      stats.batches++;
      for (const a of actions) {
        const slot = slots[a.slot]!;
        const sock = await ensureOpen(slot);
        slot.recent.push(describeAction(a));
        if (slot.recent.length > 20) slot.recent.shift();
        stats.frames++;
        if (a.kind === 'json') {
          stats.json++;
          sock.sendText(a.text);
        } else if (a.kind === 'burst') {
          stats.json += a.texts.length;
          stats.frames += a.texts.length - 1;
          for (const text of a.texts) sock.sendText(text);
        } else if (a.kind === 'bytes') {
          stats.bytes++;
          sock.sendFrame({ opcode: Opcode.TEXT, payload: Buffer.from(a.bytes) });
        } else {
          stats.raw++;
          if (a.spec.opcode === Opcode.CLOSE) {
            const body = a.spec.payload as Buffer;
            slot.sentCloses.add(body.length >= 2 ? body.readUInt16BE(0) : 'empty');
          }
          sock.write(buildFrame(a.spec));
        }
      }
      // Every open connection must now answer a valid request, or close.
      await Promise.all(
        slots.map(async (slot) => {
          const sock = slot.sock;
          if (!sock) return;
          if (!sock.closeFrame && !sock.tcpClosed) {
            const id = `sentinel-${++sentinelCounter}`;
            sock.sendText({ type: 'rooms', id });
            try {
              // A close frame ends the wait too: ws keeps TCP open until the peer answers it.
              const reply = await sock.waitFor((f) => f.opcode === Opcode.CLOSE || (f.opcode === Opcode.TEXT && json(f)?.id === id), 3000);
              if (reply && reply.opcode === Opcode.TEXT) {
                const m = json(reply)!;
                bump(stats.replies, m.type === 'error' ? `error ${String(m.code)}` : String(m.type));
                if (m.type !== 'ok') problems.push(`slot ${slot.index}: sentinel answered ${JSON.stringify(m)}`);
              }
            } catch (err) {
              if (!(err instanceof RawTimeoutError)) throw err;
              problems.push(`slot ${slot.index}: no reply and no close within 3 s after ${JSON.stringify(slot.recent.slice(-5))}`);
              sock.destroy();
            }
          }
          if (sock.closeFrame || sock.tcpClosed) await finish(slot);
          else await checkFrames(slot, sock);
        }),
      );
      if (problems.length > 0) throw new Error(problems.join('\n'));
      return true;
    });
    const d = await runProperty('live server', property, 1500, (m) => tc.diagnostic(m));
    tc.diagnostic(
      `live server: ${stats.frames} frames (${stats.json} JSON texts, ${stats.bytes} random-byte texts, ${stats.raw} raw frames) in ${stats.batches} batches over ${stats.connections} connections`,
    );
    tc.diagnostic(`replies: ${JSON.stringify(Object.fromEntries(stats.replies))}`);
    tc.diagnostic(`closes: ${JSON.stringify(Object.fromEntries(stats.closes))}`);
    assert.ok(d.numRuns >= 50, `only ${d.numRuns} batches ran`);
    assert.ok(stats.frames >= 2000, `only ${stats.frames} frames were sent within the time bound`);
    assert.ok((stats.replies.get('ok') ?? 0) > 100, 'the server answered ok to many frames (the fuzzer is not only sending garbage)');
    assert.ok((stats.replies.get('error RATE_LIMITED') ?? 0) === 0, 'rate limits are lifted: no RATE_LIMITED');
    const errors = logLines.filter((l) => (JSON.parse(l) as { level: number }).level >= 50);
    assert.deepEqual(errors, [], 'the server logged errors (handler crash?)');
    const warns = logLines.length - errors.length;
    if (warns > 0) tc.diagnostic(`server warnings: ${logLines.slice(0, 5).join(' ')}`);
  });

  it('liveness after the fuzz: a fresh client joins, sends and receives its own message', async () => {
    for (const s of slots) {
      s.sock?.destroy();
      s.sock = null;
    }
    const u = await registerAndLogin(t.url);
    const c = await TestClient.connect(t.wsUrl, u.token);
    try {
      const joined = await c.request({ type: 'join', room: 'general' });
      assert.equal(joined.type, 'ok', JSON.stringify(joined));
      const text = 'alive after fuzzing';
      const sent = await c.request({ type: 'send', room: 'general', text, nonce: 'alive-fuzz' });
      assert.equal(sent.type, 'ok', JSON.stringify(sent));
      const echo = await c.waitFor((f) => f.type === 'message' && f.seq === sent.seq);
      assert.equal(echo.text, text);
    } finally {
      c.close();
    }
    assert.equal((await fetch(`${t.url}/healthz`)).status, 200);
  });
});
