/**
 * RWS-069: room/subscription explosion (catalogue R10). Aggressive; rampart profile.
 *
 * Joining rooms needs rooms, and creating rooms writes data. The choice: create PRIVATE rooms
 * named `rws-scan-<8 hex of the scanning user's id>-r<i>` — visible to no other user, reused by
 * every later scan of the same user (create answers CONFLICT, the join still works), and created
 * one at a time only until the server refuses a join, so a server with a cap of 64 gets 65 rooms
 * once. Existing rooms of other users are never joined (that would emit presence to them).
 */
import type { CheckDefinition, Evidence, FindingDetail } from '../../types.js';
import { openRampart, pacerFor, scannerRoom } from './rampart-session.js';

/** Joins on one connection before it is a finding: above the catalogue's 128 (Centrifugo channel_limit). */
export const MAX_JOINS = 150;
/** Characters of the over-long room name probe. */
export const LONG_NAME_CHARS = 1000;
const TIME_BUDGET_MS = 60_000;

export const roomCapCheck: CheckDefinition = {
  id: 'RWS-069',
  title: 'No cap on rooms per connection or room-name length',
  category: 'resources',
  severity: 'medium',
  cwe: 770,
  catalogue: ['R10'],
  aggressive: true,
  profile: 'rampart',
  description: `With the rampart profile, on one connection: (1) \`create\` with a ${LONG_NAME_CHARS}-character room name (expected BAD_REQUEST); (2) create-and-join the scanner's private rooms \`rws-scan-<hash>-r1\`, \`-r2\`, … one by one, paced inside the announced rate limit, until a join is refused or ${MAX_JOINS} are joined (at most ${TIME_BUDGET_MS / 1000} s). Pass: the join cap (Rampart: 64 → TOO_LARGE) and the name cap hold. Finding (medium): ${MAX_JOINS} rooms joined on one connection; (low): the long name accepted. Rooms are private, reused by later scans, and never other users' rooms.`,
  remediation:
    'Cap rooms/subscriptions per connection (Rampart maxRoomsPerConnection 64; Centrifugo channel_limit 128) and room-name length (Rampart 64 characters), refusing beyond with an error.',
  async run(ctx) {
    if (!ctx.rampart) return { status: 'skipped', reason: 'needs the rampart profile (rooms to join)' };
    await ctx.pace();
    const opened = await openRampart(ctx);
    if (!opened.ok) return { status: 'error', message: opened.reason };
    const conn = opened.conn;
    const timeoutMs = ctx.options.timeoutMs;
    const pacer = pacerFor(conn.limits);
    try {
      const findings: FindingDetail[] = [];
      const evidence: Evidence[] = [];

      const longName = scannerRoom(ctx, 'n'.repeat(LONG_NAME_CHARS));
      const long = await conn.pacedRequest({ type: 'create', room: longName, visibility: 'private' }, pacer, timeoutMs);
      const longEvidence: Evidence = {
        label: `create with a ${longName.length}-character room name`,
        sent: `{"type":"create","room":"${longName.slice(0, 24)}…(${longName.length} chars)","visibility":"private"}`,
        received: long ? JSON.stringify(long).slice(0, 200) : 'no reply',
      };
      evidence.push(longEvidence);
      if (long?.type === 'ok' || (long?.type === 'error' && long.code === 'CONFLICT')) {
        findings.push({ message: `The server accepts room names of ${longName.length} characters`, severity: 'low', evidence: [longEvidence] });
      }

      const started = Date.now();
      let joined = 0;
      let refusal: string | undefined;
      let tried = 0;
      while (joined < MAX_JOINS && refusal === undefined && Date.now() - started < TIME_BUDGET_MS && tried < MAX_JOINS + 20) {
        tried++;
        const room = scannerRoom(ctx, `r${tried}`);
        const created = await conn.pacedRequest({ type: 'create', room, visibility: 'private' }, pacer, timeoutMs);
        if (!created) {
          refusal = `no reply to create #${tried}${conn.closed ? ' (connection closed)' : ''}`;
          break;
        }
        if (created.type === 'error' && created.code !== 'CONFLICT') {
          refusal = `create #${tried} refused with ${String(created.code)}`;
          break;
        }
        const join = await conn.pacedRequest({ type: 'join', room }, pacer, timeoutMs);
        if (!join) refusal = `no reply to join #${joined + 1}${conn.closed ? ' (connection closed)' : ''}`;
        else if (join.type === 'ok') joined++;
        else if (join.code === 'FORBIDDEN' || join.code === 'NOT_FOUND') continue; // someone else's name: skip it
        else refusal = `join #${joined + 1} refused with ${String(join.code)}`;
      }
      const joinEvidence: Evidence = {
        label: 'rooms joined on one connection',
        sent: `create (private) + join of ${scannerRoom(ctx, 'r1')} … r${tried}, paced at ${Math.round(conn.limits.messagesPerSecond * 0.9)}/s`,
        received: refusal ? `${joined} joined, then ${refusal}` : `${joined} joined without any refusal in ${Date.now() - started} ms`,
      };
      evidence.push(joinEvidence);
      if (refusal === undefined && joined >= MAX_JOINS) {
        findings.push({ message: `The server let one connection join ${joined} rooms without any cap`, evidence: [joinEvidence] });
      }
      if (findings.length > 0) return { status: 'fail', findings };
      const note = refusal === undefined ? `inconclusive: ${joined} rooms joined within the time bound` : `rooms per connection are capped (${joined} joined, then ${refusal}); long names refused`;
      return { status: 'pass', note, evidence };
    } finally {
      conn.destroy();
    }
  },
};
