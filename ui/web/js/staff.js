// Manager pages: the store's staff and roles, and the settings received
// from central with how much of the catalog and stock the node holds.

import { h, clear, button } from './dom.js';
import { get, post, put, patch } from './api.js';
import { t, errorText, LANGUAGES } from './i18n.js';
import { number, money, dateTime, setCurrency } from './format.js';
import { modal, ask, confirm, showError, toast, chips } from './ui.js';
import { keyboard } from './search.js';

const ROLES = ['cashier', 'supervisor', 'manager'];

const langName = (tag) => (LANGUAGES.find((l) => l.tag === tag) || { name: t('staff.device_lang') }).name;

// staffPage shows the staff in body while still() holds; again() redraws.
export async function staffPage(body, app, again, still) {
  let list;
  try {
    list = await get('/staff');
  } catch (e) {
    list = e;
  }
  if (!still()) return;
  if (!Array.isArray(list)) return clear(body, h('p', { class: 'form-error' }, errorText(list)));
  const me = app.me.staff.id;
  const refresh = () => again();
  clear(body, h('section', { class: 'panel' },
    h('div', { class: 'panel-bar' }, h('h3', null, t('staff.title')), button(t('staff.add'), () => edit(null, refresh), 'primary', { 'data-test': 'staff-add' })),
    h('table', { class: 'grid', 'data-test': 'staff' },
      h('thead', null, h('tr', null, ['staff.number', 'mgr.name', 'mgr.role', 'staff.language', 'mgr.state'].map((k) => h('th', null, t(k))), h('th'))),
      h('tbody', null, list.map((s) => h('tr', { 'data-staff': s.id, class: s.active ? '' : 'inactive' },
        h('td', null, s.id), h('td', null, s.name), h('td', null, t('role.' + s.role)), h('td', null, langName(s.language)),
        h('td', null, s.active ? s.locked_out ? t('staff.locked_out') : t('staff.active') : t('staff.inactive')),
        h('td', { class: 'actions' },
          button(t('staff.edit'), () => edit(s, refresh), 'ghost', { 'data-test': 'staff-edit' }),
          button(t('staff.reset_pin'), () => resetPIN(s), 'ghost', { 'data-test': 'staff-pin' }),
          s.id === me ? null : s.active
            ? button(t('staff.deactivate'), () => setActive(s, false, refresh), 'danger', { 'data-test': 'staff-deactivate' })
            : button(t('staff.activate'), () => setActive(s, true, refresh), 'ghost', { 'data-test': 'staff-activate' }))))))));
}

// edit adds a member (s null) or changes one.
function edit(s, done) {
  const adding = !s;
  let id = adding ? '' : s.id;
  let pin = '';
  const err = h('div', { class: 'form-error', role: 'alert' });
  const idBtn = button('', async () => {
    const v = await ask({ title: t('staff.number'), value: id, maxLen: 8 });
    if (v != null) ((id = v), render());
  }, 'field', { 'data-test': 'staff-id' });
  const pinBtn = button('', async () => {
    const v = await ask({ title: t('staff.first_pin'), hint: t('staff.pin_hint'), mask: true });
    if (v != null) ((pin = v), render());
  }, 'field', { 'data-test': 'staff-first-pin' });
  const render = () => {
    idBtn.textContent = id || t('staff.tap');
    pinBtn.textContent = pin ? '•'.repeat(pin.length) : t('staff.tap');
  };
  render();
  const name = h('input', { type: 'text', class: 'search-input', value: adding ? '' : s.name, maxlength: 60, autocomplete: 'off', 'data-test': 'staff-name-input' });
  const role = chips(ROLES, (r) => t('role.' + r), adding ? 'cashier' : s.role);
  const lang = chips(['', ...LANGUAGES.map((l) => l.tag)], langName, adding ? '' : s.language || '');
  const label = (k) => h('div', { class: 'pad-label' }, t(k));
  const m = modal({
    title: adding ? t('staff.add') : t('staff.edit_title', { name: s.name }), cls: 'wide',
    body: [adding ? [label('staff.number'), idBtn] : null, label('mgr.name'), name, keyboard(name, () => {}),
      label('mgr.role'), role.el, label('staff.language'), lang.el, adding ? [label('staff.first_pin'), pinBtn] : null, err],
    actions: [button(t('common.cancel'), () => m.close(), 'ghost'), button(t('staff.save'), async () => {
      try {
        const body = { name: name.value.trim(), role: role.value(), language: lang.value() };
        if (adding) await post('/staff', { id, pin, ...body });
        else await patch('/staff/' + encodeURIComponent(s.id), body);
        m.close();
        toast(t('staff.saved'), 'ok');
        done();
      } catch (e) {
        err.textContent = e.code === 'duplicate' ? t('staff.taken') : errorText(e);
      }
    }, 'primary', { 'data-test': 'staff-save' })],
  });
}

