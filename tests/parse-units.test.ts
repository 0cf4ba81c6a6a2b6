import { describe, expect, test } from 'vitest';
import { matchDateline } from '../src/parse/dateline.js';
import { parseExtracted, parseWire } from '../src/parse/index.js';
import { creditAuthor } from '../src/parse/lines.js';
import { isNoise } from '../src/parse/noise.js';
import { matchSection } from '../src/parse/sections.js';
import { deriveHeadline, firstSentence } from '../src/parse/sentence.js';

describe('datelines', () => {
  const cases: [string, string | null, string[], string][] = [
    ['WASHINGTON (ANP/AFP) - Noord-Korea heeft', 'WASHINGTON', ['ANP', 'AFP'], 'Noord-Korea heeft'],
    ['SAO PAULO (ANP/RTR) - De Braziliaanse', 'SAO PAULO', ['ANP', 'RTR'], 'De Braziliaanse'],
    ['TEL AVIV (ANP/RTR) - De Israëlische', 'TEL AVIV', ['ANP', 'RTR'], 'De Israëlische'],
    ['München (dpa/lby) - Die Polizei', 'München', ['dpa', 'lby'], 'Die Polizei'],
    ['München (dpa/lby) – Die Polizei', 'München', ['dpa', 'lby'], 'Die Polizei'],
    ['GENEVA (AP) — The United Nations', 'GENEVA', ['AP'], 'The United Nations'],
    ['OTTAWA, Nov 27 (Reuters) - Canada will', 'OTTAWA', ['Reuters'], 'Canada will'],
    ['Berlin (dpa) - Die Bundesregierung', 'Berlin', ['dpa'], 'Die Bundesregierung'],
    ['PARIS (AFP) - Le gouvernement', 'PARIS', ['AFP'], 'Le gouvernement'],
    ['PARIS, 27 novembre (AFP) - Le gouvernement', 'PARIS', ['AFP'], 'Le gouvernement'],
    ['Rio de Janeiro (AFP) - O governo', 'Rio de Janeiro', ['AFP'], 'O governo'],
    ['Frankfurt am Main (dpa/lhe) - Die Börse', 'Frankfurt am Main', ['dpa', 'lhe'], 'Die Börse'],
    ['NEW YORK (AP/Reuters/AFP) —The market', 'NEW YORK', ['AP', 'Reuters', 'AFP'], 'The market'],
    ['DEN HAAG (ANP) -', 'DEN HAAG', ['ANP'], ''],
    // Elided articles and apostrophes inside place names (issue 14.6).
    ["'S-HERTOGENBOSCH (ANP) - De gemeente", "'S-HERTOGENBOSCH", ['ANP'], 'De gemeente'],
    ["'S-GRAVENHAGE (ANP) - Het kabinet", "'S-GRAVENHAGE", ['ANP'], 'Het kabinet'],
    ["'s-Hertogenbosch (ANP) - De gemeente", "'s-Hertogenbosch", ['ANP'], 'De gemeente'],
    ["’S-HERTOGENBOSCH (ANP) - De gemeente", "’S-HERTOGENBOSCH", ['ANP'], 'De gemeente'],
    ["'T ZAND (ANP) - Een school", "'T ZAND", ['ANP'], 'Een school'],
    ["L'AQUILA (ANP/AFP) - Een beving", "L'AQUILA", ['ANP', 'AFP'], 'Een beving'],
    ["N'DJAMENA (ANP/AFP) - Tsjaad", "N'DJAMENA", ['ANP', 'AFP'], 'Tsjaad'],
    // Agencies with no place before them open the lead too.
    ['(ANP) - Noord-Korea', null, ['ANP'], 'Noord-Korea'],
    ['(Reuters) - Oil prices rose', null, ['Reuters'], 'Oil prices rose'],
    ['(dpa/lby) – Die Polizei', null, ['dpa', 'lby'], 'Die Polizei'],
  ];
  test.each(cases)('%s', (lead, place, agencies, rest) => {
    const d = matchDateline(lead);
    expect(d && { place: d.place, agencies: d.agencies, rest: lead.slice(d.length) }).toEqual({ place, agencies, rest });
  });

  test.each([
    'Meer uit Buitenland',
    'WASHINGTON - Noord-Korea heeft',
    'washington (anp) - noord-korea',
    'De troepen worden (waarschijnlijk) gebruikt',
    'WASHINGTON (ANP/AFP)-Noord-Korea',
    '(ANP)-Noord-Korea',
    '(foto ANP) Een man',
    '() - Niets',
    '4 minuten geleden',
    "'Ik kom niet' (ANP) - zei hij",
    "'S (ANP) - Niets",
    '',
  ])('no dateline in %j', (text) => {
    expect(matchDateline(text)).toBeNull();
  });
});

