/**
 * RFC 6455 frames for the scanner: a builder that can produce valid and deliberately INVALID
 * frames (reserved bits, reserved opcodes, unmasked, non-minimal or lying length fields), and an
 * incremental reader for what a server sends back.
 *
 * Pure: no sockets, no timers, no global state. The only randomness is the default masking key
 * (crypto.randomBytes, as RFC 6455 §5.3 requires an unpredictable key).
 *
 * Wire layout (§5.2), for reference:
 *
 *   byte 0: FIN(1) RSV1(1) RSV2(1) RSV3(1) opcode(4)
 *   byte 1: MASK(1) payload-len(7)     126 → 16-bit length follows, 127 → 64-bit length follows
 *   then the extended length, then the 4-byte masking key if MASK, then the payload
 *   (XORed with the key, byte i with key[i % 4]).
 */
import { randomBytes } from 'node:crypto';
import { isUtf8 } from 'node:buffer';

/** Opcodes defined by RFC 6455 §5.2; 0x3–0x7 and 0xB–0xF are reserved. */
export const Opcode = {
  CONTINUATION: 0x0,
  TEXT: 0x1,
  BINARY: 0x2,
  CLOSE: 0x8,
  PING: 0x9,
  PONG: 0xa,
} as const;
export type KnownOpcode = (typeof Opcode)[keyof typeof Opcode];

/** Reserved non-control opcodes (a conforming endpoint fails the connection on them). */
export const RESERVED_DATA_OPCODES: readonly number[] = Object.freeze([0x3, 0x4, 0x5, 0x6, 0x7]);
/** Reserved control opcodes. */
export const RESERVED_CONTROL_OPCODES: readonly number[] = Object.freeze([0xb, 0xc, 0xd, 0xe, 0xf]);

/** Largest payload a control frame may carry (§5.5). */
export const MAX_CONTROL_PAYLOAD = 125;

/** Control frames have the high bit of the opcode set (0x8–0xF). */
export function isControlOpcode(opcode: number): boolean {
  return (opcode & 0x8) !== 0;
}

/** The name of a defined opcode, or `reserved-0xN`. */
export function opcodeName(opcode: number): string {
  switch (opcode) {
    case Opcode.CONTINUATION:
      return 'continuation';
    case Opcode.TEXT:
      return 'text';
    case Opcode.BINARY:
      return 'binary';
    case Opcode.CLOSE:
      return 'close';
    case Opcode.PING:
      return 'ping';
    case Opcode.PONG:
      return 'pong';
    default:
      return `reserved-0x${opcode.toString(16)}`;
  }
}

/** `'random'`: a fresh random key per frame (what a client must do); `null`: no MASK bit. */
export type MaskOption = Buffer | null | 'random';

/** How the payload length is written: the shortest form (what the RFC requires), or forced. */
export type LengthEncoding = 'minimal' | '16' | '64';

export interface FrameSpec {
  /** FIN bit. Default true. */
  fin?: boolean;
  rsv1?: boolean;
  rsv2?: boolean;
  rsv3?: boolean;
  /** 0..15; reserved values are allowed (that is the point). */
  opcode: number;
  /** The bytes after the header (strings are UTF-8). Default empty. */
  payload?: Buffer | string;
  /** Default `'random'`. A Buffer must be exactly 4 bytes. */
  mask?: MaskOption;
  /** Default `'minimal'` (chosen from the declared length). */
  lengthEncoding?: LengthEncoding;
  /**
   * The length written in the header, when it should differ from the payload actually appended:
   * e.g. announce 256 MiB and send no body, or set the 64-bit MSB. 0 ≤ value < 2^64.
   */
  declaredLength?: bigint | number;
}

const TWO_POW_64 = 1n << 64n;

/**
 * Builds one frame. Valid by default (FIN set, masked with a random key, minimal length); every
 * field can be forced to an invalid value. Throws RangeError only for specs that cannot be
 * written at all (opcode outside 0..15, a length that does not fit the chosen encoding, a mask
 * key that is not 4 bytes).
 */
