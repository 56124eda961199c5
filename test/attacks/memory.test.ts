/**
 * Memory under attack (catalogue R2, R8, F8): `rampart serve` runs as a child process, and its
 * resident set size (VmRSS from /proc/<pid>/status) is read before and after each attack, and
 * sampled every 20 ms during it for the peak. Nothing is forced (no GC): the server is measured as
 * it is, 500 ms after the attack ended.
 *
 *   (a) compression bomb, permessage-deflate on: 50 connections each send one compressed frame that
 *       inflates to 64 MiB (~64 KB on the wire, so refused on its wire length), and 50 more each
 *       send one that fits the 16 KiB wire limit but inflates to 15 MiB (refused by the post-inflate
 *       cap). Every one is closed 1009.
 *   (b) slow consumers: 20 clients stop reading while a writer floods their room; each gets 4100
 *       behind its queued data (the per-connection queue is bounded at maxQueuedBytes).
 *   (c) fragments: 100 connections hold a message open after 127 fragments of 100 bytes and then
 *       finish it (128 fragments: answered); 100 connections send 1-byte fragments beyond the
 *       128-fragment cap (1008); 4 connections dribble valid frames in 200 000 single-byte TCP writes.
 *
 * Every attack is bounded in count and time, each is followed by a liveness check, and the file
 * finishes in well under a minute. Only 127.0.0.1.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { constants as zlib, deflateRawSync } from 'node:zlib';
import type { ChildProcess } from 'node:child_process';
import { spawnServe } from '../helpers/cli.js';
import { registerAndLogin, TestClient } from '../helpers/client.js';
import { buildFrame, Opcode, type FrameSpec } from '../../src/scan/wire/frame.js';
import { openRaw, type RawFrame, type RawSocket } from '../../src/scan/wire/raw-client.js';

const MiB = 1024 * 1024;
/** The bound every attack is held to: the server's RSS may not grow by this much. */
const GROWTH_LIMIT = 50 * MiB;
const HAS_PROC = existsSync('/proc/self/status');
const REQUIRE = process.env.RAMPART_REQUIRE_SERVICES === '1';
const SKIP_REASON = 'no /proc on this platform: the server RSS cannot be read (set RAMPART_REQUIRE_SERVICES=1 to make this a failure)';
if (!HAS_PROC && !REQUIRE) console.warn(`\n*** test/attacks/memory.test.ts SKIPPED: ${SKIP_REASON} ***\n`);

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const mb = (bytes: number): string => (bytes / MiB).toFixed(1);

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!match) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]) * 1024;
}

interface Measurement {
  before: number;
  after: number;
  peak: number;
  growth: number;
  peakGrowth: number;
}

/** Runs `attack` while sampling the server's RSS; reads it again 500 ms after the attack. */
async function measure(pid: number, attack: () => Promise<void>): Promise<Measurement> {
  const before = rssOf(pid);
  let peak = before;
  const sampler = setInterval(() => {
    try {
      peak = Math.max(peak, rssOf(pid));
    } catch {
      /* the process is gone: the liveness check reports it */
    }
  }, 20);
  try {
    await attack();
  } finally {
    clearInterval(sampler);
  }
  await sleep(500);
  const after = rssOf(pid);
  peak = Math.max(peak, after);
  return { before, after, peak, growth: after - before, peakGrowth: peak - before };
}

/** Growth after the attack and the sampled peak during it both stay under the limit. */
function assertBounded(m: Measurement, label: string): void {
  assert.ok(m.growth < GROWTH_LIMIT, report(`${label}: RSS grew by 50 MB or more`, m));
  assert.ok(m.peakGrowth < GROWTH_LIMIT, report(`${label}: RSS peaked 50 MB or more above its start`, m));
}

function report(label: string, m: Measurement): string {
  return `${label}: RSS ${mb(m.before)} → ${mb(m.after)} MiB (growth ${mb(m.growth)} MiB), peak ${mb(m.peak)} MiB (+${mb(m.peakGrowth)} MiB)`;
}

