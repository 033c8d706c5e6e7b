// The customer of a cart: add one by loyalty card, phone or e-mail, change
// or remove them until payment starts, and save a tablet's cart to them.

import { h, button } from './dom.js';
import { post, put } from './api.js';
import { t, errorText } from './i18n.js';
import { modal, toast, showError, once } from './ui.js';
import { keyboard } from './search.js';
import { money, number, dateTime } from './format.js';

let feed = null;

// scanned gives a serial scanner's code to the open dialog, if there is one.
export const scanned = (code) => feed && (feed(code), true);

// customerBox shows cart's customer and actions; changed(cart) follows a
// change, saved() a save (offered only with it).
export function customerBox(cart, changed, saved) {
  const id = cart.customer_id;
  const c = cart.customer;
  const fixed = cart.payments.length || cart.pending || cart.order_id;
  return h('div', { class: 'cust', 'data-test': 'customer' },
    h('span', null, id ? t('cust.of', { name: c?.name || id }) : t('cust.none'),
      c ? h('b', null, ' · ' + t('cust.points', { n: number(c.points) })) : id && cart.customer_unchecked ? ' · ' + t('cust.later') : '',
      c?.recent?.length ? h('div', { class: 'hint' }, t('cust.recent', { list: c.recent.map((r) => r.channel + ' ' + dateTime(r.at) + ' ' + money(r.total)).join(' · ') })) : null),
    fixed ? null : [button(id ? t('cust.change') : t('cust.attach'), () => attach(cart, changed), id ? 'ghost' : '', { 'data-test': 'cust-attach' }),
      id && button('✕', () => put('/carts/' + cart.id + '/customer', { customer_id: '' }).then(changed, showError), 'icon', { 'aria-label': t('cust.remove'), 'data-test': 'cust-remove' })],
    saved && id && cart.lines.length ? button(t('cust.save'), once(() => save(cart, saved)), 'primary', { 'data-test': 'cust-save' }) : null);
}

// attach asks for the customer: typed, or a card scanned (by a wedge
// scanner into the field, or a serial one's code through scanned).
function attach(cart, changed) {
  const ok = once(async () => {
    const q = input.value.trim();
    if (!q) return;
    err.textContent = '…';
    try {
      const r = await post('/carts/' + cart.id + '/customer/lookup', { query: q });
      m.close();
      const o = r.customer.offline;
      toast(o ? t('cust.offline') : t('cust.attached', { name: r.customer.name }), o ? 'info' : 'ok');
      changed(r.cart);
    } catch (e) {
      err.textContent = e.code === 'not_found' ? t('cust.unknown') : errorText(e);
    }
  });
  const input = h('input', { type: 'text', class: 'search-input', maxlength: 64, autocomplete: 'off', placeholder: t('cust.query'), 'data-test': 'cust-query', 'data-scan': true,
    onkeydown: (e) => e.key === 'Enter' && ok() });
  const err = h('div', { class: 'form-error', role: 'alert' });
  feed = (code) => ((input.value = code), ok());
  const m = modal({
    title: t('cust.attach'), cls: 'wide',
    body: [h('p', { class: 'hint' }, t('cust.hint')), input, keyboard(input, () => (err.textContent = ''), ['1234567890+', 'QWERTYUIOP', 'ASDFGHJKL@', 'ZXCVBNM-._']), err],
    actions: [button(t('common.cancel'), () => m.close(), 'ghost'), button(t('common.ok'), ok, 'primary', { 'data-test': 'cust-ok' })],
    onClose: () => (feed = null),
  });
  input.focus();
}

async function save(cart, saved) {
  try {
    const r = await post('/carts/' + cart.id + '/save');
    toast(t('cust.saved', { name: cart.customer?.name || r.customer_id }), 'ok');
    saved();
  } catch (e) {
    showError(e);
  }
}
