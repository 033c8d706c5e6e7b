// Shared screen parts: modals, keypads, prompts, toasts and the keyboard
// routing that lets a wedge scanner or keypad type into the right place.

import { h, clear, button } from './dom.js';
import { t, errorText } from './i18n.js';
import { parseMoney, money } from './format.js';
import { keyboard } from './search.js';

// Keyboard targets: the top one gets every keydown the focused element
// does not take. Screens push one; modals push theirs above it.
const targets = [];
export function pushKeys(fn) {
  targets.push(fn);
  return () => {
    const i = targets.lastIndexOf(fn);
    if (i >= 0) targets.splice(i, 1);
  };
}
document.addEventListener('keydown', (e) => {
  const top = targets[targets.length - 1];
  if (top && top(e)) e.preventDefault();
});

// A keyboard-wedge scanner types a code's characters a few milliseconds
// apart and ends it with Enter. A person on a keyboard, even a fast
// typist, seldom leaves less than 80 ms between two keys, never for five
// in a row, and more still between the same digit pressed twice. So
// BURST_MIN characters or more, each within BURST_GAP of the one before,
// and an Enter as quick are a scan, not typing; a scanner set to pause
// between characters stays well under it.
const BURST_GAP = 50; // milliseconds
const BURST_MIN = 4;
// burst is the run of quick keys typed last: its characters, the time of
// the last, and the element they went to with its value before them (a
// search field searches again when it is put back).
let burst = { code: '' };
// wedge is the Enter that ended the last scan, with the code.
let wedge = {};
// Scans are told from typing here, and here alone. With a dialog open, a
// scan goes to the keys taken above it (a keypad, a payment holding
// scans) or to a field of it marked data-scan (a loyalty card); else it
// is not taken: its Enter presses nothing, what it typed into a field
// goes, and the cashier is told to close the dialog, then scan.
document.addEventListener('keydown', (e) => {
  if (e.key === 'Shift') return; // a scanner's capital letters come with it
  const el = e.target;
  const quick = !e.repeat && e.timeStamp - burst.at <= BURST_GAP;
  if (e.key === 'Enter' && quick && burst.code.length >= BURST_MIN) {
    wedge = { e, code: burst.code };
    if (modalOpen() && !el.hasAttribute('data-scan')) {
      if (!targets.at(-1)?.(e)) {
        if (el === burst.el && el.tagName === 'INPUT') {
          el.value = burst.before;
          el.dispatchEvent(new Event('input'));
        }
        toast(t('common.scan_in_dialog'), 'error');
      }
      e.preventDefault();
      e.stopImmediatePropagation();
      topBox()?.focus(); // the Enter's keypress then finds no button either
    }
  }
  const printable = e.key.length === 1 && !e.ctrlKey && !e.metaKey && !e.altKey && !e.repeat;
  burst = !printable ? { code: '' } : quick ? { ...burst, code: burst.code + e.key, at: e.timeStamp } : { code: e.key, at: e.timeStamp, el, before: el.value };
}, true);

let toastTimer = 0;
export function toast(text, kind = 'info') {
  const el = document.getElementById('toast');
  clear(el, h('div', { class: 'toast ' + kind }, text));
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => clear(el), kind === 'error' ? 6000 : 3000);
}

export function showError(err) {
  toast(errorText(err), 'error');
}

const openModals = [];
export const modalOpen = () => openModals.length > 0;

// once wraps a button's action so that it runs one at a time: a second
// tap while the first is on its way does nothing, so that one piece is
// not added twice, a cart sent twice nor a device approved twice.
export function once(fn) {
  let busy = false;
  return async (...a) => {
    if (busy) return;
    busy = true;
    try {
      await fn(...a);
    } finally {
      busy = false;
    }
  };
}

// closeModals closes every open dialog, as when the screen changes.
export function closeModals() {
  for (const m of [...openModals].reverse()) m.close();
}

// Focus stays in the top dialog: Tab goes round its controls, and focus
// that lands behind it is taken back, so that no key (a scanner's Tab
// neither) acts on the page behind, such as the cart.
const topBox = () => openModals.at(-1)?.box;
document.addEventListener('keydown', (e) => {
  const box = topBox();
  if (!box || e.key !== 'Tab') return;
  const list = [...box.querySelectorAll('button, input, select, textarea, [href]')].filter((el) => !el.disabled && el.getClientRects().length);
  const i = list.indexOf(document.activeElement);
  if (e.shiftKey ? i > 0 : i >= 0 && i < list.length - 1) return;
  e.preventDefault();
  (list.at(e.shiftKey ? -1 : 0) || box).focus();
}, true);
document.addEventListener('focusin', (e) => topBox()?.contains(e.target) === false && topBox().focus());

