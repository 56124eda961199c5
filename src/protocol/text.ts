/**
 * Chat text normalisation (DESIGN.md "Contract details", Text).
 *
 * Text is stored and fanned out in NFC so that two renderings of the same words compare equal and
 * a limit means the same thing for every client; it is counted in Unicode code points, not UTF-16
 * units, so an emoji costs one character whatever the client's language. Control characters are
 * refused (they hide text, break terminals and logs: `\r` enables log forging), except `\n` and `\t`,
 * and so are lone surrogates (not encodable as UTF-8, so other clients could not decode them).
 * HTML is not special here: text is data, and clients must render it as text.
 */

export type NormalizeResult = { ok: true; text: string } | { ok: false; code: 'BAD_REQUEST' | 'TOO_LARGE' };

/**
 * Below U+0300 every character is NFC-stable and nothing composes with it unless a combining mark
 * (U+0300 or above) follows, so a string whose units are all below this needs no normalize() call.
 */
const NFC_STABLE_BELOW = 0x300;

/** NFC-normalises `raw` and checks it against the text rules. Never throws. */
export function normalizeText(raw: string, maxChars: number): NormalizeResult {
  if (raw.length === 0) return { ok: false, code: 'BAD_REQUEST' };
  // One pass over the raw string: refuse controls and lone surrogates, note if NFC could change it.
  // NFC never introduces a control character or a surrogate, so checking before normalising suffices.
  let stable = true;
  const n = raw.length;
  for (let i = 0; i < n; i++) {
    const c = raw.charCodeAt(i);
    if (c < 0x20) {
      if (c !== 0x0a && c !== 0x09) return { ok: false, code: 'BAD_REQUEST' };
    } else if (c >= 0x7f && c <= 0x9f) {
      return { ok: false, code: 'BAD_REQUEST' }; // DEL and C1 controls
    } else if (c >= NFC_STABLE_BELOW) {
      stable = false;
      if (c >= 0xd800 && c <= 0xdfff) {
        const next = i + 1 < n ? raw.charCodeAt(i + 1) : 0;
        if (c > 0xdbff || next < 0xdc00 || next > 0xdfff) return { ok: false, code: 'BAD_REQUEST' };
        i++; // a valid pair
      }
    }
  }
  const text = stable ? raw : raw.normalize('NFC');
  // A string never has more code points than UTF-16 units, so short strings skip the count.
  if (text.length > maxChars && countCodePoints(text) > maxChars) return { ok: false, code: 'TOO_LARGE' };
  return { ok: true, text };
}

/** Code points of a well-formed string: its UTF-16 length minus one per surrogate pair. */
export function countCodePoints(s: string): number {
  let count = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) count--;
  }
  return count;
}
