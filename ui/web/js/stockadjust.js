// Stock adjustments by a supervisor: a count of the shelf, or stock taken
// off (damage, theft) or added (a delivery) outside sales and returns.

import { h, button } from './dom.js';
import { post } from './api.js';
import { t, itemName, errorText } from './i18n.js';
import { qty } from './format.js';
import { modal, keypad, chips, toast } from './ui.js';

const REASONS = ['count', 'damage', 'delivery', 'theft', 'other'];

// adjustStock asks for an adjustment of item it and calls done with the
// stock level after it.
export function adjustStock(it, done) {
  const grams = it.unit === 'kg';
  const err = h('div', { class: 'form-error', role: 'alert', 'data-test': 'adjust-error' });
  // Damage and theft take stock off and a delivery adds it; "other"
  // asks which.
  const way = chips(['remove', 'add'], (w) => t('stock.' + w), 'remove');
  const wayRow = h('div', null, way.el);
  const pad = keypad({ maxLen: 7, onEnter: () => save(), onChange: () => (err.textContent = '') });
  const label = h('div', { class: 'pad-label' });
  const render = (r) => {
    wayRow.hidden = r !== 'other';
    label.textContent = t(r === 'count' ? 'stock.counted' : 'stock.quantity') + (grams ? ' (' + t('stock.grams') + ')' : '');
  };
  const reason = chips(REASONS, (r) => t('stock.reason.' + r), 'count', render);
  const note = h('input', { type: 'text', maxlength: '200', class: 'search-input', 'data-test': 'adjust-note', placeholder: t('stock.note') });
  render('count');

  async function save() {
    const n = parseInt(pad.value(), 10);
    const r = reason.value();
    if (!Number.isFinite(n) || (r !== 'count' && n === 0)) {
      err.textContent = t('stock.need_quantity');
      return;
    }
    const body = { reason: r, note: note.value.trim() };
    if (r === 'count') body.counted = n;
    else body.delta = r === 'delivery' || (r === 'other' && way.value() === 'add') ? n : -n;
    try {
      const st = await post('/stock/' + encodeURIComponent(it.sku) + '/adjustments', body);
      m.close();
      toast(t('stock.saved', { n: qty(st.on_hand, it.unit) }), 'ok');
      done(st);
    } catch (e) {
      err.textContent = errorText(e);
    }
  }

  const m = modal({
    title: t('stock.adjust') + ' · ' + itemName(it.name, it.sku),
    body: h('div', { class: 'adjust' }, reason.el, wayRow, label, pad.el, note, err),
    actions: [button(t('common.close'), () => m.close(), 'ghost'),
      button(t('stock.save'), () => save(), 'primary', { 'data-test': 'adjust-save' })],
  });
}
