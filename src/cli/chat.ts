/**
 * `rampart chat`: a small terminal client for protocol v1 — log in over HTTP, connect with the
 * bearer header (never a token in the URL), join a room, print its messages, send each line typed.
 * It is the README's "two terminals" tour and a reference client for the protocol.
 */
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import WebSocket from 'ws';
import { promptHidden } from './password-input.js';

export interface ChatOptions {
  url: string;
  user: string;
  room: string;
  passwordFromStdin: boolean;
  /** Register the user first (for the tour). */
  register: boolean;
}

interface Frame {
  type: string;
  [key: string]: unknown;
}

export async function chat(options: ChatOptions): Promise<number> {
  const base = options.url.replace(/\/+$/, '');
  // With --password-stdin (or a pipe) the first line of stdin is the password and every later
  // line a message (`printf 'pw\nhello\n' | rampart chat …`). On a terminal the password is
  // asked for first, and only then does the message reader start: a reader opened before the
  // prompt would also receive the typed password and send it as a chat message.
  const fromStdin = options.passwordFromStdin || !process.stdin.isTTY;
  const prompted = fromStdin ? null : await promptHidden('Password: ');
  const lines = createInterface({ input: process.stdin, terminal: false });
  const input = lines[Symbol.asyncIterator]();
  const first = prompted === null ? await input.next() : null;
  if (first?.done) return fail('no password on stdin');
  const password = prompted ?? String(first?.value);
  if (options.register) {
    const res = await postJson(`${base}/api/register`, { username: options.user, password });
    if (res.status !== 201 && res.status !== 409) return fail(`register: ${res.status} ${res.text}`);
  }
  const login = await postJson(`${base}/api/login`, { username: options.user, password });
  if (login.status !== 200) return fail(`login: ${login.status} ${login.text}`);
  const { token } = JSON.parse(login.text) as { token: string };

  const ws = new WebSocket(`${base.replace(/^http/, 'ws')}/ws`, 'rampart.v1', { headers: { authorization: `Bearer ${token}` } });
  const print = (line: string): void => {
    process.stdout.write(`${line}\n`);
  };
  let requestId = 0;
  /** Requests sent and not yet answered: stdin's end waits for them before closing. */
  let unanswered = 0;
  const send = (frame: Record<string, unknown>): void => {
    unanswered++;
    ws.send(JSON.stringify({ ...frame, id: `c${++requestId}` }));
  };
  // Lines typed (or piped) before the join is answered wait for it: `send` needs a joined room.
  let markJoined: () => void = () => {};
  const joined = new Promise<void>((resolve) => {
    markJoined = resolve;
  });

  ws.on('message', (data) => {
    const frame = JSON.parse(data.toString()) as Frame;
    if ((frame.type === 'ok' || frame.type === 'error') && typeof frame.id === 'string') unanswered--;
    switch (frame.type) {
      case 'hello':
        send({ type: 'join', room: options.room });
        return;
      case 'ok':
        if (frame.room === options.room && Array.isArray(frame.members)) {
          const names = (frame.members as Array<{ name: string }>).map((m) => m.name).join(', ');
          print(`* joined #${options.room} (present: ${names}). Type a message and press Enter; Ctrl-D quits.`);
          send({ type: 'history', room: options.room, limit: 20 });
          markJoined();
        } else if (Array.isArray(frame.messages)) {
          for (const m of frame.messages as Frame[]) print(formatMessage(m));
        }
        return;
      case 'message':
        if (frame.from && (frame.from as { name: string }).name !== options.user) print(formatMessage(frame));
        return;
      case 'presence':
        if ((frame.user as { name: string }).name === options.user) return;
        print(`* ${(frame.user as { name: string }).name} ${frame.state === 'join' ? 'joined' : 'left'}`);
        return;
      case 'kicked':
        print(`* you were ${String(frame.reason)} from #${String(frame.room)}`);
        return;
      case 'error':
        print(`! ${String(frame.code)}: ${String(frame.message)}${frame.retryAfterMs ? ` (retry in ${String(frame.retryAfterMs)} ms)` : ''}`);
        return;
    }
  });
  const closed = new Promise<number>((resolve) => {
    ws.on('close', (code, reason) => {
      print(`* connection closed: ${code} ${reason.toString()}`);
      resolve(code === 1000 ? 0 : 1);
    });
    ws.on('error', (err) => {
      print(`! ${err.message}`);
      resolve(1);
    });
  });

  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`connection refused: HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  }).catch((err: Error) => {
    process.stderr.write(`rampart chat: ${err.message}\n`);
  });
  void (async () => {
    for (let next = await input.next(); !next.done; next = await input.next()) {
      const text = next.value;
      if (text.trim().length === 0) continue;
      await Promise.race([joined, closed]);
      if (ws.readyState !== WebSocket.OPEN) break;
      // A fresh nonce per line: the server stores a repeated nonce only once.
      send({ type: 'send', room: options.room, text, nonce: randomBytes(12).toString('base64url') });
    }
    // End of input: let the last requests get their replies (at most 3 s), then say goodbye.
    const deadline = Date.now() + 3000;
    while (unanswered > 0 && Date.now() < deadline && ws.readyState === WebSocket.OPEN) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    ws.close(1000);
  })();
  return closed;
}

function formatMessage(m: Frame): string {
  const time = new Date(m.ts as number).toLocaleTimeString();
  return `[${time}] ${(m.from as { name: string }).name}: ${String(m.text)}`;
}

async function postJson(url: string, body: unknown): Promise<{ status: number; text: string }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, text: await res.text() };
}

function fail(message: string): number {
  process.stderr.write(`rampart chat: ${message}\n`);
  return 1;
}
