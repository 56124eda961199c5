/**
 * Refuses an upgrade before any 101: a real HTTP status, `Connection: close`, a short generic
 * body, then the TCP connection ends. Nothing after the refused request is read from that
 * socket, so a request smuggled behind it reaches nobody (catalogue H12).
 */
import type { Duplex } from 'node:stream';
import { STATUS_CODES } from 'node:http';

export function rejectUpgrade(socket: Duplex, status: number, extraHeaders: Record<string, string> = {}): void {
  if (socket.destroyed) return;
  const body = `${STATUS_CODES[status] ?? 'Error'}\n`;
  const headers = {
    Connection: 'close',
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(body)),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    ...extraHeaders,
  };
  const head = Object.entries(headers)
    .map(([k, v]) => `${k}: ${v}`)
    .join('\r\n');
  socket.removeAllListeners('data');
  socket.pause();
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n${head}\r\n\r\n${body}`);
  // A peer that never reads would keep the socket half-open; cut it after a short grace.
  setTimeout(() => socket.destroy(), 1000).unref();
}
