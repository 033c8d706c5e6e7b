// The pickup counter: the order queue by bucket with arrived customers on
// top, picking by scan, ready with location and bags, verification of the
// customer (pickup code, QR, ID check), handover, pay at pickup (hands the
// order to the till as a cart), arrival and expiry.

import { h, clear, button } from './dom.js';
import { get, post } from './api.js';
import { t, errorText } from './i18n.js';
import { money, number, qty, dateTime } from './format.js';
import { modal, ask, askText, askSupervisor, withApproval, confirm, toast, showError, pushKeys, modalOpen, keypad, once } from './ui.js';
import { header, statusBar } from './main.js';

const BUCKETS = ['arrived', 'new', 'picking', 'ready', 'overdue'];

// orderCurrency is an order's currency, or undefined (the store's).
const orderCurrency = (v) => v.order.payment?.currency || undefined;

// done is pos.PickLine.Done: weighed, at nine tenths of the weight.
const done = (l) => (l.unit === 'kg' && l.picked ? l.picked * 10 / 9 : l.picked) + l.short >= l.qty;

// NOTICES are the notice kinds the screen words itself (pos.Notice*).
const NOTICES = ['cancelled', 'put_back', 'lines_changed', 'back_to_picking', 'fetch_bags', 'after_end', 'give_back'];

// noticeText words a notice for staff in their language from its kind
// and fields; a kind this screen does not know shows the node's English
// text.
function noticeText(n, v) {
  if (!NOTICES.includes(n.kind)) return n.text || n.kind || '';
  const line = v.lines.find((l) => l.line_id === n.line_id);
  return t('pickup.notice.' + n.kind, {
    qty: qty(n.qty || 0, line ? line.unit : 'each'),
    name: n.name || n.sku || '',
    sku: n.sku || '',
    location: n.location || '—',
    amount: money(n.amount || 0),
    station: n.station || '',
  });
}

// askTakes asks what the customer takes of each line picked (all unless
// lowered) and resolves to {line_id: grams or pieces}, or null.
function askTakes(v) {
  return new Promise((resolve) => {
    let result = null;
    const take = Object.fromEntries(v.lines.map((l) => [l.line_id, l.picked]));
    const err = h('div', { class: 'form-error', role: 'alert' });
    const tbody = h('tbody');
    const set = (l, n) => {
      take[l.line_id] = Math.min(Math.max(n, 0), l.picked);
      err.textContent = '';
      render();
    };
    const typed = async (l) => {
      const n = await ask({ title: t('pickup.takes'), hint: (l.substitute_name || l.name) + ': ' + qty(l.picked, l.unit) + (l.unit === 'kg' ? ' · ' + t('till.weight') : ''),
        value: String(take[l.line_id]), maxLen: 6, check: (x) => (/^\d+$/.test(x) && +x <= l.picked ? '' : t('err.bad_quantity')) });
      if (n != null) set(l, parseInt(n, 10));
    };
    const render = () => clear(tbody, v.lines.filter((l) => l.picked > 0).map((l) => h('tr', { 'data-take': l.line_id },
      h('td', null, l.substitute_name || l.name),
      h('td', null, qty(l.picked, l.unit)),
      h('td', { class: 'takes' },
        l.unit === 'kg' ? null : button('−', () => set(l, take[l.line_id] - 1), 'small', { 'data-test': 'take-less', 'aria-label': t('pickup.take_less') }),
        button(qty(take[l.line_id], l.unit), () => typed(l), 'small', { 'data-test': 'take-qty' }),
        l.unit === 'kg' ? null : button('+', () => set(l, take[l.line_id] + 1), 'small', { 'data-test': 'take-more', 'aria-label': t('pickup.take_more') })))));
    render();
    const ok = () => {
      if (!Object.values(take).some((n) => n > 0)) {
        err.textContent = t('pickup.takes_nothing');
        return;
      }
      result = take;
      m.close();
    };
    const m = modal({
      title: t('pickup.handover'), cls: 'wide',
      body: [h('p', { class: 'hint' }, t('pickup.takes_hint')),
        h('table', { class: 'grid' },
          h('thead', null, h('tr', null, ['item', 'picked', 'takes'].map((k) => h('th', null, t('pickup.' + k))))),
          tbody),
        err],
      actions: [button(t('common.cancel'), () => m.close(), 'ghost'), button(t('pickup.handover'), ok, 'primary', { 'data-test': 'handover-ok' })],
      onClose: () => resolve(result),
    });
  });
}

