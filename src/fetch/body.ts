/**
 * Reading a response body: Content-Encoding decoding and the byte caps on the compressed and the
 * decompressed bytes. Apart from http.ts because it is a self-contained stream pipeline.
 */
import { Transform, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Dispatcher } from 'undici';
import { FetchError } from './errors.js';
import type { Limits } from './http.js';

/** Decoders per Content-Encoding token (RFC 9110 §8.4.1); identity needs none and is dropped. */
const DECODERS = new Map<string, () => Transform>([
  ['gzip', createGunzip],
  ['x-gzip', createGunzip],
  ['br', createBrotliDecompress],
  ['deflate', createInflate],
]);

export function header(headers: Dispatcher.ResponseData['headers'], name: string): string | null {
  const v = headers[name];
  return Array.isArray(v) ? (v[0] ?? null) : (v ?? null);
}

/** At most this many content codings are undone: real servers apply one, a proxy maybe a second. */
const MAX_CODINGS = 2;

/**
 * The decoders for a Content-Encoding header, last applied first (RFC 9110 §8.4: codings are
 * listed in the order they were applied), or the reason to refuse the body.
 */
function decodersFor(contentEncoding: string | null): { decoders: Transform[] } | { refuse: string } {
  const codings = (contentEncoding ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '' && s !== 'identity');
  if (codings.length > MAX_CODINGS) return { refuse: `${codings.length} content codings (at most ${MAX_CODINGS} are decoded)` };
  const unknown = codings.find((c) => !DECODERS.has(c));
  if (unknown !== undefined) return { refuse: `unsupported Content-Encoding "${unknown}"` };
  return { decoders: codings.reverse().map((c) => DECODERS.get(c)!()) };
}

/**
 * Throw `err` about a body we will not read. A bare destroy() makes undici emit an 'error' on
 * the body that nobody listens for, an uncaught exception that ends the process (issue 19);
 * dump() listens for it, reads at most 128 KB and destroys the rest.
 */
async function refuseBody(res: Dispatcher.ResponseData, err: FetchError): Promise<never> {
  await res.body.dump();
  throw err;
}

/** A pass-through that fails with `tooLarge` once more than `max` bytes went through. */
function byteCap(max: number, tooLarge: () => FetchError): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      done(seen > max ? tooLarge() : null, chunk);
    },
  });
}

export async function readBody(res: Dispatcher.ResponseData, url: URL, limits: Limits): Promise<Uint8Array> {
  const target = { verb: 'GET' as const, url: url.href };
  const tooLarge = () => new FetchError('E_TOO_LARGE', target, `body larger than ${limits.maxBytes} bytes`);
  const coding = decodersFor(header(res.headers, 'content-encoding'));
  if ('refuse' in coding) return refuseBody(res, new FetchError('E_DECOMPRESS', target, coding.refuse));
  const declared = Number(header(res.headers, 'content-length') ?? NaN);
  // The compressed bytes are capped too, so a declared length above the cap can never succeed.
  if (declared > limits.maxBytes) return refuseBody(res, tooLarge());

  const chunks: Buffer[] = [];
  let total = 0;
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      total += chunk.length;
      chunks.push(chunk);
      done();
    },
  });
  // Capping the compressed bytes stops a huge body whose decoder makes little output.
  // pipeline destroys every stream on the first error, which aborts the undici request.
  await pipeline([res.body, byteCap(limits.maxBytes, tooLarge), ...coding.decoders, byteCap(limits.maxBytes, tooLarge), sink]);
  return Buffer.concat(chunks, total);
}
