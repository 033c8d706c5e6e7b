// Returns against a receipt of this node: what comes back, the refund,
// the return (approved by a supervisor where policy asks).

import { h, clear, button } from './dom.js';
import { get, post } from './api.js';
import { t, errorText, itemName } from './i18n.js';
import { money, qty } from './format.js';
import { modal, withApproval, toast, showError } from './ui.js';

const REASONS = ['changed_mind', 'defective', 'wrong_item', 'other'];

// receiptCode is the code printed on receipt no: R and ten digits.
export const receiptCode = (no) => 'R' + String(no).padStart(10, '0');

// newID is a random id: crypto.randomUUID needs a secure context, which
// a node on the shop's network may not be.
function newID() {
  return [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, '0')).join('');
}

// returnDialog returns against receipt no, then calls done(return).
export async function returnDialog(no, done) {
  let sale, back = {};
  try {
    sale = no > 0 && (await get('/receipts/' + no));
    back = sale && (await get('/sales/' + sale.sale_id + '/returned')).lines;
  } catch (e) {
    if (e.code !== 'not_found') return showError(e);
  }
  if (!sale) return toast(t('return.not_found', { code: receiptCode(no) }), 'error');
  const cur = sale.currency;
  // left is what earlier returns left of each line.
  const left = sale.lines.map((l, i) => l.qty - (back[i + 1] || 0));
  const take = sale.lines.map(() => 0);
  const restock = sale.lines.map(() => true);
  let reason = '',
    credit = false; // store credit, at the customer's wish
  const preview = h('div', { class: 'return-preview', 'data-test': 'return-preview' });
  const err = h('div', { class: 'form-error', role: 'alert' });
  const rows = h('div', { class: 'return-lines' });
  const reasons = h('div', { class: 'chips' });

  // id makes the return one at the node: a second tap, or a retry after
  // an answer was lost, cannot take the goods back twice.
  const id = newID();
  let sending = false;
  const request = (sup) => ({
    id, receipt: receiptCode(no), reason, to_store_credit: credit,
    items: take.map((q, i) => ({ line: String(i + 1), qty: q, restock: restock[i] })).filter((it) => it.qty > 0),
    ...(sup ? { supervisor: sup } : {}),
  });

  let seq = 0;
  async function refresh() {
    render();
    err.textContent = '';
    if (!take.some((q) => q > 0)) return clear(preview, h('p', { class: 'hint' }, t('return.choose')));
    const my = ++seq;
    try {
      const r = await post('/returns/prepare', { ...request(null), reason: reason || 'other' });
      if (my !== seq) return;
      clear(preview,
        h('div', { class: 'trow total' }, h('span', null, t('return.refund')), h('span', { 'data-test': 'return-total' }, money(r.total + r.rounding, cur))),
        r.refunds.map((f) => h('div', { class: 'trow minor' }, h('span', null, t('till.' + f.method)), h('span', null, money(f.amount, cur)))));
    } catch (e) {
      if (my === seq) clear(preview, h('p', { class: 'form-error' }, errorText(e)));
    }
  }

  function render() {
    clear(rows, sale.lines.map((l, i) => {
      const weighed = l.unit === 'kg' || l.fixed_amount;
      return h('div', { class: 'line', 'data-line': i + 1 },
        h('div', { class: 'line-main' }, h('div', { class: 'name' }, itemName(l.name, l.sku)),
          h('div', { class: 'meta' }, t('return.sold', { n: qty(l.qty, l.unit) }) + (back[i + 1] ? ' · ' + t('return.returned', { n: qty(back[i + 1], l.unit) }) : ''))),
        h('div', { class: 'qty' },
          weighed
            ? button(take[i] ? t('return.all_back') : t('return.take_all'), () => ((take[i] = take[i] ? 0 : left[i]), refresh()), take[i] ? 'chip on' : 'chip', { disabled: !left[i], 'data-test': 'return-more' })
            : [button('−', () => take[i] > 0 && (take[i]--, refresh()), 'step', { disabled: !take[i] }),
              h('span', { class: 'n', 'data-test': 'return-qty' }, String(take[i])),
              button('+', () => take[i] < left[i] && (take[i]++, refresh()), 'step', { disabled: take[i] >= left[i], 'data-test': 'return-more' })]),
        button(restock[i] ? t('return.restock') : t('return.damaged'), () => ((restock[i] = !restock[i]), render()), restock[i] ? 'chip on' : 'chip'));
    }));
    clear(reasons, REASONS.map((r) => button(t('return.reason.' + r), () => ((reason = r), render()), r === reason ? 'chip on' : 'chip', { 'data-reason': r })),
      button(t('return.credit'), () => ((credit = !credit), refresh()), credit ? 'chip on' : 'chip', { 'data-test': 'return-credit' }));
  }

  const ok = async () => {
    if (sending) return; // a double tap: the first is on its way
    if (!take.some((q) => q > 0)) return (err.textContent = t('err.nothing_to_return'));
    if (!reason) return (err.textContent = t('err.reason_required'));
    sending = true;
    try {
      const r = await withApproval((sup) => post('/returns', request(sup)));
      if (!r) return;
      m.close();
      toast(t('return.done', { no: r.return_no, amount: money(r.total + r.rounding, cur) }), 'ok');
      if (done) done(r);
    } catch (e) {
      err.textContent = errorText(e);
    } finally {
      sending = false;
    }
  };

  const m = modal({
    title: t('return.title', { no }), cls: 'wide',
    body: h('div', { class: 'split' }, rows, h('div', null, h('div', { class: 'pad-label' }, t('disc.reason')), reasons, preview, err)),
    actions: [button(t('common.cancel'), () => m.close(), 'ghost'), button(t('return.confirm'), ok, 'primary big', { 'data-test': 'return-ok' })],
  });
  refresh();
}
