/** Dutch age phrases, as ANP pages show them (`4 minuten geleden`, `gisteren om 18:45`). */
import { DAY, HOUR, MINUTE, SECOND, WEEK, type Lexicon } from './lexicon.js';

export const nl: Lexicon = {
  lang: 'nl',
  moments: [
    'zojuist',
    'zonet',
    'net',
    'nu',
    'een paar seconden geleden',
    'enkele seconden geleden',
    'minder dan een minuut geleden',
  ],
  phrases: ['{n} {unit} geleden', '{day}', '{day} {time}', '{day} om {time}', '{day}, {time}', '{time}'],
  numbers: { een: 1, één: 1 },
  units: {
    seconde: SECOND,
    seconden: SECOND,
    sec: SECOND,
    'sec.': SECOND,
    minuut: MINUTE,
    minuten: MINUTE,
    min: MINUTE,
    'min.': MINUTE,
    uur: HOUR,
    dag: DAY,
    dagen: DAY,
    week: WEEK,
    weken: WEEK,
  },
  days: { vandaag: 0, gisteren: -1, eergisteren: -2 },
  clocks: ['{H}:{M}', '{H}:{M} uur', '{H}.{M} uur'],
  ampm: {},
};
