/**
 * Lines that belong to no story: advertising labels, share buttons, menus, cookie notices,
 * footers. Phrases are data; the rules that use them are few and only look at short lines
 * (or, for footers and cookie notices, at the start of a line).
 */

/** Whole lines that are page furniture, lower case, in nl, en, de and fr. */
const NOISE_LINES = new Set([
  // advertising
  'advertentie', 'advertisement', 'anzeige', 'publicité', 'publicite', 'ad', 'sponsored', 'gesponsord', 'gesponsert', 'werbung',
  // read on
  'lees meer', 'lees verder', 'lees ook', 'read more', 'continue reading', 'see more',
  'weiterlesen', 'mehr lesen', 'mehr anzeigen', 'lire la suite', 'lire aussi', 'voir plus', 'bekijk meer', 'toon meer',
  // sharing
  'delen', 'deel', 'deel dit artikel', 'deel dit bericht', 'share', 'share this', 'share this article', 'share this story',
  'teilen', 'artikel teilen', 'diesen artikel teilen', 'partager', 'partager cet article', "partager l'article",
  'tweet', 'facebook', 'twitter', 'x', 'whatsapp', 'linkedin', 'e-mail', 'email', 'mail', 'pinterest', 'reddit', 'telegram',
  'kopieer link', 'link kopiëren', 'copy link', 'link kopieren', 'copier le lien', 'print', 'afdrukken', 'drucken', 'imprimer',
  // navigation
  'menu', 'menü', 'home', 'start', 'accueil', 'startseite', 'zoeken', 'search', 'suche', 'suchen', 'rechercher',
  'inloggen', 'log in', 'login', 'sign in', 'anmelden', 'se connecter', 'abonneren', 'subscribe', 'abonnieren', "s'abonner",
  'sluiten', 'close', 'schließen', 'fermer', 'terug', 'back', 'zurück', 'retour', 'naar boven', 'back to top', 'nach oben',
  'haut de page', 'volgende', 'vorige', 'next', 'previous', 'weiter', 'zurück zur übersicht', 'suivant', 'précédent',
  'reacties', 'comments', 'kommentare', 'commentaires', 'meer nieuws', 'more news', 'mehr nachrichten', "plus d'actualités",
  // consent buttons and footer links
  'accepteren', 'alles accepteren', 'weigeren', 'accept', 'accept all', 'reject all', 'akzeptieren', 'alle akzeptieren',
  'ablehnen', 'accepter', 'tout accepter', 'refuser', 'tout refuser', 'instellingen', 'settings', 'einstellungen', 'paramètres',
  'privacy', 'privacybeleid', 'privacyverklaring', 'privacy policy', 'cookiebeleid', 'cookie policy', 'cookies',
  'datenschutz', 'datenschutzerklärung', 'impressum', 'mentions légales', 'politique de confidentialité', 'disclaimer',
  'contact', 'kontakt', 'colofon', 'over ons', 'about us', 'über uns', 'qui sommes-nous', 'terms of use', 'terms of service',
  'nutzungsbedingungen', 'gebruiksvoorwaarden', 'conditions générales', 'cgu', 'rss', 'sitemap', 'faq', 'help', 'hilfe', 'aide',
]);

/**
 * Labels before a link to another page (`Lees ook: Zo kom je toch op je werk`), lower case: such
 * a line is page chrome between items, not the next story's headline.
 */
const LINK_LABELS = [
  'lees ook', 'lees meer', 'lees verder', 'bekijk ook', 'kijk ook', 'zie ook', 'ook interessant',
  'read more', 'read also', 'also read', 'see also', 'related', 'more on this',
  'lire aussi', 'à lire aussi', 'a lire aussi', 'voir aussi', 'à voir aussi', 'lire la suite',
  'mehr zum thema', 'auch interessant', 'lesen sie auch', 'siehe auch', 'das könnte sie auch interessieren',
];
/** A label, its colon (French puts a space before it), perhaps after a bullet. */
const LINK_LINE = new RegExp(`^[\\s›»>•·|-]*(?:${LINK_LABELS.join('|')})\\s*:`, 'iu');

/** Footers: a copyright line or a rights notice. */
const FOOTER = /^(?:©|\(c\) ?\d{4}|copyright\b|alle rechten voorbehouden|all rights reserved|alle rechte vorbehalten|tous droits réservés)/iu;
/** Cookie notices name cookies and what the reader is asked to do about them. */
const COOKIE = /cookie/i;
const CONSENT = /accept|akzeptier|toestemming|consent|zustimm|einwillig|privacy|datenschutz|confidentialité|instellingen|paramétr|einstellung|settings|gebruik|we use|wir verwenden|nous utilisons|utilise/iu;

/** Lines longer than this are never furniture by the word list. */
const MAX_FURNITURE = 60;
/** Cookie notices run to a few sentences at most. */
const MAX_COOKIE = 600;
/** Punctuation and bullets around a menu word: `› Lees meer`, `Delen |`, `Read more »`. */
const TRIM = /^[\s|·•›»>:–—-]+|[\s|·•›»<:–—-]+$/gu;

/** A link line is a label and a headline at most. */
const MAX_LINK_LINE = 300;

/** A reading time on a line of its own (`3 minute read`, `4 Min. Lesezeit`, `Leestijd 2 minuten`): a length, not an age. */
const READING_TIME = /^(?:\d{1,3}\s*(?:minutes?|min\.?|mins)\s+read|\d{1,3}\s*Min\.?\s+Lesezeit|\d{1,3}\s*min\s+de\s+lecture|Leestijd:?\s*\d{1,3}\s*min(?:uten|\.)?)$/iu;

/** Whether `line` is page furniture that belongs to no story. */
export function isNoise(line: string): boolean {
  if (line.length <= MAX_FURNITURE && NOISE_LINES.has(line.replace(TRIM, '').toLowerCase())) return true;
  if (line.length <= MAX_FURNITURE && READING_TIME.test(line)) return true;
  if (line.length <= MAX_LINK_LINE && LINK_LINE.test(line)) return true;
  if (FOOTER.test(line)) return true;
  return line.length <= MAX_COOKIE && COOKIE.test(line) && CONSENT.test(line);
}
