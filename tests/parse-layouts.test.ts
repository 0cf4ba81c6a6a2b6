/**
 * Issue 15, one table per shape: a small page in the shape real sites publish, and the exact
 * stories it gives (headline, place, agencies, author, published interval), read with the ages
 * as the daemon reads them (`now` and the source's zone given).
 */
import { describe, expect, test } from 'vitest';
import { resolveStories } from '../src/ages/index.js';
import { parseExtractedSteps, parseWire } from '../src/parse/index.js';

const NOW = new Date('2026-11-28T12:00:00Z');

interface Row {
  headline: string;
  place: string | null;
  agencies: string[];
  author: string | null;
  /** Earliest and latest published moment, ISO; null earliest: no time on the page. */
  published: [string | null, string];
}

function read(page: string, timeZone: string): { rows: Row[]; layout: string; bodies: string[][] } {
  const parsed = parseWire(page.split('\n').filter((l) => l.trim() !== ''), { lang: 'auto' });
  const dated = resolveStories(parsed.stories, { now: NOW, timeZone, lang: parsed.lang });
  expect(dated.warnings).toEqual([]);
  return {
    layout: parsed.layout,
    bodies: dated.stories.map((s) => s.body),
    rows: dated.stories.map((s) => ({
      headline: s.headline,
      place: s.place,
      agencies: s.agencies,
      author: s.author,
      published: [s.publishedEarliest?.toISOString() ?? null, s.publishedLatest.toISOString()],
    })),
  };
}

const row = (headline: string, place: string | null, agencies: string[], author: string | null, published: [string | null, string]): Row => ({
  headline,
  place,
  agencies,
  author,
  published,
});

describe('1. clock time opening the headline line', () => {
  test('`10:01 Headline` / `Juba - …`: a bare clock is the latest such moment not after now; datelines without agency the page confirms', () => {
    const { rows, layout } = read(
      [
        '10:01 Helfer warnen vor Hunger im Süden',
        'Juba - Die Vereinten Nationen warnen vor Hunger. Die Lage sei ernst.',
        '19:41 Sturm legt Bahnverkehr lahm',
        'Hamburg - Ein Sturm hat den Bahnverkehr im Norden lahmgelegt. Züge fielen aus.',
      ].join('\n'),
      'Europe/Berlin',
    );
    expect(layout).toBe('text grammar: time headline · dateline lead (no agency) · body (ages lead)');
    expect(rows).toEqual([
      row('Helfer warnen vor Hunger im Süden', 'Juba', [], null, ['2026-11-28T09:01:00.000Z', '2026-11-28T09:01:59.999Z']),
      // 19:41 in Berlin has not come yet at 13:00 local: yesterday's.
      row('Sturm legt Bahnverkehr lahm', 'Hamburg', [], null, ['2026-11-27T18:41:00.000Z', '2026-11-27T18:41:59.999Z']),
    ]);
  });

  test('`22:25 Uhr | Headline` with teasers and no dateline', () => {
    const { rows, layout } = read(
      [
        'Ticker',
        '22:25 Uhr | Strengere Regeln in Dänemark',
        'Die Regierung weitet die Beschränkungen auf das ganze Land aus.',
        '21:45 Uhr | Heim unter Quarantäne',
        'Bei einem Mitarbeiter wurde eine Infektion nachgewiesen.',
      ].join('\n'),
      'Europe/Berlin',
    );
    expect(layout).toBe('text grammar: time headline · lead · body (ages lead)');
    expect(rows).toEqual([
      row('Strengere Regeln in Dänemark', null, [], null, ['2026-11-27T21:25:00.000Z', '2026-11-27T21:25:59.999Z']),
      row('Heim unter Quarantäne', null, [], null, ['2026-11-27T20:45:00.000Z', '2026-11-27T20:45:59.999Z']),
    ]);
  });

  test('one `Place - ` lead alone is not confirmed by the page: no place', () => {
    const { rows } = read(
      [
        '10:01 Helfer warnen vor Hunger im Süden',
        'Juba - Die Vereinten Nationen warnen vor Hunger. Die Lage sei ernst.',
        '09:12 Zahl der Pleiten steigt',
        'Die Zahl der Insolvenzen ist erneut gestiegen. Das meldete das Amt.',
        '08:40 Neue Brücke eröffnet',
        'Die Brücke verbindet zwei Stadtteile. Sie kostete zwölf Millionen Euro.',
      ].join('\n'),
      'Europe/Berlin',
    );
    expect(rows.map((r) => r.place)).toEqual([null, null, null]);
  });
});

