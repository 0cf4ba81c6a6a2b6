/** Unpaired bidi controls leave story text (issue 19.7); pairs opened and closed within it stay. */
import { describe, expect, test } from 'vitest';
import { dropUnpairedBidi } from '../src/parse/bidi.js';
import { parseExtracted, parseWire } from '../src/parse/index.js';

const LRE = '\u202a';
const RLE = '\u202b';
const PDF = '\u202c';
const LRO = '\u202d';
const RLO = '\u202e';
const LRI = '\u2066';
const RLI = '\u2067';
const FSI = '\u2068';
const PDI = '\u2069';

describe('dropUnpairedBidi', () => {
  test.each([
    ['plain text', 'plain text'],
    [`${RLO}evil`, 'evil'],
    [`a${PDF}b${PDI}c`, 'abc'],
    [`${RLE}x${PDF}`, `${RLE}x${PDF}`],
    [`${LRO}x${PDF} ${RLO}y`, `${LRO}x${PDF} y`],
    [`${RLI}שלום${PDI} zei hij`, `${RLI}שלום${PDI} zei hij`],
    [`${LRI}a${FSI}b${PDI}`, `a${FSI}b${PDI}`],
    // A PDI closes the embeddings opened inside its isolate: they were never closed themselves.
    [`${RLI}a${RLO}b${PDI}c`, `${RLI}ab${PDI}c`],
    // A PDF cannot close an embedding from outside the isolate it stands in.
    [`${LRE}a${RLI}b${PDF}c${PDI}d`, `a${RLI}bc${PDI}d`],
    [`${LRE}${RLE}x${PDF}`, `${RLE}x${PDF}`],
    [`${PDF}${PDI}${RLO}`, ''],
  ])('%j → %j', (input, output) => {
    expect(dropUnpairedBidi(input)).toBe(output);
  });

  test('text without controls is returned as is', () => {
    const text = 'Noord-Korea heeft inmiddels 10.000 militairen gestuurd.';
    expect(dropUnpairedBidi(text)).toBe(text);
  });
});

describe('stories', () => {
  test('headlines, derived headlines and bodies lose unpaired controls; the dateline still reads', () => {
    const result = parseWire(
      [`Kop met ${RLO}omkering`, 'DEN HAAG (ANP) - Een.', '2 uur geleden', `UTRECHT (ANP) - Twee ${RLI}عربي${PDI} en ${LRE}drie.`, `Nog ${PDF}een alinea.`],
      { lang: 'nl' },
    );
    expect(result.stories.map((s) => [s.headline, s.headlineDerived, s.place, s.body, s.leadSentence])).toEqual([
      ['Kop met omkering', false, 'DEN HAAG', ['DEN HAAG (ANP) - Een.'], 'Een.'],
      ['Twee \u2067عربي\u2069 en drie.', true, 'UTRECHT', [`UTRECHT (ANP) - Twee ${RLI}عربي${PDI} en drie.`, 'Nog een alinea.'], `Twee ${RLI}عربي${PDI} en drie.`],
    ]);
  });

  test('a control inside the dateline is measured after it is gone', () => {
    const [story] = parseExtracted(
      { kind: 'items', items: [{ headline: null, body: [`OTTAWA, Nov${RLO} 27 (Reuters) - Canada agreed.`], ageText: null, link: null, datetime: null }] },
      { lang: 'en' },
    ).stories;
    expect([story?.place, story?.headline, story?.body]).toEqual(['OTTAWA', 'Canada agreed.', ['OTTAWA, Nov 27 (Reuters) - Canada agreed.']]);
  });

  test('selector items: a headline of controls only gives way to a derived one', () => {
    const [story] = parseExtracted(
      { kind: 'items', items: [{ headline: `${RLO}${PDI}`, body: ['PARIS (AFP) - Le port est fermé.'], ageText: null, link: null, datetime: null }] },
      { lang: 'fr' },
    ).stories;
    expect([story?.headline, story?.headlineDerived]).toEqual(['Le port est fermé.', true]);
  });
});
