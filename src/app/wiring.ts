/** The config as the running daemon looks it up: sources by id, their intervals, feed specs and the catalog. */
import type { LoadedConfig } from '../config/load.js';
import type { SourceConfig } from '../config/schema.js';
import { sourceScope, type Scope } from '../identity/index.js';
import type { Lang } from '../model.js';
import { scheduleIntervalMs } from '../schedule/index.js';
import type { FeedSpec, SourceInfo } from '../select/index.js';
import type { CatalogFeed } from '../serve/index.js';

/**
 * A feed's failing sources as anyone who can open the index may see them: a public source's
 * error as it is, a private one's only as a count, since its error names its URL (which may hold
 * an API key) and its id. Null when none fails.
 */
export function publicError(sources: readonly { private: boolean; error: string | null }[]): string | null {
  const failing = sources.filter((s) => s.error !== null);
  const hidden = failing.filter((s) => s.private).length;
  const shown = failing.flatMap((s) => (s.private || s.error === null ? [] : [s.error]));
  if (hidden > 0) shown.push(hidden === 1 ? 'a private source failing' : `${hidden} private sources failing`);
  return shown.length === 0 ? null : shown.join('; ');
}

/** Each configured source's visibility scope (a token makes a source a scope of its own); null for others. */
export function sourceScopes(sources: readonly SourceConfig[]): (sourceId: string) => Scope | null {
  const scopes = new Map(sources.map((s) => [s.id, sourceScope(s.id, s.token !== undefined)]));
  return (sourceId) => scopes.get(sourceId) ?? null;
}

function concreteLang(lang: SourceConfig['lang']): Lang | null {
  return lang === 'auto' ? null : lang;
}

/** The config turned into what polls and requests look up: sources, intervals, feed specs, the catalog. */
export interface Wiring {
  config: LoadedConfig;
  sources: Map<string, SourceConfig>;
  intervals: Map<string, number>;
  specs: Map<string, FeedSpec>;
  catalog: readonly CatalogFeed[];
  sourceInfo: Map<string, SourceInfo>;
  scopeOf: (sourceId: string) => Scope | null;
}

export function wire(config: LoadedConfig, baseUrl: string): Wiring {
  const sources = new Map(config.sources.map((s) => [s.id, s]));
  // Computing a cron interval walks dates through Intl: once per distinct schedule, not per source.
  const byExpr = new Map<string, number>();
  const intervalOf = (s: SourceConfig): number => {
    if (s.kind !== 'url') return 0;
    const key = `${s.schedule}\n${s.timezone}`;
    let ms = byExpr.get(key);
    if (ms === undefined) byExpr.set(key, (ms = scheduleIntervalMs(s.schedule, s.timezone)));
    return ms;
  };
  const intervals = new Map(config.sources.map((s) => [s.id, intervalOf(s)]));
  const pageOf = (s: SourceConfig) => s.link ?? s.url ?? `${baseUrl}/`;
  const sourceInfo = new Map(config.sources.map((s) => [s.id, { title: s.title, pageUrl: pageOf(s) }]));
  const specs = new Map<string, FeedSpec>();
  const catalog: CatalogFeed[] = [];
  const refreshSeconds = (ids: readonly string[]) => {
    const ms = ids.map((id) => intervals.get(id) ?? 0).filter((n) => n > 0);
    return ms.length > 0 ? Math.round(Math.min(...ms) / 1000) : 300;
  };
  for (const s of config.sources) {
    specs.set(s.id, { id: s.id, title: s.title, sourceIds: [s.id], include: [], exclude: [], limit: 500, alternateUrl: pageOf(s), lang: concreteLang(s.lang) });
    catalog.push({ id: s.id, title: s.title, kind: 'source', token: s.token ?? null, htmlUrl: pageOf(s), refreshSeconds: refreshSeconds([s.id]), maxEntries: 500 });
  }
  for (const f of config.feeds) {
    // Nothing a private source contributed reaches a reader who has not shown a token: a public
    // combined feed leaves its private sources out (`wirefeed check` warns about such a config).
    const shown = f.token !== undefined ? f.sources : f.sources.filter((id) => sources.get(id)?.token === undefined);
    // A combined feed has a configured language when all its sources have the same one.
    const langs = new Set(shown.map((id) => sources.get(id)?.lang ?? 'auto'));
    const lang = langs.size === 1 ? concreteLang([...langs][0]!) : null;
    specs.set(f.id, {
      id: f.id,
      title: f.title,
      sourceIds: shown,
      include: f.include ?? [],
      exclude: f.exclude ?? [],
      limit: f.limit,
      alternateUrl: `${baseUrl}/`,
      lang,
    });
    catalog.push({ id: f.id, title: f.title, kind: 'feed', token: f.token ?? null, htmlUrl: `${baseUrl}/`, refreshSeconds: refreshSeconds(shown), maxEntries: f.limit });
  }
  return { config, sources, intervals, specs, catalog, sourceInfo, scopeOf: sourceScopes(config.sources) };
}
