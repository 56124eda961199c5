/** A protocol v1 test client over a real `ws` socket, plus HTTP helpers for the API. */
import WebSocket from 'ws';

export interface Frame {
  type: string;
  id?: string;
  [key: string]: unknown;
}

export async function api(base: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any; headers: Headers }> {
  const res = await fetch(base + path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = text;
  }
  return { status: res.status, json, headers: res.headers };
}

let userCounter = 0;
/** A unique valid username. */
export function uniqueName(prefix = 'user'): string {
  userCounter++;
  return `${prefix}_${process.pid}_${userCounter}`;
}

export const PASSWORD = 'correct horse battery';

export async function registerAndLogin(base: string, name = uniqueName()): Promise<{ name: string; token: string; user: { id: string; name: string } }> {
  const reg = await api(base, '/api/register', { username: name, password: PASSWORD });
  if (reg.status !== 201) throw new Error(`register ${name}: ${reg.status} ${JSON.stringify(reg.json)}`);
  const login = await api(base, '/api/login', { username: name, password: PASSWORD });
  if (login.status !== 200) throw new Error(`login ${name}: ${login.status}`);
  return { name, token: login.json.token, user: login.json.user };
}

export class TestClient {
  readonly ws: WebSocket;
  readonly frames: Frame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  #waiters: Array<{ match: (f: Frame) => boolean; resolve: (f: Frame) => void }> = [];
  readonly #consumed = new Set<number>();
  #seq = 0;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    this.closed = new Promise((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as Frame;
      this.frames.push(frame);
      const waiter = this.#waiters.findIndex((w) => w.match(frame));
      if (waiter >= 0) {
        this.#consumed.add(this.frames.length - 1);
        const [w] = this.#waiters.splice(waiter, 1);
        w!.resolve(frame);
      }
    });
    ws.on('error', () => {});
  }

  static async connect(wsUrl: string, token: string, options: { headers?: Record<string, string>; protocol?: string } = {}): Promise<TestClient> {
    const ws = new WebSocket(wsUrl, options.protocol ?? 'rampart.v1', {
      headers: { authorization: `Bearer ${token}`, ...options.headers },
    });
    const client = new TestClient(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
      ws.once('error', reject);
    });
    await client.waitFor((f) => f.type === 'hello');
    return client;
  }

  /** Resolves with the first frame not yet taken by another waitFor (received or future) that matches. */
  waitFor(match: (f: Frame) => boolean, timeoutMs = 3000): Promise<Frame> {
    for (let i = 0; i < this.frames.length; i++) {
      if (!this.#consumed.has(i) && match(this.frames[i]!)) {
        this.#consumed.add(i);
        return Promise.resolve(this.frames[i]!);
      }
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        match,
        resolve: (f: Frame) => {
          clearTimeout(timer);
          resolve(f);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        reject(new Error(`timed out waiting for a frame; last frames: ${JSON.stringify(this.frames.slice(-5))}`));
      }, timeoutMs);
      this.#waiters.push(waiter);
    });
  }

  send(frame: Record<string, unknown>): void {
    this.ws.send(JSON.stringify(frame));
  }

  /** Sends a request with a fresh id and resolves with its ok/error reply. */
  async request(frame: Record<string, unknown>): Promise<Frame> {
    const id = `r${++this.#seq}`;
    this.send({ ...frame, id });
    return this.waitFor((f) => (f.type === 'ok' || f.type === 'error') && f.id === id);
  }

  messages(room?: string): Frame[] {
    return this.frames.filter((f) => f.type === 'message' && (room === undefined || f.room === room));
  }

  close(): void {
    this.ws.close();
  }
}