describe('2. clock time on its own line, under a date header', () => {
  test('`19:41 Uhr` / headline / `Brüssel - …` under `Dienstag, 11. Dezember 2018 … Kurzmeldungen des Tages`', () => {
    const { rows, layout } = read(
      [
        'Dienstag, 11. Dezember 2018 – Kurzmeldungen des Tages',
        '19:41 Uhr',
        'EU vertagt Entscheidung über Haushalt',
        'Brüssel - Die EU hat die Entscheidung vertagt. Ein Sondergipfel folgt.',
        '17:02 Uhr',
        'Rom legt neuen Etat vor',
        'Rom - Die Regierung hat einen neuen Entwurf übermittelt. Das Defizit sinkt.',
      ].join('\n'),
      'Europe/Berlin',
    );
    expect(layout).toBe('text grammar: time · headline · dateline lead (no agency) · body (ages lead, under date headers)');
    expect(rows).toEqual([
      row('EU vertagt Entscheidung über Haushalt', 'Brüssel', [], null, ['2018-12-11T18:41:00.000Z', '2018-12-11T18:41:59.999Z']),
      row('Rom legt neuen Etat vor', 'Rom', [], null, ['2018-12-11T16:02:00.000Z', '2018-12-11T16:02:59.999Z']),
    ]);
  });
});

describe('3. age on its own line before the headline', () => {
  test('`vor 1 Stunde` / headline / teaser ` - mehr...`: ages lead, no dateline, the link label is no text', () => {
    const { rows, layout, bodies } = read(
      [
        'Nachrichten',
        'vor 1 Stunde',
        'Forscher finden neue Froschart',
        'Ein Team hat in Ecuador eine unbekannte Art beschrieben. - mehr...',
        'vor 3 Stunden',
        'Kommunen fordern Geld für Kitas',
        'Der Städtetag verlangt mehr Unterstützung vom Bund. - mehr...',
      ].join('\n'),
      'Europe/Berlin',
    );
    expect(layout).toBe('text grammar: time · headline · lead · body (ages lead)');
    expect(rows).toEqual([
      row('Forscher finden neue Froschart', null, [], null, ['2026-11-28T10:00:00.000Z', '2026-11-28T11:00:00.000Z']),
      row('Kommunen fordern Geld für Kitas', null, [], null, ['2026-11-28T08:00:00.000Z', '2026-11-28T09:00:00.000Z']),
    ]);
    expect(bodies).toEqual([['Ein Team hat in Ecuador eine unbekannte Art beschrieben.'], ['Der Städtetag verlangt mehr Unterstützung vom Bund.']]);
  });
});

describe('ages trail: the page decides', () => {
  test('a clock at the top of an ANP list whose last line is an age does not make ages lead', () => {
    const { rows, layout } = read(
      ['12:05', 'Kop van het eerste verhaal', 'ROME (ANP) - Een eerste verhaal.', '4 minuten geleden', 'Kop van het tweede', 'PARIJS (ANP) - Een tweede verhaal.', '1 uur geleden'].join('\n'),
      'Europe/Amsterdam',
    );
    expect(layout).toBe('text grammar: headline · dateline lead · body (ages trail)');
    expect(rows).toEqual([
      row('Kop van het eerste verhaal', 'ROME', ['ANP'], null, ['2026-11-28T11:55:00.000Z', '2026-11-28T11:56:00.000Z']),
      row('Kop van het tweede', 'PARIJS', ['ANP'], null, ['2026-11-28T10:00:00.000Z', '2026-11-28T11:00:00.000Z']),
    ]);
  });
});