async function resetPIN(s) {
  const pin = await ask({ title: t('staff.reset_title', { name: s.name }), hint: t('staff.pin_hint'), mask: true });
  if (pin == null) return;
  try {
    await put('/staff/' + encodeURIComponent(s.id) + '/pin', { pin });
    toast(t('staff.pin_done', { name: s.name }), 'ok');
  } catch (e) {
    showError(e);
  }
}

async function setActive(s, active, done) {
  if (!active && !(await confirm(t('staff.deactivate'), t('staff.deactivate_confirm', { name: s.name })))) return;
  try {
    await patch('/staff/' + encodeURIComponent(s.id), { active });
    done();
  } catch (e) {
    showError(e);
  }
}

// settingsPage shows central's settings and the sync summary in body
// while still() holds.
export async function settingsPage(body, app, still) {
  let v;
  try {
    v = await get('/settings');
  } catch (e) {
    if (still()) clear(body, h('p', { class: 'form-error' }, errorText(e)));
    return;
  }
  if (!still()) return;
  const s = v.settings || {};
  if (s.currency) setCurrency(s.currency);
  const dl = (rows) => h('dl', { class: 'facts' }, rows.filter(Boolean).map(([k, x]) => [h('dt', null, k), h('dd', null, x == null || x === '' ? '—' : String(x))]));
  const lines = (xs) => (xs && xs.length ? h('div', null, xs.map((l) => h('div', null, l))) : '—');
  const yes = (b) => (b ? t('common.yes') : t('common.no'));
  const paged = (p, extra) => dl([
    [t('set.manifest'), p.manifest ? number(p.manifest) : t('set.none_yet')],
    [t('set.pages'), t('set.pages_of', { n: number(p.current || 0), total: number(p.pages || 0) })],
    [t('set.last_applied'), p.last_applied ? dateTime(p.last_applied) : '—'], ...extra]);
  const sy = (app.status && app.status.sync) || {};
  const sum = v.sync;
  clear(body,
    h('section', { class: 'panel', 'data-test': 'settings' }, h('h3', null, t('set.title')),
      h('p', { class: 'hint' }, s.version ? t('set.from_central', { v: number(s.version) }) : t('set.defaults')),
      h('dl', { class: 'facts' },
        h('dt', null, t('set.currency')), h('dd', { 'data-test': 'set-currency' }, s.currency),
        h('dt', null, t('set.prices_include_tax')), h('dd', null, yes(s.prices_include_tax)),
        h('dt', null, t('set.cash_rounding')), h('dd', null, s.cash_rounding > 1 ? money(s.cash_rounding) : t('set.no_rounding')),
        h('dt', null, t('set.languages')), h('dd', null, (s.languages || []).map(langName).join(', ')),
        h('dt', null, t('set.receipt_header')), h('dd', null, lines(s.receipt_header)),
        h('dt', null, t('set.receipt_footer')), h('dd', null, lines(s.receipt_footer)),
        h('dt', null, t('set.pickup_hold')), h('dd', null, t('set.days', { n: number(s.pickup_hold_days || 0) })))),
    h('section', { class: 'panel' }, h('h3', null, t('sync.title')), dl([
      [t('mgr.state'), t('sync.' + (sy.state || 'offline'))],
      sy.configured === false ? [t('set.broker'), t('set.no_broker')] : null])),
    sum ? h('section', { class: 'panel', 'data-test': 'sync-catalog' }, h('h3', null, t('set.catalog')),
      paged(sum.catalog || {}, [[t('set.items'), t('set.items_of', { n: number(sum.active_items), total: number(sum.items) })]])) : null,
    sum ? h('section', { class: 'panel' }, h('h3', null, t('set.stock')),
      paged(sum.stock || {}, [[t('set.stock_skus'), number(sum.stock_skus)]])) : null);
}
