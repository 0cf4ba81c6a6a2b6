/**
 * Bytes → text. CONTRACT (implemented by the fetch stage): charset from the Content-Type
 * header, then <meta charset>/http-equiv, then a BOM, else UTF-8; iconv-lite for legacy charsets.
 */
export interface Decoded {
  text: string;
  /** Charset actually used, lower case (`utf-8`, `windows-1252`). */
  charset: string;
  /** Human-readable notes: invalid UTF-8 replaced, binary content, unknown charset … */
  warnings: string[];
  /** True when the bytes do not look like text at all (NULs, image signatures …). */
  binary: boolean;
}

export function decodeBody(_bytes: Uint8Array, _contentType: string | null): Decoded {
  throw new Error('not implemented');
}