describe('4. agency and clock line under the headline', () => {
  test.each([
    {
      name: '`• headline` / `AFP, 08h32` / text',
      tz: 'Europe/Paris',
      stamps: ['AFP, 08h32', 'AFP, 07h55'],
      places: [null, null],
      agencies: [['AFP'], ['AFP']],
      published: [
        ['2026-11-28T07:32:00.000Z', '2026-11-28T07:32:59.999Z'],
        ['2026-11-28T06:55:00.000Z', '2026-11-28T06:55:59.999Z'],
      ],
    },
    {
      name: 'with a date: `AFP, 16/01/2017 08h33`',
      tz: 'Europe/Paris',
      stamps: ['AFP, 16/01/2017 08h33', 'AFP, 15/01/2017 22h14'],
      places: [null, null],
      agencies: [['AFP'], ['AFP']],
      published: [
        ['2017-01-16T07:33:00.000Z', '2017-01-16T07:33:59.999Z'],
        ['2017-01-15T21:14:00.000Z', '2017-01-15T21:14:59.999Z'],
      ],
    },
    {
      name: '`Nairobi, Kenya | AFP | 2 hours ago`',
      tz: 'Africa/Nairobi',
      stamps: ['Nairobi, Kenya | AFP | 2 hours ago', 'Abuja, Nigeria | Reuters | 5 hours ago'],
      places: ['Nairobi', 'Abuja'],
      agencies: [['AFP'], ['Reuters']],
      published: [
        ['2026-11-28T09:00:00.000Z', '2026-11-28T10:00:00.000Z'],
        ['2026-11-28T06:00:00.000Z', '2026-11-28T07:00:00.000Z'],
      ],
    },
    {
      name: '`Reuters Thu 02 Apr 2020 16:57`',
      tz: 'Europe/London',
      stamps: ['Reuters Thu 02 Apr 2020 16:57', 'Reuters Thu 02 Apr 2020 15:20'],
      places: [null, null],
      agencies: [['Reuters'], ['Reuters']],
      published: [
        ['2020-04-02T15:57:00.000Z', '2020-04-02T15:57:59.999Z'],
        ['2020-04-02T14:20:00.000Z', '2020-04-02T14:20:59.999Z'],
      ],
    },
  ])('$name', ({ tz, stamps, places, agencies, published }) => {
    const { rows, layout } = read(
      [
        'Dépêches',
        '• Séisme au large de Sumatra',
        stamps[0],
        'Un séisme a frappé mardi au large de Sumatra, sans faire de victimes.',
        '• Le prix du blé recule',
        stamps[1],
        'Les cours du blé ont reculé en début de séance.',
      ].join('\n'),
      tz,
    );
    expect(layout).toBe('text grammar: headline · agency and time · lead · body');
    expect(rows).toEqual([
      row('Séisme au large de Sumatra', places[0] as string | null, agencies[0] as string[], null, published[0] as [string, string]),
      row('Le prix du blé recule', places[1] as string | null, agencies[1] as string[], null, published[1] as [string, string]),
    ]);
  });
});

describe('4b. clock time on its own line under the headline', () => {
  test('headline / `11:05` / dateline lead: the headline opens the item, the time under it dates it', () => {
    const { rows, layout } = read(
      [
        'Harbour strike ends after two weeks',
        '11:05',
        'ROTTERDAM (ANP) - Dockers in the harbour went back to work on Monday after a deal on pay.',
        'Snow closes mountain passes',
        '10:40',
        'INNSBRUCK (APA) - Heavy snow closed three passes in the Tyrol overnight, police said.',
        'The roads are to open again on Wednesday.',
        'Museum returns stolen painting',
        '09:15',
        'MADRID (EFE) - A museum handed a painting stolen in 1998 back to a private collector.',
      ].join('\n'),
      'Europe/Amsterdam',
    );
    expect(layout).toBe('text grammar: headline · time · dateline lead · body');
    expect(rows).toEqual([
      row('Harbour strike ends after two weeks', 'ROTTERDAM', ['ANP'], null, ['2026-11-28T10:05:00.000Z', '2026-11-28T10:05:59.999Z']),
      row('Snow closes mountain passes', 'INNSBRUCK', ['APA'], null, ['2026-11-28T09:40:00.000Z', '2026-11-28T09:40:59.999Z']),
      row('Museum returns stolen painting', 'MADRID', ['EFE'], null, ['2026-11-28T08:15:00.000Z', '2026-11-28T08:15:59.999Z']),
    ]);
  });
});

