/**
 * A change's statements on PostgreSQL, on one client inside the commit's transaction (postgres.ts):
 * new stories in one statement per table, the rest one by one in order, listings dropped, source
 * bookkeeping merged; the sources whose listings changed, and their counts, tracked as it goes.
 */
import type pg from 'pg';
import { WirefeedError } from '../errors.js';
import type { StoredStory } from '../model.js';
import { emptySourceState, type Change, type CommitResult } from './index.js';
import { esc, toSource, unesc } from './pg-rows.js';
import { relisted, STORY_COLUMNS, unlisted, type SourceRow } from './rows.js';

type Queryable = Pick<pg.PoolClient, 'query'>;

const UPSERT = `INSERT INTO stories (${STORY_COLUMNS}) VALUES (${STORY_COLUMNS.split(', ').map((_, i) => `$${i + 1}`).join(', ')})
  ON CONFLICT (id) DO UPDATE SET ${STORY_COLUMNS.split(', ')
    .filter((c) => c !== 'id')
    .map((c) => `${c} = excluded.${c}`)
    .join(', ')}`;

function storyParams(s: StoredStory, origin: string | null): unknown[] {
  return [
    esc(s.id), JSON.stringify(s.keys), esc(s.leadKey), JSON.stringify(s.sources), esc(origin), esc(s.headline), s.headlineDerived,
    esc(s.place), JSON.stringify(s.agencies), esc(s.section), JSON.stringify(s.body), esc(s.bodyHash), esc(s.link), esc(s.author),
    esc(s.image), esc(s.lang), esc(s.firstSeen), esc(s.lastSeen), esc(s.publishedEarliest), esc(s.publishedLatest), esc(s.updated),
  ];
}

/** A change's statements on one client inside its transaction (mirrors SqliteStore.apply). */
export async function apply(db: Queryable, change: Change): Promise<CommitResult> {
  const touched = new Set<string>();
  const counts = new Map<string, number>();
  for (const story of await putNew(db, change.put ?? [], touched, counts)) await put(db, story, touched, counts);
  for (const story of await putNew(db, change.quiet ?? [], null, counts)) await put(db, story, null, counts);
  if (change.seen !== undefined && change.seen.ids.length > 0) {
    await db.query(`UPDATE stories SET last_seen = $1 WHERE id = ANY($2::text[])`, [esc(change.seen.at), change.seen.ids.map(esc)]);
  }
  if (change.unlist !== undefined) for (const id of change.unlist.ids) await unlist(db, id, change.unlist.sourceId, touched, counts);
  for (const [id, delta] of counts) {
    if (delta === 0) continue;
    await db.query(
      `INSERT INTO source_counts (source_id, stories) VALUES ($1, $2) ON CONFLICT (source_id) DO UPDATE SET stories = source_counts.stories + excluded.stories`,
      [esc(id), delta],
    );
  }
  for (const [id, origin] of Object.entries(change.origins ?? {})) await db.query(`UPDATE stories SET origin = $1 WHERE id = $2`, [esc(origin), esc(id)]);
  for (const [id, patch] of Object.entries(change.sources ?? {})) {
    const row = (await db.query<SourceRow>(`SELECT * FROM sources WHERE id = $1 FOR UPDATE`, [esc(id)])).rows[0];
    const s = { ...(row === undefined ? emptySourceState() : toSource(row)), ...patch };
    await db.query(
      `INSERT INTO sources (id, etag, last_modified, last_attempt, last_success, last_error, consecutive_failures, next_attempt_after, content_hash, last_page_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (id) DO UPDATE SET etag = excluded.etag, last_modified = excluded.last_modified, last_attempt = excluded.last_attempt,
         last_success = excluded.last_success, last_error = excluded.last_error, consecutive_failures = excluded.consecutive_failures,
         next_attempt_after = excluded.next_attempt_after, content_hash = excluded.content_hash, last_page_at = excluded.last_page_at`,
      [esc(id), esc(s.etag), esc(s.lastModified), esc(s.lastAttempt), esc(s.lastSuccess), esc(s.lastError), s.consecutiveFailures, esc(s.nextAttemptAfter), esc(s.contentHash), esc(s.lastPageAt)],
    );
  }
  return { touched: [...touched].sort() };
}

interface Held {
  sources: string;
  origin: string | null;
  keys: string;
  published_latest: string;
}

async function held(db: Queryable, id: string): Promise<Held | undefined> {
  return (await db.query<Held>(`SELECT sources, origin, keys, published_latest FROM stories WHERE id = $1 FOR UPDATE`, [esc(id)])).rows[0];
}

/**
 * Insert those of `stories` that are not stored yet with one statement per table, and return the
 * rest (stored ones, and a second put of one id) in order, for put() one at a time: an import, or
 * a page of new stories, then takes a few round trips instead of four for every story. The same
 * rows as put() writes for a new story (no origin yet).
 */