describe('closing credits', () => {
  test.each([
    ['(Reporting by Maria Lindqvist in London; Editing by Tom Baxter)', 'Maria Lindqvist'],
    ['The decision was unanimous. (Reporting by Jens Olafsen and Pia Holm; Writing by Ana Ruiz)', 'Jens Olafsen and Pia Holm'],
    ['(Writing by Ana Ruiz; Editing by Tom Baxter)', 'Ana Ruiz'],
    ['(Additional reporting by Li Wen; Writing by Ana Ruiz)', 'Ana Ruiz'],
    ['(Editing by Tom Baxter)', null],
    ['Prices rose (by 3 percent).', null],
    ['He said so (Reporting by nobody', null],
  ])('%j', (text, author) => {
    expect(creditAuthor(text)).toBe(author);
  });

  test("sign a story whose lead names no one, on a line of its own or at a paragraph's end", () => {
    const result = parseWire(
      [
        'Oil prices climb as supply worries grow',
        'LONDON (Reuters) - Oil prices rose on Tuesday as traders weighed new supply cuts.',
        '(Reporting by Maria Lindqvist in London; Editing by Tom Baxter)',
        'Central bank holds rates steady',
        'FRANKFURT (Reuters) - The central bank kept its key rate unchanged on Thursday.',
        'The decision was unanimous, the bank said. (Reporting by Jens Olafsen; Writing by Ana Ruiz)',
      ],
      { lang: 'en' },
    );
    expect(result.stories.map((s) => [s.headline, s.author, s.body.length])).toEqual([
      ['Oil prices climb as supply worries grow', 'Maria Lindqvist', 2],
      ['Central bank holds rates steady', 'Jens Olafsen', 2],
    ]);
  });
});

describe('first sentence', () => {
  const cases: [string, string][] = [
    [
      'Noord-Korea heeft inmiddels 10.000 militairen naar Rusland gestuurd, schat het Amerikaanse Pentagon. Vorige week dachten de VS nog 3000.',
      'Noord-Korea heeft inmiddels 10.000 militairen naar Rusland gestuurd, schat het Amerikaanse Pentagon.',
    ],
    ['Defensie krijgt 5 procent meer geld. Dat zei Rutte.', 'Defensie krijgt 5 procent meer geld.'],
    ['Volgens dr. Jansen is het virus verdwenen. Hij is blij.', 'Volgens dr. Jansen is het virus verdwenen.'],
    ['Volgens Dr. Jansen en prof. De Vries is het klaar. Zo.', 'Volgens Dr. Jansen en prof. De Vries is het klaar.'],
    ['The talks began on Nov. 27 in Geneva. Officials said more.', 'The talks began on Nov. 27 in Geneva.'],
    ['The U.S. Treasury said on Monday it would act. Markets rose.', 'The U.S. Treasury said on Monday it would act.'],
    ['J.F. Kennedy Airport was closed on Friday. Flights were diverted.', 'J.F. Kennedy Airport was closed on Friday.'],
    ['Präsident J. Biden sprach in Berlin. Danach reiste er ab.', 'Präsident J. Biden sprach in Berlin.'],
    ['Am 27. November beginnt die Messe. Sie dauert drei Tage.', 'Am 27. November beginnt die Messe.'],
    ['Die Messe endet z.B. am Sonntag. Dann ist Schluss.', 'Die Messe endet z.B. am Sonntag.'],
    ['Le président M. Macron a parlé. Il est parti.', 'Le président M. Macron a parlé.'],
    ['Der 1. FC Köln hat gewonnen. Das war knapp.', 'Der 1. FC Köln hat gewonnen.'],
    ['Seit 2024. Das ist lang.', 'Seit 2024.'],
    ['"We will win!" he said. Then he left.', '"We will win!" he said.'],
    ['Is dit het einde? Nee.', 'Is dit het einde?'],
    ['Hij zei: "Het is klaar." Daarna ging hij.', 'Hij zei: "Het is klaar."'],
    ['Prijs: 3.5 miljoen euro. Duur.', 'Prijs: 3.5 miljoen euro.'],
    ['geen punt aan het eind', 'geen punt aan het eind'],
    ['  Eén zin.  ', 'Eén zin.'],
    ['', ''],
  ];
  test.each(cases)('%j', (text, sentence) => {
    expect(firstSentence(text)).toBe(sentence);
  });
});