describe('5. bylines glued before datelines', () => {
  test.each([
    ['By Kevin Krolicki and Chen Aizhu SINGAPORE (Reuters) – Refiners cut exports.', 'SINGAPORE', ['Reuters'], 'Kevin Krolicki and Chen Aizhu', 'SINGAPORE (Reuters) – Refiners cut exports.'],
    ['By MATT BROWN WASHINGTON (AP) — Senators clashed on Tuesday.', 'WASHINGTON', ['AP'], 'MATT BROWN', 'WASHINGTON (AP) — Senators clashed on Tuesday.'],
    ['By Jonathan Allen (Reuters) – Spending hit a record.', null, ['Reuters'], 'Jonathan Allen', '(Reuters) – Spending hit a record.'],
    ['By Fayaz Bukhari SRINAGAR/NEW DELHI (Reuters) - Floods cut off villages.', 'SRINAGAR/NEW DELHI', ['Reuters'], 'Fayaz Bukhari', 'SRINAGAR/NEW DELHI (Reuters) - Floods cut off villages.'],
  ])('%s', (lead, place, agencies, author, kept) => {
    const { rows, bodies } = read(['Some headline here', lead, 'Next story headline', 'LONDON (Reuters) - Another story.'].join('\n'), 'Europe/London');
    expect(rows).toEqual([
      row('Some headline here', place, agencies, author, [null, NOW.toISOString()]),
      row('Next story headline', 'LONDON', ['Reuters'], null, [null, NOW.toISOString()]),
    ]);
    // The byline is the author, never body text.
    expect(bodies[0]).toEqual([kept]);
  });
});

describe('6. byline lines between headline and lead', () => {
  test('`Name, The Associated Press 3 minute read Updated: 12:37 PM CST`: the clock dates the story, `3 minute read` is no age, a `… Preview` repeat is the same story', () => {
    const { rows, layout } = read(
      [
        'Senate passes stopgap bill',
        'Stephen Groves, The Associated Press 3 minute read Updated: 12:37 PM CST',
        'WASHINGTON (AP) — The Senate passed a stopgap bill late on Friday.',
        'Senate passes stopgap bill Preview',
        'Governors meet on wildfires',
        'By Mary Clarke',
        'DENVER (AP) — Governors met on Friday to plan for the fire season.',
      ].join('\n'),
      'America/Chicago',
    );
    expect(layout).toBe('text grammar: headline · dateline lead · body (ages trail)');
    expect(rows).toEqual([
      row('Senate passes stopgap bill', 'WASHINGTON', ['AP'], 'Stephen Groves', ['2026-11-27T18:37:00.000Z', '2026-11-27T18:37:59.999Z']),
      row('Governors meet on wildfires', 'DENVER', ['AP'], 'Mary Clarke', [null, NOW.toISOString()]),
    ]);
  });

  test('the same headline right above the next lead is that story\'s headline, not a repeat', () => {
    const { rows } = read(
      ['Kop van de dag', 'ROME (ANP) - Tekst een.', 'Kop van de dag', 'MILAAN (ANP) - Tekst twee.'].join('\n'),
      'Europe/Amsterdam',
    );
    expect(rows).toEqual([
      row('Kop van de dag', 'ROME', ['ANP'], null, [null, NOW.toISOString()]),
      row('Kop van de dag', 'MILAAN', ['ANP'], null, [null, NOW.toISOString()]),
    ]);
  });

  test('byline, reading time and update stamp on lines of their own', () => {
    const { rows } = read(
      ['Senate passes stopgap bill', 'Stephen Groves, The Associated Press', '3 minute read', 'Updated: 12:37 PM CST', 'WASHINGTON (AP) — The Senate passed a stopgap bill late on Friday.'].join('\n'),
      'America/Chicago',
    );
    expect(rows).toEqual([row('Senate passes stopgap bill', 'WASHINGTON', ['AP'], 'Stephen Groves', ['2026-11-27T18:37:00.000Z', '2026-11-27T18:37:59.999Z'])]);
  });

  test('a byline inside the text of a story signs that story, not the next', () => {
    const { rows } = read(
      ['Koalition einigt sich', 'Berlin (dpa) - Die Koalition hat sich geeinigt.', 'Von Anna Berger', 'Die Opposition übt scharfe Kritik an dem Kompromiss.', 'Landtag wählt Präsidentin', 'Stuttgart (dpa) - Der Landtag hat gewählt.'].join('\n'),
      'Europe/Berlin',
    );
    expect(rows.map((r) => [r.headline, r.author])).toEqual([
      ['Koalition einigt sich', 'Anna Berger'],
      ['Landtag wählt Präsidentin', null],
    ]);
  });

  test('`Von Anna Berger` under a dpa lead is the author', () => {
    const { rows } = read(['Koalition einigt sich', 'Von Anna Berger', 'Berlin (dpa) - Die Koalition hat sich geeinigt.', 'vor 25 Minuten'].join('\n'), 'Europe/Berlin');
    expect(rows).toEqual([row('Koalition einigt sich', 'Berlin', ['dpa'], 'Anna Berger', ['2026-11-28T11:34:00.000Z', '2026-11-28T11:35:00.000Z'])]);
  });
});