export function buildFrame(spec: FrameSpec): Buffer {
  const { opcode } = spec;
  if (!Number.isInteger(opcode) || opcode < 0 || opcode > 0xf) throw new RangeError(`opcode must be an integer 0..15, got ${opcode}`);
  const payload = toBuffer(spec.payload ?? Buffer.alloc(0));
  const declared = spec.declaredLength === undefined ? BigInt(payload.length) : BigInt(spec.declaredLength);
  if (declared < 0n || declared >= TWO_POW_64) throw new RangeError(`declaredLength must be in [0, 2^64), got ${declared}`);

  const encoding = spec.lengthEncoding ?? 'minimal';
  let lengthBits: 7 | 16 | 64;
  if (encoding === 'minimal') lengthBits = declared <= 125n ? 7 : declared <= 0xffffn ? 16 : 64;
  else if (encoding === '16') {
    if (declared > 0xffffn) throw new RangeError(`length ${declared} does not fit a 16-bit length field`);
    lengthBits = 16;
  } else lengthBits = 64;

  const maskOption = spec.mask === undefined ? 'random' : spec.mask;
  let key: Buffer | null;
  if (maskOption === 'random') key = randomBytes(4);
  else if (maskOption === null) key = null;
  else {
    if (maskOption.length !== 4) throw new RangeError(`a masking key is 4 bytes, got ${maskOption.length}`);
    key = maskOption;
  }

  const extLength = lengthBits === 7 ? 0 : lengthBits === 16 ? 2 : 8;
  const headerLength = 2 + extLength + (key ? 4 : 0);
  const frame = Buffer.allocUnsafe(headerLength + payload.length);
  frame[0] =
    ((spec.fin ?? true) ? 0x80 : 0) | (spec.rsv1 ? 0x40 : 0) | (spec.rsv2 ? 0x20 : 0) | (spec.rsv3 ? 0x10 : 0) | opcode;
  const len7 = lengthBits === 7 ? Number(declared) : lengthBits === 16 ? 126 : 127;
  frame[1] = (key ? 0x80 : 0) | len7;
  if (lengthBits === 16) frame.writeUInt16BE(Number(declared), 2);
  else if (lengthBits === 64) frame.writeBigUInt64BE(declared, 2);
  let offset = 2 + extLength;
  if (key) {
    key.copy(frame, offset);
    offset += 4;
    for (let i = 0; i < payload.length; i++) frame[offset + i] = payload[i]! ^ key[i & 3]!;
  } else {
    payload.copy(frame, offset);
  }
  return frame;
}

/** XORs `data` with a 4-byte key (masking and unmasking are the same operation). Returns a copy. */
export function applyMask(data: Buffer, key: Buffer): Buffer {
  if (key.length !== 4) throw new RangeError(`a masking key is 4 bytes, got ${key.length}`);
  const out = Buffer.allocUnsafe(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i]! ^ key[i & 3]!;
  return out;
}

/**
 * The body of a close frame: 2-byte big-endian code, then the reason bytes. No validation on
 * purpose: codes such as 0, 1005 or 5000, reasons longer than 123 bytes and invalid UTF-8 (pass a
 * Buffer) are exactly what the scanner needs to send. Only a code outside 0..65535 is refused.
 */
export function closePayload(code: number, reason: string | Buffer = ''): Buffer {
  if (!Number.isInteger(code) || code < 0 || code > 0xffff) throw new RangeError(`a close code is 0..65535, got ${code}`);
  const reasonBytes = toBuffer(reason);
  const out = Buffer.allocUnsafe(2 + reasonBytes.length);
  out.writeUInt16BE(code, 0);
  reasonBytes.copy(out, 2);
  return out;
}

