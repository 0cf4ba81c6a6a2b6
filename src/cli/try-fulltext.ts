/**
 * `wirefeed try --full-text`: the articles of a page's first stories, fetched and extracted as the
 * daemon's full-text step would (the same fetcher and limits, one host gate, the teaser rule), and
 * shown as the text it would put in the feed, or the reason it would keep the teaser.
 */
import { closeHttp, type FetchContext } from '../fetch/index.js';
import type { ArticleResult } from '../fulltext/index.js';
import type { DatedStory } from '../model.js';

/** Stories whose article `try` reads: enough to see how a site's articles come out, few enough to stay polite. */
const PREVIEW_STORIES = 3;

/** One story's article as the full-text step would see it. */
export interface ArticlePreview {
  headline: string;
  link: string | null;
  /** null: the story has no link of its own, so no article is fetched. */
  result: ArticleResult | null;
  /** The article's text, a line per paragraph, when stored. */
  lines: string[];
  characters: number;
  /** Why the teaser stays, null when stored. */
  reason: string | null;
}

/** Read the articles of the first stories; `pageUrl` is the listing's URL (a story linking there has no article; a file: its file: URL). */
export async function previewArticles(stories: readonly DatedStory[], pageUrl: string, fetch: FetchContext): Promise<ArticlePreview[]> {
  const { articleLines, hostGate, HOST_GAP_MS, readArticle } = await import('../fulltext/index.js');
  const clock = () => performance.now();
  const gate = hostGate(HOST_GAP_MS, clock);
  // The page was just fetched (a file's URL has no host): its first article keeps the gap to that request.
  if (/^https?:/.test(pageUrl)) gate.noteRequest(new URL(pageUrl).host);
  const out: ArticlePreview[] = [];
  try {
    for (const story of stories.slice(0, PREVIEW_STORIES)) {
      const base = { headline: story.headline, link: story.link };
      if (story.link === null || story.link === pageUrl) {
        out.push({ ...base, result: null, lines: [], characters: 0, reason: 'no link of its own' });
        continue;
      }
      const a = await readArticle(story.link, pageUrl, { teaser: story.body.join(' ') }, { fetch, now: () => fetch.now, gate, clock });
      out.push({ ...base, result: a.result, lines: a.article === null ? [] : articleLines(a.article.html), characters: a.article?.text.length ?? 0, reason: a.reason });
    }
  } finally {
    await closeHttp();
  }
  return out;
}

/** The previews as text: each story's link, then its article's paragraphs or why the teaser stays. */
export function previewText(previews: readonly ArticlePreview[]): string {
  const parts = previews.map((p, i) => {
    const head = `${i + 1}. ${p.headline}\n   ${p.link ?? '(no link)'}\n`;
    // kept_teaser says what the line says already.
    if (p.result !== 'stored') return `${head}   keeps the teaser${p.result === null || p.result === 'kept_teaser' ? '' : ` (${p.result})`}: ${p.reason ?? ''}\n`;
    return `${head}   full text, ${p.characters} characters:\n${p.lines.map((l) => `   | ${l}\n`).join('')}`;
  });
  return `full text of the first ${previews.length} ${previews.length === 1 ? 'story' : 'stories'}:\n${parts.join('\n')}`;
}

/** The previews as the JSON output's `fullText`. */
export function previewJson(previews: readonly ArticlePreview[]): object[] {
  return previews.map((p) => ({ headline: p.headline, link: p.link, result: p.result, characters: p.characters, text: p.lines, reason: p.reason }));
}
