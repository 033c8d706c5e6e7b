// The customer of a tablet's cart: attach one by loyalty card or phone,
// and save the cart to them for finishing online later.

import { h, button } from './dom.js';
import { post } from './api.js';
import { t, errorText } from './i18n.js';
import { modal, toast, showError } from './ui.js';
import { keyboard } from './search.js';

let names = {}; // customer id -> name, as looked up on this screen

// customerBox shows cart's customer and actions; changed(cart) follows an
// attach, saved() a save.
export function customerBox(cart, changed, saved) {
  const id = cart.customer_id;
  return h('div', { class: 'cust', 'data-test': 'tablet-customer' },
    h('span', null, id ? t('cust.of', { name: names[id] || id }) : t('cust.none')),
    button(id ? t('cust.change') : t('cust.attach'), () => attach(cart, changed), id ? 'ghost' : '', { 'data-test': 'cust-attach' }),
    id && cart.lines.length ? button(t('cust.save'), () => save(cart, saved), 'primary', { 'data-test': 'cust-save' }) : null);
}

function attach(cart, changed) {
  const input = h('input', { type: 'text', class: 'search-input', maxlength: 64, autocomplete: 'off', placeholder: t('cust.query'), 'data-test': 'cust-query', 'data-scan': true });
  const err = h('div', { class: 'form-error', role: 'alert' });
  const m = modal({
    title: t('cust.attach'), cls: 'wide',
    body: [h('p', { class: 'hint' }, t('cust.hint')), input, keyboard(input, () => (err.textContent = '')), err],
    actions: [button(t('common.cancel'), () => m.close(), 'ghost'), button(t('common.ok'), async () => {
      const q = input.value.trim();
      if (!q) return;
      try {
        const r = await post('/carts/' + cart.id + '/customer/lookup', { query: q });
        if (r.customer.name) names[r.customer.id] = r.customer.name;
        m.close();
        toast(r.customer.offline ? t('cust.offline') : t('cust.attached', { name: r.customer.name || r.customer.id }), r.customer.offline ? 'info' : 'ok');
        changed(r.cart);
      } catch (e) {
        err.textContent = errorText(e);
      }
    }, 'primary', { 'data-test': 'cust-ok' })],
  });
  input.focus();
}

async function save(cart, saved) {
  try {
    const r = await post('/carts/' + cart.id + '/save');
    toast(t('cust.saved', { name: names[r.customer_id] || r.customer_id }), 'ok');
    saved();
  } catch (e) {
    showError(e);
  }
}
