/** French age phrases (`il y a 5 min`, `hier à 18h45`). */
import { DAY, HOUR, MINUTE, SECOND, WEEK, type Lexicon } from './lexicon.js';

export const fr: Lexicon = {
  lang: 'fr',
  moments: ["à l'instant", "a l'instant", 'il y a quelques secondes', 'il y a un instant', 'il y a moins d’une minute'],
  phrases: ['il y a {n} {unit}', '{day}', '{day} {time}', '{day} à {time}', '{day}, {time}', '{time}'],
  numbers: { un: 1, une: 1 },
  units: {
    seconde: SECOND,
    secondes: SECOND,
    sec: SECOND,
    s: SECOND,
    minute: MINUTE,
    minutes: MINUTE,
    min: MINUTE,
    mn: MINUTE,
    heure: HOUR,
    heures: HOUR,
    h: HOUR,
    jour: DAY,
    jours: DAY,
    j: DAY,
    semaine: WEEK,
    semaines: WEEK,
  },
  days: { "aujourd'hui": 0, hier: -1, 'avant-hier': -2 },
  clocks: ['{H}h{M}', '{H} h {M}', '{H}:{M}', '{H}h', '{H} h'],
  ampm: {},
};
