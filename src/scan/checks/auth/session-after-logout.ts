/**
 * RWS-032 — session still usable after logout (catalogue A3, CWE-613). Profile rampart.
 *
 * Logs in a second session of the profile user over POST /api/login, opens a socket with it,
 * logs that session out over POST /api/logout, then:
 * 1. waits up to the timeout (≤ 5 s) for the open socket to be closed by the server;
 * 2. tries a new handshake with the logged-out token.
 * Safe behaviour: the live socket is closed promptly (Rampart: close 4001) and the token is
 * refused (401). Token checked only at the handshake is the auth0 socketio-jwt #38 class of bug.
 * The profile's own session is not touched.
 */
import type { CheckDefinition, Evidence, FindingDetail } from '../../types.js';
import { httpJson } from '../../http-client.js';
import { collectTexts, describeOpen, redact } from '../http-probe.js';
import { describeClose } from '../common.js';

export const sessionAfterLogoutCheck: CheckDefinition = {
  id: 'RWS-032',
  title: 'Session keeps working after logout',
  category: 'auth',
  severity: 'high',
  cwe: 613,
  catalogue: ['A3'],
  profile: 'rampart',
  description:
    'Logs in a second session (POST /api/login), opens a socket with it, logs it out (POST /api/logout), then expects the open socket closed within the timeout (≤ 5 s) and a new handshake with that token refused.',
  remediation:
    'On logout (and on expiry or a ban) revoke the session server-side, close every socket bound to it at once (keep a session → connections map; close 1008 or an application code such as 4001), and re-check sessions on long-lived connections.',
  async run(ctx) {
    const profile = ctx.options.profile;
    if (!profile || !ctx.rampart) return { status: 'skipped', reason: 'needs --profile rampart' };
    const originHeader: Record<string, string> = ctx.options.origin ? { origin: ctx.options.origin } : {};
    const tls = ctx.options.tls ? { tls: ctx.options.tls } : {};
    const login = await httpJson(`${ctx.httpBase}/api/login`, { body: { username: profile.user, password: profile.password }, headers: originHeader, ...tls });
    const token = (login.body as { token?: unknown } | null)?.token;
    if (login.status !== 200 || typeof token !== 'string') return { status: 'error', message: `second login failed: HTTP ${login.status}` };
    const auth = `Bearer ${token}`;
    const evidence: Evidence[] = [{ label: 'second login', sent: `POST ${ctx.httpBase}/api/login {"username":"${profile.user}","password":"…"}`, received: `HTTP ${login.status}, token ${redact('authorization', auth)}` }];

    const opened = await ctx.open({ set: { Authorization: auth }, remove: ['Cookie'] });
    if (!opened.ok) return { status: 'error', message: `a handshake with the second session was refused: ${describeOpen(opened)}` };
    const socket = opened.socket;
    try {
      const hello = await collectTexts(socket, 300, 10, 1000);
      for (const t of hello.texts) ctx.noteText(t);
      evidence.push({ label: 'socket with the second session', received: describeOpen(opened) });

      const logout = await httpJson(`${ctx.httpBase}/api/logout`, { method: 'POST', body: {}, headers: { ...originHeader, authorization: auth }, ...tls });
      evidence.push({ label: 'logout', sent: `POST ${ctx.httpBase}/api/logout (Authorization: ${redact('authorization', auth)})`, received: `HTTP ${logout.status}` });
      if (logout.status < 200 || logout.status >= 300) return { status: 'error', message: `logout failed: HTTP ${logout.status}` };

      const waitMs = Math.min(ctx.options.timeoutMs, 5000);
      const close = await socket.waitClose(waitMs, { echo: true, until: 'frame' });
      if (close.closeFrameReceived) ctx.noteClose('after logout', close.code, close.reason);
      const closed = close.closeFrameReceived || close.tcpClosed;
      const liveItem: Evidence = { label: 'open socket after logout', received: describeClose(close) };
      evidence.push(liveItem);
      await ctx.pace();

      const again = await ctx.open({ set: { Authorization: auth }, remove: ['Cookie'] });
      if (again.ok) again.socket.destroy();
      const againItem: Evidence = { label: 'new handshake with the logged-out token', received: describeOpen(again) };
      evidence.push(againItem);

      const findings: FindingDetail[] = [];
      if (!closed) {
        findings.push({
          message: `A socket opened with a session stayed open ${Math.round(waitMs / 100) / 10} s after that session logged out: a stolen or abandoned session keeps reading and sending on live connections.`,
          evidence: [...evidence.slice(0, 3), liveItem],
        });
      }
      if (again.ok) {
        findings.push({ message: 'A new handshake with a logged-out session token was accepted (101): logout does not revoke the session.', evidence: [evidence[2]!, againItem] });
      }
      if (findings.length > 0) return { status: 'fail', findings };
      return { status: 'pass', note: `after logout the socket closed (${describeClose(close)}) and the token was refused`, evidence };
    } finally {
      socket.destroy();
    }
  },
};
