/** Small pieces most checks share: opening a probe connection, sending frames and reading the close. */
import type { ScanContext } from '../context.js';
import type { Evidence } from '../types.js';
import type { CloseResult, HandshakeError, RawSocket } from '../wire/raw-client.js';
import { toHex } from '../wire/frame.js';

/** Evidence line for a handshake that was refused (or not). */
export function handshakeEvidence(label: string, sent: string, error: HandshakeError | null): Evidence {
  if (!error) return { label, sent, received: 'HTTP/1.1 101 Switching Protocols (accepted)' };
  return { label, sent, received: error.statusLine ?? `${error.kind}: ${error.message}` };
}

export type ProbeConnection = { ok: true; socket: RawSocket } | { ok: false; reason: string };

/** Opens a baseline connection for a frame-level probe, recording the 101's headers. */
export async function openProbe(ctx: ScanContext, probe: string): Promise<ProbeConnection> {
  const result = await ctx.open();
  if (!result.ok) return { ok: false, reason: `baseline handshake refused: ${result.error.message}` };
  return { ok: true, socket: result.socket };
}

/**
 * Sends raw bytes on a fresh baseline connection and waits for the server's close (or the
 * timeout); records the close reason for fingerprinting. Always destroys the socket.
 */
export async function sendAndWaitClose(ctx: ScanContext, probe: string, bytes: Buffer | Buffer[], waitMs = ctx.options.timeoutMs): Promise<{ close: CloseResult; evidence: Evidence } | { error: string }> {
  const conn = await openProbe(ctx, probe);
  if (!conn.ok) return { error: conn.reason };
  const socket = conn.socket;
  try {
    for (const chunk of Array.isArray(bytes) ? bytes : [bytes]) socket.write(chunk);
    const close = await socket.waitClose(waitMs, { echo: true });
    if (close.closeFrameReceived) ctx.noteClose(probe, close.code, close.reason);
    const sent = (Array.isArray(bytes) ? bytes : [bytes]).map((b) => toHex(b, 32)).join(' | ');
    return { close, evidence: { label: probe, sent, received: describeClose(close) } };
  } finally {
    socket.destroy();
  }
}

export function describeClose(close: CloseResult): string {
  if (close.closeFrameReceived) {
    return `close ${close.code ?? '(no code)'}${close.reason ? ` "${close.reason}"` : ''} after ${close.elapsedMs} ms${close.tcpClosed ? ', TCP closed' : ''}`;
  }
  if (close.tcpClosed) return `TCP closed without a close frame after ${close.elapsedMs} ms${close.tcpError ? ` (${close.tcpError})` : ''}`;
  return `connection still open after ${close.elapsedMs} ms`;
}
