/** Small pieces several checks share: sending raw bytes on a fresh connection and reading the close. */
import type { ScanContext } from '../context.js';
import type { Evidence } from '../types.js';
import type { CloseResult } from '../wire/raw-client.js';
import { toHex } from '../wire/frame.js';

/**
 * Sends raw bytes on a fresh baseline connection and waits for the server's close (or the
 * timeout); records the close reason for fingerprinting. Always destroys the socket.
 */
export async function sendAndWaitClose(ctx: ScanContext, probe: string, bytes: Buffer | Buffer[], waitMs = ctx.options.timeoutMs): Promise<{ close: CloseResult; evidence: Evidence } | { error: string }> {
  const opened = await ctx.open();
  if (!opened.ok) return { error: `baseline handshake refused: ${opened.error.message}` };
  const socket = opened.socket;
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
