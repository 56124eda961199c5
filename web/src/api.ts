/**
 * The HTTP API, same-origin only (relative paths; the CSP's connect-src 'self' forbids any other).
 * The session is the HttpOnly cookie set by /api/login: this module never reads, keeps or sends
 * a token. /api/login also returns the token in its body for non-browser clients; we discard
 * that body unread, and ask /api/session who we are instead.
 */
import type { WireUser } from './protocol.js';

export interface Session {
  user: WireUser;
  expiresAt: string;
}

export type ApiFailure = {
  ok: false;
  status: number;
  /** The server's error code (CONFLICT, RATE_LIMITED, …), or NETWORK when the request never got an answer. */
  code: string;
  retryAfterS?: number;
};
export type ApiResult<T> = { ok: true; value: T } | ApiFailure;

async function call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Response | null> {
  try {
    return await fetch(path, {
      method,
      credentials: 'same-origin',
      cache: 'no-store',
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      body: body === undefined ? null : JSON.stringify(body),
    });
  } catch {
    return null;
  }
}

async function failure(res: Response | null): Promise<ApiFailure> {
  if (!res) return { ok: false, status: 0, code: 'NETWORK' };
  let code = `HTTP_${res.status}`;
  try {
    const json: unknown = await res.json();
    const c = (json as { error?: { code?: unknown } } | null)?.error?.code;
    if (typeof c === 'string' && /^[A-Z_]{1,40}$/.test(c)) code = c;
  } catch {
    /* not JSON: keep the status-derived code */
  }
  const retryAfter = Number(res.headers.get('Retry-After'));
  return { ok: false, status: res.status, code, ...(retryAfter > 0 ? { retryAfterS: Math.ceil(retryAfter) } : {}) };
}

function isSession(v: unknown): v is Session {
  const s = v as Session | null;
  return typeof s === 'object' && s !== null && typeof s.expiresAt === 'string' && typeof s.user?.id === 'string' && typeof s.user?.name === 'string';
}

/** The current session, null when logged out; a failure result when the server cannot be reached. */
export async function getSession(): Promise<ApiResult<Session | null>> {
  const res = await call('GET', '/api/session');
  if (res?.status === 401) {
    await res.body?.cancel();
    return { ok: true, value: null };
  }
  if (!res?.ok) return failure(res);
  const json: unknown = await res.json().catch(() => null);
  return isSession(json) ? { ok: true, value: json } : { ok: false, status: res.status, code: 'BAD_RESPONSE' };
}

export async function register(username: string, password: string): Promise<ApiResult<null>> {
  const res = await call('POST', '/api/register', { username, password });
  if (res?.status === 201) {
    await res.body?.cancel();
    return { ok: true, value: null };
  }
  return failure(res);
}

/** Logs in; on success the browser holds the cookie and we return who we are. */
export async function login(username: string, password: string): Promise<ApiResult<Session>> {
  const res = await call('POST', '/api/login', { username, password });
  if (!res?.ok) return failure(res);
  // The body carries the bearer token for non-browser clients: do not even parse it.
  await res.body?.cancel();
  const session = await getSession();
  if (!session.ok) return session;
  return session.value ? { ok: true, value: session.value } : { ok: false, status: 401, code: 'NO_COOKIE' };
}

export async function logout(): Promise<void> {
  const res = await call('POST', '/api/logout', {});
  await res?.body?.cancel();
}