async function putNew(db: Queryable, stories: readonly StoredStory[], touched: Set<string> | null, counts: Map<string, number>): Promise<readonly StoredStory[]> {
  if (stories.length < 2) return stories;
  const ids = stories.map((s) => esc(s.id));
  const stored = new Set((await db.query<{ id: string }>(`SELECT id FROM stories WHERE id = ANY($1::text[]) FOR UPDATE`, [ids])).rows.map((r) => r.id));
  const fresh: StoredStory[] = [];
  const rest: StoredStory[] = [];
  stories.forEach((story, i) => {
    if (stored.has(ids[i]!)) {
      rest.push(story);
      return;
    }
    if (story.sources[0] === undefined) throw new WirefeedError('store', 'E_NO_SOURCE', `story ${story.id} has no source`);
    // Stored by the time a second put of this id comes, which put() then applies in order.
    stored.add(ids[i]!);
    fresh.push(story);
  });
  if (fresh.length === 0) return rest;
  const columns = STORY_COLUMNS.split(', ');
  const rows = fresh.map((story) => storyParams(story, null));
  await db.query(
    `INSERT INTO stories (${STORY_COLUMNS}) SELECT * FROM unnest(${columns.map((c, i) => `$${i + 1}::${c === 'headline_derived' ? 'boolean' : 'text'}[]`).join(', ')})`,
    columns.map((_, i) => rows.map((row) => row[i])),
  );
  const keys = fresh.flatMap((story) => story.keys.map((key) => [esc(key), esc(story.id)] as const));
  await db.query(`INSERT INTO story_keys (key, story_id) SELECT DISTINCT * FROM unnest($1::text[], $2::text[]) ON CONFLICT DO NOTHING`, [
    keys.map((k) => k[0]),
    keys.map((k) => k[1]),
  ]);
  const listings = fresh.flatMap((story) => story.sources.map((source) => [esc(source), esc(story.id), esc(story.publishedLatest)] as const));
  await db.query(`INSERT INTO listings (source_id, story_id, published_latest) SELECT DISTINCT * FROM unnest($1::text[], $2::text[], $3::text[]) ON CONFLICT DO NOTHING`, [
    listings.map((l) => l[0]),
    listings.map((l) => l[1]),
    listings.map((l) => l[2]),
  ]);
  for (const story of fresh) {
    for (const source of new Set(story.sources)) {
      touched?.add(source);
      counts.set(source, (counts.get(source) ?? 0) + 1);
    }
  }
  return rest;
}

async function put(db: Queryable, story: StoredStory, touched: Set<string> | null, counts: Map<string, number>): Promise<void> {
  const was = await held(db, story.id);
  const sources = JSON.stringify(story.sources);
  const origin = relisted(story, was === undefined ? undefined : { sources: JSON.parse(was.sources) as string[], origin: was.origin === null ? null : unesc(was.origin) }, touched, counts);
  await db.query(UPSERT, storyParams(story, origin));
  const id = esc(story.id);
  // A new story has no keys or listings to delete: one round trip each saved (an import is mostly new stories).
  if (was === undefined || was.keys !== JSON.stringify(story.keys)) {
    if (was !== undefined) await db.query(`DELETE FROM story_keys WHERE story_id = $1`, [id]);
    await db.query(`INSERT INTO story_keys (key, story_id) SELECT DISTINCT unnest($1::text[]), $2 ON CONFLICT DO NOTHING`, [story.keys.map(esc), id]);
  }
  if (was === undefined || was.sources !== sources || unesc(was.published_latest) !== story.publishedLatest) {
    if (was !== undefined) await db.query(`DELETE FROM listings WHERE story_id = $1`, [id]);
    await db.query(
      `INSERT INTO listings (source_id, story_id, published_latest) SELECT DISTINCT unnest($1::text[]), $2, $3 ON CONFLICT DO NOTHING`,
      [story.sources.map(esc), id, esc(story.publishedLatest)],
    );
  }
}

async function unlist(db: Queryable, id: string, sourceId: string, touched: Set<string>, counts: Map<string, number>): Promise<void> {
  const was = await held(db, id);
  if (was === undefined) return;
  const left = unlisted({ sources: JSON.parse(was.sources) as string[], origin: was.origin === null ? null : unesc(was.origin) }, sourceId, touched, counts);
  if (left === null) return;
  if (left.sources.length === 0) {
    await db.query(`DELETE FROM stories WHERE id = $1`, [esc(id)]);
    return;
  }
  await db.query(`DELETE FROM listings WHERE source_id = $1 AND story_id = $2`, [esc(sourceId), esc(id)]);
  await db.query(`UPDATE stories SET sources = $1, origin = $2 WHERE id = $3`, [JSON.stringify(left.sources), esc(left.origin), esc(id)]);
}