describe('derived headline', () => {
  test('a sentence up to 160 characters stays whole', () => {
    const s = `${'abcdefghi '.repeat(15)}abcdefghi.`;
    expect(s).toHaveLength(160);
    expect(deriveHeadline(s)).toBe(s);
  });
  test('a longer sentence is cut at a word boundary with …, 160 characters at most', () => {
    const s = `${Array(20).fill('abcdefghi').join(' ')}.`;
    expect(deriveHeadline(s)).toBe(`${Array(16).fill('abcdefghi').join(' ')}…`);
    expect(deriveHeadline(s)).toHaveLength(160);
  });
  test('punctuation before the cut is dropped', () => {
    const s = `${Array(15).fill('abcdefghi').join(' ')}, abcdefghi abcdefghi.`;
    expect(deriveHeadline(s)).toBe(`${Array(15).fill('abcdefghi').join(' ')}…`);
  });
  test('one long word is cut hard', () => {
    expect(deriveHeadline('x'.repeat(300))).toBe(`${'x'.repeat(159)}…`);
  });
  test('characters are code points', () => {
    const s = `${'😀'.repeat(150)} ${'😀'.repeat(20)}`;
    expect(deriveHeadline(s)).toBe(`${'😀'.repeat(150)}…`);
  });
});

describe('section markers', () => {
  test.each([
    ['Meer uit Buitenland', 'Buitenland'],
    ['More from World', 'World'],
    ['Mehr aus Politik', 'Politik'],
    ["Plus d'actualités Monde", 'Monde'],
    ['Plus de Monde', 'Monde'],
    ['More from Sport & Leisure', 'Sport & Leisure'],
    ['Plus de 300 morts dans un séisme', null],
    ['More from the world of sport', null],
    ['Meer uit Buitenland.', null],
    ['Buitenland', null],
  ])('%j → %j', (line, section) => {
    expect(matchSection(line)).toBe(section);
  });
});

describe('noise', () => {
  test.each([
    'Advertentie', 'Advertisement', 'Anzeige', 'Publicité', 'Lees meer', '› Read more', 'Delen', 'Share this article',
    '© 2026 ANP', 'Copyright 2026 Reuters. All rights reserved.', 'Alle rechten voorbehouden.',
    'Wij gebruiken cookies om de site te verbeteren. Accepteer je alle cookies?',
    'We use cookies to give you the best experience. By continuing you accept our cookie policy.',
    'Wir verwenden Cookies. Mit der Nutzung stimmen Sie der Datenschutzerklärung zu.',
    'Nous utilisons des cookies pour améliorer votre expérience.',
    // Links to other pages between items (issue 14.6).
    'Lees ook: Zo kom je toch op je werk',
    'LEES OOK: Zo kom je toch op je werk',
    'Lees meer: Waarom de trein uitvalt',
    'Bekijk ook: Beelden van de brand',
    '› Read more: Why trains are late',
    'See also: Rail strike ends',
    'Lire aussi : La grève continue',
    'Mehr zum Thema: Bahnstreik beendet',
    'Auch interessant: Die neue Brücke',
  ])('%j is noise', (line) => {
    expect(isNoise(line)).toBe(true);
  });
  test.each([
    'VS schatten aantal soldaten op 10.000',
    'Bakers sell more cookies at Christmas.',
    'Share prices fell on Monday.',
    'Lees ook de reacties niet',
    'Zie ookal: een tikfout',
  ])(
    '%j is not noise',
    (line) => {
      expect(isNoise(line)).toBe(false);
    },
  );

  test('furniture is dropped, never glued into a story', () => {
    const result = parseWire(
      [
        'Home',
        'Buitenland',
        'Advertentie',
        'Kop van het verhaal',
        'WASHINGTON (ANP) - Eerste zin van de lead. Tweede zin.',
        'Advertentie',
        'Tweede alinea.',
        'Bekijk de video',
        'Lees meer',
        'Delen',
        'Meer uit Buitenland',
        'Binnenland',
        'PARIS (ANP) - Een item zonder kop.',
        '5 minuten geleden',
        'Het laatste nieuws van ANP, elke dag.',
        'Contact',
        'Wij gebruiken cookies om de site te verbeteren. Accepteer je alle cookies?',
        '© 2026 ANP',
        'Alle rechten voorbehouden.',
      ],
      { lang: 'nl' },
    );
    expect(result.warnings).toEqual([]);
    expect(result.stories.map((s) => [s.headline, s.headlineDerived, s.section, s.body, s.ageText])).toEqual([
      ['Kop van het verhaal', false, null, ['WASHINGTON (ANP) - Eerste zin van de lead. Tweede zin.', 'Tweede alinea.'], null],
      ['Een item zonder kop.', true, 'Buitenland', ['PARIS (ANP) - Een item zonder kop.'], '5 minuten geleden'],
    ]);
  });
});