function json(frame: RawFrame): Record<string, unknown> | undefined {
  if (frame.opcode !== Opcode.TEXT || frame.rsv !== 0) return undefined;
  try {
    return JSON.parse(frame.payload.toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** `frame` padded with JSON whitespace after its `{` to exactly `bytes` bytes. */
function paddedJson(frame: Record<string, unknown>, bytes: number): Buffer {
  const body = JSON.stringify(frame);
  const padding = bytes - Buffer.byteLength(body);
  assert.ok(padding >= 0);
  return Buffer.from(`{${' '.repeat(padding)}${body.slice(1)}`, 'utf8');
}

/** Compressed per RFC 7692 §7.2.1: DEFLATE with a sync flush, the trailing 00 00 ff ff removed. */
function permessageDeflate(data: Buffer): Buffer {
  const out = deflateRawSync(data, { level: 9, finishFlush: zlib.Z_SYNC_FLUSH });
  assert.equal(out.subarray(-4).toString('hex'), '0000ffff', 'a sync flush ends with 00 00 ff ff');
  return out.subarray(0, -4);
}

/** Runs `fn` over `items` with at most `limit` at a time. */
async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await fn(items[i]!, i);
      }
    }),
  );
  return results;
}

describe('memory under attack (child process, VmRSS)', { timeout: 90_000, skip: !HAS_PROC && !REQUIRE ? SKIP_REASON : false }, () => {
  let child: ChildProcess;
  let url: string;
  let wsUrl: string;
  let dir: string;
  let token: string;
  let canaryToken: string;
  let output: () => string;
  const sockets = new Set<RawSocket>();

  before(async () => {
    if (!HAS_PROC) throw new Error(`RAMPART_REQUIRE_SERVICES=1 but ${SKIP_REASON}`);
    dir = await mkdtemp(join(tmpdir(), 'rampart-memory-'));
    const lifted = '1000000';
    const started = await spawnServe([
      '--port', '0',
      '--data-dir', dir,
      '--permessage-deflate', 'true',
      '--max-connections-per-ip', '1000',
      '--max-connections-per-user', '1000',
      '--messages-per-second', lifted,
      '--message-burst', lifted,
      '--user-messages-per-second', lifted,
      '--user-message-burst', lifted,
      '--registrations-per-ip-per-hour', '1000',
      // The slow readers below are resumed after the measurement to read their 4100: the close
      // handshake and the cut must not fire before that.
      '--slow-consumer-cut-ms', '30000',
      '--close-timeout-ms', '30000',
      '--log-level', 'info',
    ]);
    child = started.child;
    url = started.url;
    output = started.output;
    wsUrl = `${url.replace(/^http/, 'ws')}/ws`;
    const [attacker, canary] = await Promise.all([registerAndLogin(url), registerAndLogin(url)]);
    token = attacker.token;
    canaryToken = canary.token;
    // Warm-up, so lazily loaded code paths are not counted as attack growth.
    await liveness();
  });

  after(async () => {
    for (const s of sockets) s.destroy();
    if (child && child.exitCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(killer);
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  async function raw(options: { deflate?: boolean; token?: string } = {}): Promise<RawSocket> {
    const headers: Record<string, string> = { Authorization: `Bearer ${options.token ?? token}` };
    if (options.deflate) headers['Sec-WebSocket-Extensions'] = 'permessage-deflate; client_max_window_bits';
    const sock = await openRaw({ url: wsUrl, headers, protocols: ['rampart.v1'], timeoutMs: 5000, autoPong: true, maxQueuedFrames: 64 });
    sockets.add(sock);
    const hello = await sock.nextFrame(3000);
    assert.ok(hello, 'the server sent its first frame (hello)');
    return sock;
  }

  let alive = 0;
  async function liveness(): Promise<void> {
    assert.equal(child.exitCode, null, `the server exited: ${output().slice(-2000)}`);
    const c = await TestClient.connect(wsUrl, canaryToken);
    try {
      const joined = await c.request({ type: 'join', room: 'general' });
      assert.equal(joined.type, 'ok', JSON.stringify(joined));
      const text = `alive ${++alive}`;
      const sent = await c.request({ type: 'send', room: 'general', text, nonce: `alive-${alive}` });
      assert.equal(sent.type, 'ok', JSON.stringify(sent));
      const echo = await c.waitFor((f) => f.type === 'message' && f.seq === sent.seq);
      assert.equal(echo.text, text);
    } finally {
      c.close();
    }
  }

  async function closeCode(sock: RawSocket, withinMs: number): Promise<number | undefined> {
    const r = await sock.waitClose(withinMs, { echo: true });
    sock.destroy();
    sockets.delete(sock);
    return r.code;
  }

  it('(a) R2 compression bombs on 50 + 50 connections: each closed 1009, RSS growth < 50 MB', async (t) => {
    // 64 MiB of zeros deflate to ~64 KB: above the 16 KiB limit on the wire already.
    const bomb64 = permessageDeflate(Buffer.alloc(64 * MiB));
    // 15 MiB of zeros deflate to < 16 KiB: passes the wire check and must hit the post-inflate cap.
    const bomb15 = permessageDeflate(Buffer.alloc(15 * MiB));
    assert.ok(bomb15.length < 16 * 1024, `the 15 MiB bomb is ${bomb15.length} bytes compressed, above the wire limit`);
    t.diagnostic(`bombs: 64 MiB → ${bomb64.length} bytes, 15 MiB → ${bomb15.length} bytes compressed`);
    const codes: Array<number | undefined> = [];
    const m = await measure(child.pid!, async () => {
      const socks = await pool(Array.from({ length: 100 }), 25, () => raw({ deflate: true }));
      for (const s of socks) assert.match(s.extensions ?? '', /permessage-deflate/, 'permessage-deflate was negotiated');
      // All bombs go out at once: 100 inflaters would run at the same time if the cap failed.
      socks.forEach((s, i) => s.write(buildFrame({ opcode: Opcode.TEXT, rsv1: true, payload: i % 2 === 0 ? bomb64 : bomb15 })));
      codes.push(...(await Promise.all(socks.map((s) => closeCode(s, 5000)))));
    });
    t.diagnostic(report('(a) compression bombs', m));
    assert.deepEqual(
      codes.filter((c) => c !== 1009),
      [],
      `every bomb is closed 1009; got ${JSON.stringify(codes)}`,
    );
    assertBounded(m, '(a) compression bombs');
    await liveness();
  });

  it('(b) R8 20 slow consumers in a flooded room: each gets 4100, RSS growth < 50 MB', async (t) => {
    const slow: RawSocket[] = [];
    const text = 'x'.repeat(4000);
    let writer: RawSocket | undefined;
    let sent = 0;
    let flagged = 0;
    const m = await measure(child.pid!, async () => {
      // The writer is a raw socket that keeps only its last frames: it reads its own copies too.
      const w = await raw();
      writer = w;
      w.sendText({ type: 'create', id: 'c', room: 'flood', visibility: 'public' });
      w.sendText({ type: 'join', id: 'j', room: 'flood' });
      const joined = await w.waitFor((f) => json(f)?.id === 'j', 3000);
      assert.equal(joined && json(joined)?.type, 'ok');
      for (let i = 0; i < 20; i++) {
        const s = await raw();
        s.sendText({ type: 'join', id: 'j', room: 'flood' });
        const ok = await s.waitFor((f) => json(f)?.id === 'j', 3000);
        assert.equal(ok && json(ok)?.type, 'ok');
        s.pause(); // stops reading: the kernel buffers fill, then the server's queue
        slow.push(s);
      }
      // Flood in rounds until the server has flagged all 20 (bounded: 20 000 messages, 25 s).
      const deadline = Date.now() + 25_000;
      while (flagged < 20 && sent < 20_000 && Date.now() < deadline) {
        for (let i = 0; i < 500; i++, sent++) w.sendText({ type: 'send', id: `w${sent}`, room: 'flood', text, nonce: `w${sent}` });
        const last = `w${sent - 1}`;
        const ack = await w.waitFor((f) => json(f)?.id === last, 15_000);
        assert.equal(ack && json(ack)?.type, 'ok', `the writer's message ${last} was acknowledged`);
        const metrics = await (await fetch(`${url}/metrics`)).text();
        flagged = Number(/^rampart_violations_total\{reason="SLOW_CONSUMER"\} (\d+)/m.exec(metrics)?.[1] ?? 0);
      }
    });
    t.diagnostic(report(`(b) slow consumers (${sent} messages of 4000 chars, ${flagged} flagged)`, m));
    assert.equal(flagged, 20, `all 20 slow readers were flagged after ${sent} messages`);
    // The readers wake up: each reads what was queued for it and then the close 4100.
    for (const s of slow) s.resume();
    const codes = await Promise.all(slow.map((s) => closeCode(s, 20_000)));
    writer?.destroy();
    assert.deepEqual(codes, Array(20).fill(4100), `close codes ${JSON.stringify(codes)}`);
    assertBounded(m, '(b) slow consumers');
    await liveness();
  });

  it('(c) F8 fragment floods: 100 × 128 fragments held open, 100 × 1-byte fragments, 200 000 single-byte writes; RSS growth < 50 MB', async (t) => {
    // 1. 100 connections hold a 128-fragment message open after 127 fragments, then finish it.
    const message = paddedJson({ type: 'rooms', id: 'frag' }, 128 * 100);
    const frags: FrameSpec[] = Array.from({ length: 128 }, (_, i) => ({
      opcode: i === 0 ? Opcode.TEXT : Opcode.CONTINUATION,
      fin: i === 127,
      payload: message.subarray(i * 100, (i + 1) * 100),
    }));
    let replies: Array<string | undefined> = [];
    const held = await measure(child.pid!, async () => {
      const socks = await pool(Array.from({ length: 100 }), 25, () => raw());
      for (const s of socks) s.sendFrames(frags.slice(0, 127));
      await sleep(1000); // stalled mid-message
      for (const s of socks) s.sendFrame(frags[127]!);
      replies = await Promise.all(
        socks.map(async (s) => {
          const r = await s.waitFor((f) => json(f)?.id === 'frag', 5000).catch(() => null);
          s.destroy();
          sockets.delete(s);
          return r ? String(json(r)?.type) : undefined;
        }),
      );
    });
    t.diagnostic(report('(c1) 100 × 128 fragments held open', held));
    assert.deepEqual(replies, Array(100).fill('ok'), 'every 128-fragment message is answered once finished');
    assertBounded(held, '(c1) held fragments');

    // 2. 100 connections send 1-byte fragments past the 128 cap (200 each): closed 1008.
    let codes: Array<number | undefined> = [];
    const tiny = await measure(child.pid!, async () => {
      const socks = await pool(Array.from({ length: 100 }), 25, () => raw());
      const bytes = Buffer.concat(
        Array.from({ length: 200 }, (_, i) => buildFrame({ opcode: i === 0 ? Opcode.TEXT : Opcode.CONTINUATION, fin: false, payload: ' ' })),
      );
      for (const s of socks) s.write(bytes);
      codes = await Promise.all(socks.map((s) => closeCode(s, 5000)));
    });
    t.diagnostic(report('(c2) 100 × 200 one-byte fragments', tiny));
    assert.deepEqual(codes, Array(100).fill(1008), `close codes ${JSON.stringify(codes)}`);
    assertBounded(tiny, '(c2) 1-byte fragments');

    // 3. 4 connections dribble valid frames one byte per TCP write (Nagle off), 200 000 writes in
    //    all, yielding to the event loop between rounds so the server reads tiny chunks; ≤ 12 s.
    const perConn = 50_000;
    let writes = 0;
    let answered = 0;
    let expected = 0;
    const dribble = await measure(child.pid!, async () => {
      const socks = await Promise.all(Array.from({ length: 4 }, () => raw()));
      const streams = socks.map((_, c) => {
        const frames: Buffer[] = [];
        for (let n = 0, size = 0; size < perConn; n++) {
          const f = buildFrame({ opcode: Opcode.TEXT, payload: paddedJson({ type: 'rooms', id: `d${c}-${n}` }, 992) });
          assert.equal(f.length, 1000);
          frames.push(f);
          size += f.length;
        }
        return Buffer.concat(frames).subarray(0, perConn);
      });
      const deadline = Date.now() + 12_000;
      for (let i = 0; i < perConn && Date.now() < deadline; i++) {
        for (let c = 0; c < socks.length; c++) {
          socks[c]!.write(streams[c]!.subarray(i, i + 1));
          writes++;
        }
        if (i % 4 === 3) await new Promise((r) => setImmediate(r));
      }
      // Frames completed by the bytes written: each is 1000 bytes on the wire.
      expected = socks.length * Math.floor(writes / socks.length / 1000);
      await sleep(300);
      for (const s of socks) {
        while (s.pendingFrames.length > 0) {
          const f = await s.nextFrame(100);
          if (f && json(f)?.type === 'ok') answered++;
        }
        assert.equal(s.closeFrame, null, 'a dribbling client of valid frames is not closed');
        s.destroy();
        sockets.delete(s);
      }
    });
    t.diagnostic(report(`(c3) ${writes} single-byte writes on 4 connections`, dribble));
    t.diagnostic(`(c3) ${answered} of ${expected} completed frames answered`);
    assert.ok(writes >= 100_000, `only ${writes} single-byte writes within the time bound`);
    assert.equal(answered, expected, 'every completed frame was answered');
    assertBounded(dribble, '(c3) dribble');
    await liveness();
  });
});
