/**
 * Subprotocol negotiation. The server selects, from its own list, the highest version the
 * client also offers; a client offering none of them is refused with 400 before the upgrade.
 * A future `rampart.v2` goes first in SUPPORTED_PROTOCOLS and v1 clients keep getting v1.
 */
export const SUPPORTED_PROTOCOLS = ['rampart.v1'] as const;
export type SupportedProtocol = (typeof SUPPORTED_PROTOCOLS)[number];

/** RFC 7230 token characters; anything else in the header is malformed. */
const TOKEN_RE = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Offers beyond this are refused: no honest client offers dozens of protocols. */
const MAX_OFFERS = 16;

export function selectSubprotocol(header: string | undefined): SupportedProtocol | null {
  if (!header || header.length > 512) return null;
  const offered = header.split(',').map((p) => p.trim());
  if (offered.length > MAX_OFFERS || offered.some((p) => !TOKEN_RE.test(p))) return null;
  // A protocol offered twice is malformed (and ws would refuse it after us).
  if (new Set(offered).size !== offered.length) return null;
  for (const protocol of SUPPORTED_PROTOCOLS) if (offered.includes(protocol)) return protocol;
  return null;
}
