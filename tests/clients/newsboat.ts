/**
 * newsboat (Debian) as a headless test client: `newsboat -u URLS -c CACHE -C CONFIG -x reload`
 * with a temp urls file, an empty config and a temp cache, then its SQLite cache read back with
 * the sqlite3 CLI. newsboat exits 0 even when a feed fails, so it also writes a debug log
 * (`-l 6 -d LOG`) and any ERROR / USERERROR line in it counts as a failure.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './exec.js';

/** One row of newsboat's rss_item table. */
export interface NewsboatItem {
  title: string;
  url: string;
  guid: string;
  /** Unix seconds. */
  pubDate: number;
  author: string;
  content: string;
  feedurl: string;
}

/** One row of newsboat's rss_feed table. */
export interface NewsboatFeed {
  rssurl: string;
  url: string;
  title: string;
}

export interface NewsboatResult {
  feeds: NewsboatFeed[];
  items: NewsboatItem[];
  /** ERROR and USERERROR lines from newsboat's log; empty when every feed loaded. */
  errors: string[];
}

async function query<T>(cache: string, sql: string): Promise<T[]> {
  const res = await run('sqlite3', ['-json', cache, sql]);
  if (res.code !== 0) throw new Error(`sqlite3 ${cache}: exit ${res.code}: ${res.stderr}`);
  // sqlite3 -json prints nothing at all for an empty result.
  return res.stdout.trim() === '' ? [] : (JSON.parse(res.stdout) as T[]);
}

/** Reload `urls` with newsboat in a fresh temp home/cache and return what it stored, errors included. */
export async function runNewsboat(urls: string[]): Promise<NewsboatResult> {
  return inTempHome((urlFile) => writeFile(urlFile, urls.join('\n') + '\n'));
}

/** Import `opml` (`newsboat -i`, as a reader moving in does), then reload every feed it lists. */
export async function runNewsboatOpml(opml: string): Promise<NewsboatResult> {
  return inTempHome(async (urlFile, args, env) => {
    const file = join(urlFile, '..', 'import.opml');
    await writeFile(file, opml);
    await writeFile(urlFile, '');
    const res = await run('newsboat', ['-i', file, ...args], { env, timeoutMs: 60_000 });
    if (res.code !== 0) throw new Error(`newsboat -i: exit ${res.code}: ${res.stderr}`);
  });
}

async function inTempHome(
  prepare: (urlFile: string, args: string[], env: NodeJS.ProcessEnv) => Promise<void>,
): Promise<NewsboatResult> {
  const dir = await mkdtemp(join(tmpdir(), 'wirefeed-newsboat-'));
  try {
    const [urlFile, config, cache, log] = ['urls', 'config', 'cache.db', 'newsboat.log'].map((n) => join(dir, n)) as [string, string, string, string];
    await writeFile(config, '');
    const env = { ...process.env, HOME: dir, XDG_CONFIG_HOME: dir, XDG_DATA_HOME: dir, LC_ALL: 'C.UTF-8', LANG: 'C.UTF-8', no_proxy: '*', NO_PROXY: '*' };
    await prepare(urlFile, ['-u', urlFile, '-c', cache, '-C', config], env);
    const res = await run('newsboat', ['-u', urlFile, '-c', cache, '-C', config, '-l', '6', '-d', log, '-x', 'reload'], { env, timeoutMs: 60_000 });
    const logText = await readFile(log, 'utf8');
    const errors = logText.split('\n').filter((l) => /^\[[^\]]*\] (ERROR|USERERROR): /.test(l));
    if (res.code !== 0) errors.push(`newsboat exit ${res.code}: ${res.stderr.trim()}`);
    const feeds = await query<NewsboatFeed>(cache, 'select rssurl, url, title from rss_feed order by rssurl');
    const items = await query<NewsboatItem>(cache, 'select title, url, guid, pubDate, author, content, feedurl from rss_item order by id');
    return { feeds, items, errors };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Like runNewsboat, but throws when newsboat logged an error for any feed. */
export async function readWithNewsboat(urls: string[]): Promise<NewsboatResult> {
  const result = await runNewsboat(urls);
  if (result.errors.length > 0) throw new Error(`newsboat failed on ${urls.join(' ')}:\n${result.errors.join('\n')}`);
  return result;
}
