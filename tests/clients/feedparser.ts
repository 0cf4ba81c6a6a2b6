/**
 * Python's feedparser (Debian python3-feedparser) as a test client. Plain `python3` on PATH may be
 * a python without feedparser, hence the absolute /usr/bin/python3.
 */
import { fileURLToPath } from 'node:url';
import { run } from './exec.js';

const SCRIPT = fileURLToPath(new URL('./feedparser_dump.py', import.meta.url));
const PYTHON = '/usr/bin/python3';

export interface FeedparserLink {
  rel: string | null;
  type: string | null;
  href: string | null;
}

export interface FeedparserEntry {
  id: string | null;
  title: string | null;
  /** feedparser's idea of the title's type (`text/plain`, `text/html`). */
  title_type: string | null;
  link: string | null;
  links: FeedparserLink[];
  /** ISO 8601 UTC to the second (`2026-01-21T10:00:00Z`), or null when undated. */
  published: string | null;
  updated: string | null;
  author: string | null;
  tags: string[];
  content: string | null;
  content_type: string | null;
  summary: string | null;
}

export interface FeedparserResult {
  /** `atom10`, `rss20`, `json11`, ... */
  version: string | null;
  bozo: boolean;
  bozo_exception: string | null;
  feed: {
    title: string | null;
    id: string | null;
    link: string | null;
    links: FeedparserLink[];
    language: string | null;
    author: string | null;
    generator: string | null;
    updated: string | null;
  };
  entries: FeedparserEntry[];
}

/** Parse a feed URL (http://…) or file path with feedparser. */
export async function parseWithFeedparser(target: string): Promise<FeedparserResult> {
  const res = await run(PYTHON, [SCRIPT, target], { env: { ...process.env, PYTHONIOENCODING: 'utf-8' } });
  if (res.code !== 0) throw new Error(`feedparser failed on ${target} (exit ${res.code}): ${res.stderr}`);
  return JSON.parse(res.stdout) as FeedparserResult;
}
