/**
 * Issue 19, finding 7: text from a source reaches the log (a page's `<meta charset>` label in a
 * warning). Every control character in every logged value and message is escaped, so a page
 * cannot send escape sequences to an operator's terminal or forge log lines.
 */
import { describe, expect, it } from 'vitest';
import { formatLine } from '../src/log.js';
import { startDaemon } from './helpers/daemon.js';
import { startFaultSite, textPage } from './helpers/faults.js';
import { afterThisTest, tempDir } from './helpers/tmp.js';

/** Raw characters that must never be in a log line. */
const RAW_UNSAFE = /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

describe('formatLine', () => {
  it('escapes C0, DEL, C1, line separators and bidi controls in the message, keys and values', () => {
    const msg = 'unknown charset "\x1b[31mred\x07" end\r\nforged\tline \u009b2J \u202egnp.exe \u2028x \x7f';
    const line = formatLine('warn', msg, { label: '\x1b]0;title\x07', ok: 'plain', multi: 'a\nb', c1: '\u0085', 'k\x1b': 1 }, false, new Date(0));
    expect(line).toBe(
      String.raw`1970-01-01T00:00:00.000Z warn  unknown charset "\u001b[31mred\u0007" end\r\nforged\tline \u009b2J \u202egnp.exe \u2028x \u007f` +
        String.raw` label="\u001b]0;title\u0007" ok=plain multi="a\nb" c1="\u0085" k\u001b=1`,
    );
    expect(RAW_UNSAFE.test(line)).toBe(false);
  });

  it('leaves printable text, including non-ASCII, as it is', () => {
    expect(formatLine('info', 'fetch ok', { source: 'anp', title: 'Curaçao – “nieuws”', n: 3 }, true, new Date(0))).toBe(
      '<6>fetch ok source=anp title="Curaçao – “nieuws”" n=3',
    );
  });
});

describe('daemon log', () => {
  it("escapes the escape sequences of a page's <meta charset> in the warning it logs", async () => {
    const page = `<!doctype html><html><head><meta charset="\x1b]0;owned\x07\x1b[2J"></head><body>
<article><h2>Storm treft kust van Zeeland</h2><p>VLISSINGEN (ANP) - Een zware storm heeft dinsdag de kust van Zeeland getroffen.</p></article>
</body></html>`;
    const site = await startFaultSite({ meta: textPage(page, 'text/html') });
    afterThisTest(() => site.close());
    const dir = await tempDir();
    const yaml = ['state: { dir: ./state }', 'sources:', `  - { id: meta, title: Meta, url: ${site.url}/meta, schedule: "0 0 1 1 *", lang: nl }`].join('\n');
    const { app, lines } = await startDaemon(dir, yaml);
    afterThisTest(() => app.stop(3000));
    await app.settled;
    const warning = lines.find((l) => l.includes('unknown charset'));
    expect(warning).toBe(String.raw`1970-01-01T00:00:00.000Z warn  unknown charset "\u001b]0;owned\u0007\u001b[2j", decoded as UTF-8 source=meta`);
    expect(lines.filter((l) => RAW_UNSAFE.test(l))).toEqual([]);
  });
});