// modal shows a dialog with the focus in it; close() removes it, gives
// the focus back to where it was, and calls onClose once.
export function modal({ title, body, actions = [], onClose, cls = '' }) {
  const root = document.getElementById('modal-root');
  const before = document.activeElement;
  let closed = false;
  const m = {
    close() {
      if (closed) return;
      closed = true;
      m.el.remove();
      openModals.splice(openModals.indexOf(m), 1);
      if (before && before.isConnected && before !== document.body) before.focus({ preventScroll: true });
      if (onClose) onClose();
    },
  };
  m.box = h('div', { class: 'modal ' + cls, role: 'dialog', 'aria-modal': 'true', 'aria-label': title, tabindex: '-1' },
    h('header', null, h('h2', null, title), button('✕', () => m.close(), 'icon ghost', { 'aria-label': t('common.close') })),
    h('div', { class: 'modal-body' }, body),
    actions.length ? h('footer', null, actions) : null);
  m.el = h('div', { class: 'backdrop' }, m.box);
  openModals.push(m);
  root.append(m.el);
  m.box.focus({ preventScroll: true });
  return m;
}

// A double tap on a button that opens a keypad (Other amount) lands its
// second tap on the key now under the finger. A touch screen's double tap
// is two taps within 300 ms; a person who sees a keypad open and aims at
// a key takes longer. So a key pressed within TAP_GUARD of the keypad's
// opening is not taken; keys typed on a keyboard always are.
const TAP_GUARD = 300; // milliseconds

// keypad is a touch keypad editing a string. With decimal a separator key
// is shown; with mask the value is shown as dots. A scan typed into it on
// the keyboard (see BURST_GAP) is never taken as a quantity, an amount or
// a PIN: the keypad goes back to the value before the scan, does not
// press Enter and says so with scanned, by default that the dialog is to
// be closed before scanning. Only fromScan(code), when given and true,
// turns a scan into the value it returns, and Enter is pressed.
export function keypad({ value = '', mask = false, decimal = false, maxLen = 12, onEnter, onChange, label = '', scanned = '', fromScan }) {
  let v = value;
  let before = v; // the value before the run of quick keys typed last
  const shown = h('div', { class: 'pad-value', 'data-test': 'pad-value' });
  const sep = (1.5).toLocaleString(document.documentElement.lang).includes(',') ? ',' : '.';
  const render = () => {
    shown.textContent = mask ? '•'.repeat(v.length) : v;
    shown.classList.toggle('empty', v === '');
    if (onChange) onChange(v);
  };
  const press = (k) => {
    if (k === 'back') v = v.slice(0, -1);
    else if (k === 'clear') v = '';
    else if (k === 'sep') {
      if (!v.includes(sep)) v = (v || '0') + sep;
    } else if (v.length < maxLen) v += k;
    render();
  };
  const keys = ['1', '2', '3', '4', '5', '6', '7', '8', '9', decimal ? 'sep' : 'clear', '0', 'back'];
  const label1 = (k) => (k === 'back' ? '⌫' : k === 'clear' ? 'C' : k === 'sep' ? sep : k);
  const opened = performance.now();
  let early = false; // the tap on its way began within TAP_GUARD
  const grid = h('div', { class: 'pad', onpointerdown: (e) => (early = e.timeStamp - opened < TAP_GUARD) },
    keys.map((k) => button(label1(k), () => (early ? (early = false) : press(k)), 'key', { 'data-key': k, 'aria-label': k === 'back' ? t('common.backspace') : k === 'clear' ? t('common.clear') : label1(k) })));
  const el = h('div', { class: 'keypad' }, label ? h('div', { class: 'pad-label' }, label) : null, shown, grid);
  render();
  return {
    el,
    value: () => v,
    set(nv) {
      v = nv;
      render();
    },
    // key handles a physical key; it reports whether it used it.
    key(e) {
      if (e.key === 'Shift') return false;
      if (e === wedge.e) {
        const s = fromScan && fromScan(wedge.code);
        v = s || before;
        render();
        if (s) onEnter(v);
        else toast(scanned || t('common.scan_in_dialog'), 'error');
        return true;
      }
      if (burst.code.length < 2) before = v;
      const printable = e.key.length === 1 && !e.ctrlKey && !e.metaKey && !e.altKey;
      if (/^[0-9]$/.test(e.key)) press(e.key);
      else if (e.key === 'Backspace') press('back');
      else if (decimal && (e.key === ',' || e.key === '.')) press('sep');
      else if (e.key === 'Enter') {
        if (onEnter) onEnter(v);
      } else return printable; // a scanned letter goes nowhere, not into a field behind the dialog
      return true;
    },
  };
}

// chips is a row of choices; value() is the chosen one. onChange, if
// given, is called with each new choice.
export function chips(values, label, initial, onChange) {
  let v = initial;
  const el = h('div', { class: 'chips' });
  const render = () => clear(el, values.map((x) => button(label(x), () => ((v = x), render(), onChange && onChange(x)), x === v ? 'chip on' : 'chip', { 'data-choice': x })));
  render();
  return { el, value: () => v };
}

