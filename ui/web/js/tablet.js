// Assisted selling on a tablet: browse and search the catalog as cards
// with the stock here, build a cart for the customer, and send it to a
// till or save it to the customer for finishing online.

import { h, clear, button } from './dom.js';
import { get, post } from './api.js';
import { t, itemName } from './i18n.js';
import { money, qty, setCurrency } from './format.js';
import { modal, toast, showError, once } from './ui.js';
import { header, statusBar } from './main.js';
import { searchPanel } from './search.js';
import { customerBox, scanned } from './customer.js';
import { adjustStock } from './stockadjust.js';

export function mount(root, app) {
  let cart = null;
  // Not to be tapped until the cart has come: the tap would do nothing.
  const cartBtn = button('', () => showCart(), 'primary', { 'data-test': 'tablet-cart', disabled: true });
  const renderCart = () => {
    const n = cart ? cart.lines.length : 0;
    cartBtn.disabled = !cart;
    cartBtn.textContent = t('tablet.cart', { n }) + (cart && n ? ' · ' + money(cart.balance.total) : '');
  };
  const load = async () => {
    try {
      cart = await get('/cart');
      setCurrency(cart.currency);
    } catch (e) {
      showError(e);
    }
    renderCart();
  };
  const panel = searchPanel({ cards: true, osk: false, withStock: true, browse: true, pick: once(details) });

  const stockOf = async (sku) => {
    try {
      return await get('/stock/' + encodeURIComponent(sku));
    } catch {
      return null;
    }
  };
  // shown is the item whose details are open ({sku, refresh}), or null.
  let shown = null;
  // restock fetches again the stock shown of skus (null: of every item).
  const restock = (skus) => {
    panel.refreshStock(skus);
    if (shown && (!skus || skus.includes(shown.sku))) shown.refresh();
  };

  // details shows item it with its stock here, kept up to date while it
  // is open. check is the node's price check of a scanned code ({code,
  // amount, stock, raw}): a weight or price label then shows what the
  // till charges for it, and Add puts that label in the cart.
  async function details(it, check) {
    const st = (check && check.stock) || await stockOf(it.sku);
    const here = h('dd', { 'data-test': 'stock-here' });
    const reserved = [h('dt', null, t('tablet.reserved')), h('dd')];
    const showStock = (st) => {
      const n = st ? st.on_hand - (st.reserved || 0) : null;
      here.className = n > 0 ? 'ok' : 'bad';
      here.textContent = n == null ? '—' : n > 0 ? qty(n, it.unit) : t('tablet.out');
      reserved.forEach((el) => (el.hidden = !(st && st.reserved)));
      reserved[1].textContent = st && st.reserved ? qty(st.reserved, it.unit) : '';
    };
    showStock(st);
    // A label is a code that carries a weight or a price (variable-measure
    // or GS1): the till charges what it says, not the shelf price.
    const label = check && check.code && (check.code.Grams > 0 || check.code.Price > 0) && check.amount != null ? check.code : null;
    const perKg = it.unit === 'kg' ? ' ' + t('till.per_kg') : '';
    const m = modal({
      title: itemName(it.name, it.sku),
      body: h('div', { class: 'item-detail' },
        !it.active ? h('p', { class: 'bad', 'data-test': 'price-check' }, t('err.inactive_item')) : label
          ? [h('div', { class: 'big-text', 'data-test': 'price-check' }, money(check.amount)),
            h('p', { class: 'hint' }, (label.Grams ? qty(label.Grams, 'kg') + ' · ' : '') + money(it.price) + perKg)]
          : h('div', { class: 'big-text', 'data-test': 'price-check' }, money(it.price) + perKg),
        h('dl', null,
          h('dt', null, t('tablet.sku')), h('dd', null, it.sku),
          it.location ? [h('dt', null, t('tablet.location')), h('dd', null, it.location)] : null,
          h('dt', null, t('tablet.stock_here')), here, reserved),
        h('p', { class: 'hint' }, Object.entries(it.name || {}).map(([k, v]) => k + ': ' + v).join(' · '))),
      actions: [button(t('common.close'), () => m.close(), 'ghost'),
        ['supervisor', 'manager'].includes(app.me.staff.role)
          ? button(t('stock.adjust'), () => (m.close(), adjustStock(it, () => details(it))), '', { 'data-test': 'stock-adjust' }) : null,
        label || it.unit !== 'kg' ? button(t('tablet.add'), once(async () => {
          try {
            cart = label
              ? (await post('/carts/' + cart.id + '/scan', { code: check.raw })).cart
              : await post('/carts/' + cart.id + '/items', { sku: it.sku, qty: 1 });
            renderCart();
            toast(t('till.added', { name: itemName(it.name, it.sku) }), 'ok');
            m.close();
          } catch (e) {
            showError(e);
          }
        }), 'primary', { 'data-test': 'tablet-add' }) : null],
      onClose: () => shown && shown.m === m && (shown = null),
    });
    // A count that cannot be fetched now stays as it was.
    shown = {
      sku: it.sku, m,
      async refresh() {
        const st = await stockOf(it.sku);
        if (st) showStock(st);
      },
    };
  }

  // priceCheck shows the item of a scanned or typed code: a scanner types
  // the code into the search field and ends it with Enter (a serial one's
  // is put there). A weight or price label is found only this way, not by
  // searching. A search term that is no code of an item, or cannot be one
  // (not printable ASCII: äpple, 雨傘), is left to the search.
  async function priceCheck(code) {
    if (!/^[\x1d -~]+$/.test(code)) return;
    try {
      const r = await get('/items/' + encodeURIComponent(code));
      details(r.item, { ...r, raw: code });
    } catch (e) {
      if (!/^(not_found|bad_code)$/.test(e.code)) showError(e);
    }
  }
  panel.input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') priceCheck(panel.input.value.trim());
  });

  function showCart() {
    if (!cart) return;
    const b = cart.balance;
    const m = modal({
      title: t('tablet.cart', { n: cart.lines.length }),
      body: [cart.lines.length ? h('ol', { class: 'lines compact' }, cart.lines.map((l, i) => h('li', { class: 'line' },
        h('div', { class: 'line-main' }, h('div', { class: 'name' }, itemName(l.name, l.sku))),
        h('div', { class: 'qty' }, h('span', { class: 'n' }, qty(l.qty, l.unit))),
        h('div', { class: 'amount' }, money(((b.lines || [])[i] || {}).amount)))),
        b.total > b.subtotal - b.discount ? h('li', { class: 'line' }, h('div', { class: 'line-main' }, t('till.tax_added')), h('div', { class: 'amount' }, money(b.tax_total))) : null,
        h('li', { class: 'line total' }, h('div', { class: 'line-main' }, t('till.total')), h('div', { class: 'amount' }, money(b.total))))
        : h('p', { class: 'hint' }, t('till.empty')),
      // Reopened after a customer is attached; closed once the cart is saved to them.
      customerBox(cart, (c) => ((cart = c), renderCart(), m.close(), showCart()), () => (m.close(), load()))],
      actions: [
        cart.lines.length ? button(t('tablet.send'), once(async () => {
          try {
            await post('/carts/' + cart.id + '/park');
            m.close();
            toast(t('tablet.sent'), 'ok');
            load();
          } catch (e) {
            showError(e);
          }
        }), 'primary', { 'data-test': 'tablet-send' }) : null,
        button(t('common.close'), () => m.close(), 'ghost')],
    });
  }

  clear(root, header(t('nav.tablet')),
    h('div', { class: 'tablet' }, h('div', { class: 'tablet-bar' }, h('h2', null, t('tablet.title')), cartBtn), panel.el),
    statusBar());
  app.renderStatus();
  renderCart();
  load();
  return {
    onMessage(m) {
      if (m.type === 'cart' && m.station === app.me.station && m.data && m.data.id === cart?.id) {
        cart = m.data;
        renderCart();
      }
      // Sales, returns and adjustments push the stock they change; an
      // order for pickup holds stock, and its pickup releases it.
      if (m.type === 'stock' && m.data) restock([m.data.sku]);
      if (m.type === 'pickup' && m.data) restock((m.data.lines || []).flatMap((l) => [l.sku, l.substitute_sku]));
      // Central's counts, a page of items at a time, gathered: their skus,
      // or all when there were more.
      if (m.type === 'stock_changed' && m.data) restock(m.data.all ? null : m.data.skus || []);
      const d = m.type === 'scan' && m.station === app.me.station && m.data;
      if (d && !d.route) d.error ? showError(d.error) : scanned(d.code) || ((panel.input.value = d.code), panel.refresh(), priceCheck(d.code));
      // Saved to its customer on another tablet of this station.
      if (m.type === 'cart_saved' && cart && m.data && m.data.cart_id === cart.id) load();
    },
    // Changes pushed while the connection was down were missed.
    resync: () => (restock(null), load()),
  };
}
