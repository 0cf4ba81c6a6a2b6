import { describe, expect, it } from 'vitest';
import { decodeBody } from '../src/fetch/decode.js';

const cp1252 = (s: string): Uint8Array =>
  Uint8Array.from(Buffer.from(s.replace(/€/g, '\x80').replace(/“/g, '\x93').replace(/”/g, '\x94'), 'latin1'));

// "Prijs: € 5, “goed” – Curaçao" in windows-1252; – is 0x96.
const LEGACY = cp1252('Prijs: € 5, “goed” \x96 Cura\xe7ao');
const LEGACY_TEXT = 'Prijs: € 5, “goed” – Curaçao';

describe('decodeBody', () => {
  it('decodes UTF-8 by default', () => {
    expect(decodeBody(Buffer.from('Israëlische “premier” €', 'utf8'), null)).toEqual({
      text: 'Israëlische “premier” €',
      charset: 'utf-8',
      warnings: [],
      binary: false,
    });
  });

  it('decodes windows-1252 named in the Content-Type header (0x80 → €, 0x93/0x94 → “ ”)', () => {
    expect(decodeBody(LEGACY, 'text/html; charset=windows-1252')).toEqual({
      text: LEGACY_TEXT,
      charset: 'windows-1252',
      warnings: [],
      binary: false,
    });
  });

  it('treats ISO-8859-1, latin1 and us-ascii labels as windows-1252, as browsers do', () => {
    for (const label of ['ISO-8859-1', '"iso-8859-1"', 'latin1', 'us-ascii']) {
      const d = decodeBody(LEGACY, `text/plain;charset=${label}`);
      expect([d.text, d.charset]).toEqual([LEGACY_TEXT, 'windows-1252']);
    }
  });

  it('finds <meta charset> in the first 4 KB when the header has none', () => {
    const page = Buffer.concat([Buffer.from('<!doctype html><html><head><meta charset="windows-1252"><title>x</title></head><body><p>'), LEGACY, Buffer.from('</p>')]);
    const d = decodeBody(page, 'text/html');
    expect(d.charset).toBe('windows-1252');
    expect(d.text).toContain(`<p>${LEGACY_TEXT}</p>`);
  });

  it('finds the http-equiv form', () => {
    const page = Buffer.concat([
      Buffer.from(`<html><head><META HTTP-EQUIV='Content-Type' CONTENT='text/html; charset=ISO-8859-1'></head><body>`),
      LEGACY,
    ]);
    const d = decodeBody(page, null);
    expect(d.charset).toBe('windows-1252');
    expect(d.text.endsWith(`<body>${LEGACY_TEXT}`)).toBe(true);
  });

  it('ignores a meta beyond the first 4 KB and one inside a comment', () => {
    const late = Buffer.concat([Buffer.from(' '.repeat(5000) + '<meta charset=windows-1252>'), LEGACY]);
    expect(decodeBody(late, null).charset).toBe('utf-8');
    const commented = Buffer.from('<!-- <meta charset=windows-1252> --><p>x');
    expect(decodeBody(commented, null).charset).toBe('utf-8');
  });

  it('lets the header win over <meta>', () => {
    const page = Buffer.from('<meta charset="windows-1252"><p>Israëlische', 'utf8');
    expect(decodeBody(page, 'text/html; charset=utf-8')).toEqual({
      text: '<meta charset="windows-1252"><p>Israëlische',
      charset: 'utf-8',
      warnings: [],
      binary: false,
    });
  });

  it('reads byte order marks, which win over any label', () => {
    const utf8 = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('Curaçao €', 'utf8')]);
    expect(decodeBody(utf8, 'text/plain; charset=iso-8859-1')).toEqual({ text: 'Curaçao €', charset: 'utf-8', warnings: [], binary: false });
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('Curaçao € “x”', 'utf16le')]);
    expect(decodeBody(le, null)).toEqual({ text: 'Curaçao € “x”', charset: 'utf-16le', warnings: [], binary: false });
    const be = Buffer.from(Buffer.from('Curaçao € “x”', 'utf16le')).swap16();
    expect(decodeBody(Buffer.concat([Buffer.from([0xfe, 0xff]), be]), null)).toEqual({
      text: 'Curaçao € “x”',
      charset: 'utf-16be',
      warnings: [],
      binary: false,
    });
  });

  it('replaces invalid UTF-8 with U+FFFD and says so', () => {
    const d = decodeBody(Buffer.from([0x61, 0xff, 0x62, 0xc3]), 'text/plain');
    expect(d.text).toBe('a\ufffdb\ufffd');
    expect(d.charset).toBe('utf-8');
    expect(d.binary).toBe(false);
    expect(d.warnings).toHaveLength(1);
    expect(d.warnings[0]).toMatch(/^invalid UTF-8 replaced with U\+FFFD/);
  });

  it('falls back to UTF-8 for an unknown label, with a warning', () => {
    expect(decodeBody(Buffer.from('abc'), 'text/html; charset=x-klingon')).toEqual({
      text: 'abc',
      charset: 'utf-8',
      warnings: ['unknown charset "x-klingon", decoded as UTF-8'],
      binary: false,
    });
  });

  it('reports PNG bytes, a PDF and NUL bytes as binary', () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    expect(decodeBody(png, 'text/html')).toEqual({
      text: '',
      charset: 'utf-8',
      warnings: ['binary content (PNG signature), not decoded'],
      binary: true,
    });
    expect(decodeBody(Buffer.from('%PDF-1.7\n'), null).warnings).toEqual(['binary content (PDF signature), not decoded']);
    expect(decodeBody(Buffer.from('abc\u0000def'), null).warnings).toEqual(['binary content (NUL bytes), not decoded']);
  });
});