export interface ParsedClose {
  /** Absent for an empty body (no status) and for a malformed 1-byte body. */
  code?: number;
  /** The reason bytes as sent (check `isValidUtf8` before trusting them as text). */
  reason: Buffer;
  /** A 1-byte body, which RFC 6455 §5.5.1 does not allow. */
  malformed: boolean;
}

/** Splits a close frame's payload into code and reason. Never throws. */
export function parseClose(payload: Buffer): ParsedClose {
  if (payload.length === 0) return { reason: Buffer.alloc(0), malformed: false };
  if (payload.length === 1) return { reason: Buffer.alloc(0), malformed: true };
  return { code: payload.readUInt16BE(0), reason: payload.subarray(2), malformed: false };
}

/**
 * Whether a status code may appear in a close frame on the wire (RFC 6455 §7.4 plus the IANA
 * registry): 1000–1003, 1007–1014, 3000–4999. 1004 is reserved, 1005/1006/1015 must never be
 * sent, 0–999 are unused, 1016–2999 unassigned, ≥5000 undefined.
 */
export function isValidCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

/** Strict UTF-8 validation (no overlongs, surrogates or code points above U+10FFFF). */
export function isValidUtf8(data: Buffer): boolean {
  return isUtf8(data);
}

/** One frame as read off the wire. */
export interface ParsedFrame {
  fin: boolean;
  /** The three reserved bits as a number: RSV1 = 4, RSV2 = 2, RSV3 = 1. */
  rsv: number;
  opcode: number;
  /** Payload, unmasked when the frame was masked. */
  payload: Buffer;
  /** Whether the MASK bit was set (a server must never mask, §5.1). */
  masked: boolean;
  /** Size of the length field used: 7, 16 or 64 bits. */
  lengthBits: 7 | 16 | 64;
  /** Whether the length used the shortest encoding (§5.2 requires it). */
  minimalLength: boolean;
  /** Header plus payload bytes on the wire. */
  wireBytes: number;
}

export type FrameParseErrorCode = 'LENGTH_MSB_SET' | 'TOO_LARGE' | 'FAILED';

export class FrameParseError extends Error {
  readonly code: FrameParseErrorCode;
  constructor(code: FrameParseErrorCode, message: string) {
    super(message);
    this.name = 'FrameParseError';
    this.code = code;
  }
}

export interface FrameReaderOptions {
  /** Largest payload accepted from the peer; larger announced lengths fail. Default 16 MiB. */
  maxPayloadBytes?: number;
}

/**
 * Incremental frame parser: feed it chunks as they arrive (split anywhere, even inside the
 * header) and it returns every frame completed so far. It is lenient about what it reports — RSV
 * bits, reserved opcodes, masked or non-minimal frames are returned as they are so the caller can
 * judge them — and strict only about what it cannot safely do: a 64-bit length with the MSB set
 * or a payload above `maxPayloadBytes`. After such an error every further push throws it again.
 */
export class FrameReader {
  readonly #maxPayload: number;
  #chunks: Buffer[] = [];
  #buffered = 0;
  #failed: FrameParseError | null = null;

  constructor(options: FrameReaderOptions = {}) {
    this.#maxPayload = options.maxPayloadBytes ?? 16 * 1024 * 1024;
  }

  /** Bytes received but not yet part of a complete frame. */
  get bufferedBytes(): number {
    return this.#buffered;
  }

  /** The error that stopped this reader, if any. */
  get error(): FrameParseError | null {
    return this.#failed;
  }

