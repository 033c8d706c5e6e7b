// Translations. Each language is a JSON file under /i18n/; every file has
// every key of en.json (a test checks it). Strings take {name} parameters.
// API error codes are translated as "err.<code>".

export const LANGUAGES = [
  { tag: 'sv', name: 'Svenska', locale: 'sv-SE' },
  { tag: 'sk', name: 'Slovenčina', locale: 'sk-SK' },
  { tag: 'ro', name: 'Română', locale: 'ro-RO' },
  { tag: 'zh-Hant', name: '繁體中文', locale: 'zh-Hant-TW' },
  { tag: 'en', name: 'English', locale: 'en-GB' },
];

const DEVICE_KEY = 'posnode.lang';
let lang = 'en';
let strings = {};
let fallback = {};
const cache = new Map();

async function load(tag) {
  if (!cache.has(tag)) {
    const res = await fetch('/i18n/' + tag + '.json');
    if (!res.ok) throw new Error('no translations for ' + tag);
    cache.set(tag, await res.json());
  }
  return cache.get(tag);
}

export function supported(tag) {
  return LANGUAGES.some((l) => l.tag === tag);
}

// deviceLanguage is the language chosen on this device, or one matching
// the browser, or English.
export function deviceLanguage() {
  const saved = localStorage.getItem(DEVICE_KEY);
  if (saved && supported(saved)) return saved;
  for (const n of navigator.languages || []) {
    if (/^zh-(Hant|TW|HK|MO)/i.test(n)) return 'zh-Hant';
    const base = n.split('-')[0];
    if (base !== 'zh' && supported(base)) return base;
  }
  return 'en';
}

export function rememberDeviceLanguage(tag) {
  localStorage.setItem(DEVICE_KEY, tag);
}

// setLanguage loads tag's strings and makes them current.
export async function setLanguage(tag) {
  if (!supported(tag)) tag = 'en';
  fallback = await load('en');
  strings = await load(tag);
  lang = tag;
  document.documentElement.lang = tag;
}

export const language = () => lang;
export const locale = () => (LANGUAGES.find((l) => l.tag === lang) || LANGUAGES[4]).locale;

// t returns the string for key with {params} filled in.
export function t(key, params) {
  let s = strings[key] ?? fallback[key] ?? key;
  if (params) s = s.replace(/\{(\w+)\}/g, (m, k) => (k in params ? String(params[k]) : m));
  return s;
}

// errorText translates an error from the API (or any thrown value). A code
// with no translation shows the code and the message the node sent with
// it, never a bare key.
export function errorText(err) {
  const code = (err && err.code) || 'internal';
  const key = 'err.' + code;
  if (key in strings || key in fallback) return t(key);
  const text = t('err.unknown', { code });
  return err && err.message ? text + ' (' + err.message + ')' : text;
}

// itemName picks an item's name in the current language, then English,
// then any.
export function itemName(names, sku) {
  if (!names) return sku || '';
  return names[lang] || names.en || Object.values(names)[0] || sku || '';
}