export function mount(root, app) {
  let queue = { counts: {}, orders: [] };
  let bucket = '';
  let order = null; // the open order's view
  let timer = 0;
  const url = (id, act) => '/pickup/orders/' + encodeURIComponent(id) + (act ? '/' + act : '');

  const scan = h('input', { id: 'scan', class: 'scan-input', type: 'text', inputmode: 'none', autocomplete: 'off',
    placeholder: t('pickup.scan'), 'aria-label': t('pickup.scan') });
  const chips = h('div', { class: 'chips buckets' });
  const list = h('div', { class: 'orders', 'data-test': 'orders' });
  const detail = h('section', { class: 'order', 'data-test': 'order' });
  const focusScan = () => !modalOpen() && document.activeElement !== scan && scan.focus({ preventScroll: true });

  async function load() {
    try {
      queue = await get('/pickup/queue');
    } catch (e) {
      return clear(list, h('p', { class: 'form-error' }, errorText(e)));
    }
    renderQueue();
    if (!order) return;
    // Never go back to an older revision of the open order (a queue read
    // before this screen's last step); one gone from the queue is read.
    const id = order.order.order_id;
    const fresh = queue.orders.find((o) => o.order.order_id === id) || (await get(url(id)).catch(() => null));
    if (fresh && order && order.order.order_id === id && (fresh.rev || 0) >= (order.rev || 0)) show(fresh);
  }
  const reload = () => {
    clearTimeout(timer);
    timer = setTimeout(load, 100);
  };

  function age(s) {
    const m = Math.floor(s / 60);
    return m < 60 ? t('pickup.minutes', { n: number(m) }) : t('pickup.hours', { n: number(Math.floor(m / 60)) });
  }

  function renderQueue() {
    clear(chips,
      button(t('pickup.all'), () => ((bucket = ''), renderQueue()), bucket === '' ? 'chip on' : 'chip'),
      BUCKETS.map((b) => button(t('pickup.bucket.' + b) + ' ' + number(queue.counts[b] || 0), () => ((bucket = b), renderQueue()),
        (bucket === b ? 'chip on ' : 'chip ') + b, { 'data-bucket': b })));
    const os = queue.orders.filter((o) => !bucket || o.bucket === bucket);
    clear(list, os.length ? os.map((o) => h('button', {
      type: 'button', class: 'order-row ' + o.bucket + (order && order.order.order_id === o.order.order_id ? ' on' : ''),
      'data-order': o.order.order_id, onclick: () => show(o),
    },
    h('span', { class: 'oid' }, o.order.order_id),
    h('span', { class: 'bucket' }, t('pickup.bucket.' + o.bucket)),
    h('span', { class: 'cust' }, o.order.customer.name || '—'),
    h('span', { class: 'age' }, o.arrival && o.arrival.bay ? t('pickup.bay', { bay: o.arrival.bay }) : o.location ? o.location : age(o.age)),
    o.due ? h('span', { class: 'due' }, money(o.due, orderCurrency(o))) : null)) : h('p', { class: 'hint' }, t('pickup.none')));
  }

  // act runs an order action and shows the order it returns; refused,
  // the order is read again (a verification run out, say).
  async function act(fn, after) {
    try {
      const r = await fn();
      const v = r && r.order && r.order.order ? r.order : r;
      if (v && v.order) show(v);
      if (after) after(r);
      return r;
    } catch (e) {
      showError(e);
      return null;
    } finally {
      reload();
      focusScan();
    }
  }

  // unpick takes a piece out of a line's bag; of a weighed line, the
  // grams staff confirm (all picked unless they type less).
  async function unpick(id, l) {
    let n = 1;
    if (l.unit === 'kg') {
      const g = await ask({ title: t('pickup.unpick_weight'), hint: l.name + ': ' + qty(l.picked, l.unit), value: String(l.picked), maxLen: 6,
        check: (v) => (/^\d+$/.test(v) && +v > 0 && +v <= l.picked ? '' : t('err.bad_quantity')) });
      if (!g) return;
      n = parseInt(g, 10);
    }
    act(() => post(url(id, 'unpick'), { line_id: l.line_id, qty: n }));
  }

  // askCode asks for the customer's pickup code on the keypad. The QR
  // scanned meanwhile (a wedge scanner types "PICKUP:…") opens the order
  // as a QR does, rather than its digits going in as a wrong code.
  function askCode(id) {
    let scanned = null; // a scanner's code, from its first letter to Enter
    const ok = () => {
      const code = pad.value();
      if (!code) return;
      m.close();
      act(() => post('/pickup/open/code', { order_id: id, code }));
    };
    const pad = keypad({ maxLen: 12, onEnter: ok });
    const pop = pushKeys((e) => {
      if (scanned != null) {
        if (e.key === 'Enter') {
          m.close();
          onScan(scanned);
        } else if (e.key.length === 1) scanned += e.key;
        return true;
      }
      if (e.key === 'Escape') return (m.close(), true);
      if (/^[A-Za-z]$/.test(e.key)) return ((scanned = e.key), true);
      return pad.key(e);
    });
    const m = modal({
      title: t('pickup.verify_code'), cls: 'narrow',
      body: [h('p', { class: 'hint' }, t('pickup.verify_hint')), pad.el],
      actions: [button(t('common.cancel'), () => m.close(), 'ghost'), button(t('common.ok'), ok, 'primary', { 'data-test': 'pad-ok' })],
      onClose() {
        pop();
        focusScan();
      },
    });
  }

  function show(v) {
    order = v;
    const o = v.order;
    const id = o.order_id;
    const st = v.state;
    const open = ['new', 'picking', 'ready'].includes(st);
    const lines = h('table', { class: 'grid' },
      h('thead', null, h('tr', null, ['item', 'where', 'ordered', 'picked', 'short'].map((k) => h('th', null, t('pickup.' + k))))),
      h('tbody', null, v.lines.map((l) => h('tr', { 'data-line': l.line_id, 'data-sku': l.sku, class: done(l) ? 'done' : '' },
        h('td', null, l.substitute_name ? [l.substitute_name, h('div', { class: 'hint' }, t('pickup.instead', { name: l.name }))] : l.name,
          st === 'picking' ? h('div', { class: 'line-actions' },
            l.picked ? button('−', () => unpick(id, l), 'small', { 'aria-label': t(l.unit === 'kg' ? 'pickup.unpick_weight' : 'pickup.unpick'), 'data-test': 'unpick' }) : null,
            done(l) ? null : button(t('pickup.mark_short'), async () => {
              const n = await ask({ title: t('pickup.mark_short'), hint: l.name + (l.unit === 'kg' ? ' · ' + t('till.weight') : ''), value: String(l.qty - l.picked - l.short), maxLen: 6 });
              if (n) act(() => post(url(id, 'short'), { line_id: l.line_id, missing: parseInt(n, 10) }));
            }, 'small'),
            button(t('pickup.substitute'), async () => {
              const sku = await askText(t('pickup.substitute'), t('pickup.substitute_hint', { name: l.name || l.sku }), { maxLen: 64, scan: true });
              if (sku) act(() => post(url(id, 'substitute'), { line_id: l.line_id, sku }));
            }, 'small', { 'data-test': 'substitute' })) : null),
        h('td', null, l.location || ''),
        h('td', null, qty(l.qty, l.unit)),
        h('td', { 'data-test': 'picked' }, qty(l.picked, l.unit)),
        h('td', null, l.short ? qty(l.short, l.unit) : '')))));
    const actions = [];
    if (st === 'new') actions.push(button(t('pickup.start'), once(() => act(() => post(url(id, 'start')))), 'primary big', { 'data-test': 'pickup-start' }));
    if (st === 'picking') actions.push(button(t('pickup.ready'), async () => {
      const loc = await askText(t('pickup.location'), t('pickup.location_hint'));
      if (!loc) return;
      const bags = await ask({ title: t('pickup.bags'), value: '1', maxLen: 2 });
      if (!bags) return;
      act(() => post(url(id, 'ready'), { location: loc, bags: parseInt(bags, 10) }));
    }, 'primary big', { 'data-test': 'pickup-ready' }));
    if (st === 'ready' && !v.verified) {
      actions.push(button(t('pickup.verify_code'), () => askCode(id), 'primary big', { 'data-test': 'pickup-code' }));
      actions.push(button(t('pickup.id_check'), async () => {
        const sup = await askSupervisor();
        if (sup) act(() => post('/pickup/open/id-check', { order_id: id, supervisor: sup }));
      }, 'big'));
    }
    if (st === 'ready' && v.verified) {
      if (o.payment.status === 'pay_at_pickup' && !v.sale_id) {
        actions.push(button(t('pickup.pay_at_till', { amount: money(v.due, orderCurrency(v)) }), () => act(() => post(url(id, 'cart')), (c) => {
          toast(t('pickup.sent_to_till'), 'ok');
          app.openCart = c;
          app.go('till');
        }), 'primary big', { 'data-test': 'pickup-pay' }));
      } else {
        actions.push(button(t('pickup.handover'), async () => {
          const lines = await askTakes(v);
          if (lines) act(() => post(url(id, 'collect'), { lines }), () => toast(t('pickup.collected'), 'ok'));
        }, 'primary big', { 'data-test': 'pickup-handover' }));
      }
    }
    if (st === 'ready') actions.push(button(t('pickup.slip'), once(() => act(() => post(url(id, 'slip')))), 'ghost'));
    if (open && !v.arrival) actions.push(button(t('pickup.arrived'), async () => {
      const bay = await askText(t('pickup.arrived'), t('pickup.bay_hint'));
      if (bay != null) act(() => post(url(id, 'arrive'), { bay }));
    }, 'ghost', { 'data-test': 'pickup-arrive' }));
    if (v.bucket === 'overdue') actions.push(button(t('pickup.expire'), async () => {
      if (await confirm(t('pickup.expire'), t('pickup.expire_confirm'))) act(() => post(url(id, 'expire')));
    }, 'danger', { 'data-test': 'pickup-expire' }));
    if (open) actions.push(button(t('pickup.reject'), async () => {
      const reason = await askText(t('pickup.reject'), t('pickup.reject_hint'));
      if (reason) act(() => withApproval((supervisor) => post(url(id, 'reject'), { reason, supervisor })));
    }, 'ghost danger', { 'data-test': 'pickup-reject' }));

    clear(detail,
      h('div', { class: 'order-head' },
        h('div', null, h('h2', null, id), h('div', { class: 'hint' }, (o.customer.name || '') + (o.customer.phone ? ' · ' + o.customer.phone : ''))),
        h('div', { class: 'state ' + v.bucket, 'data-test': 'order-state' }, t('pickup.bucket.' + v.bucket))),
      h('div', { class: 'facts-row' },
        h('span', null, t('pickup.collect_by', { time: dateTime(o.collect_by) })),
        o.payment.status === 'pay_at_pickup' ? h('span', { class: 'warn' }, t('pickup.pay_due', { amount: money(v.due, orderCurrency(v)) })) : h('span', { class: 'ok' }, t('pickup.paid_online')),
        v.location ? h('span', null, t('pickup.at', { location: v.location, n: number(v.bags || 0) })) : null,
        v.verified ? h('span', { class: 'ok' }, t('pickup.verified')) : null,
        v.arrival ? h('span', { class: 'warn', 'data-test': 'arrival' }, [t('pickup.arrived_at', { time: dateTime(v.arrival.at) }),
          v.arrival.bay && t('pickup.bay', { bay: v.arrival.bay }), v.arrival.note].filter(Boolean).join(' · ')) : null),
      (v.notices || []).length ? h('div', { class: 'notices' }, v.notices.map((n) => h('div', { 'data-notice': n.kind }, noticeText(n, v))),
        button(t('pickup.acknowledge'), () => act(() => post(url(id, 'acknowledge'), { through: Math.max(...v.notices.map((n) => n.id || 0)) })), 'small', { 'data-test': 'notices-seen' })) : null,
      lines,
      h('div', { class: 'order-actions' }, actions));
    renderQueue();
  }

  async function onScan(code) {
    code = code.trim();
    if (!code) return;
    // The right QR of an order not ready yet opens it as it stands.
    if (/^PICKUP:/i.test(code)) return act(() => post('/pickup/open/qr', { code }).catch((e) => {
      if (e.code !== 'pickup_state') throw e;
      showError(e);
      return get(url(code.split(':')[1]));
    }));
    if (order && (order.state === 'picking' || order.state === 'new')) {
      const id = order.order.order_id;
      if (order.state === 'new') await act(() => post(url(id, 'start')));
      return act(() => post(url(id, 'pick'), { code }));
    }
    try {
      queue = await get('/pickup/queue?q=' + encodeURIComponent(code));
      bucket = '';
      renderQueue();
      if (queue.orders.length === 1) show(queue.orders[0]);
    } catch (e) {
      showError(e);
    }
  }

  scan.addEventListener('keydown', (e) => {
    // A dialog in front takes the keys, a scanner's too.
    if (modalOpen()) {
      scan.value = '';
      scan.blur();
      return;
    }
    if (e.key === 'Enter') {
      e.preventDefault();
      const v = scan.value;
      scan.value = '';
      onScan(v);
    }
  });
  const popKeys = pushKeys((e) => {
    if (e.target === scan || modalOpen()) return false;
    if (e.key.length === 1 && !e.ctrlKey && !e.metaKey && !e.altKey) scan.focus();
    return false;
  });

  clear(root, header(t('nav.pickup')),
    h('div', { class: 'pickup' },
      h('section', { class: 'queue' }, h('div', { class: 'scanrow' }, scan, button('⟳', load, 'icon', { 'aria-label': t('common.retry') })), chips, list),
      detail),
    statusBar());
  clear(detail, h('p', { class: 'hint center' }, t('pickup.choose')));
  app.renderStatus();
  if (app.openOrder) show(app.openOrder);
  app.openOrder = null;
  load();
  focusScan();
  return {
    onMessage(m) {
      if (m.type === 'pickup') reload();
      // The station's serial scanner: the node opened a pickup QR; any
      // other code is for this screen (picking, search).
      const d = m.type === 'scan' && m.station === app.me.station && m.data;
      if (d && d.error) showError(d.error);
      if (d && d.order) show(d.order);
      else if (d && !d.route && !d.error) onScan(d.code);
    },
    resync: load,
    destroy() {
      popKeys();
      clearTimeout(timer);
    },
  };
}
