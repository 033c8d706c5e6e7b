// Formatting for the current locale. Money is integer minor units and is
// never computed with floating point: amounts are turned into decimal
// strings for display only. Money is written as the printed receipt and
// the pole display write it (hardware/receipt/money.go); numbers, dates
// and percentages follow the locale through Intl.

import { locale, language } from './i18n.js';

const nfCache = new Map();
function nf(opts) {
  const key = locale() + JSON.stringify(opts);
  if (!nfCache.has(key)) nfCache.set(key, new Intl.NumberFormat(locale(), opts));
  return nfCache.get(key);
}

// CURRENCIES says how amounts of a currency are written, by language; the
// '' language is the currency's default. It is the receipt's table
// (hardware/receipt/money.go): change both together.
const CURRENCIES = {
  SEK: { '': { suffix: ' kr' }, en: { prefix: 'SEK ' } },
  EUR: { '': { suffix: ' €' }, en: { prefix: '€' }, 'zh-Hant': { prefix: '€' } },
  RON: { '': { suffix: ' lei' }, en: { prefix: 'RON ' } },
  TWD: { '': { prefix: 'NT$', wholeIfRound: true } },
  GBP: { en: { prefix: '£' } },
  USD: { en: { prefix: '$' } },
};

// SEPARATORS are each language's decimal mark and thousands separator.
const SEPARATORS = {
  sv: [',', ' '],
  sk: [',', ' '],
  ro: [',', '.'],
  'zh-Hant': ['.', ','],
  en: ['.', ','],
};

// minorDigits is how many decimals amounts of currency have. As on the
// receipt, every currency has two (TWD too, as in ISO 4217).
export function minorDigits() {
  return 2;
}

// decimal turns an integer of the given decimals into a decimal string:
// decimal(-1234, 2) is "-12.34".
export function decimal(n, digits) {
  const neg = n < 0;
  let s = String(Math.abs(Math.trunc(n)));
  if (digits > 0) {
    s = s.padStart(digits + 1, '0');
    s = s.slice(0, -digits) + '.' + s.slice(-digits);
  }
  return (neg ? '-' : '') + s;
}

let storeCurrency = 'SEK';
export function setCurrency(c) {
  if (c) storeCurrency = c;
}
export const currency = () => storeCurrency;

// money formats minor units of cur (the store currency by default) as the
// receipt prints them in the current language: "499,00 kr", "SEK 1,499.00",
// "499,00 lei", "NT$499". A currency not in the table has its code after
// the amount.
export function money(minor, cur = storeCurrency) {
  const lang = language();
  const table = CURRENCIES[cur] || {};
  const c = table[lang] || table[''] || { suffix: ' ' + cur };
  const [mark, thousands] = SEPARATORS[lang] || SEPARATORS.en;
  const [whole, frac = ''] = decimal(Math.abs(minor || 0), minorDigits(cur)).split('.');
  let s = whole.replace(/\B(?=(\d{3})+$)/g, thousands);
  if (frac && !(c.wholeIfRound && /^0+$/.test(frac))) s += mark + frac;
  return (minor < 0 ? '-' : '') + (c.prefix || '') + s + (c.suffix || '');
}

// parseFixed reads a decimal typed on a keypad ("12", "12,5", "12.50")
// as an integer with the given decimals, or null when it is not one.
export function parseFixed(text, digits) {
  const m = /^(\d{0,9})(?:[.,](\d*))?$/.exec(String(text).trim());
  if (!m || (m[1] === '' && !m[2])) return null;
  const frac = (m[2] || '').padEnd(digits, '0');
  if (/[1-9]/.test(frac.slice(digits))) return null;
  return parseInt((m[1] || '0') + frac.slice(0, digits), 10);
}

// parseMoney reads a typed amount as minor units of cur, or null.
export function parseMoney(text, cur = storeCurrency) {
  return parseFixed(text, minorDigits(cur));
}

// percent formats basis points: 1250 is 12.5 %.
export function percent(bp) {
  return nf({ style: 'percent', maximumFractionDigits: 2 }).format(decimal(bp, 4));
}

// qty formats a line quantity: pieces, or grams shown as kilograms.
export function qty(n, unit) {
  if (unit === 'kg') return nf({ minimumFractionDigits: 3 }).format(decimal(n, 3)) + ' kg';
  return nf({}).format(n);
}

export function number(n) {
  return nf({}).format(n);
}

// storeZone is the store's IANA time zone, from the node's status; ''
// until it is known, or when the node names none, is the device's own.
let storeZone = '';

// setTimeZone makes dates and times show in zone, as the receipt prints
// them, whatever zone the device is set to. A name the browser does not
// know is ignored.
export function setTimeZone(zone) {
  if (!zone) return;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
  } catch {
    return;
  }
  storeZone = zone;
  dtfCache.clear();
}
export const timeZone = () => storeZone;

const dtfCache = new Map();
function dtf(opts) {
  const zone = storeZone ? { timeZone: storeZone } : {};
  const key = locale() + JSON.stringify(opts);
  if (!dtfCache.has(key)) dtfCache.set(key, new Intl.DateTimeFormat(locale(), { ...opts, ...zone }));
  return dtfCache.get(key);
}

// dateTime writes a date and time in the store's zone.
export function dateTime(v) {
  const d = new Date(v);
  if (isNaN(d) || d.getFullYear() < 2000) return '';
  return dtf({ dateStyle: 'short', timeStyle: 'short' }).format(d);
}

// time writes a time of day in the store's zone.
export function time(v) {
  const d = new Date(v);
  if (isNaN(d) || d.getFullYear() < 2000) return '';
  return dtf({ timeStyle: 'medium' }).format(d);
}

// quickCash proposes amounts to hand over for due minor units: the exact
// amount, due rounded up to round amounts and single notes above it.
export function quickCash(due, cur = storeCurrency) {
  const unit = 10 ** minorDigits(cur);
  const up = (step) => (due % step === 0 ? due : due - (due % step) + step);
  const c = new Set();
  for (const m of [10, 50, 100, 500]) c.add(up(m * unit));
  for (const m of [20, 50, 100, 200, 500, 1000]) c.add(m * unit);
  const more = [...c].filter((v) => v > due).sort((a, b) => a - b).slice(0, 3);
  return [due, ...more];
}