  /** Adds a chunk; returns the frames it completed (possibly none). */
  push(chunk: Buffer): ParsedFrame[] {
    if (this.#failed) throw this.#failed;
    if (chunk.length > 0) {
      this.#chunks.push(chunk);
      this.#buffered += chunk.length;
    }
    const frames: ParsedFrame[] = [];
    for (;;) {
      const frame = this.#next();
      if (!frame) return frames;
      frames.push(frame);
    }
  }

  #next(): ParsedFrame | null {
    if (this.#buffered < 2) return null;
    const head = this.#peek(2);
    const b0 = head[0]!;
    const b1 = head[1]!;
    const masked = (b1 & 0x80) !== 0;
    const len7 = b1 & 0x7f;
    const extLength = len7 === 126 ? 2 : len7 === 127 ? 8 : 0;
    const headerLength = 2 + extLength + (masked ? 4 : 0);
    if (this.#buffered < headerLength) return null;
    const header = this.#peek(headerLength);

    let length: number;
    let lengthBits: 7 | 16 | 64;
    let minimalLength: boolean;
    if (len7 === 126) {
      length = header.readUInt16BE(2);
      lengthBits = 16;
      minimalLength = length > 125;
    } else if (len7 === 127) {
      const big = header.readBigUInt64BE(2);
      if (big >= 1n << 63n) return this.#fail('LENGTH_MSB_SET', 'the 64-bit payload length has its most significant bit set');
      if (big > BigInt(this.#maxPayload)) return this.#fail('TOO_LARGE', `a frame announced ${big} bytes, above the ${this.#maxPayload}-byte limit`);
      length = Number(big);
      lengthBits = 64;
      minimalLength = length > 0xffff;
    } else {
      length = len7;
      lengthBits = 7;
      minimalLength = true;
    }
    if (length > this.#maxPayload) return this.#fail('TOO_LARGE', `a frame announced ${length} bytes, above the ${this.#maxPayload}-byte limit`);
    if (this.#buffered < headerLength + length) return null;

    this.#consume(headerLength);
    let payload = this.#consume(length);
    if (masked) payload = applyMask(payload, header.subarray(2 + extLength, 2 + extLength + 4));
    return {
      fin: (b0 & 0x80) !== 0,
      rsv: (b0 >> 4) & 0x7,
      opcode: b0 & 0x0f,
      payload,
      masked,
      lengthBits,
      minimalLength,
      wireBytes: headerLength + length,
    };
  }

  #fail(code: FrameParseErrorCode, message: string): never {
    this.#failed = new FrameParseError(code, message);
    this.#chunks = [];
    this.#buffered = 0;
    throw this.#failed;
  }

  /** The first n buffered bytes (n ≤ buffered), without consuming them. */
  #peek(n: number): Buffer {
    const first = this.#chunks[0]!;
    if (first.length >= n) return first.subarray(0, n);
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    for (const chunk of this.#chunks) {
      const take = Math.min(chunk.length, n - filled);
      chunk.copy(out, filled, 0, take);
      filled += take;
      if (filled === n) break;
    }
    return out;
  }

  /** Removes and returns the first n buffered bytes (n ≤ buffered), as a buffer of its own. */
  #consume(n: number): Buffer {
    this.#buffered -= n;
    if (n === 0) return Buffer.alloc(0);
    const first = this.#chunks[0]!;
    if (first.length > n) {
      this.#chunks[0] = first.subarray(n);
      return Buffer.from(first.subarray(0, n));
    }
    if (first.length === n) {
      this.#chunks.shift();
      return Buffer.from(first);
    }
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    while (filled < n) {
      const chunk = this.#chunks[0]!;
      const take = Math.min(chunk.length, n - filled);
      chunk.copy(out, filled, 0, take);
      filled += take;
      if (take === chunk.length) this.#chunks.shift();
      else this.#chunks[0] = chunk.subarray(take);
    }
    return out;
  }
}

/** Hex of a buffer, bytes separated by spaces (`81 85 37 fa …`), for reports. */
export function toHex(data: Buffer, maxBytes = 64): string {
  const shown = data.subarray(0, maxBytes);
  const hex = [...shown].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  return data.length > maxBytes ? `${hex} … (${data.length} bytes)` : hex;
}

function toBuffer(data: Buffer | string): Buffer {
  return typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
}
