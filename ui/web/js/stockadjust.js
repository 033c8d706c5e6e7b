// Stock adjustments by a supervisor: a count of the shelf, or stock taken
// off (damage, theft) or added (a delivery) outside sales and returns.

import { h, button } from './dom.js';
import { post } from './api.js';
import { t, itemName, errorText } from './i18n.js';
import { qty, parseFixed } from './format.js';
import { modal, keypad, chips, toast, pushKeys } from './ui.js';

const REASONS = ['count', 'damage', 'delivery', 'theft', 'other'];

// adjustStock asks for an adjustment of item it and calls done with the
// stock level after it. A weighed item's quantity is typed in kilograms,
// as its stock is shown, and sent in grams, as the node keeps it.
export function adjustStock(it, done) {
  const weighed = it.unit === 'kg';
  const err = h('div', { class: 'form-error', role: 'alert', 'data-test': 'adjust-error' });
  // Damage and theft take stock off and a delivery adds it; "other"
  // asks which.
  const way = chips(['remove', 'add'], (w) => t('stock.' + w), 'remove');
  const wayRow = h('div', null, way.el);
  const pad = keypad({ maxLen: weighed ? 9 : 7, decimal: weighed, onEnter: () => save(), onChange: () => (err.textContent = '') });
  const label = h('div', { class: 'pad-label' });
  const render = (r) => {
    wayRow.hidden = r !== 'other';
    label.textContent = t(r === 'count' ? 'stock.counted' : 'stock.quantity') + (weighed ? ' (' + t('stock.kilograms') + ')' : '');
  };
  const reason = chips(REASONS, (r) => t('stock.reason.' + r), 'count', render);
  const note = h('input', { type: 'text', maxlength: '200', class: 'search-input', 'data-test': 'adjust-note', placeholder: t('stock.note') });
  render('count');

  // saving holds while a request is out, so that a second tap on Save
  // does not record the adjustment twice.
  let saving = false;
  async function save() {
    if (saving) return;
    const n = weighed ? parseFixed(pad.value(), 3) : /^\d+$/.test(pad.value()) ? parseInt(pad.value(), 10) : null;
    const r = reason.value();
    if (n == null || (r !== 'count' && n === 0)) {
      err.textContent = t('stock.need_quantity');
      return;
    }
    const body = { reason: r, note: note.value.trim() };
    if (r === 'count') body.counted = n;
    else body.delta = r === 'delivery' || (r === 'other' && way.value() === 'add') ? n : -n;
    saving = true;
    saveBtn.disabled = true;
    try {
      const st = await post('/stock/' + encodeURIComponent(it.sku) + '/adjustments', body);
      m.close();
      toast(t('stock.saved', { n: qty(st.on_hand, it.unit) }), 'ok');
      done(st);
    } catch (e) {
      err.textContent = errorText(e);
    } finally {
      saving = false;
      saveBtn.disabled = false;
    }
  }

  const saveBtn = button(t('stock.save'), () => save(), 'primary', { 'data-test': 'adjust-save' });
  const pop = pushKeys((e) => e.target !== note && pad.key(e)); // the note types its own

  const m = modal({
    title: t('stock.adjust') + ' · ' + itemName(it.name, it.sku),
    body: h('div', { class: 'adjust' }, reason.el, wayRow, label, pad.el, note, err),
    actions: [button(t('common.close'), () => m.close(), 'ghost'), saveBtn],
    onClose: pop,
  });
}
