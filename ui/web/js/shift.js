// The station's shift: open with a float, cash in and out, drops and
// "no sale" drawer openings, the X report, and closing with the counted
// cash (the Z report). Reports and closing need a supervisor's session.

import { h, clear, button } from './dom.js';
import { get, post } from './api.js';
import { t, errorText } from './i18n.js';
import { money, number, dateTime, percent } from './format.js';
import { modal, askMoney, askText, toast, showError } from './ui.js';

const OPS = ['paid_in', 'paid_out', 'drop', 'no_sale'];

// opening is the dialog on its way: a second tap while the shift is
// fetched joins it rather than opening another dialog.
let opening = null;

export function shiftDialog(app) {
  if (!opening) opening = showShift(app).finally(() => (opening = null));
  return opening;
}

async function showShift(app) {
  let shift = null;
  try {
    shift = await get('/shift');
  } catch (e) {
    if (e.code !== 'no_shift' && e.code !== 'not_found') return showError(e);
  }
  const body = h('div', { class: 'shift' });
  const m = modal({ title: t('shift.title', { station: app.me.station }), body, cls: 'wide' });
  const sup = app.me.staff.role !== 'cashier';

  if (!shift) {
    clear(body, h('p', { class: 'hint' }, t('shift.none')),
      button(t('shift.open'), async () => {
        const float = await askMoney({ title: t('shift.open'), hint: t('shift.float') });
        if (float == null) return;
        try {
          await post('/shift/open', { float });
          m.close();
          toast(t('shift.opened'), 'ok');
        } catch (e) {
          showError(e);
        }
      }, 'primary big', { 'data-test': 'shift-open' }));
    return;
  }

  // cashOp records a drawer opening with the amount and the reason the
  // cashier gives for it; the shift report lists both.
  const cashOp = async (kind) => {
    let amount = 0;
    if (kind !== 'no_sale') {
      amount = await askMoney({ title: t('shift.op.' + kind) });
      if (!amount) return;
    }
    const reason = await askText(t('shift.op.' + kind), t('shift.reason_hint'), { required: t('shift.reason_required'), maxLen: 80 });
    if (!reason) return;
    try {
      await post('/shift/cash', { kind, amount, reason });
      toast(t('shift.op_done', { op: t('shift.op.' + kind) }), 'ok');
    } catch (e) {
      showError(e);
    }
  };

  // report lists what the printed report does, with the same signs: the
  // drawer's lines, from the float down, add up to the expected cash.
  const report = (r, z = String(r.kind).toLowerCase() === 'z') => {
    const cur = r.currency;
    const cash = (r.by_method.find((x) => x.method === 'cash') || {}).amount || 0;
    const other = r.expected_cash - (r.float + cash + r.paid_in - r.paid_out - r.drops + (r.voucher_cash || 0));
    return h('dl', { class: 'facts', 'data-test': 'shift-report' }, [
      [t('shift.opened_at'), dateTime(r.opened_at)],
      r.z_no ? [t('shift.z_no'), number(r.z_no)] : null,
      [t('shift.sales'), number(r.sales) + ' · ' + money(r.sales_total, cur)],
      [t('shift.returns'), number(r.returns) + ' · ' + money(-r.returns_total, cur)],
      [t('till.discounts'), money(r.discounts, cur)],
      [t('till.total'), money(r.total, cur)],
      r.rounding ? [t('till.rounding'), money(r.rounding, cur)] : null,
      r.voids ? [t('shift.voids'), number(r.voids) + ' · ' + money(r.voids_total, cur)] : null,
      ...r.by_method.map((x) => [t('till.' + x.method), number(x.count) + ' · ' + money(x.amount, cur)]),
      ...(r.vouchers_issued || []).map((v) => [t('shift.issued', { kind: t('till.' + v.kind) }), number(v.count) + ' · ' + money(v.amount, cur)]),
      ...(r.by_tax_rate || []).map((x) => [t('shift.vat', { rate: percent(x.rate_bp) }), t('shift.vat_of', { tax: money(x.tax, cur), net: money(x.base, cur) })]),
      [t('shift.float'), money(r.float, cur)],
      [t('shift.cash_net'), money(cash, cur)],
      [t('shift.op.paid_in'), money(r.paid_in, cur)],
      [t('shift.op.paid_out'), money(-r.paid_out, cur)],
      [t('shift.op.drop'), money(-r.drops, cur)],
      r.voucher_cash ? [t('shift.voucher_cash'), money(r.voucher_cash, cur)] : null,
      other ? [t('shift.cash_other'), money(other, cur)] : null,
      [t('shift.expected'), money(r.expected_cash, cur)],
      z ? [t('shift.counted'), money(r.counted_cash, cur)] : null,
      z ? [t('shift.difference'), money(r.difference, cur)] : null,
      [t('shift.no_sales'), number(r.no_sales)],
      // A report stored before drawer alarms were counted has none.
      r.drawer_alarms ? [t('shift.opened_unasked'), number(r.drawer_alarms.opened_unasked)] : null,
      r.drawer_alarms ? [t('shift.left_open'), number(r.drawer_alarms.left_open)] : null,
    ].filter(Boolean).map(([k, v]) => [h('dt', null, k), h('dd', null, v)]));
  };

  const out = h('div');
  clear(body,
    h('p', null, t('shift.open_since', { time: dateTime(shift.opened_at), float: money(shift.float) })),
    h('div', { class: 'chips' }, OPS.map((k) => button(t('shift.op.' + k), () => cashOp(k), '', { 'data-op': k }))),
    sup ? h('div', { class: 'chips' },
      button(t('shift.x'), async () => {
        try {
          clear(out, h('h3', null, t('shift.x')), report(await get('/shift/x')));
        } catch (e) {
          clear(out, h('p', { class: 'form-error' }, errorText(e)));
        }
      }, '', { 'data-test': 'shift-x' }),
      button(t('shift.close'), async () => {
        const counted = await askMoney({ title: t('shift.close'), hint: t('shift.counted_hint') });
        if (counted == null) return;
        try {
          const z = await post('/shift/close', { counted });
          clear(out, h('h3', null, t('shift.z', { no: z.z_no })), report(z));
        } catch (e) {
          showError(e);
        }
      }, 'danger', { 'data-test': 'shift-close' })) : h('p', { class: 'hint' }, t('shift.sup_only')),
    out);
}
