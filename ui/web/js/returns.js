// Returns against a receipt of this node or an order bought online, and
// without either: what comes back, the refund, the return (approved by a
// supervisor where policy asks).

import { h, clear, button } from './dom.js';
import { get, post } from './api.js';
import { t, errorText, itemName } from './i18n.js';
import { money, qty } from './format.js';
import { modal, withApproval, toast, showError, askText, confirm, ask, pushKeys } from './ui.js';
import { searchPanel } from './search.js';

const REASONS = ['changed_mind', 'defective', 'wrong_item', 'other'];

// receiptCode is receipt no's code as typed: R and ten digits, which the
// node takes as its own receipt's (printed codes name the node too).
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
  linesDialog(t('return.title', { no }), sale.currency, sale.lines.map((l, i) => ({ ...l, line: String(i + 1), back: back[i + 1] })), { receipt: receiptCode(no) }, done);
}

// orderReturn returns against an order bought online: code is its QR
// (PICKUP:id:code), else its number is asked. Central out of reach, the
// way left is a return without receipt.
export async function orderReturn(code, done) {
  let id = code || (await askText(t('return.order_no'), t('return.order_hint'), { maxLen: 64, scan: true, keys: ['1234567890-/', 'QWERTYUIOP', 'ASDFGHJKL', 'ZXCVBNM'] }));
  if (!id) return;
  if (/^PICKUP:/.test(id)) id = id.split(':')[1];
  let o;
  try {
    o = await get('/orders/' + encodeURIComponent(id) + '/lookup');
  } catch (e) {
    if (e.code !== 'offline') return showError(e);
    if (await confirm(t('return.offline'), t('return.offline_text', { id }))) noReceiptDialog(done, id);
    return;
  }
  linesDialog(t('return.order_title', { id }), o.currency, o.lines.map((l) => ({ ...l, back: l.returned })), { order_id: id }, done);
}

// noReceiptDialog returns items without receipt, scanned or searched,
// with what the customer says of the purchase (ref): a supervisor
// approves it.
export function noReceiptDialog(done, ref = '') {
  linesDialog(t('return.none_title'), undefined, [], { claimed_ref: ref }, done);
}

// linesDialog returns of lines (with line, the original's line, and back,
// what returns before took) of the original orig names; without one
// (orig only the claimed_ref), of items added as they are found.
function linesDialog(title, cur, lines, orig, done) {
  const free = !orig.receipt && !orig.order_id;
  const back = lines.map((l) => l.back || 0);
  // left is what earlier returns left of each line.
  const left = lines.map((l, i) => l.qty - back[i]);
  const take = lines.map(() => 0);
  const restock = lines.map(() => true);
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
    id, ...orig, reason, to_store_credit: credit,
    items: take.map((q, i) => ({ [free ? 'sku' : 'line']: lines[i].line, qty: q, restock: restock[i] })).filter((it) => it.qty > 0),
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
    clear(rows, lines.map((l, i) => {
      const weighed = l.unit === 'kg' || l.fixed_amount;
      return h('div', { class: 'line', 'data-line': l.line },
        h('div', { class: 'line-main' }, h('div', { class: 'name' }, itemName(l.name, l.sku)),
          h('div', { class: 'meta' }, free ? l.sku : t('return.sold', { n: qty(l.qty, l.unit) }) + (back[i] ? ' · ' + t('return.returned', { n: qty(back[i], l.unit) }) : ''))),
        h('div', { class: 'qty' },
          weighed
            ? button(take[i] ? t('return.all_back') : t('return.take_all'), () => ((take[i] = take[i] ? 0 : left[i]), refresh()), take[i] ? 'chip on' : 'chip', { disabled: !left[i], 'data-test': 'return-more' })
            : [button('−', () => take[i] > 0 && (take[i]--, refresh()), 'step', { disabled: !take[i] }),
              h('span', { class: 'n', 'data-test': 'return-qty' }, String(take[i])),
              button('+', () => take[i] < left[i] && (take[i]++, refresh()), 'step', { disabled: take[i] >= left[i], 'data-test': 'return-more' })]),
        button(restock[i] ? t('return.restock') : t('return.damaged'), () => ((restock[i] = !restock[i]), render()), restock[i] ? 'chip on' : 'chip'));
    }));
    clear(reasons, REASONS.map((r) => button(t('return.reason.' + r), () => ((reason = r), render()), r === reason ? 'chip on' : 'chip', { 'data-reason': r })),
      button(t('return.credit'), () => ((credit = !credit), refresh()), credit ? 'chip on' : 'chip', { 'data-test': 'return-credit' }),
      free && button(t('return.claimed', { ref: orig.claimed_ref || '–' }), async () => {
        const v = await askText(t('return.claimed_title'), t('return.claimed_hint'), { maxLen: 64 });
        if (v != null) (orig.claimed_ref = v), render();
      }, 'chip', { 'data-test': 'return-ref' }));
  }

  // add puts item it in a return without receipt: a piece more, or the
  // grams weighed.
  async function add(it) {
    let n = 1;
    if (it.unit === 'kg' && !(n = parseInt(await ask({ title: t('till.weight'), hint: itemName(it.name, it.sku), maxLen: 6 }), 10))) return;
    const i = lines.findIndex((l) => l.sku === it.sku);
    if (i >= 0 && it.unit !== 'kg') take[i]++;
    else lines.push({ ...it, line: it.sku, qty: n }), back.push(0), left.push(it.unit === 'kg' ? n : 999), take.push(n), restock.push(true);
    refresh();
  }
  const search = free && searchPanel({ pick: add });
  if (search) {
    // A code scanned, or typed with Enter, adds its item.
    search.input.setAttribute('data-scan', '');
    search.input.addEventListener('keydown', async (e) => {
      const code = search.input.value.trim();
      if (e.key !== 'Enter' || !code) return;
      try {
        await add((await get('/items/' + encodeURIComponent(code))).item);
        search.input.value = '';
      } catch (x) {
        err.textContent = errorText(x);
      }
    });
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
      // Store credit's code is shown too: the refund receipt may not print.
      for (const f of r.refunds) if (f.ref && f.method == 'store_credit') {
        const c = modal({ title: t('till.store_credit'), cls: 'narrow', body: [h('p', null, t('return.credit_code')), h('h2', { 'data-test': 'credit-code' }, f.ref + ' · ' + money(f.amount, cur))], actions: [button(t('common.ok'), () => c.close(), 'primary')] });
      }
      if (done) done(r);
    } catch (e) {
      err.textContent = errorText(e);
    } finally {
      sending = false;
    }
  };

  const m = modal({
    title, cls: 'wide',
    body: h('div', { class: 'split' }, h('div', null, search && search.el, rows), h('div', null, h('div', { class: 'pad-label' }, t('disc.reason')), reasons, preview, err)),
    actions: [button(t('common.cancel'), () => m.close(), 'ghost'), button(t('return.confirm'), ok, 'primary big', { 'data-test': 'return-ok' })],
    onClose: () => pop && pop(),
  });
  // A scan begun with the focus elsewhere in the dialog lands in the
  // search field, as the till's scans land in its scan field.
  const pop = search && pushKeys((e) => {
    if (e.key.length === 1 && !e.ctrlKey && !e.metaKey && !e.altKey && e.target.tagName !== 'INPUT') search.input.focus();
    return false;
  });
  if (search) search.input.focus();
  refresh();
}
