import { test } from 'vitest';
import { resolveAge, findAgeAtStart } from '../src/ages/index.js';
test('s', () => {
const now = new Date('2026-11-28T12:00:00Z');
for (const t of ['3 days 23 hours ago','ongeveer 4 uur geleden','Thu 02 Apr 2020 16:57','November 19, 2019 12:21 AM','Dienstag, 11. Dezember 2018 19:41 Uhr','24th September 10:01','zaterdag, 30 maart 2024 om 12:16','16/01/2017 08h33', '08h32', '12:37 PM', '3 minute read', '19:41 Uhr', 'vor 1 Stunde'])
  console.log(t, JSON.stringify(resolveAge(t,{now,timeZone:'Europe/Berlin',lang:'auto'})), findAgeAtStart(t,'auto')?.kind);
});
