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
 * Both keys only match within one visibility scope (see Scope below): a story listed on a public
 * source and the same headline on a private one are two stories.
 *
 * A story's id is the first story key it ever got, or, when another story (of another scope)
 * already holds that id, the first of hash(scope, key), hash(scope, that), … that no story
 * holds. It never changes (feed readers key on it).
 *
 * Entry ids: a story's entry id in the feed of the source it was first seen on (store origin:
 * `sources[0]`, unless retention has since moved the story on) is entryUri(id); in every other
 * feed it is feedEntryUri(feed id, id). So no two feeds share an entry id, which readers such as
 * newsboat key items by across all feeds, and none changes.
 */
import { createHash, hash as hashOnce } from 'node:crypto';

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
  return hashOnce('sha256', text, 'hex').slice(0, KEY_HEX);
}

/**
 * Who may read what a source contributed: every public source shares PUBLIC_SCOPE; a source with
 * a token is a scope of its own. Nothing of a story crosses scopes, so a reader without a private
 * source's token never sees what it contributed.
 */
export type Scope = string;
export const PUBLIC_SCOPE: Scope = 'public';

export function sourceScope(sourceId: string, hasToken: boolean): Scope {
  return hasToken ? `private:${sourceId}` : PUBLIC_SCOPE;
}

/**
 * A story's scope: that of its first source the caller knows (`scopeOf` returns null for a source
 * no longer configured). A story whose sources are all unknown is a scope of its own: nothing
 * joins it, since what it holds may have been private.
 */
export function storyScope(story: { id: string; sources: readonly string[] }, scopeOf: (sourceId: string) => Scope | null): Scope {
  for (const source of story.sources) {
    const scope = scopeOf(source);
    if (scope !== null) return scope;
  }
  return `unknown:${story.id}`;
}

/** The id a new story gets: its key, unless `held` says a story holds that id already (see above). */
export function newStoryId(key: string, scope: Scope, held: (id: string) => boolean): string {
  let id = key;
  while (held(id)) id = hash(`${scope}\n${id}`);
  return id;
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
  return hash(body.map((p) => collapseSpace(p.normalize('NFKC')).trim()).join('\n'));
}

/** Every run of white space as one space; most text has only single spaces, and is given back as is (a replace of each costs more than the hash). */
function collapseSpace(text: string): string {
  return /\s\s|[^\S ]/.test(text) ? text.replace(/\s+/g, ' ') : text;
}

/**
 * The feed entry id for a story id: a `urn:uuid:` (RFC 9562 version 8, "custom") whose bits
 * are the story key, so it is the same wherever and whenever it is computed.
 */
export function entryUri(storyId: string): string {
  const hex = (storyId + '0'.repeat(KEY_HEX)).slice(0, KEY_HEX).toLowerCase();
  const variant = ((parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  const h = `${hex.slice(0, 12)}8${hex.slice(13, 16)}${variant}${hex.slice(17)}`;
  return uuidUrn(h);
}

function uuidUrn(h: string): string {
  return `urn:uuid:${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** Namespace of feedEntryUri's UUIDs: 5f0c8a52-e4a9-4c1b-9d3e-6b7a21c4f8d0 (a random v4 UUID, fixed forever). */
const FEED_ENTRY_NAMESPACE = Buffer.from('5f0c8a52e4a94c1b9d3e6b7a21c4f8d0', 'hex');

/**
 * A story's entry id in a feed other than its home source feed: an RFC 9562 version 5 UUID
 * (SHA-1 of the namespace, then the name `<feed id>\n<story id>`). The same feed and story give
 * the same id forever; two feeds never give the same one.
 */
export function feedEntryUri(feedId: string, storyId: string): string {
  const digest = createHash('sha1').update(FEED_ENTRY_NAMESPACE).update(`${feedId}\n${storyId}`, 'utf8').digest();
  digest[6] = (digest[6]! & 0x0f) | 0x50;
  digest[8] = (digest[8]! & 0x3f) | 0x80;
  return uuidUrn(digest.subarray(0, 16).toString('hex'));
}
