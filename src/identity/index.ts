/**
 * Story identity. What makes two stories the same, in this order:
 *
 * 1. Story key: SHA-256 of the normalised headline. Normalising is Unicode NFKC, then case
 *    folding (lower case, ß → ss, final sigma → sigma), then every run of punctuation,
 *    symbols and white space becomes one space, trimmed. "Trump: 'NAVO sterker'" and
 *    "trump navo sterker" share a key; a changed word gives a new key.
 * 2. Lead key: SHA-256 of the normalised dateline place, a line feed, and the normalised
 *    first sentence of the lead (dateline cut off). It catches a story whose headline was
 *    edited or dropped, such as the top story that moves into the list with a derived headline.
 *    Only stories with a non-empty first sentence have one.
 *
 * A story's id is the first story key it ever got; it never changes (feed readers key on it).
 */
import { createHash } from 'node:crypto';

/** Hex digits kept of a SHA-256: 128 bits, so an id can also be written as a UUID. */
const KEY_HEX = 32;

export function normaliseText(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/ς/g, 'σ')
    .replace(/[\p{P}\p{S}\p{Z}\s\p{Cc}\p{Cf}]+/gu, ' ')
    .trim();
}

function hash(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, KEY_HEX);
}

export function storyKey(headline: string): string {
  return hash(normaliseText(headline));
}

export function leadKey(place: string | null, leadSentence: string): string | null {
  const sentence = normaliseText(leadSentence);
  if (sentence === '') return null;
  return hash(`${normaliseText(place ?? '')}\n${sentence}`);
}

export interface StoryKeys {
  storyKey: string;
  leadKey: string | null;
}

export function storyKeys(story: { headline: string; place: string | null; leadSentence: string }): StoryKeys {
  return { storyKey: storyKey(story.headline), leadKey: leadKey(story.place, story.leadSentence) };
}

/** Hash of the body paragraphs, to tell an edited body from an unchanged one. */
export function bodyHash(body: readonly string[]): string {
  return hash(body.map((p) => p.normalize('NFKC').replace(/\s+/g, ' ').trim()).join('\n'));
}

/**
 * The feed entry id for a story id: a `urn:uuid:` (RFC 9562 version 8, "custom") whose bits
 * are the story key, so it is the same wherever and whenever it is computed.
 */
export function entryUri(storyId: string): string {
  const hex = (storyId + '0'.repeat(KEY_HEX)).slice(0, KEY_HEX).toLowerCase();
  const variant = ((parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  const h = `${hex.slice(0, 12)}8${hex.slice(13, 16)}${variant}${hex.slice(17)}`;
  return `urn:uuid:${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}