// ask shows a keypad dialog and resolves to the typed string, or null;
// more adds buttons [label, value] that resolve to their value.
export function ask({ title, hint = '', value = '', mask = false, decimal = false, maxLen = 12, check, okLabel, fromScan, more = [] }) {
  return new Promise((resolve) => {
    let result = null;
    const err = h('div', { class: 'form-error', role: 'alert' });
    const ok = () => {
      const msg = check ? check(pad.value()) : '';
      if (msg) {
        err.textContent = msg;
        return;
      }
      result = pad.value();
      m.close();
    };
    const pad = keypad({ value, mask, decimal, maxLen, onEnter: ok, onChange: () => (err.textContent = ''), fromScan });
    const pop = pushKeys((e) => (e.key === 'Escape' ? (m.close(), true) : pad.key(e)));
    const m = modal({
      title, cls: 'narrow',
      body: [hint ? h('p', { class: 'hint' }, hint) : null, pad.el, err],
      actions: [button(t('common.cancel'), () => m.close(), 'ghost'), ...more.map(([l, v]) => button(l, () => ((result = v), m.close()), 'ghost', { 'data-test': 'ask-' + v })),
        button(okLabel || t('common.ok'), ok, 'primary', { 'data-test': 'pad-ok' })],
      onClose() {
        pop();
        resolve(result);
      },
    });
  });
}

// askText asks for a short text on the on-screen keyboard and resolves to
// it trimmed, or null when cancelled. With required, an empty text is
// refused with that message and the dialog stays open. With scan, a code
// scanned into it is taken, as typed. keys are the on-screen keyboard's
// rows (see keyboard).
export function askText(title, hint = '', { required = '', maxLen = 32, scan = false, keys } = {}) {
  return new Promise((resolve) => {
    let v = null;
    const input = h('input', { type: 'text', class: 'search-input', maxlength: String(maxLen), 'data-test': 'text-input', ...(scan && { 'data-scan': true }) });
    const err = h('div', { class: 'form-error', role: 'alert', 'data-test': 'text-error' });
    const ok = () => {
      const text = input.value.trim();
      if (required && !text) {
        err.textContent = required;
        input.focus();
        return;
      }
      v = text;
      m.close();
    };
    input.addEventListener('keydown', (e) => e.key === 'Enter' && ok());
    const m = modal({
      title, cls: 'wide',
      body: [hint ? h('p', { class: 'hint' }, hint) : null, input, err, keyboard(input, () => (err.textContent = ''), keys)],
      actions: [button(t('common.cancel'), () => m.close(), 'ghost'), button(t('common.ok'), ok, 'primary', { 'data-test': 'text-ok' })],
      onClose: () => resolve(v),
    });
    input.focus();
  });
}

// askMoney asks for an amount and resolves to minor units, or null.
export async function askMoney({ title, hint, value = '' }) {
  const s = await ask({ title, hint, value, decimal: true, check: (v) => (parseMoney(v) == null ? t('err.bad_amount') : '') });
  return s == null ? null : parseMoney(s);
}

// askSupervisor asks for a supervisor's staff number and PIN.
export async function askSupervisor() {
  const staff = await ask({ title: t('sup.title'), hint: t('sup.staff'), maxLen: 8 });
  if (!staff) return null;
  const pin = await ask({ title: t('sup.title'), hint: t('sup.pin'), mask: true });
  if (!pin) return null;
  return { staff, pin };
}

// withApproval runs call(null); when the node answers approval_required
// it asks for a supervisor and runs call(supervisor) once more.
export async function withApproval(call) {
  try {
    return await call(null);
  } catch (e) {
    if (e.code !== 'approval_required') throw e;
  }
  const sup = await askSupervisor();
  if (!sup) return null;
  return call(sup);
}

// confirm resolves true when the person says yes.
export function confirm(title, text) {
  return new Promise((resolve) => {
    let yes = false;
    const m = modal({
      title, cls: 'narrow', body: h('p', null, text),
      actions: [button(t('common.no'), () => m.close(), 'ghost'), button(t('common.yes'), () => ((yes = true), m.close()), 'danger', { 'data-test': 'confirm-yes' })],
      onClose: () => resolve(yes),
    });
  });
}

export const REASONS = ['damaged', 'price_match', 'staff', 'loyalty', 'campaign', 'other'];

// reasonText shows a stored reason code in the current language.
export function reasonText(code) {
  return REASONS.includes(code) ? t('reason.' + code) : code;
}

// reasonPicker is a row of reason buttons; value() is the chosen code.
export function reasonPicker(initial = '') {
  let v = initial;
  const btns = REASONS.map((r) => button(t('reason.' + r), () => pick(r), 'chip', { 'data-reason': r }));
  const pick = (r) => {
    v = r;
    btns.forEach((b) => b.classList.toggle('on', b.dataset.reason === r));
  };
  if (v) pick(v);
  return { el: h('div', { class: 'chips' }, btns), value: () => v };
}

export { money };