describe('7. date headers over a group of items', () => {
  test('`24th September` over headline · text items: each gets that day in the source zone', () => {
    const { rows, layout } = read(
      [
        '24th September',
        'Harbour wall repairs finish',
        'The repairs finished two weeks early, the port said.',
        'School wins national award',
        'Pupils won a prize for their science garden.',
        '23rd September',
        'Road closed after landslip',
        'The coast road will stay closed for a month.',
      ].join('\n'),
      'Europe/London',
    );
    expect(layout).toBe('text grammar: headline · lead · body (under date headers)');
    expect(rows).toEqual([
      row('Harbour wall repairs finish', null, [], null, ['2026-09-23T23:00:00.000Z', '2026-09-24T22:59:59.999Z']),
      row('School wins national award', null, [], null, ['2026-09-23T23:00:00.000Z', '2026-09-24T22:59:59.999Z']),
      row('Road closed after landslip', null, [], null, ['2026-09-22T23:00:00.000Z', '2026-09-23T22:59:59.999Z']),
    ]);
  });

  test('`zaterdag, 30 maart 2024 om 12:16` heads the clock times under it with its day', () => {
    const { rows } = read(
      [
        'zaterdag, 30 maart 2024 om 12:16',
        '11:05',
        'Veerpont weer in de vaart',
        'Het veer vaart weer volgens de dienstregeling.',
        'vrijdag, 29 maart 2024',
        '16:20',
        'Markt verhuist tijdelijk',
        'De weekmarkt staat tot de zomer op het stationsplein.',
      ].join('\n'),
      'Europe/Amsterdam',
    );
    expect(rows).toEqual([
      row('Veerpont weer in de vaart', null, [], null, ['2024-03-30T10:05:00.000Z', '2024-03-30T10:05:59.999Z']),
      row('Markt verhuist tijdelijk', null, [], null, ['2024-03-29T15:20:00.000Z', '2024-03-29T15:20:59.999Z']),
    ]);
  });

  test('date headers over dateline leads without ages (ages trail)', () => {
    const { rows, layout } = read(
      [
        'vendredi 27 novembre 2026',
        'PARIS (AFP) - Le gouvernement a présenté un plan.',
        'LYON (AFP) - Le musée rouvre ses portes.',
        'jeudi 26 novembre 2026',
        'MARSEILLE (AFP) - Le port a battu un record.',
      ].join('\n'),
      'Europe/Paris',
    );
    expect(layout).toBe('text grammar: headline · dateline lead · body (ages trail, under date headers)');
    expect(rows.map((r) => [r.place, r.published])).toEqual([
      ['PARIS', ['2026-11-26T23:00:00.000Z', '2026-11-27T22:59:59.999Z']],
      ['LYON', ['2026-11-26T23:00:00.000Z', '2026-11-27T22:59:59.999Z']],
      ['MARSEILLE', ['2026-11-25T23:00:00.000Z', '2026-11-26T22:59:59.999Z']],
    ]);
  });
});

