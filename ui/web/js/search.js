// Item search by name in any store language, with an on-screen keyboard
// for touch screens without one.

import { h, clear, button } from './dom.js';
import { get } from './api.js';
import { t, itemName, language, errorText } from './i18n.js';
import { money, qty } from './format.js';

const EXTRA = {
  sv: 'åäö',
  sk: 'áäčďéíľĺňóôŕšťúýž',
  ro: 'ăâîșț',
  en: '',
  'zh-Hant': '',
};

// keyboard is an on-screen keyboard typing into input; rows, when given,
// are its keys in place of digits and small letters.
export function keyboard(input, onInput, rows) {
  const type = (ch) => {
    if (ch === 'back') input.value = input.value.slice(0, -1);
    else if (ch === 'space') input.value += ' ';
    else input.value += ch;
    onInput();
  };
  const extra = EXTRA[language()] || '';
  rows ||= ['1234567890', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm', ...(extra ? [extra] : [])];
  return h('div', { class: 'osk' },
    rows.map((r) => h('div', { class: 'osk-row' }, [...r].map((c) => button(c, () => type(c), 'key small', { 'data-ch': c })))),
    h('div', { class: 'osk-row' },
      button(t('search.space'), () => type('space'), 'key wide'),
      button('⌫', () => type('back'), 'key', { 'aria-label': t('common.backspace') })));
}

// searchPanel shows a search field, results and calls pick(item).
// With browse, an empty search field pages through the whole catalog.
export function searchPanel({ pick, osk = true, cards = false, withStock = false, browse = false }) {
  const input = h('input', { type: 'search', class: 'search-input', placeholder: t('search.placeholder'), autocomplete: 'off', 'data-test': 'search-input' });
  const list = h('div', { class: cards ? 'cards' : 'results', 'data-test': 'search-results' });
  let timer = 0;
  let seq = 0;
  const run = async () => {
    const my = ++seq;
    const q = input.value.trim();
    if (!q && browse) return page(my, 0);
    if (!q) return clear(list, h('p', { class: 'hint' }, t('search.hint')));
    try {
      const items = await get('/items?limit=40&q=' + encodeURIComponent(q));
      if (my !== seq) return;
      if (!items || !items.length) return clear(list, h('p', { class: 'hint' }, t('search.none')));
      clear(list, items.map((it) => row(it)));
      if (withStock) items.forEach((it) => stock(it));
    } catch (e) {
      if (my === seq) clear(list, h('p', { class: 'form-error' }, errorText(e)));
    }
  };
  // page shows the catalog from offset on, with a button for the next page.
  let browsed = [];
  const page = async (my, offset) => {
    try {
      const items = await get('/items?browse=1&limit=40&offset=' + offset);
      if (my !== seq) return;
      if (!offset) clear(list, items.length ? null : h('p', { class: 'hint' }, t('search.none')));
      browsed = offset ? browsed.concat(items) : items;
      list.querySelector('.more')?.remove();
      list.append(...items.map((it) => row(it)));
      if (withStock) items.forEach((it) => stock(it));
      if (items.length === 40) list.append(h('div', { class: 'more' }, button(t('search.more'), () => page(my, offset + 40), '', { 'data-test': 'browse-more' })));
    } catch (e) {
      if (my === seq) clear(list, h('p', { class: 'form-error' }, errorText(e)));
    }
  };
  const stockEls = new Map(); // sku -> [the stock element, the item] of the items shown
  const stock = async (it) => {
    try {
      const st = await get('/stock/' + encodeURIComponent(it.sku));
      const [el] = stockEls.get(it.sku) || [];
      if (!el) return;
      const n = st.on_hand - (st.reserved || 0);
      el.textContent = n > 0 ? t('tablet.stock', { n: qty(n, it.unit) }) : t('tablet.out');
      el.className = 'stock ' + (n > 0 ? 'ok' : 'bad');
    } catch {}
  };
  const row = (it) => {
    const st = h('span', { class: 'stock' });
    stockEls.set(it.sku, [st, it]);
    // The amount is kept whole; "per kg" may go to the next line.
    const price = [h('span', { class: 'money' }, money(it.price)), it.unit === 'kg' ? ' ' + t('till.per_kg') : ''];
    return h('button', { type: 'button', class: cards ? 'card' : 'result', 'data-sku': it.sku, onclick: () => pick(it) },
      h('span', { class: 'name' }, itemName(it.name, it.sku)),
      h('span', { class: 'meta' }, it.sku + (it.location ? ' · ' + t('tablet.location') + ' ' + it.location : '')),
      h('span', { class: 'price' }, price),
      withStock ? st : null);
  };
  const changed = () => {
    clearTimeout(timer);
    timer = setTimeout(run, 150);
  };
  input.addEventListener('input', changed);
  run();
  return {
    el: h('div', { class: 'search' }, input, list, osk ? keyboard(input, changed) : null),
    input,
    // refresh searches again; a browsed catalog keeps its pages and updates its stock.
    refresh: () => (browse && !input.value.trim() ? withStock && browsed.forEach((it) => stock(it)) : run()),
    // refreshStock fetches again the stock of those of skus shown; null:
    // of every item shown.
    refreshStock: (skus) => withStock && new Set(skus || stockEls.keys()).forEach((sku) => {
      const [el, it] = stockEls.get(sku) || [];
      if (el && el.isConnected) stock(it);
    }),
  };
}
