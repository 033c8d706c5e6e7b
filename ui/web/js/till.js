// The till: scan, cart, discounts and overrides, tenders, receipt.

import { h, clear, button } from './dom.js';
import { get, post, put, patch, del } from './api.js';
import { t, errorText, itemName } from './i18n.js';
import { money, qty, percent, parseFixed, parseMoney, quickCash, setCurrency, dateTime } from './format.js';
import { modal, keypad, ask, askMoney, withApproval, confirm, toast, showError, pushKeys, modalOpen, reasonPicker, reasonText, once } from './ui.js';
import { header, statusBar } from './main.js';
import { searchPanel, keyboard } from './search.js';
import { returnDialog, orderReturn, noReceiptDialog } from './returns.js';
import { shiftDialog } from './shift.js';
import { customerBox, scanned } from './customer.js';

const HOLD_MAX = 60000; // milliseconds; see doScan

export function mount(root, app) {
  let cart = null;
  let lastSale = null;
  let trained = false; // a training receipt was closed on this screen
  let busy = 0;
  // loading is the next cart on its way (first load, a resync, the sale
  // being completed or parked): scans wait for it, so that none goes to
  // a cart that is ending or is lost while there is none.
  let loading = Promise.resolve();
  let scans = Promise.resolve(); // the scans in hand, one after the other
  let completing = null; // the completion under way: a second tap joins it
  let paying = 0; // payments on their way: scans wait for them (see doScan)
  // scannedSerial says where the next cart push comes from: '' anything,
  // 'shown' the serial scanner, 'behind' it while a dialog hid the cart.
  let scannedSerial = '';
  const lineCount = () => (cart ? cart.lines.length : 0);

  const scan = h('input', {
    id: 'scan', class: 'scan-input', type: 'text', inputmode: 'none', autocomplete: 'off', spellcheck: 'false',
    placeholder: t('till.scan_placeholder'), 'aria-label': t('till.scan_placeholder'),
  });
  const msg = h('div', { class: 'msg', role: 'status', 'data-test': 'till-msg' });
  const lines = h('ol', { class: 'lines', 'data-test': 'lines' });
  const totals = h('div', { class: 'totals', 'data-test': 'totals' });
  const tenders = h('div', { class: 'tenders' });
  const shiftBanner = h('div', { class: 'shift-banner', role: 'alert', 'data-test': 'no-shift', hidden: true },
    h('span', null, t('till.no_shift')),
    button(t('shift.open'), () => shiftDialog(app), 'small', { 'data-test': 'no-shift-open' }));
  const trainingButton = button(t('till.training_start'), () => startTraining(), 'ghost', { 'data-test': 'training-start', disabled: true });

  const say = (text, kind = 'info') => {
    msg.textContent = text;
    msg.className = 'msg ' + kind;
  };

  // clearForScan puts away the last sale's receipt when it is the dialog
  // in front (the next customer's first scan does not wait for it), and
  // says whether the scan field may take keys now.
  let receipt = null;
  const clearForScan = () => {
    if (receipt && receipt.el === document.getElementById('modal-root').lastElementChild) receipt.close();
    return !modalOpen();
  };

  const focusScan = () => {
    if (!modalOpen() && document.activeElement !== scan) scan.focus({ preventScroll: true });
  };

  // act runs one change to the cart and shows its error, if any.
  async function act(fn) {
    busy++;
    try {
      const v = await fn();
      if (v && v.lines) setCart(v);
      return v;
    } catch (e) {
      say(errorText(e), 'error');
      if (e.code === 'not_found' || e.code === 'parked') reopen('');
      return null;
    } finally {
      busy--;
      focusScan();
    }
  }

  function setCart(v) {
    if (cart && v && v.id === cart.id && v.rev < cart.rev) return; // an older push
    if (scannedSerial && v && v.lines.length) added(v.lines[v.lines.length - 1], scannedSerial === 'behind');
    scannedSerial = '';
    cart = v;
    if (v) setCurrency(v.currency);
    if (v && cashStale) cashStale(v);
    render();
  }

  // added tells of line l put in the cart by the serial scanner. With a
  // dialog in front (a return, a payment) the cashier does not see the
  // cart, so it is said over the dialog too: the item is not sold unseen.
  function added(l, behind) {
    const name = itemName(l.name, l.sku);
    if (!behind) return say(t('till.added', { name }), 'ok');
    say(t('till.added_behind', { name }), 'warn');
    toast(t('till.added_behind', { name }), 'error');
  }

  // checkShift shows the banner while the station has no open shift; any
  // other failure leaves it as it was until the next push or resync.
  async function checkShift() {
    try {
      await get('/shift');
      shiftBanner.hidden = true;
    } catch (e) {
      if (e.code === 'no_shift') shiftBanner.hidden = false;
      else if (e.code === 'not_found') shiftBanner.hidden = true; // a node without shifts
    }
  }

  // reopen fetches the cart id, or the station's open cart when id is
  // empty or that cart is gone; scans wait for it.
  function reopen(id) {
    loading = fetchCart(id);
    return loading;
  }

  async function fetchCart(id) {
    try {
      if (id) {
        try {
          const c = await get('/carts/' + id);
          if (!c.parked) return setCart(c); // a parked one waits in the parked list
        } catch (e) {
          // Gone, or taken up at another station since.
          if (e.code !== 'not_found' && e.code !== 'forbidden') throw e;
        }
      }
      setCart(await get('/cart'));
    } catch (e) {
      say(errorText(e), 'error');
    }
  }

  // doScan handles codes in the order scanned, each once the cart it
  // goes to is the one on screen. A code scanned while a payment is on its
  // way (the node may be slow to answer) waits for it, and the cashier is
  // told so: it goes to the next sale if the payment completes this one.
  // A code waits HOLD_MAX at most (a card takes a minute, PIN and all),
  // then is given back, the cashier told: none is added unseen later.
  function doScan(code) {
    code = code.trim();
    if (!code) return;
    if (paying) {
      say(t('till.scan_held'), 'warn');
      if (modalOpen()) toast(t('till.scan_held'), 'error');
    }
    let timer;
    const expired = new Promise((r) => (timer = setTimeout(r, HOLD_MAX, 1)));
    // A scan that fails says so and never stops the ones after it.
    scans = scans.then(() => scanNow(code, expired)).finally(() => clearTimeout(timer)).catch((e) => say(errorText(e), 'error'));
  }

  async function scanNow(code, expired) {
    for (let l = null; l !== loading; ) {
      if ((await Promise.race([(l = loading).then(() => 0), expired])) === 1) {
        toast(t('till.scan_dropped', { code }), 'error');
        return say(t('till.scan_dropped', { code }), 'error');
      }
    }
    if (!cart) return say(t('err.network'), 'error');
    const res = await act(async () => {
      const r = await post('/carts/' + cart.id + '/scan', { code });
      if (r.route === 'pickup') {
        // A customer's pickup QR: the order opens at the counter screen.
        app.openOrder = r.order;
        app.go('pickup');
        return null;
      }
      if (r.route === 'return') {
        returnDialog(r.receipt_no, () => say(''));
        return null;
      }
      return r.cart;
    });
    if (res) {
      const l = res.lines[res.lines.length - 1];
      if (l) say(t('till.added', { name: itemName(l.name, l.sku) }), 'ok');
    }
  }

  scan.addEventListener('keydown', (e) => {
    // A dialog in front takes the keys: a code scanned while it is open
    // must not go into the cart behind it.
    if (!clearForScan()) {
      scan.value = '';
      scan.blur();
      return;
    }
    if (e.key === 'Enter') {
      e.preventDefault();
      const v = scan.value;
      scan.value = '';
      doScan(v);
    }
  });

  // A wedge scanner types wherever the focus is; send its keys to the
  // scan field unless a dialog is open.
  const popKeys = pushKeys((e) => {
    if (e.target === scan || !clearForScan()) return false;
    if (e.key.length === 1 && !e.ctrlKey && !e.metaKey && !e.altKey) {
      scan.focus(); // the key's character then lands in the scan field
      return false;
    }
    if (e.key === 'Enter' && scan.value) {
      const v = scan.value;
      scan.value = '';
      doScan(v);
      return true;
    }
    return false;
  });
  const refocus = () => setTimeout(focusScan, 0);
  document.addEventListener('click', refocus);

  function lineView(l, i) {
    const lt = (cart.balance.lines || [])[i] || { gross: 0, discount: 0, amount: 0 };
    const canStep = l.unit !== 'kg' && !l.fixed_amount;
    const notes = [];
    if (l.override) notes.push(t('till.overridden', { from: money(l.override.from), reason: reasonText(l.override.reason) }));
    if (l.discount) {
      const d = l.discount.percent_bp ? percent(l.discount.percent_bp) : money(l.discount.amount);
      notes.push(t('till.discounted', { d, reason: reasonText(l.discount.reason) }));
    }
    return h('li', { class: 'line', 'data-line': l.id, 'data-sku': l.sku },
      h('div', { class: 'line-main' },
        h('div', { class: 'name' }, itemName(l.name, l.sku)),
        h('div', { class: 'meta' }, h('span', { class: 'money' }, money(l.unit_price)), (l.unit === 'kg' ? ' ' + t('till.per_kg') : '') + ' · ' + l.sku),
        notes.length ? h('div', { class: 'note' }, notes.join(' · ')) : null),
      h('div', { class: 'qty' },
        canStep ? button('−', () => act(() => patch(lineURL(l), { qty: l.qty - 1 })), 'step', { disabled: l.qty <= 1, 'aria-label': t('till.less') }) : null,
        h('span', { class: 'n', 'data-test': 'qty' }, qty(l.qty, l.unit)),
        canStep ? button('+', () => act(() => patch(lineURL(l), { qty: l.qty + 1 })), 'step', { 'aria-label': t('till.more'), 'data-test': 'qty-more' }) : null),
      h('div', { class: 'amount' },
        lt.discount ? h('s', null, money(lt.gross)) : null,
        h('span', { 'data-test': 'line-amount' }, money(lt.amount))),
      button('⋯', () => lineMenu(l), 'icon', { 'aria-label': t('till.line_menu'), 'data-test': 'line-menu' }));
  }

  const lineURL = (l) => '/carts/' + cart.id + '/lines/' + l.id;

  function lineMenu(l) {
    const m = modal({
      title: itemName(l.name, l.sku), cls: 'narrow',
      body: h('div', { class: 'menu' },
        l.unit !== 'kg' && !l.fixed_amount ? button(t('till.qty'), () => (m.close(), setQty(l)), 'big') : null,
        button(t('till.discount'), () => (m.close(), discountDialog(l)), 'big', { 'data-test': 'line-discount' }),
        button(t('till.price'), () => (m.close(), priceDialog(l)), 'big', { 'data-test': 'line-price' }),
        button(t('till.remove'), () => (m.close(), say(''), act(() => del(lineURL(l)))), 'big danger', { 'data-test': 'line-remove' })),
    });
  }

  async function setQty(l) {
    const v = await ask({ title: t('till.qty'), value: String(l.qty), maxLen: 5 });
    const n = v == null ? null : parseInt(v, 10);
    if (n > 0) act(() => patch(lineURL(l), { qty: n }));
  }

  // discountDialog sets a line's discount, or the basket's when l is null.
  function discountDialog(l) {
    let mode = 'percent';
    const current = l ? l.discount : cart.discount;
    const err = h('div', { class: 'form-error', role: 'alert' });
    const reasons = reasonPicker(current ? current.reason : '');
    const pad = keypad({ decimal: true, maxLen: 9, onEnter: () => ok(), onChange: () => (err.textContent = '') });
    const modeBtns = ['percent', 'amount'].map((k) => button(t('disc.' + k), () => setMode(k), 'chip', { 'data-mode': k }));
    const setMode = (k) => {
      mode = k;
      modeBtns.forEach((b) => b.classList.toggle('on', b.dataset.mode === k));
    };
    setMode('percent');
    const url = l ? lineURL(l) + '/discount' : '/carts/' + cart.id + '/discount';
    const send = (discount) => act(() => withApproval((sup) => put(url, { discount, ...(sup ? { supervisor: sup } : {}) })));
    const ok = () => {
      let d;
      if (mode === 'percent') {
        const bp = parseFixed(pad.value(), 2);
        if (!bp || bp > 10000) return (err.textContent = t('err.bad_discount'));
        d = { percent_bp: bp };
      } else {
        const a = parseMoney(pad.value());
        if (!a) return (err.textContent = t('err.bad_amount'));
        d = { amount: a };
      }
      if (!reasons.value()) return (err.textContent = t('err.reason_required'));
      d.reason = reasons.value();
      m.close();
      send(d);
    };
    const pop = pushKeys((e) => (e.key === 'Escape' ? (m.close(), true) : pad.key(e)));
    const m = modal({
      title: l ? t('disc.title_line') : t('disc.title_basket'),
      body: h('div', { class: 'split' },
        h('div', null, h('div', { class: 'chips' }, modeBtns), pad.el),
        h('div', null, h('div', { class: 'pad-label' }, t('disc.reason')), reasons.el, err)),
      actions: [
        current ? button(t('disc.clear'), () => (m.close(), send(null)), 'ghost danger') : null,
        button(t('common.cancel'), () => m.close(), 'ghost'),
        button(t('common.ok'), ok, 'primary', { 'data-test': 'discount-ok' })],
      onClose: pop,
    });
  }

  function priceDialog(l) {
    const err = h('div', { class: 'form-error', role: 'alert' });
    const reasons = reasonPicker('');
    const pad = keypad({ decimal: true, maxLen: 9, onEnter: () => ok(), onChange: () => (err.textContent = '') });
    const ok = () => {
      const p = parseMoney(pad.value());
      if (p == null) return (err.textContent = t('err.bad_amount'));
      if (!reasons.value()) return (err.textContent = t('err.reason_required'));
      m.close();
      act(() => withApproval((sup) => put(lineURL(l) + '/price', { price: p, reason: reasons.value(), ...(sup ? { supervisor: sup } : {}) })));
    };
    const pop = pushKeys((e) => (e.key === 'Escape' ? (m.close(), true) : pad.key(e)));
    const m = modal({
      title: t('price.title'),
      body: h('div', { class: 'split' },
        h('div', null, h('p', { class: 'hint' }, t('price.from', { price: money(l.override ? l.override.from : l.unit_price) })), pad.el),
        h('div', null, h('div', { class: 'pad-label' }, t('disc.reason')), reasons.el, err)),
      actions: [button(t('common.cancel'), () => m.close(), 'ghost'), button(t('common.ok'), ok, 'primary', { 'data-test': 'price-ok' })],
      onClose: pop,
    });
  }

  // cashDialog takes one cash payment. It stays in front, its amounts no
  // longer to be tapped, until the payment is in and the receipt of the
  // sale it settles is shown: a double tap pays once, and its second tap
  // does not land on the cart under the dialog.
  let cashStale = null; // the open cash dialog's check of the cart against its amounts
  function cashDialog() {
    const due = cart.cash_due || cart.balance.due;
    let chosen = false;
    const dueLine = h('p', { class: 'due-line' });
    const showDue = (d) => clear(dueLine, t('till.due'), ' ', h('strong', null, money(d)));
    const off = () => m.el.querySelectorAll('.quick button, footer button').forEach((b) => (b.disabled = true));
    // A cart changed under the dialog (a serial scan) takes its amounts
    // away, which would pay a total not the sale's, and shows the new one.
    cashStale = (c) => {
      const d = c.cash_due || c.balance.due;
      if (chosen || d === due) return;
      chosen = true;
      off();
      showDue(d);
    };
    showDue(due);
    const pay = async (amount) => {
      if (chosen) return;
      chosen = true;
      off();
      const pop = holdScans();
      try {
        await tender('cash', amount);
      } finally {
        pop();
        m.close();
      }
    };
    const m = modal({
      title: t('cash.title'), cls: 'narrow',
      body: [dueLine,
        h('div', { class: 'quick' }, quickCash(due).map((a, i) =>
          button(i === 0 ? t('cash.exact') + ' ' + money(a) : money(a), () => pay(a), i === 0 ? 'big primary' : 'big', { 'data-amount': a })))],
      actions: [button(t('cash.other'), async () => {
        if (chosen) return;
        chosen = true;
        m.close();
        const a = await askMoney({ title: t('cash.title'), hint: t('cash.given') });
        if (a) tender('cash', a);
      }, 'ghost', { 'data-test': 'cash-other' })],
      onClose() {
        cashStale = null;
        focusScan();
      },
    });
  }

  // tender pays, and completes the sale when that settles it; scans wait
  // for it, so that a code scanned meanwhile goes to the next sale.
  function tender(method, amount) {
    paying++;
    loading = tenderNow(method, amount).finally(() => paying--);
    return loading;
  }

  async function tenderNow(method, amount) {
    let wait = null;
    if (method === 'card') {
      wait = modal({
        title: t('card.title'), cls: 'narrow',
        body: [h('p', { class: 'big-text' }, money(amount)), h('p', { class: 'hint pulse' }, t('card.wait'))],
        actions: [button(t('card.abort'), () => post('/carts/' + cart.id + '/card/abort').catch(showError), 'danger')],
        onClose: holdScans(),
      });
    }
    const id = cart.id;
    const v = await act(() => post('/carts/' + id + '/payments', { method, amount }));
    if (wait) wait.close();
    if (v && v.balance.settled) await complete();
    // A card whose answer was lost stays pending: show it as it is now.
    if (!v && method === 'card') reopen(id);
  }

  // checkCard asks the terminal how the card payment left pending ended
  // (after a restart, or when its answer was lost) and says what it found.
  async function checkCard() {
    const ref = cart.pending.id;
    const v = await act(() => post('/carts/' + cart.id + '/card/resolve'));
    if (!v) return;
    if (v.pending) say(t('card.still'), 'info');
    else if (v.payments.some((p) => p.id === ref)) say(t('card.taken'), 'ok');
    else say(t('card.not_taken'), 'info');
  }

  // complete completes the cart on screen once, however often it is
  // asked to (a tap on Complete while a tender's completion is on its way).
  function complete() {
    if (!cart) return Promise.resolve();
    if (!completing) {
      completing = finish(cart).finally(() => (completing = null));
      loading = completing;
    }
    return completing;
  }

  async function finish(c) {
    const id = c.id;
    busy++;
    try {
      // A training cart closes as a training receipt, never as a sale.
      if (c.training) {
        await post('/carts/' + id + '/training');
        trained = true;
        say(t('till.training'));
        cart = null;
        return await reopen();
      }
      // A cart paying a click-and-collect order completes as its handover.
      const sale = c.order_id ? await post('/pickup/complete', { cart_id: id }) : await post('/carts/' + id + '/complete');
      lastSale = sale;
      say('');
      showReceipt(sale, true);
      cart = null;
      await reopen();
    } catch (e) {
      say(errorText(e), 'error');
    } finally {
      busy--;
    }
  }

  // showReceipt shows a sale's receipt (fresh: just completed), or a
  // training receipt tr ({no, sale}) marked as training at the top and in
  // its text, as it printed; its copy prints so marked too.
  function showReceipt(sale, fresh, tr) {
    const ch = sale.balance ? sale.balance.change : 0;
    const mark = t('till.training');
    const title = tr ? t('receipt.training_title', { no: tr.no }) : t('receipt.title', { no: sale.receipt_no });
    const m = modal({
      title, cls: 'receipt-modal',
      body: [tr ? h('div', { class: 'trow training', 'data-test': 'training-mark' }, mark) : null, h('div', { class: 'split' },
        h('div', { class: 'receipt-summary' },
          h('div', { class: 'label' }, t('till.total')), h('div', { class: 'big-text' }, money(sale.balance.total, sale.currency)),
          fresh ? [h('div', { class: 'label' }, t('till.change')), h('div', { class: 'big-text change', 'data-test': 'change' }, money(ch, sale.currency))] : null,
          h('div', { class: 'hint' }, dateTime(sale.completed_at))),
        h('pre', { class: 'receipt', 'data-test': 'receipt' }, tr ? [mark, plainReceipt(sale, title), mark].join('\n') : sale.receipt || plainReceipt(sale, title)))],
      actions: [
        fresh ? null : button(t('receipt.copy'), once(async () => {
          try {
            const c = await post('/receipts/copies', tr ? { kind: 'training', ref: String(tr.no) } : { kind: 'sale', ref: sale.sale_id });
            toast(t('receipt.copy_done', { n: c.copy ? c.copy.copy_no : '' }), 'ok');
          } catch (e) {
            showError(e);
          }
        }), 'big', { 'data-test': 'reprint' }),
        fresh || tr ? null : button(t('till.training_receipts'), trainingList, 'ghost', { 'data-test': 'training-receipts' }),
        button(fresh ? t('till.new_sale') : t('common.close'), () => m.close(), 'primary big', { 'data-test': 'receipt-close' })],
      onClose() {
        if (receipt === m) receipt = null;
        focusScan();
      },
    });
    if (fresh) receipt = m;
  }

  // plainReceipt is shown when the node sends no receipt text.
  function plainReceipt(s, title) {
    const out = [title, dateTime(s.completed_at), ''];
    s.lines.forEach((l, i) => {
      const lt = (s.balance.lines || [])[i] || {};
      out.push(itemName(l.name, l.sku), '  ' + qty(l.qty, l.unit) + ' × ' + money(l.unit_price, s.currency) + '  = ' + money(lt.amount, s.currency));
    });
    out.push('', t('till.total') + ': ' + money(s.balance.total, s.currency));
    for (const p of s.payments) out.push(t('till.' + p.method) + ': ' + money(p.amount, s.currency));
    out.push(t('till.change') + ': ' + money(s.balance.change, s.currency));
    return out.join('\n');
  }

  // lastReceipt shows this screen's last sale, for a copy. Training
  // receipts are never among sales: they are behind a button of their own
  // there (trainingList), shown at once only while the screen has closed
  // training receipts and no sale.
  async function lastReceipt() {
    if (!lastSale) return trained ? trainingList() : say(t('till.no_receipt'), 'info');
    try {
      showReceipt(await get('/receipts/' + lastSale.receipt_no), false);
    } catch (e) {
      showError(e);
    }
  }

  // trainingList lists the training receipts closed at this station,
  // newest first, to show one again and print its copy.
  const trainingList = once(() => listDialog(t('till.training_receipts'), '/training', t('till.training_none'), (r) => [
    { 'data-training': r.no, onclick: () => showReceipt(r.sale, false, r) },
    t('receipt.training_title', { no: r.no }), dateTime(r.sale.completed_at) + ' · ' + t('till.training'), money(r.sale.balance.total, r.sale.currency)]));

  // listDialog fetches a list from url and shows it as results, each of
  // view(item) = [attributes, name, meta, price]; a tap closes the dialog
  // before its onclick runs.
  async function listDialog(title, url, none, view) {
    let list;
    try {
      list = await get(url);
    } catch (e) {
      return showError(e);
    }
    const m = modal({
      title,
      body: list.length ? h('div', { class: 'results' }, list.map((x) => {
        const [a, name, meta, price] = view(x);
        return h('button', { ...a, type: 'button', class: 'result', onclick: () => (m.close(), a.onclick()) },
          h('span', { class: 'name' }, name), h('span', { class: 'meta' }, meta), h('span', { class: 'price' }, price));
      })) : h('p', { class: 'hint' }, none),
      actions: [button(t('common.close'), () => m.close(), 'ghost')],
      onClose: focusScan,
    });
  }

  function searchDialog() {
    const panel = searchPanel({
      pick: async (it) => {
        let n = 1;
        if (it.unit === 'kg') {
          const g = await ask({ title: t('till.weight'), hint: itemName(it.name, it.sku), maxLen: 6 });
          n = g == null ? 0 : parseInt(g, 10);
          if (!n) return;
        }
        m.close();
        const v = await act(() => post('/carts/' + cart.id + '/items', { sku: it.sku, qty: n }));
        if (v) say(t('till.added', { name: itemName(it.name, it.sku) }), 'ok');
      },
    });
    const m = modal({ title: t('search.title'), body: panel.el, cls: 'wide', onClose: focusScan });
    panel.input.focus();
  }

  async function park() {
    if (!cart || !lineCount()) return;
    const v = await (loading = act(() => post('/carts/' + cart.id + '/park')));
    if (v) {
      say(t('till.parked_ok'), 'ok');
      cart = null;
      reopen('');
    }
  }

  const parkedDialog = once(() => listDialog(t('till.parked'), '/parked', t('till.parked_none'), (c) => [
    { 'data-cart': c.id, onclick: async (v) => (v = await act(() => post('/carts/' + c.id + '/resume'))) && say(t(v.repriced ? 'till.repriced' : 'till.resumed'), 'ok') },
    c.lines.map((l) => itemName(l.name, l.sku)).join(', '), t('till.parked_from', { station: c.station, time: dateTime(c.updated_at) }), money(c.balance.total)]));

  // holdScans takes the codes a wedge scanner types while a payment's
  // dialog is in front, for after the payment (doScan); it returns the
  // function that stops it.
  function holdScans() {
    let code = '';
    return pushKeys((e) => {
      if (e.key === 'Enter' && code) return doScan(code), (code = ''), true;
      if (e.key.length > 1 || e.ctrlKey || e.metaKey || e.altKey) return false;
      code += e.key;
      return true;
    });
  }

  // startReturn asks for the receipt's number, typed (this node's) or its
  // code scanned; an order's QR scanned, or Online order, returns
  // an order bought online, and No receipt goods without either.
  async function startReturn() {
    const no = await ask({ title: t('return.receipt_no'), hint: t('return.receipt_hint'), maxLen: 10, fromScan: (c) => (/^R\d{10}$/.test(c) ? c.slice(1) : /^(R[0-9A-HJ-NP-X]{4}\d{10}|PICKUP:.*)$/.test(c) && c),
      more: [[t('return.order'), 'order'], [t('return.none'), 'none']] });
    if (no === 'none') noReceiptDialog();
    else if (no === 'order' || /^P/.test(no)) orderReturn(no === 'order' ? '' : no);
    else if (/^R/.test(no)) act(async () => returnDialog((await get('/receipts/' + no)).receipt_no)); // the node refuses another's code
    else if (no) returnDialog(parseInt(no, 10));
  }

  // startTraining opens a training cart at the station, in place of an
  // empty one: a cashier names a supervisor who approves it.
  async function startTraining() {
    if (!cart || lineCount() || cart.training) return;
    if (!(await confirm(t('till.training_start'), t('till.training_confirm')))) return;
    const v = await act(() => withApproval((sup) => post('/cart', { training: true, ...(sup ? { supervisor: sup } : {}) })));
    if (v) say(t('till.training_started'), 'ok');
  }

  async function typeCode() {
    const code = await ask({ title: t('till.code'), maxLen: 20 });
    if (code) doScan(code);
  }

  async function cancelSale() {
    if (!cart || !lineCount()) return;
    if (!(await confirm(t('till.cancel'), t('till.confirm_cancel')))) return;
    await (loading = act(async () => {
      await del('/carts/' + cart.id);
      return get('/cart');
    }));
  }

  // pendingView shows a card payment pending on c: at the terminal, or
  // with no one waiting for its answer any more, to be checked.
  function pendingView(c) {
    if (!c.pending) return null;
    if (!c.pending_unknown) return h('div', { class: 'hint pulse', 'data-test': 'card-wait' }, t('card.wait'));
    return h('div', { class: 'trow card-unknown', role: 'alert', 'data-test': 'card-unknown' },
      h('span', null, t('card.unknown', { amount: money(c.pending.amount) })),
      button(t('card.check'), checkCard, 'primary', { 'data-test': 'card-check' }),
      button(t('card.declare'), declareCard, 'ghost', { 'data-test': 'card-declare' }));
  }

  // declareCard records what the terminal's own slip says of a card
  // payment the terminal cannot tell: approved with its code, or not
  // taken. A supervisor approves it.
  function declareCard() {
    const id = cart.id;
    const err = h('div', { class: 'form-error', role: 'alert' });
    const code = h('input', { type: 'text', class: 'search-input', maxlength: '32', autocomplete: 'off', 'data-test': 'auth-code',
      placeholder: t('card.auth_code'), 'aria-label': t('card.auth_code') });
    const send = (approved) => {
      const auth = code.value.trim().toUpperCase();
      if (approved && !auth) return (err.textContent = t('card.auth_code_needed'));
      m.close();
      act(() => withApproval((sup) => post('/carts/' + id + '/card/declare',
        { approved, ...(approved ? { auth_code: auth } : {}), ...(sup ? { supervisor: sup } : {}) })))
        .then((v) => v && say(approved ? t('card.taken') : t('card.not_taken'), approved ? 'ok' : 'info'));
    };
    const m = modal({
      title: t('card.declare'), cls: 'wide',
      body: [h('p', { class: 'hint' }, t('card.declare_hint')), code, keyboard(code, () => (err.textContent = '')), err],
      actions: [
        button(t('common.cancel'), () => m.close(), 'ghost'),
        button(t('card.declare_not_taken'), () => send(false), 'danger', { 'data-test': 'declare-not-taken' }),
        button(t('card.declare_taken'), () => send(true), 'primary', { 'data-test': 'declare-taken' })],
      onClose: focusScan,
    });
    code.focus();
  }

  function render() {
    if (!cart) return;
    const b = cart.balance;
    clear(lines, cart.lines.length ? cart.lines.map(lineView) : h('li', { class: 'empty' }, t('till.empty')));
    const last = lines.querySelector('.line:last-child');
    if (last) last.scrollIntoView({ block: 'nearest' });
    const row = (label, value, cls = '', test) => h('div', { class: 'trow ' + cls }, h('span', null, label), h('span', { 'data-test': test }, value));
    const paid = b.cash + b.non_cash;
    clear(totals,
      customerBox(cart, setCart),
      cart.training ? h('div', { class: 'trow training', 'data-test': 'training' }, h('span', null, t('till.training'))) : null,
      row(t('till.subtotal'), money(b.subtotal)),
      b.discount ? row(t('till.discounts'), '−' + money(b.discount), '', 'discount-total') : null,
      row(t(b.total > b.subtotal - b.discount ? 'till.tax_added' : 'till.tax'), money(b.tax_total), 'minor'),
      cart.discount ? row(t('disc.title_basket'), (cart.discount.percent_bp ? percent(cart.discount.percent_bp) : money(cart.discount.amount)) + ' · ' + reasonText(cart.discount.reason), 'minor') : null,
      row(t('till.total'), money(b.total), 'total', 'total'),
      cart.payments.map((p) => h('div', { class: 'trow minor' }, h('span', null, t('till.' + p.method)), h('span', null, money(p.amount)),
        p.method === 'cash' && !b.settled ? button('✕', () => act(() => del('/carts/' + cart.id + '/payments/' + p.id)), 'icon small', { 'aria-label': t('till.remove') }) : null)),
      b.rounding ? row(t('till.rounding'), money(b.rounding), 'minor') : null,
      paid ? row(b.settled ? t('till.change') : t('till.due'), money(b.settled ? b.change : b.due), 'due', 'due') : null,
      pendingView(cart));
    const empty = !cart.lines.length;
    const pending = !!cart.pending;
    // Training starts on an empty cart that is not in training already.
    trainingButton.disabled = !empty || !!cart.training;
    clear(tenders,
      button(t('till.cash'), cashDialog, 'big tender', { disabled: empty || b.settled || pending, 'data-test': 'pay-cash' }),
      button(t('till.card'), () => tender('card', b.card_due), 'big tender', { disabled: empty || b.settled || pending, 'data-test': 'pay-card' }),
      button(t('disc.title_basket'), () => discountDialog(null), '', { disabled: empty, 'data-test': 'basket-discount' }),
      button(t('till.cancel'), cancelSale, 'danger', { disabled: empty || pending, 'data-test': 'cancel-sale' }),
      button(t('till.park'), park, '', { disabled: empty || cart.payments.length > 0, 'data-test': 'park' }),
      button(t('till.parked'), parkedDialog, '', { 'data-test': 'parked' }),
      button(t('till.complete'), complete, 'big primary wide', { disabled: !b.settled, 'data-test': 'complete' }));
    if (cart.stock_warnings && cart.stock_warnings.length) {
      const w = cart.stock_warnings.map((s) => {
        const l = cart.lines.find((x) => x.sku === s.sku);
        return t('till.stock_low', { name: l ? itemName(l.name, l.sku) : s.sku, n: qty(s.on_hand, l ? l.unit : 'each') });
      });
      say(w.join(' · '), 'warn');
    }
  }

  clear(root,
    header(t('nav.till')),
    h('div', { class: 'till' },
      h('section', { class: 'cart-side' },
        shiftBanner,
        h('div', { class: 'scanrow' }, scan,
          button(t('till.search'), searchDialog, '', { 'data-test': 'search' }),
          button(t('till.code'), typeCode, 'ghost')),
        msg, lines),
      h('section', { class: 'pay-side' }, totals, tenders,
        h('div', { class: 'row tight' },
        button(t('till.last_receipt'), once(lastReceipt), 'ghost', { 'data-test': 'last-receipt' }),
        button(t('return.button'), startReturn, 'ghost', { 'data-test': 'return' }),
        trainingButton))),
    statusBar());
  app.renderStatus();
  if (app.openCart) setCart(app.openCart); // a cart handed over by the pickup counter
  else loading = reopen();
  app.openCart = null;
  checkShift();
  focusScan();

  return {
    onMessage(m) {
      if (m.type === 'scan' && m.station === app.me.station && m.data) {
        // A code from the station's serial scanner, handled by the node.
        const d = m.data;
        // No item's code: the card the customer dialog waits for?
        if (d.error && /^(unknown|bad)_c/.test(d.error.code) && scanned(d.code)) return;
        if (d.error) {
          say(errorText(d.error), 'error');
          if (modalOpen()) toast(errorText(d.error), 'error'); // over a dialog, the receipt kept
        } else if (d.route === 'held' || (paying && d.route !== 'cart')) doScan(d.code); // after the payment
        else if (d.route === 'return') returnDialog(d.receipt_no || 0, () => say(''));
        else if (d.route === 'pickup' && d.order) {
          app.openOrder = d.order;
          app.go('pickup');
        } else if (d.route === 'cart') {
          // The node put the item in the cart already, dialog or not (the
          // last receipt makes way). Its push usually comes first; else the
          // next push tells.
          const behind = !clearForScan();
          const l = cart && [...cart.lines].reverse().find((x) => x.barcode === d.code);
          if (l) added(l, behind);
          else scannedSerial = behind ? 'behind' : 'shown';
        }
        return;
      }
      if (m.type === 'shift' && m.station === app.me.station) return checkShift();
      if (m.type === 'cart' && m.station === app.me.station) {
        if (m.data && m.data.parked) {
          // Parked from another device: the station goes on with a new cart.
          if (cart && m.data.id === cart.id) reopen('');
        } else if (m.data) {
          if (!cart || m.data.id === cart.id) setCart(m.data);
          // Another cart here, as one resumed from another device: it is
          // the station's sale now, unless this one has items (a resume
          // parks them, which the push after this tells).
          else if (!busy && !cart.lines.length) reopen('');
        } else if (cart && !busy) {
          reopen();
        }
      }
    },
    resync: () => {
      checkShift();
      return reopen(cart && cart.id);
    },
    destroy() {
      popKeys();
      document.removeEventListener('click', refocus);
    },
  };
}
