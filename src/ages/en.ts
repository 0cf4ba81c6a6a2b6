/** English age phrases (`3 hours ago`, `yesterday at 6:45 PM`, `5m ago`). */
import { DAY, HOUR, MINUTE, SECOND, WEEK, type Lexicon } from './lexicon.js';

export const en: Lexicon = {
  lang: 'en',
  // Bare "now" is left out: too many English sentences start with it.
  moments: ['just now', 'a few seconds ago', 'seconds ago', 'moments ago', 'a moment ago', 'less than a minute ago'],
  phrases: ['{n} {unit} ago', '{day}', '{day} {time}', '{day} at {time}', '{day}, {time}', '{time}'],
  numbers: { a: 1, an: 1, one: 1 },
  units: {
    second: SECOND,
    seconds: SECOND,
    sec: SECOND,
    secs: SECOND,
    s: SECOND,
    minute: MINUTE,
    minutes: MINUTE,
    min: MINUTE,
    mins: MINUTE,
    m: MINUTE,
    hour: HOUR,
    hours: HOUR,
    hr: HOUR,
    hrs: HOUR,
    h: HOUR,
    day: DAY,
    days: DAY,
    d: DAY,
    week: WEEK,
    weeks: WEEK,
    wk: WEEK,
    wks: WEEK,
    w: WEEK,
  },
  days: { today: 0, yesterday: -1 },
  clocks: ['{H}:{M}', '{h}:{M} {ampm}', '{h}:{M}{ampm}', '{h} {ampm}', '{h}{ampm}'],
  ampm: { am: 'am', 'a.m.': 'am', pm: 'pm', 'p.m.': 'pm' },
};
