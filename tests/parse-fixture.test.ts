import { expect, test } from 'vitest';
import { storyKey } from '../src/identity/index.js';
import { type ParseJson, runParse } from './helpers/expected.js';

const FIXTURE = 'tests/fixtures/parse/nl-buitenland.txt';
const ARGS = [FIXTURE, '--now', '2026-11-28T12:00:00Z', '--tz', 'Europe/Amsterdam', '--format', 'json'];

const LEAD_WASHINGTON =
  'WASHINGTON (ANP/AFP) - Noord-Korea heeft inmiddels 10.000 militairen naar Rusland gestuurd, schat het Amerikaanse Pentagon. Vorige week dachten de Verenigde Staten nog dat het om 3000 soldaten ging.';

/** [place, agencies, first sentence after the dateline, rest of the lead, age, published]. */
const LIST: [string, string[], string, string, string, string, string][] = [
  ['TEL AVIV', ['ANP', 'RTR'], 'De Israëlische premier Benjamin Netanyahu heeft een uitnodiging geaccepteerd om deel te nemen aan de Raad van Vrede.', ' Deze raad moet toezicht houden op het toekomstige Palestijnse overgangsbestuur in de Gazastrook.', '4 minuten geleden', '2026-11-28T11:56:00Z', '2026-11-28T11:55:00Z'],
  ['SEOUL', ['ANP', 'RTR'], 'De Zuid-Koreaanse oud-premier Han Duck-soo heeft 23 jaar gevangenisstraf gekregen in een zaak rond de militaire noodtoestand van 2024.', ' Een rechtbank acht de 76-jarige politicus schuldig aan onder meer het deelnemen aan een cruciale handeling van opstand.', '15 minuten geleden', '2026-11-28T11:45:00Z', '2026-11-28T11:44:00Z'],
  ['TOKIO', ['ANP', 'RTR'], 'De man die in 2022 de Japanse oud-premier Shinzo Abe vermoordde, is veroordeeld tot een levenslange gevangenisstraf.', ' Dat meldt de Japanse publieke omroep NHK. De man bekende eind oktober schuld.', '1 uur geleden', '2026-11-28T11:00:00Z', '2026-11-28T10:00:00Z'],
  ['SAO PAULO', ['ANP', 'RTR'], 'De Braziliaanse regering heeft Elon Musks bedrijf xAI dertig dagen de tijd gegeven om te voorkomen dat chatbot Grok seksueel getinte nepbeelden verspreidt.', ' Consumentenorganisatie Senacon, gegevensbeschermingsautoriteit ANPD en federale aanklagers dreigen met wettelijke of juridische maatregelen als xAI daar geen gehoor aan geeft.', '5 uur geleden', '2026-11-28T07:00:00Z', '2026-11-28T06:00:00Z'],
  ['GELIDA', ['ANP', 'RTR'], 'De machinist van de forensentrein die dinsdag in de omgeving van Barcelona op een omgevallen muur botste, is overleden.', ' Bij het voorval raakten volgens de lokale brandweer 37 mensen gewond, van wie vier ernstig.', '5 uur geleden', '2026-11-28T07:00:00Z', '2026-11-28T06:00:00Z'],
  ['WASHINGTON', ['ANP'], 'De NAVO is veel sterker dan een jaar geleden en dat komt volgens de Amerikaanse president Donald Trump door zijn beleid.', ' Hij noemde als voorbeeld dat NAVO-landen nu naar defensieuitgaven van 5 procent van het bruto binnenlands product per jaar gaan. Hij erkende dat er momenteel problemen zijn, maar er komen volgens hem ook oplossingen die zijn regering én de NAVO heel gelukkig zullen maken.', '9 uur geleden', '2026-11-28T03:00:00Z', '2026-11-28T02:00:00Z'],
  ['WASHINGTON', ['ANP', 'AFP'], 'Donald Trump is niet geïnteresseerd om af te reizen naar Parijs voor een bijeenkomst van de G7.', ' Dat zei de Amerikaanse president in reactie op vragen van journalisten tijdens zijn persmoment rond zijn eenjarige jubileum van zijn tweede termijn als president.', '9 uur geleden', '2026-11-28T03:00:00Z', '2026-11-28T02:00:00Z'],
];

test('the nl fixture gives exactly 8 stories in page order', async () => {
  const run = await runParse(ARGS);
  expect(run.code).toBe(0);
  expect(run.stderr).toBe('');
  const out = JSON.parse(run.stdout) as ParseJson;
  expect(out.warnings).toEqual([]);
  expect(out.stories).toHaveLength(8);

  const headline = 'VS schatten aantal Noord-Koreaanse soldaten in Rusland op 10.000';
  expect(out.stories[0]).toEqual({
    id: storyKey(headline),
    headline,
    headlineDerived: false,
    dateline: 'WASHINGTON',
    agencies: ['ANP', 'AFP'],
    author: null,
    section: null,
    body: [
      LEAD_WASHINGTON,
      'De troepen worden "waarschijnlijk" gebruikt om de Russische krijgsmacht te versterken die in het grensgebied vecht tegen de Oekraïners, aldus een Pentagon-woordvoerder. NAVO-chef Mark Rutte zei eerder dat de Noord-Koreanen al aanwezig zijn in Koersk, de Russische regio die is binnengevallen door Oekraïne.',
      'Rusland en Noord-Korea hebben niet bevestigd dat er troepen worden geleverd, maar spreken steevast over een nauwe militaire samenwerking.',
    ],
    age: null,
    published: '2026-11-28T12:00:00Z',
    publishedEarliest: null,
    publishedLatest: '2026-11-28T12:00:00Z',
  });

  LIST.forEach(([place, agencies, sentence, rest, age, published, earliest], i) => {
    const agencyText = agencies.join('/');
    expect(out.stories[i + 1], `story ${i + 2} (${place})`).toEqual({
      id: storyKey(sentence),
      headline: sentence,
      headlineDerived: true,
      dateline: place,
      agencies,
      author: null,
      section: 'Buitenland',
      body: [`${place} (${agencyText}) - ${sentence}${rest}`],
      age,
      published,
      publishedEarliest: earliest,
      publishedLatest: published,
    });
  });
});

test('the text format lists the same stories', async () => {
  const run = await runParse([FIXTURE, '--now', '2026-11-28T12:00:00Z', '--format', 'text']);
  expect(run.code).toBe(0);
  expect(run.stderr).toBe('');
  const lines = run.stdout.split('\n');
  expect(lines[0]).toBe('8 stories');
  expect(lines.filter((l) => /^\d+\. /.test(l))).toEqual([
    '1. VS schatten aantal Noord-Koreaanse soldaten in Rusland op 10.000',
    ...LIST.map(([, , sentence], i) => `${i + 2}. ${sentence} [derived]`),
  ]);
  expect(lines).toContain('   TEL AVIV (ANP/RTR) · Buitenland · 2026-11-28T11:56:00Z (4 minuten geleden)');
});
