/**
 * The fetch stage: a source (URL or file) → a decoded Document, or "not modified".
 * Every failure is a FetchError; the caller keeps the source's stories and backs off.
 */
import { extname } from 'node:path';
import { pathToFileURL } from 'node:url';
import { WirefeedError } from '../errors.js';
import type { Document } from '../model.js';
import { decodeBody } from './decode.js';
import { FetchError } from './errors.js';
import { readCapped } from './file.js';
import { DEFAULT_HTTP, fetchHttp, type HttpOptions } from './http.js';

export { FetchError, type FetchCode } from './errors.js';
export { closeHttp, fetchHttp, userAgent, type HttpOptions, type HttpRequest, type HttpResult } from './http.js';
export { decodeBody, type Decoded } from './decode.js';
export { specialPurpose, type Lookup, type ResolvedAddress } from './address.js';

export interface SourceSpec {
  id: string;
  url?: string;
  /** A file; spool directories are walked by the scheduler, which calls this per file. */
  path?: string;
  /** `path` is an entry of a spool directory: untrusted, so a symlink there is not followed. */
  spoolEntry?: boolean;
}

/** Validators stored from the last successful fetch. */
export interface Conditional {
  etag: string | null;
  lastModified: string | null;
}

export interface FetchContext {
  now: Date;
  userAgent: string;
  http: HttpOptions;
  allowPrivateRedirects: boolean;
}

export type FetchOutcome =
  | { kind: 'not-modified' }
  | { kind: 'document'; document: Document; etag: string | null; lastModified: string | null; warnings: string[] };

/** Media types guessed from a file's extension; everything else is read as plain text. */
const FILE_TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.htm': 'text/html',
  '.xhtml': 'application/xhtml+xml',
};

/** The media type a file on disk is read as (by its extension), here and in `wirefeed parse`. */
export function fileMediaType(path: string): string {
  return FILE_TYPES[extname(path).toLowerCase()] ?? 'text/plain';
}

function mediaType(contentType: string | null): string | null {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  return type ? type : null;
}

/** Decode, refusing what can never be wire text: no bytes at all, or an image/PDF/archive. */
function toDocument(
  bytes: Uint8Array,
  contentType: string | null,
  target: { verb: 'GET' | 'READ'; url: string },
  sourceId: string,
  now: Date,
): { document: Document; warnings: string[] } {
  if (bytes.length === 0) throw new FetchError('E_EMPTY', target, 'empty body');
  const decoded = decodeBody(bytes, contentType);
  if (decoded.binary) throw new FetchError('E_BINARY', target, decoded.warnings.join('; '));
  return {
    document: { sourceId, url: target.url, mediaType: mediaType(contentType), text: decoded.text, fetchedAt: now },
    warnings: decoded.warnings,
  };
}

export async function fetchSource(spec: SourceSpec, cond: Conditional, ctx: FetchContext): Promise<FetchOutcome> {
  if (spec.path !== undefined) {
    const url = pathToFileURL(spec.path).href;
    const bytes = await readCapped(spec.path, url, ctx.http.maxBytes ?? DEFAULT_HTTP.maxBytes, { followSymlinks: spec.spoolEntry !== true });
    const { document, warnings } = toDocument(bytes, fileMediaType(spec.path), { verb: 'READ', url }, spec.id, ctx.now);
    return { kind: 'document', document, etag: null, lastModified: null, warnings };
  }
  if (spec.url === undefined) throw new WirefeedError('fetch', 'E_CONFIG', `source ${spec.id} has neither url nor path`);

  const res = await fetchHttp(
    {
      url: spec.url,
      etag: cond.etag,
      lastModified: cond.lastModified,
      userAgent: ctx.userAgent,
      now: ctx.now,
      allowPrivateRedirects: ctx.allowPrivateRedirects,
    },
    ctx.http,
  );
  if (res.status === 'not-modified') return { kind: 'not-modified' };
  const { document, warnings } = toDocument(res.bytes, res.contentType, { verb: 'GET', url: res.finalUrl }, spec.id, ctx.now);
  return { kind: 'document', document, etag: res.etag, lastModified: res.lastModified, warnings };
}