describe('stories', () => {
  test('a sentence right before a lead is a paragraph of the story before, not a headline', () => {
    const result = parseWire(['Eine Kopfzeile', 'BERLIN (dpa) - Eins. Zwei.', 'Noch ein Absatz.', 'HAMBURG (dpa) - Drei.'], { lang: 'de' });
    expect(result.stories.map((s) => [s.headline, s.body])).toEqual([
      ['Eine Kopfzeile', ['BERLIN (dpa) - Eins. Zwei.', 'Noch ein Absatz.']],
      ['Drei.', ['HAMBURG (dpa) - Drei.']],
    ]);
  });

  test('ages trail their item: on their own line, at the end of a line, glued to the next dateline', () => {
    const result = parseWire(
      [
        'Top story',
        'PARIS (AFP) - Le président a parlé.',
        'Plus de Monde',
        'LYON (AFP) - Un incendie a éclaté. il y a 5 minutes',
        'NICE (AFP) - La mer est calme.',
        'il y a 2 heuresMARSEILLE (AFP) - Le port est fermé.',
        'hier',
      ],
      { lang: 'auto' },
    );
    expect(result.lang).toBe('fr');
    expect(result.stories.map((s) => [s.place, s.section, s.ageText, s.body])).toEqual([
      ['PARIS', null, null, ['PARIS (AFP) - Le président a parlé.']],
      ['LYON', 'Monde', 'il y a 5 minutes', ['LYON (AFP) - Un incendie a éclaté.']],
      ['NICE', 'Monde', 'il y a 2 heures', ['NICE (AFP) - La mer est calme.']],
      ['MARSEILLE', 'Monde', 'hier', ['MARSEILLE (AFP) - Le port est fermé.']],
    ]);
  });

  test('a lead whose agencies open it without a place is a story of its own', () => {
    const result = parseWire(
      [
        'Oil prices climb as supply worries grow',
        '(Reuters) - Oil prices rose on Tuesday as traders weighed new supply cuts.',
        'Central bank holds rates steady',
        'FRANKFURT (Reuters) - The central bank kept its key rate unchanged on Thursday.',
      ],
      { lang: 'en' },
    );
    expect(result.stories.map((s) => [s.headline, s.place, s.agencies, s.body])).toEqual([
      ['Oil prices climb as supply worries grow', null, ['Reuters'], ['(Reuters) - Oil prices rose on Tuesday as traders weighed new supply cuts.']],
      ['Central bank holds rates steady', 'FRANKFURT', ['Reuters'], ['FRANKFURT (Reuters) - The central bank kept its key rate unchanged on Thursday.']],
    ]);
  });

  test('an age-like word that starts ordinary text is text', () => {
    const result = parseWire(['Kop', 'UTRECHT (ANP) - Het regent.', 'Net als gisteren is het nat.', 'Nu'], { lang: 'nl' });
    expect(result.stories.map((s) => [s.body, s.ageText])).toEqual([[['UTRECHT (ANP) - Het regent.', 'Net als gisteren is het nat.'], 'Nu']]);
  });

  test('lang auto: dates, whose month words languages share, count only where no other age does', () => {
    const lines = ['LONDON (Reuters) - One.', '6 December 2026', 'PARIS (Reuters) - Two.', '5 December 2026', 'ROME (Reuters) - Three.', '2 hours ago'];
    const result = parseWire(lines, { lang: 'auto' });
    expect([result.lang, result.stories.map((s) => s.ageText)]).toEqual(['en', ['6 December 2026', '5 December 2026', '2 hours ago']]);
    expect(parseWire(['LONDON (Reuters) - One.', 'Dec 6, 2026'], { lang: 'auto' }).lang).toBe('en');
    expect(parseWire(['Berlin (dpa) - Eins.', '06.12.2026, 18:45 Uhr'], { lang: 'auto' }).lang).toBe('de');
  });

  test('lang auto picks the language of the ages, else nl', () => {
    expect(parseWire(['LONDON (Reuters) - Rain fell.', '5 minutes ago'], { lang: 'auto' }).lang).toBe('en');
    expect(parseWire(['Berlin (dpa) - Es regnet.', 'vor 5 Minuten'], { lang: 'auto' }).lang).toBe('de');
    expect(parseWire(['LONDON (Reuters) - Rain fell.'], { lang: 'auto' }).lang).toBe('nl');
    expect(parseWire(['LONDON (Reuters) - Rain fell.'], { lang: 'en' }).lang).toBe('en');
  });

  test('warnings: no stories, binary-looking text, stray ages', () => {
    expect(parseWire([], { lang: 'nl' }).warnings).toEqual(['no stories found']);
    expect(parseWire(['\ufffd\ufffd\ufffdPNG\ufffd\ufffd'], { lang: 'nl' }).warnings).toEqual(['input looks binary', 'no stories found']);
    expect(parseWire(['5 minuten geleden', 'ROME (ANP) - Zon.'], { lang: 'nl' }).warnings).toEqual(['1 age(s) found outside any story, ignored']);
  });

  test('a link line between items is not the next story\'s headline', () => {
    const result = parseWire(
      ['Kop van de dag', 'DEN HAAG (ANP) - Eerste.', '2 uur geleden', 'Lees ook: Zo kom je toch op je werk', 'UTRECHT (ANP) - Tweede.', '3 uur geleden'],
      { lang: 'nl' },
    );
    expect(result.warnings).toEqual([]);
    expect(result.stories.map((s) => [s.headline, s.headlineDerived, s.ageText])).toEqual([
      ['Kop van de dag', false, '2 uur geleden'],
      ['Tweede.', true, '3 uur geleden'],
    ]);
  });

  test('an elided place opens a story instead of leaving its age stray', () => {
    const result = parseWire(["'S-HERTOGENBOSCH (ANP) - De stad groeit.", '1 uur geleden'], { lang: 'nl' });
    expect(result.warnings).toEqual([]);
    expect(result.stories.map((s) => [s.place, s.headline, s.ageText])).toEqual([["'S-HERTOGENBOSCH", 'De stad groeit.', '1 uur geleden']]);
  });

  test('dates, weekdays and times that do not resolve stand where an age does', () => {
    const lines = ['Kop een', 'DEN HAAG (ANP) - Een.', 'zaterdag 18:45', 'Kop twee', 'UTRECHT (ANP) - Twee.', 'Dec 6, 2026'];
    lines.push('ARNHEM (ANP) - Drie.', '3 jaar geleden', 'Kop vier', 'ZWOLLE (ANP) - Vier.', 'Mar 32, 2026', 'ROME (ANP) - Vijf.', 'vor 2 Std.');
    const result = parseWire(lines, { lang: 'nl' });
    expect(result.warnings).toEqual([]);
    expect(result.stories.map((s) => [s.headline, s.ageText])).toEqual([
      ['Kop een', 'zaterdag 18:45'],
      ['Kop twee', 'Dec 6, 2026'],
      ['Drie.', '3 jaar geleden'],
      ['Kop vier', 'Mar 32, 2026'],
      // A German age on a page read as Dutch is still a time, not text: dating it warns.
      ['Vijf.', 'vor 2 Std.'],
    ]);
  });

  test('a time the ages do not know, glued before a dateline, is the age of the story before', () => {
    const result = parseWire(
      ['DEN HAAG (ANP) - Een.', '3 jaar geledenSEOUL (ANP/RTR) - Twee.', 'Mar 32, 2026ROME (ANP) - Drie.', "zaterdag 25:00'S-HERTOGENBOSCH (ANP) - Vier."],
      { lang: 'nl' },
    );
    expect(result.warnings).toEqual([]);
    expect(result.stories.map((s) => [s.place, s.body, s.ageText])).toEqual([
      ['DEN HAAG', ['DEN HAAG (ANP) - Een.'], '3 jaar geleden'],
      ['SEOUL', ['SEOUL (ANP/RTR) - Twee.'], 'Mar 32, 2026'],
      ['ROME', ['ROME (ANP) - Drie.'], 'zaterdag 25:00'],
      ["'S-HERTOGENBOSCH", ["'S-HERTOGENBOSCH (ANP) - Vier."], null],
    ]);
  });

  test('a time the ages do not know at the end of a line, after its last sentence, is its age', () => {
    const result = parseWire(
      ['DEN HAAG (ANP) - Een. 3 jaar geleden', 'ROME (ANP) - Twee zei "ja". 06.12.2026, 25:00 Uhr', 'PARIS (AFP) - Drie. Om 12.30 uur begint het'],
      { lang: 'nl' },
    );
    expect(result.stories.map((s) => [s.body, s.ageText])).toEqual([
      [['DEN HAAG (ANP) - Een.'], '3 jaar geleden'],
      [['ROME (ANP) - Twee zei "ja".'], '06.12.2026, 25:00 Uhr'],
      [['PARIS (AFP) - Drie. Om 12.30 uur begint het'], null],
    ]);
  });

  test('a paragraph with a capital glued early is no glued time', () => {
    const result = parseWire(['DEN HAAG (ANP) - Een.', 'Het bedrijf xAI (van Musk) groeit hard.', 'De NAVO (in Brussel) zwijgt.'], { lang: 'nl' });
    expect(result.stories.map((s) => s.body)).toEqual([['DEN HAAG (ANP) - Een.', 'Het bedrijf xAI (van Musk) groeit hard.', 'De NAVO (in Brussel) zwijgt.']]);
  });

  test('a lead that is only a dateline takes its headline from the next paragraph', () => {
    const [story] = parseWire(['ROME (ANP) -', 'De paus is ziek. Meer volgt.'], { lang: 'nl' }).stories;
    expect([story?.headline, story?.leadSentence, story?.place]).toEqual(['De paus is ziek.', '', 'ROME']);
  });
});

