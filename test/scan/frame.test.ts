/** Unit tests of the scanner's frame builder/reader, against the RFC 6455 §5.7 byte vectors. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  applyMask,
  buildFrame,
  closePayload,
  FrameParseError,
  FrameReader,
  isControlOpcode,
  isValidCloseCode,
  isValidUtf8,
  Opcode,
  opcodeName,
  parseClose,
  RESERVED_CONTROL_OPCODES,
  RESERVED_DATA_OPCODES,
  toHex,
  type ParsedFrame,
} from '../../src/scan/wire/frame.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const KEY = hex('37fa213d');

/** RFC 6455 §5.7 examples. */
const RFC = {
  helloUnmasked: hex('81 05 48 65 6c 6c 6f'),
  helloMasked: hex('81 85 37 fa 21 3d 7f 9f 4d 51 58'),
  helFragment: hex('01 03 48 65 6c'),
  loFragment: hex('80 02 6c 6f'),
  pingHello: hex('89 05 48 65 6c 6c 6f'),
  pongHelloMasked: hex('8a 85 37 fa 21 3d 7f 9f 4d 51 58'),
};

/** A deterministic PRNG (mulberry32) so chunk splits are reproducible. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function readAll(chunks: Buffer[]): ParsedFrame[] {
  const reader = new FrameReader();
  const frames: ParsedFrame[] = [];
  for (const c of chunks) frames.push(...reader.push(c));
  assert.equal(reader.bufferedBytes, 0, 'no bytes left over');
  return frames;
}

describe('buildFrame', () => {
  it('reproduces the RFC 6455 §5.7 vectors', () => {
    assert.deepEqual(buildFrame({ opcode: Opcode.TEXT, payload: 'Hello', mask: null }), RFC.helloUnmasked);
    assert.deepEqual(buildFrame({ opcode: Opcode.TEXT, payload: 'Hello', mask: KEY }), RFC.helloMasked);
    assert.deepEqual(buildFrame({ fin: false, opcode: Opcode.TEXT, payload: 'Hel', mask: null }), RFC.helFragment);
    assert.deepEqual(buildFrame({ opcode: Opcode.CONTINUATION, payload: 'lo', mask: null }), RFC.loFragment);
    assert.deepEqual(buildFrame({ opcode: Opcode.PING, payload: 'Hello', mask: null }), RFC.pingHello);
    assert.deepEqual(buildFrame({ opcode: Opcode.PONG, payload: 'Hello', mask: KEY }), RFC.pongHelloMasked);
  });

  it('uses a 16-bit length for 256 bytes and a 64-bit length for 64 KiB (RFC §5.7)', () => {
    const f256 = buildFrame({ opcode: Opcode.BINARY, payload: Buffer.alloc(256, 0xab), mask: null });
    assert.deepEqual(f256.subarray(0, 4), hex('82 7e 01 00'));
    assert.equal(f256.length, 4 + 256);
    const f64k = buildFrame({ opcode: Opcode.BINARY, payload: Buffer.alloc(65536, 0xcd), mask: null });
    assert.deepEqual(f64k.subarray(0, 10), hex('82 7f 00 00 00 00 00 01 00 00'));
    assert.equal(f64k.length, 10 + 65536);
    // 125 is the largest 7-bit length, 126 already needs the 16-bit form, 65535 the largest 16-bit one.
    assert.equal(buildFrame({ opcode: 1, payload: Buffer.alloc(125), mask: null })[1], 125);
    assert.deepEqual(buildFrame({ opcode: 1, payload: Buffer.alloc(126), mask: null }).subarray(1, 4), hex('7e 00 7e'));
    assert.deepEqual(buildFrame({ opcode: 1, payload: Buffer.alloc(65535), mask: null }).subarray(1, 4), hex('7e ff ff'));
    assert.equal(buildFrame({ opcode: 1, payload: Buffer.alloc(65536), mask: null })[1], 127);
  });

  it('masks with a fresh random key by default', () => {
    const a = buildFrame({ opcode: Opcode.TEXT, payload: 'Hello' });
    const b = buildFrame({ opcode: Opcode.TEXT, payload: 'Hello' });
    assert.equal(a[1], 0x85);
    assert.equal(a.length, 2 + 4 + 5);
    assert.equal(applyMask(a.subarray(6), a.subarray(2, 6)).toString(), 'Hello');
    assert.notDeepEqual(a.subarray(2, 6), b.subarray(2, 6), 'two frames, two keys');
  });

  it('forces non-minimal length encodings (F14: 81 FE 00 05 m …)', () => {
    const f = buildFrame({ opcode: Opcode.TEXT, payload: 'Hello', mask: KEY, lengthEncoding: '16' });
    assert.deepEqual(f, hex('81 fe 00 05 37 fa 21 3d 7f 9f 4d 51 58'));
    const g = buildFrame({ opcode: Opcode.TEXT, payload: 'Hello', mask: null, lengthEncoding: '64' });
    assert.deepEqual(g, hex('81 7f 00 00 00 00 00 00 00 05 48 65 6c 6c 6f'));
    assert.throws(() => buildFrame({ opcode: 1, payload: Buffer.alloc(70_000), lengthEncoding: '16' }), RangeError);
  });

  it('lies about the length: 256 MiB header only, 64-bit MSB set (F5, F6)', () => {
    const f6 = buildFrame({ opcode: Opcode.BINARY, declaredLength: 256 * 1024 * 1024, mask: KEY });
    assert.deepEqual(f6, hex('82 ff 00 00 00 00 10 00 00 00 37 fa 21 3d'));
    const f5 = buildFrame({ opcode: Opcode.BINARY, declaredLength: 1n << 63n, mask: KEY });
    assert.deepEqual(f5, hex('82 ff 80 00 00 00 00 00 00 00 37 fa 21 3d'));
    const max = buildFrame({ opcode: 1, declaredLength: (1n << 64n) - 1n, mask: null });
    assert.deepEqual(max, hex('81 7f ff ff ff ff ff ff ff ff'));
    // A declared length smaller than the payload: the extra bytes follow the frame as garbage.
    const short = buildFrame({ opcode: 1, payload: 'abc', declaredLength: 1, mask: null });
    assert.deepEqual(short, hex('81 01 61 62 63'));
    assert.throws(() => buildFrame({ opcode: 1, declaredLength: 1n << 64n }), RangeError);
    assert.throws(() => buildFrame({ opcode: 1, declaredLength: -1 }), RangeError);
  });

  it('sets reserved bits and reserved opcodes (F2, F3)', () => {
    assert.equal(buildFrame({ opcode: 1, rsv1: true, payload: 'Hello', mask: KEY })[0], 0xc1);
    assert.equal(buildFrame({ opcode: 1, rsv2: true, mask: KEY })[0], 0xa1);
    assert.equal(buildFrame({ opcode: 1, rsv3: true, mask: KEY })[0], 0x91);
    assert.equal(buildFrame({ opcode: 1, fin: false, rsv1: true, rsv2: true, rsv3: true, mask: KEY })[0], 0x71);
    for (const op of [...RESERVED_DATA_OPCODES, ...RESERVED_CONTROL_OPCODES]) {
      assert.deepEqual(buildFrame({ opcode: op, mask: KEY }), Buffer.concat([Buffer.from([0x80 | op, 0x80]), KEY]));
    }
    assert.throws(() => buildFrame({ opcode: 16 }), RangeError);
    assert.throws(() => buildFrame({ opcode: -1 }), RangeError);
    assert.throws(() => buildFrame({ opcode: 1.5 }), RangeError);
    assert.throws(() => buildFrame({ opcode: 1, mask: Buffer.alloc(3) }), RangeError);
  });

  it('builds oversized and fragmented control frames (F4)', () => {
    const bigPing = buildFrame({ opcode: Opcode.PING, payload: Buffer.alloc(126, 0x61), mask: KEY });
    assert.deepEqual(bigPing.subarray(0, 8), hex('89 fe 00 7e 37 fa 21 3d'));
    assert.deepEqual(buildFrame({ opcode: Opcode.PING, fin: false, mask: KEY }), hex('09 80 37 fa 21 3d'));
    const oneByteClose = buildFrame({ opcode: Opcode.CLOSE, payload: Buffer.from([0x03]), mask: Buffer.alloc(4) });
    assert.deepEqual(oneByteClose, hex('88 81 00 00 00 00 03'));
  });
});

describe('close payloads', () => {
  it('closePayload writes a big-endian code and the reason bytes, without validating', () => {
    assert.deepEqual(closePayload(1000), hex('03 e8'));
    assert.deepEqual(closePayload(1000, 'bye'), hex('03 e8 62 79 65'));
    assert.deepEqual(closePayload(0), hex('00 00'));
    assert.deepEqual(closePayload(5000), hex('13 88'));
    assert.deepEqual(closePayload(1000, hex('c3 28')), hex('03 e8 c3 28'));
    assert.deepEqual(closePayload(4999, 'é'), hex('13 87 c3 a9'));
    assert.throws(() => closePayload(65536), RangeError);
    assert.throws(() => closePayload(-1), RangeError);
  });

  it('parseClose splits code and reason, and flags a 1-byte body', () => {
    assert.deepEqual(parseClose(Buffer.alloc(0)), { reason: Buffer.alloc(0), malformed: false });
    assert.deepEqual(parseClose(hex('03')), { reason: Buffer.alloc(0), malformed: true });
    assert.deepEqual(parseClose(hex('03 ea')), { code: 1002, reason: Buffer.alloc(0), malformed: false });
    const p = parseClose(closePayload(1008, 'policy violation'));
    assert.equal(p.code, 1008);
    assert.equal(p.reason.toString(), 'policy violation');
  });

  it('isValidCloseCode follows RFC 6455 §7.4 and the IANA registry', () => {
    for (const c of [1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 1012, 1013, 1014, 3000, 4000, 4999]) {
      assert.ok(isValidCloseCode(c), `${c} valid`);
    }
    for (const c of [0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535]) assert.ok(!isValidCloseCode(c), `${c} invalid`);
  });
});

describe('helpers', () => {
  it('isValidUtf8 rejects the F10 vectors and accepts a 4-byte character', () => {
    for (const bad of ['c3 28', 'c0 af', 'ed a0 80', 'f4 90 80 80', 'f0 9f 98']) assert.ok(!isValidUtf8(hex(bad)), bad);
    assert.ok(isValidUtf8(hex('f0 9f 98 80')));
    assert.ok(isValidUtf8(Buffer.alloc(0)));
  });

  it('names opcodes and tells control opcodes apart', () => {
    assert.equal(opcodeName(Opcode.TEXT), 'text');
    assert.equal(opcodeName(0xb), 'reserved-0xb');
    assert.ok(isControlOpcode(Opcode.PING));
    assert.ok(isControlOpcode(0xf));
    assert.ok(!isControlOpcode(Opcode.CONTINUATION));
    assert.ok(!isControlOpcode(0x7));
  });

  it('toHex renders bytes for reports', () => {
    assert.equal(toHex(RFC.helloUnmasked), '81 05 48 65 6c 6c 6f');
    assert.equal(toHex(Buffer.alloc(5), 2), '00 00 … (5 bytes)');
  });
});

describe('FrameReader', () => {
  const stream = Buffer.concat([
    RFC.helloUnmasked,
    RFC.helloMasked,
    RFC.helFragment,
    RFC.pingHello,
    RFC.loFragment,
    RFC.pongHelloMasked,
    buildFrame({ opcode: Opcode.BINARY, payload: Buffer.alloc(256, 1), mask: null }),
    buildFrame({ opcode: Opcode.CLOSE, payload: closePayload(1000, 'bye'), mask: null }),
  ]);
  const expected = [
    { fin: true, opcode: 1, masked: false, payload: 'Hello' },
    { fin: true, opcode: 1, masked: true, payload: 'Hello' },
    { fin: false, opcode: 1, masked: false, payload: 'Hel' },
    { fin: true, opcode: 9, masked: false, payload: 'Hello' },
    { fin: true, opcode: 0, masked: false, payload: 'lo' },
    { fin: true, opcode: 10, masked: true, payload: 'Hello' },
    { fin: true, opcode: 2, masked: false, payload: Buffer.alloc(256, 1).toString('latin1') },
    { fin: true, opcode: 8, masked: false, payload: '\u0003\u00e8bye' },
  ];
  const summary = (frames: ParsedFrame[]) =>
    frames.map((f) => ({ fin: f.fin, opcode: f.opcode, masked: f.masked, payload: f.payload.toString(f.opcode === 1 || f.opcode === 9 || f.opcode === 10 || f.opcode === 0 ? 'utf8' : 'latin1') }));

  it('parses the RFC vectors in one chunk, unmasking masked frames', () => {
    const frames = readAll([stream]);
    assert.deepEqual(summary(frames), expected);
    assert.equal(frames[6]!.lengthBits, 16);
    assert.ok(frames.every((f) => f.minimalLength && f.rsv === 0));
    assert.equal(frames[1]!.wireBytes, RFC.helloMasked.length);
  });

  it('gives the same frames for every two-chunk split', () => {
    for (let at = 0; at <= stream.length; at++) {
      assert.deepEqual(summary(readAll([stream.subarray(0, at), stream.subarray(at)])), expected, `split at ${at}`);
    }
  });

  it('gives the same frames byte by byte and for random chunkings', () => {
    assert.deepEqual(summary(readAll([...stream].map((b) => Buffer.from([b])))), expected);
    const rand = prng(6455);
    for (let round = 0; round < 200; round++) {
      const chunks: Buffer[] = [];
      for (let i = 0; i < stream.length; ) {
        const n = 1 + Math.floor(rand() * 40);
        chunks.push(stream.subarray(i, i + n));
        i += n;
      }
      assert.deepEqual(summary(readAll(chunks)), expected, `round ${round}`);
    }
  });

  it('returns nothing until a frame is complete, including a split extended length', () => {
    const reader = new FrameReader();
    const frame = buildFrame({ opcode: Opcode.BINARY, payload: Buffer.alloc(65536, 7), mask: null });
    assert.deepEqual(reader.push(frame.subarray(0, 1)), []);
    assert.deepEqual(reader.push(frame.subarray(1, 5)), []);
    assert.deepEqual(reader.push(frame.subarray(5, 40_000)), []);
    const [f] = reader.push(frame.subarray(40_000));
    assert.equal(f!.payload.length, 65536);
    assert.equal(f!.lengthBits, 64);
    assert.equal(reader.bufferedBytes, 0);
  });

  it('reports RSV bits, reserved opcodes and non-minimal lengths instead of failing', () => {
    const frames = readAll([
      Buffer.concat([
        buildFrame({ opcode: 0xb, rsv1: true, rsv3: true, payload: 'x', mask: null }),
        buildFrame({ opcode: 1, payload: 'Hello', mask: null, lengthEncoding: '16' }),
        buildFrame({ opcode: 1, payload: Buffer.alloc(200), mask: null, lengthEncoding: '64' }),
        buildFrame({ opcode: 1, payload: Buffer.alloc(0), mask: null }),
      ]),
    ]);
    assert.equal(frames[0]!.opcode, 0xb);
    assert.equal(frames[0]!.rsv, 0b101);
    assert.equal(frames[1]!.lengthBits, 16);
    assert.equal(frames[1]!.minimalLength, false);
    assert.equal(frames[1]!.payload.toString(), 'Hello');
    assert.equal(frames[2]!.lengthBits, 64);
    assert.equal(frames[2]!.minimalLength, false);
    assert.equal(frames[3]!.payload.length, 0);
  });

  it('fails on a 64-bit length with the MSB set, and stays failed', () => {
    const reader = new FrameReader();
    const bad = buildFrame({ opcode: 2, declaredLength: 1n << 63n, mask: null });
    assert.throws(() => reader.push(bad), (err: unknown) => err instanceof FrameParseError && err.code === 'LENGTH_MSB_SET');
    assert.throws(() => reader.push(RFC.helloUnmasked), FrameParseError);
    assert.equal(reader.error?.code, 'LENGTH_MSB_SET');
  });

  it('fails on a frame larger than maxPayloadBytes as soon as the header is in', () => {
    const reader = new FrameReader({ maxPayloadBytes: 1024 });
    const header = buildFrame({ opcode: 2, declaredLength: 256 * 1024 * 1024, mask: null });
    assert.throws(() => reader.push(header), (err: unknown) => err instanceof FrameParseError && err.code === 'TOO_LARGE');
    const r2 = new FrameReader({ maxPayloadBytes: 1024 });
    assert.throws(() => r2.push(buildFrame({ opcode: 2, declaredLength: 2000, mask: null, lengthEncoding: '16' })), FrameParseError);
    const r3 = new FrameReader({ maxPayloadBytes: 1024 });
    assert.equal(r3.push(buildFrame({ opcode: 2, payload: Buffer.alloc(1024), mask: null })).length, 1);
  });

  it('round-trips random specs through buildFrame', () => {
    const rand = prng(42);
    const specs = Array.from({ length: 100 }, () => {
      const len = [0, 1, 125, 126, 127, 1000, 65535, 65536, 70_000][Math.floor(rand() * 9)]!;
      return {
        fin: rand() < 0.5,
        rsv1: rand() < 0.2,
        opcode: Math.floor(rand() * 16),
        payload: Buffer.from(Array.from({ length: len }, () => Math.floor(rand() * 256))),
        mask: rand() < 0.5 ? null : ('random' as const),
      };
    });
    const frames = readAll([Buffer.concat(specs.map((s) => buildFrame(s)))]);
    assert.equal(frames.length, specs.length);
    frames.forEach((f, i) => {
      const s = specs[i]!;
      assert.equal(f.fin, s.fin);
      assert.equal(f.rsv, s.rsv1 ? 4 : 0);
      assert.equal(f.opcode, s.opcode);
      assert.equal(f.masked, s.mask !== null);
      assert.ok(f.payload.equals(s.payload));
    });
  });
});
