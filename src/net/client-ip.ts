/**
 * The client address: the socket's peer, unless that peer is a configured trusted proxy, in
 * which case the right-most X-Forwarded-For entry that is not itself a trusted proxy.
 * A spoofed X-Forwarded-For from anyone else is ignored, so it can never bypass a limit or ban.
 */
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

export function normalizeIp(ip: string): string {
  // IPv4-mapped IPv6 ("::ffff:127.0.0.1") and plain IPv4 are the same client.
  return ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip;
}

export function clientIp(req: IncomingMessage, trustedProxies: ReadonlySet<string>): string {
  const peer = normalizeIp(req.socket.remoteAddress ?? 'unknown');
  if (!trustedProxies.has(peer)) return peer;
  const header = req.headers['x-forwarded-for'];
  const value = Array.isArray(header) ? header.join(',') : header;
  if (!value) return peer;
  const hops = value.split(',').map((h) => normalizeIp(h.trim()));
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!;
    if (isIP(hop) === 0) return peer; // garbage in the chain: trust nothing after it
    if (!trustedProxies.has(hop)) return hop;
  }
  return peer;
}

export function isLoopback(ip: string): boolean {
  return ip === '127.0.0.1' || ip === '::1' || ip.startsWith('127.');
}
