/**
 * What the store holds for one page, read before its stories are matched (ingest/index.ts): the
 * stories with any of its story keys or lead keys, in two queries for the whole page.
 */
import { storyScope, type Scope, type StoryKeys } from '../identity/index.js';
import type { StoredStory } from '../model.js';
import type { Store } from '../store/index.js';

/** How long a story is matched by its lead key after it was last seen (index.ts, rule 2). */
const LEAD_MATCH_WINDOW_MS = 48 * 3600 * 1000;

/** The scope a page's source is in, and every configured source's. */
export type Scoped = { scope: Scope; scopeOf: (sourceId: string) => Scope | null };

/**
 * What the store holds for a page, read before its stories are matched: the stories with any of
 * its story keys (or one as id), in two queries for the whole page rather than three per story.
 * Each lookup below answers as `withKey`, `byLeadKey` and `get` would: the store does not change
 * while a page is ingested (`exclusive`), and the page's own stories come from the WorkingSet.
 */
export class Lookups {
  private readonly byKey = new Map<string, StoredStory[]>();
  private readonly byLead = new Map<string, StoredStory[]>();
  private readonly ids = new Set<string>();

  private constructor(
    private readonly store: Store,
    private readonly keys: ReadonlySet<string>,
    private readonly sourceId: string,
    readonly since: string,
  ) {}

  static async of(store: Store, page: readonly StoryKeys[], sourceId: string, scoped: Scoped, at: Date): Promise<Lookups> {
    const since = new Date(at.getTime() - LEAD_MATCH_WINDOW_MS).toISOString();
    const l = new Lookups(store, new Set(page.map((k) => k.storyKey)), sourceId, since);
    for (const s of await store.withKeys([...l.keys])) {
      l.ids.add(s.id);
      for (const key of new Set(s.keys)) {
        if (!l.keys.has(key)) continue;
        const rows = l.byKey.get(key);
        if (rows === undefined) l.byKey.set(key, [s]);
        else rows.push(s);
      }
    }
    // withKey's order: the story whose id is the key first, then oldest row first.
    for (const [key, rows] of l.byKey) rows.sort((a, b) => Number(b.id === key) - Number(a.id === key));
    // Lead keys of the stories no held story of their scope has by key: only those are looked up by lead.
    const leads = new Set<string>();
    for (const k of page) {
      if (k.leadKey !== null && !(l.byKey.get(k.storyKey) ?? []).some((s) => storyScope(s, scoped.scopeOf) === scoped.scope)) leads.add(k.leadKey);
    }
    for (const lead of leads) l.byLead.set(lead, []);
    for (const s of await store.byLeadKeys([...leads], sourceId, since)) if (s.leadKey !== null) l.byLead.get(s.leadKey)?.push(s);
    return l;
  }

  withKey(key: string): Promise<StoredStory[]> {
    return this.keys.has(key) ? Promise.resolve(this.byKey.get(key) ?? []) : this.store.withKey(key);
  }

  byLeadKey(leadKey: string): Promise<StoredStory[]> {
    return Promise.resolve(this.byLead.get(leadKey) ?? this.store.byLeadKey(leadKey, this.sourceId, this.since));
  }

  async held(id: string): Promise<boolean> {
    return this.keys.has(id) ? this.ids.has(id) : (await this.store.get(id)) !== null;
  }
}