describe('selector items', () => {
  test('items get a dateline, a derived headline when they have none, their link and datetime', () => {
    const datetime = new Date('2026-11-28T10:00:00Z');
    const result = parseExtracted(
      {
        kind: 'items',
        items: [
          { headline: null, body: ['GENEVA (AP) — The U.N. said talks would resume on Nov. 30. More text.', 'Second.'], ageText: 'vor 5 Minuten', link: 'https://example.org/a', datetime: null },
          { headline: '  Own headline ', body: ['No dateline here.'], ageText: null, link: null, datetime },
          { headline: ' ', body: [' '], ageText: null, link: null, datetime: null },
        ],
      },
      { lang: 'auto' },
    );
    expect(result.lang).toBe('de');
    expect(result.warnings).toEqual(['1 item(s) without headline or text skipped']);
    expect(result.stories).toEqual([
      {
        headline: 'The U.N. said talks would resume on Nov. 30.',
        headlineDerived: true,
        place: 'GENEVA',
        agencies: ['AP'],
        section: null,
        body: ['GENEVA (AP) — The U.N. said talks would resume on Nov. 30. More text.', 'Second.'],
        ageText: 'vor 5 Minuten',
        leadSentence: 'The U.N. said talks would resume on Nov. 30.',
        link: 'https://example.org/a',
        author: null,
        image: null,
        datetime: null,
      },
      {
        headline: 'Own headline',
        headlineDerived: false,
        place: null,
        agencies: [],
        section: null,
        body: ['No dateline here.'],
        ageText: null,
        leadSentence: 'No dateline here.',
        link: null,
        author: null,
        image: null,
        datetime,
      },
    ]);
  });

  test('lines go through the wire grammar', () => {
    const result = parseExtracted({ kind: 'lines', lines: ['Een kop', 'ROME (ANP) - Zon.'] }, { lang: 'nl' });
    expect(result.stories.map((s) => s.headline)).toEqual(['Een kop']);
  });
});

describe('long junk lines cost linear time', () => {
  const MB = 1 << 20;
  test.each([
    ['letters', 'x'.repeat(MB)],
    ['capital words', 'ABC '.repeat(MB / 4)],
    ['open parentheses', 'A ('.repeat(MB / 3)],
    ['full stops', 'a. '.repeat(MB / 3)],
    ['dots', '.'.repeat(MB)],
    ['dotted', 'a.'.repeat(MB / 2)],
    ['quotes', '."'.repeat(MB / 2)],
    ['age words', '5 minuten geleden '.repeat(MB / 18)],
    ['dateline then junk', `PARIS (AFP) - ${'Le '.repeat(MB / 3)}`],
  ])('%s', (_name, line) => {
    const result = parseWire([line, line], { lang: 'auto' });
    expect(result.stories.length).toBeLessThanOrEqual(2);
  });
});
