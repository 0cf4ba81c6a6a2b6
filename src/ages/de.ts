/** German age phrases (`vor 5 Minuten`, `gestern, 18:45 Uhr`). */
import { DAY, HOUR, MINUTE, SECOND, WEEK, type Lexicon } from './lexicon.js';

export const de: Lexicon = {
  lang: 'de',
  // Bare "gerade"/"eben"/"jetzt" are left out: they open ordinary sentences.
  moments: ['gerade eben', 'soeben', 'vor wenigen Sekunden', 'vor ein paar Sekunden', 'vor weniger als einer Minute'],
  phrases: ['vor {n} {unit}', '{day}', '{day} {time}', '{day}, {time}', '{day} um {time}', '{time}'],
  numbers: { einer: 1, einem: 1, eins: 1 },
  units: {
    sekunde: SECOND,
    sekunden: SECOND,
    sek: SECOND,
    'sek.': SECOND,
    minute: MINUTE,
    minuten: MINUTE,
    min: MINUTE,
    'min.': MINUTE,
    stunde: HOUR,
    stunden: HOUR,
    std: HOUR,
    'std.': HOUR,
    tag: DAY,
    tage: DAY,
    tagen: DAY,
    woche: WEEK,
    wochen: WEEK,
  },
  days: { heute: 0, gestern: -1, vorgestern: -2 },
  clocks: ['{H}:{M}', '{H}:{M} Uhr', '{H}.{M} Uhr', '{H} Uhr'],
  ampm: {},
};
