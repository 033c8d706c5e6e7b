// The customer display: mirrors one till's cart, total and change, from
// pushes for that station (?display=<station>).

import { h, clear } from './dom.js';
import { get } from './api.js';
import { t, itemName } from './i18n.js';
import { money, qty, setCurrency } from './format.js';

export function mount(root, app) {
  const station = app.params.get('display');
  let cart = null;
  let sale = null;
  let timer = 0;
  const body = h('div', { class: 'display-body' });
  const dot = h('span', { class: 'dot' });

  function render() {
    dot.className = 'dot ' + (app.liveState === 'online' ? 'ok' : 'bad');
    if (sale) {
      return clear(body,
        h('div', { class: 'display-thanks' },
          h('h1', null, t('display.thanks')),
          h('div', { class: 'label' }, t('till.total')), h('div', { class: 'huge' }, money(sale.balance.total, sale.currency)),
          sale.balance.change ? [h('div', { class: 'label' }, t('till.change')), h('div', { class: 'huge change', 'data-test': 'display-change' }, money(sale.balance.change, sale.currency))] : null));
    }
    // The customer's first name, no more (陳美玲: 陳○○).
    const hi = cart?.customer && t('display.hello', { name: cart.customer.name.split(' ')[0].replace(/(?!^)\p{sc=Han}/gu, '○') });
    if (!cart || !cart.lines.length) return clear(body, h('div', { class: 'display-welcome' }, h('h1', null, hi || t('display.welcome'))));
    const b = cart.balance;
    const list = h('ol', { class: 'display-lines' }, cart.lines.map((l, i) =>
      h('li', null, h('span', { class: 'name' }, itemName(l.name, l.sku)), h('span', { class: 'q' }, qty(l.qty, l.unit)),
        h('span', { class: 'a' }, money(((b.lines || [])[i] || {}).amount)))));
    clear(body,
      cart.training ? h('div', { class: 'display-training', 'data-test': 'display-training' }, t('till.training')) : null,
      hi && h('h2', { 'data-test': 'display-hello' }, hi),
      list,
      h('div', { class: 'display-total' },
        b.discount ? h('div', { class: 'trow' }, h('span', null, t('till.discounts')), h('span', null, '−' + money(b.discount))) : null,
        b.total > b.subtotal - b.discount ? h('div', { class: 'trow' }, h('span', null, t('till.tax_added')), h('span', null, money(b.tax_total))) : null,
        h('div', { class: 'trow total' }, h('span', null, t('till.total')), h('span', { 'data-test': 'display-total' }, money(b.total))),
        b.cash + b.non_cash ? h('div', { class: 'trow' }, h('span', null, t('till.paid')), h('span', null, money(b.cash + b.non_cash))) : null,
        b.settled && b.change ? h('div', { class: 'trow due' }, h('span', null, t('till.change')), h('span', null, money(b.change))) : null));
    // Lines start at the top; once there are more than the screen holds,
    // the list is scrolled to its end, so that the line just scanned and
    // its price stay in sight and the oldest go out at the top.
    list.scrollTop = list.scrollHeight;
  }

  async function resync() {
    if (app.me.station !== station) return render();
    try {
      cart = await get('/cart');
      setCurrency(cart.currency);
    } catch {}
    render();
  }

  clear(root, h('div', { class: 'display' }, h('header', null, h('span', null, t('display.title')), dot), body));
  render();
  resync();
  return {
    onMessage(m) {
      if (m.station && m.station !== station) return;
      if (m.type === 'cart') {
        // A parked sale is not the next customer's to see.
        if (!m.data?.parked) cart = m.data;
        else if (cart?.id === m.data.id) cart = null;
        if (cart) {
          setCurrency(cart.currency);
          if (cart.lines.length) sale = null;
        }
      } else if (m.type === 'sale') {
        sale = m.data;
        cart = null;
        clearTimeout(timer);
        timer = setTimeout(() => {
          sale = null;
          render();
        }, 20000);
      }
      render();
    },
    resync,
    destroy: () => clearTimeout(timer),
  };
}