describe('8. relative inside absolute', () => {
  test('`November 19, 2019 / 12:21 AM / Updated 14 hours ago`: published at the absolute time', () => {
    const { rows } = read(
      ['Carmaker to build battery plant', 'November 19, 2019 / 12:21 AM / Updated 14 hours ago', 'DETROIT (Reuters) - The carmaker will build a plant.'].join('\n'),
      'America/New_York',
    );
    expect(rows).toEqual([row('Carmaker to build battery plant', 'DETROIT', ['Reuters'], null, ['2019-11-19T05:21:00.000Z', '2019-11-19T05:21:59.999Z'])]);
  });

  test.each([
    ['ongeveer 4 uur geleden', 'Europe/Amsterdam', ['2026-11-28T07:00:00.000Z', '2026-11-28T08:00:00.000Z']],
    ['3 days 23 hours ago', 'Europe/London', ['2026-11-24T12:00:00.000Z', '2026-11-24T13:00:00.000Z']],
    ['about 6 hours ago', 'Europe/London', ['2026-11-28T05:00:00.000Z', '2026-11-28T06:00:00.000Z']],
    ['il y a environ 5 heures', 'Europe/Paris', ['2026-11-28T06:00:00.000Z', '2026-11-28T07:00:00.000Z']],
  ])('`%s` before the headline', (age, tz, published) => {
    const { rows } = read([age, 'Some headline here', 'Some teaser text that follows.', age, 'Another headline', 'More teaser text.'].join('\n'), tz);
    expect(rows[0]?.published).toEqual(published);
  });
});

describe('11. traps that are not ages', () => {
  test.each([
    ['om 12.00 uur in a sentence', 'De beving vond plaats om 12.00 uur plaatselijke tijd.'],
    ['een jaar geleden in prose', 'Een jaar geleden werd de stad ook getroffen.'],
    ['il y a près de trois ans in prose', 'Il y a près de trois ans, un mouvement semblable avait duré.'],
    ['3 minute read', '3 minute read'],
  ])('%s', (_name, trap) => {
    const { rows, bodies } = read(
      ['Kop van het eerste verhaal', 'KABUL (ANP/AFP) - Een zware beving trof het oosten.', trap, 'Tweede kop hier', 'ROME (ANP) - Een tweede verhaal.', '1 uur geleden'].join('\n'),
      'Europe/Amsterdam',
    );
    expect(rows.map((r) => [r.headline, r.published])).toEqual([
      ['Kop van het eerste verhaal', [null, NOW.toISOString()]],
      ['Tweede kop hier', ['2026-11-28T10:00:00.000Z', '2026-11-28T11:00:00.000Z']],
    ]);
    expect(bodies[0]?.includes(trap) || trap === '3 minute read').toBe(true);
  });
});

describe('12. datelines', () => {
  test.each([
    ['Bogotá (AFP) – El gobierno anunció un plan.', 'Bogotá', ['AFP']],
    ['Frankfurt/Main (dpa) - Die Börse legte zu.', 'Frankfurt/Main', ['dpa']],
    ['ABUJA, Nigeria (AP) — The president named a chief.', 'ABUJA', ['AP']],
    ['SRINAGAR/NEW DELHI (Reuters) - Floods cut off villages.', 'SRINAGAR/NEW DELHI', ['Reuters']],
    ['KABUL (ANP/AF) - Een zware beving trof het oosten.', 'KABUL', ['ANP', 'AF']],
  ])('%s', (lead, place, agencies) => {
    const { rows } = read(['Een kop voor dit verhaal', lead].join('\n'), 'Europe/Amsterdam');
    expect(rows.map((r) => [r.place, r.agencies])).toEqual([[place, agencies]]);
  });
});

describe('a big ticker page', () => {
  test('is read in steps: 20 000 items, never more than a few hundred lines or items per step', () => {
    const lines: string[] = [];
    for (let i = 0; i < 20_000; i++) {
      const hh = String(23 - (i % 24)).padStart(2, '0');
      lines.push(`${hh}:15 Meldung Nummer ${i} aus dem Ticker`, `Juba - Text der Meldung ${i}. Mehr folgt.`);
    }
    const steps = parseExtractedSteps({ kind: 'lines', lines }, { lang: 'auto' });
    let yields = 0;
    let step = steps.next();
    for (; !step.done; step = steps.next()) yields++;
    expect(step.value.stories).toHaveLength(20_000);
    expect(step.value.layout).toBe('text grammar: time headline · dateline lead (no agency) · body (ages lead)');
    // 40 000 lines at 512 a step and 20 000 items at 256 a step.
    expect(yields).toBeGreaterThanOrEqual(78 + 78);
  });
});
