/**
 * An Atom and an RSS rendering through the real clients: written to a temporary directory, checked
 * well-formed (xmllint) and, the Atom, valid RFC 4287 (jing), and read by feedparser.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseWithFeedparser, type FeedparserResult } from './feedparser.js';
import { atomErrors, wellFormedErrors } from './xml.js';

export interface ClientsRead {
  /** xmllint's complaints about either file; [] when both are well-formed. */
  wellFormed: string[];
  /** jing's complaints about the Atom; [] when it is valid. */
  atom: string[];
  /** feedparser's reads, the Atom first. */
  reads: [FeedparserResult, FeedparserResult];
}

export async function readByClients(atom: string, rss: string): Promise<ClientsRead> {
  const dir = await mkdtemp(join(tmpdir(), 'wirefeed-clients-'));
  try {
    const files = [join(dir, 'f.atom'), join(dir, 'f.rss')] as const;
    await writeFile(files[0], atom);
    await writeFile(files[1], rss);
    return {
      wellFormed: await wellFormedErrors([...files]),
      atom: await atomErrors([files[0]]),
      reads: [await parseWithFeedparser(files[0]), await parseWithFeedparser(files[1])],
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
