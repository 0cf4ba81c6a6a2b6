/**
 * Bytes → text. CONTRACT (implemented by the fetch stage): charset from the Content-Type
 * header, then <meta charset>/http-equiv, then a BOM, else UTF-8; iconv-lite for legacy charsets.
 *
 * One deviation from that order, taken from the WHATWG Encoding standard ("decode", step BOM
 * sniff): a byte order mark wins over every label. A BOM cannot occur by accident, while a wrong
 * server default (`charset=iso-8859-1` on a UTF-8 file) is common.
 */
import { createRequire } from 'node:module';
// Types only: the library itself is required on first use, below.
import type Iconv from 'iconv-lite';

/**
 * iconv-lite is required on the first page in a legacy charset, not at module load: its tables
 * are a quarter of the bundle (parsed and held at every start), and most sources send UTF-8.
 */
const requireLazy = createRequire(import.meta.url);
let iconvLib: typeof Iconv | null = null;
const iconv = (): typeof Iconv => (iconvLib ??= requireLazy('iconv-lite') as typeof Iconv);

export interface Decoded {
  text: string;
  /** Charset actually used, lower case (`utf-8`, `windows-1252`). */
  charset: string;
  /** Human-readable notes: invalid UTF-8 replaced, binary content, unknown charset … */
  warnings: string[];
  /** True when the bytes do not look like text at all (NULs, image signatures …). */
  binary: boolean;
}

/**
 * Labels that browsers map to another decoder (WHATWG Encoding, "Encodings" table): Latin-1 and
 * ASCII labels mean windows-1252, which gives 0x80–0x9F their printable meaning (€, “ ”).
 */
const LABEL_ALIASES: Record<string, string> = {
  'utf-8': 'utf-8',
  utf8: 'utf-8',
  'unicode-1-1-utf-8': 'utf-8',
  'x-unicode20utf8': 'utf-8',
  'us-ascii': 'windows-1252',
  ascii: 'windows-1252',
  'ansi_x3.4-1968': 'windows-1252',
  'iso-8859-1': 'windows-1252',
  'iso8859-1': 'windows-1252',
  iso_8859_1: 'windows-1252',
  'iso_8859-1': 'windows-1252',
  'iso-ir-100': 'windows-1252',
  latin1: 'windows-1252',
  l1: 'windows-1252',
  cp1252: 'windows-1252',
  cp819: 'windows-1252',
  'x-cp1252': 'windows-1252',
  'windows-1252': 'windows-1252',
  'utf-16': 'utf-16le',
  'utf-16le': 'utf-16le',
  'utf-16be': 'utf-16be',
};

const BOMS: { bytes: number[]; charset: string }[] = [
  { bytes: [0xef, 0xbb, 0xbf], charset: 'utf-8' },
  { bytes: [0xff, 0xfe], charset: 'utf-16le' },
  { bytes: [0xfe, 0xff], charset: 'utf-16be' },
];

/** File signatures of formats that are never wire text. */
const MAGIC: { name: string; bytes: number[] }[] = [
  { name: 'PNG', bytes: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { name: 'JPEG', bytes: [0xff, 0xd8, 0xff] },
  { name: 'GIF', bytes: [0x47, 0x49, 0x46, 0x38] },
  { name: 'PDF', bytes: [0x25, 0x50, 0x44, 0x46, 0x2d] },
  { name: 'gzip', bytes: [0x1f, 0x8b] },
  { name: 'ZIP', bytes: [0x50, 0x4b, 0x03, 0x04] },
];

const META_SCAN_BYTES = 4096;
const NUL_SCAN_BYTES = 1024;

function startsWith(bytes: Uint8Array, prefix: number[]): boolean {
  return bytes.length >= prefix.length && prefix.every((b, i) => bytes[i] === b);
}

/** `text/html; charset="ISO-8859-1"` → `iso-8859-1`. */
function charsetParam(value: string): string | null {
  const m = /;\s*charset\s*=\s*(?:"([^"]*)"|([^;\s]*))/i.exec(value);
  const label = (m?.[1] ?? m?.[2] ?? '').trim().toLowerCase();
  return label === '' ? null : label;
}

/** Charset from `<meta charset>` or `<meta http-equiv=Content-Type content=…>` in the first 4 KB. */
function metaCharset(bytes: Uint8Array): string | null {
  // latin1 maps bytes 1:1 to code points, so ASCII markup reads the same in any ASCII-based charset.
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, META_SCAN_BYTES))
    .toString('latin1')
    .replace(/<!--[\s\S]*?-->/g, '');
  for (const tag of head.matchAll(/<meta\b([^>]*)>/gi)) {
    const attrs = new Map<string, string>();
    for (const a of (tag[1] ?? '').matchAll(/([a-z-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/gi)) {
      attrs.set((a[1] ?? '').toLowerCase(), a[2] ?? a[3] ?? a[4] ?? '');
    }
    const direct = attrs.get('charset')?.trim().toLowerCase();
    if (direct) return direct;
    if (attrs.get('http-equiv')?.toLowerCase() === 'content-type') {
      const fromContent = charsetParam(attrs.get('content') ?? '');
      if (fromContent) return fromContent;
    }
  }
  return null;
}

function binaryReason(bytes: Uint8Array, charset: string): string | null {
  const magic = MAGIC.find((m) => startsWith(bytes, m.bytes));
  if (magic) return `${magic.name} signature`;
  // UTF-16 text is full of NUL bytes; every other charset we decode never has one in text.
  if (!charset.startsWith('utf-16') && bytes.subarray(0, NUL_SCAN_BYTES).includes(0)) return 'NUL bytes';
  return null;
}

/** Map a label to a decoder name iconv-lite knows, or null when nothing knows it. */
function canonical(label: string): string | null {
  const known = LABEL_ALIASES[label];
  if (known) return known;
  return iconv().encodingExists(label) ? label : null;
}

function decodeUtf8(bytes: Uint8Array, warnings: string[]): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (err) {
    warnings.push(`invalid UTF-8 replaced with U+FFFD (${err instanceof Error ? err.message : String(err)})`);
    return new TextDecoder('utf-8').decode(bytes);
  }
}

export function decodeBody(bytes: Uint8Array, contentType: string | null): Decoded {
  const warnings: string[] = [];
  const bom = BOMS.find((b) => startsWith(bytes, b.bytes));

  let charset = 'utf-8';
  if (bom) {
    charset = bom.charset;
  } else {
    const fromHeader = contentType ? charsetParam(contentType) : null;
    let label = fromHeader ?? metaCharset(bytes);
    // A <meta> we could read as ASCII cannot be UTF-16 (WHATWG "prescan": utf-16 → utf-8).
    if (label && !fromHeader && label.startsWith('utf-16')) label = 'utf-8';
    if (label) {
      const known = canonical(label);
      if (known) charset = known;
      else warnings.push(`unknown charset "${label}", decoded as UTF-8`);
    }
  }

  const reason = binaryReason(bytes, charset);
  if (reason) {
    warnings.push(`binary content (${reason}), not decoded`);
    return { text: '', charset, warnings, binary: true };
  }

  const body = bom ? bytes.subarray(bom.bytes.length) : bytes;
  const text = charset === 'utf-8' ? decodeUtf8(body, warnings) : iconv().decode(Buffer.from(body.buffer, body.byteOffset, body.length), charset);
  return { text, charset, warnings, binary: false };
}
