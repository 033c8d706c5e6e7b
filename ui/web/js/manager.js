// Manager pages: device and sync health, staff and roles, paired devices,
// stations and the settings received from central.

import { h, clear, button } from './dom.js';
import { get, post, del } from './api.js';
import { t, errorText } from './i18n.js';
import { number, dateTime } from './format.js';
import { modal, confirm, showError, toast, once } from './ui.js';
import { header, statusBar, deviceText } from './main.js';

export function mount(root, app) {
  let tab = 'health';
  const body = h('div', { class: 'mgr-body' });
  const tabs = h('div', { class: 'tabs' });
  const renderTabs = () => clear(tabs, ['health', 'staff', 'devices', 'stations', 'settings'].map((k) =>
    button(t('mgr.' + k), () => ((tab = k), renderTabs(), show()), tab === k ? 'chip on' : 'chip', { 'data-tab': k })));

  // dl lists [label, value, data-test of the value] rows; a value is
  // text or an element.
  const dl = (rows) => h('dl', { class: 'facts' }, rows.filter(Boolean).map(([k, v, id]) =>
    [h('dt', null, k), h('dd', id ? { 'data-test': id } : null, v == null || v === '' ? '—' : v instanceof Node ? v : String(v))]));

  // The events central rejected, fetched again when their count changes.
  let rejected = [];
  let rejectedFor = 0;
  async function loadRejected(n) {
    rejectedFor = n;
    try {
      rejected = n > 0 ? await get('/sync/rejected?limit=50') : [];
    } catch (e) {
      rejected = e;
    }
    if (tab === 'health') health();
  }

  // ref is the receipt, return, order or item an event stands for.
  const ref = (d) => d && (d.receipt_no || d.return_no || d.order_id || d.sku);

  function rejectedPanel() {
    if (rejected instanceof Error) return h('section', { class: 'panel' }, h('p', { class: 'form-error' }, errorText(rejected)));
    if (!rejected.length) return null;
    return h('section', { class: 'panel wide' }, h('h3', null, t('mgr.rejected_title')), h('p', { class: 'hint' }, t('mgr.rejected_hint')), h('table', { class: 'grid', 'data-test': 'rejected-events' },
      h('thead', null, h('tr', null, ['mgr.seq', 'mgr.event', 'mgr.recorded', 'mgr.reason'].map((k) => h('th', null, t(k))))),
      h('tbody', null, rejected.map((ev) => h('tr', { 'data-seq': String(ev.seq) },
        h('td', null, number(ev.seq)), h('td', { 'data-test': 'event' }, t('ev.' + ev.type), ' ', ref(ev.data)), h('td', null, dateTime(ev.time)), h('td', { 'data-test': 'reason' }, ev.reason))))));
  }

  function health() {
    const st = app.status || {};
    const sy = st.sync || {};
    const depth = sy.queue_depth;
    const nRejected = sy.rejected_events || 0;
    if (nRejected !== rejectedFor) loadRejected(nRejected);
    // Each device's row says its state or problem in the screen's
    // language, with the node's English detail for IT beside it.
    const devs = [];
    for (const [station, ds] of Object.entries(st.devices || {})) {
      for (const [k, d] of Object.entries(ds || {})) {
        devs.push([station + ' · ' + t('device.' + k), d, 'device-' + station + '-' + k]);
      }
    }
    clear(body,
      h('section', { class: 'panel' }, h('h3', null, t('mgr.node')), dl([
        [t('mgr.store'), st.store], [t('mgr.node_id'), st.node], [t('mgr.version'), st.version], [t('mgr.epoch'), st.epoch],
        [t('status.connection'), app.liveState === 'online' ? t('status.connected') : t('status.disconnected')]])),
      h('section', { class: 'panel', 'data-test': 'sync-health' }, h('h3', null, t('sync.title')), dl([
        [t('mgr.state'), t('sync.' + (sy.state || 'offline')) + (sy.configured === false ? ' · ' + t('mgr.not_configured') : ''), 'sync-state'],
        depth != null ? [t('mgr.queue'), number(depth), 'sync-depth'] : null,
        sy.oldest_unacked ? [t('mgr.oldest'), dateTime(sy.oldest_unacked), 'sync-oldest'] : null,
        sy.last_delivery ? [t('mgr.last_delivery'), dateTime(sy.last_delivery), 'sync-last-delivery'] : null,
        sy.inbound_rejects != null ? [t('mgr.inbound_rejects'), number(sy.inbound_rejects), 'sync-inbound-rejects'] : null,
        sy.rejected_events != null ? [t('mgr.rejected'), number(sy.rejected_events), 'sync-rejected'] : null,
        sy.last_error ? [t('mgr.last_error'), sy.last_error, 'sync-last-error'] : null])),
      h('section', { class: 'panel' }, h('h3', null, t('mgr.hardware')),
        devs.length ? dl(devs.map(([k, d, id]) => [k, h('span', null,
          deviceText(d) + (d && d.queued ? ' · ' + t('mgr.queued', { n: number(d.queued) }) : ''),
          d && d.error ? h('span', { class: 'hint', 'data-test': 'detail' }, ' · ' + d.error) : null), id]))
          : h('p', { class: 'hint' }, t('mgr.no_hardware'))),
      rejectedPanel());
  }

  function stations() {
    clear(body, h('section', { class: 'panel' }, h('table', { class: 'grid' },
      h('thead', null, h('tr', null, h('th', null, t('mgr.station')), h('th', null, t('mgr.kind')), h('th', null, t('mgr.name')))),
      h('tbody', null, app.stations.map((s) => h('tr', null, h('td', null, s.id), h('td', null, t('kind.' + s.kind)), h('td', null, s.name)))))));
  }

  async function devices() {
    let list;
    try {
      list = await get('/devices');
    } catch (e) {
      return clear(body, h('p', { class: 'form-error' }, errorText(e)));
    }
    if (tab !== 'devices') return;
    const state = (d) => (d.revoked_at ? 'revoked' : d.approved_at ? 'paired' : 'pending');
    clear(body, h('section', { class: 'panel' },
      list.length ? h('table', { class: 'grid', 'data-test': 'devices' },
        h('thead', null, h('tr', null, ['mgr.name', 'mgr.code', 'mgr.role', 'mgr.station', 'mgr.state', 'mgr.since'].map((k) => h('th', null, t(k))), h('th'))),
        h('tbody', null, list.map((d) => h('tr', { 'data-device': d.id },
          h('td', null, d.name), h('td', { class: 'code' }, state(d) === 'pending' ? d.code : ''), h('td', null, d.role && d.role !== 'none' ? t('role.' + d.role) : ''),
          h('td', null, d.station), h('td', null, t('mgr.dev_' + state(d))), h('td', null, dateTime(d.approved_at || d.created_at)),
          h('td', null,
            state(d) === 'pending' ? button(t('mgr.approve'), () => approve(d), 'primary', { 'data-test': 'approve' }) : null,
            state(d) !== 'revoked' ? button(t('mgr.revoke'), () => revoke(d), 'danger', { 'data-test': 'revoke' }) : null)))))
        : h('p', { class: 'hint' }, t('mgr.no_devices'))));
  }

  function approve(d) {
    let role = 'cashier';
    let station = (app.stations.find((s) => s.kind === 'tablet') || app.stations[0] || {}).id || '';
    const roles = h('div', { class: 'chips' });
    const sts = h('div', { class: 'chips' });
    const render = () => {
      clear(roles, ['cashier', 'supervisor'].map((r) => button(t('role.' + r), () => ((role = r), render()), r === role ? 'chip on' : 'chip')));
      clear(sts, app.stations.map((s) => button(s.name || s.id, () => ((station = s.id), render()), s.id === station ? 'chip on' : 'chip')));
    };
    render();
    const m = modal({
      title: t('mgr.approve_title', { code: d.code }),
      body: [h('div', { class: 'pad-label' }, t('mgr.role')), roles, h('div', { class: 'pad-label' }, t('mgr.station')), sts],
      actions: [button(t('common.cancel'), () => m.close(), 'ghost'), button(t('mgr.approve'), once(async () => {
        try {
          await post('/devices/' + encodeURIComponent(d.id) + '/approve', { code: d.code, role, station });
          m.close();
          toast(t('mgr.approved'), 'ok');
          devices();
        } catch (e) {
          showError(e);
        }
      }), 'primary', { 'data-test': 'approve-ok' })],
    });
  }

  async function revoke(d) {
    if (!(await confirm(t('mgr.revoke'), t('mgr.revoke_confirm', { name: d.name })))) return;
    try {
      await del('/devices/' + encodeURIComponent(d.id));
      devices();
    } catch (e) {
      showError(e);
    }
  }

  const show = () => (tab === 'health' ? health() : tab === 'devices' ? devices() : tab === 'stations' ? stations()
    : import('./staff.js').then((p) => (tab === 'staff' ? p.staffPage(body, app, show, () => tab === 'staff') : tab === 'settings' ? p.settingsPage(body, app, () => tab === 'settings') : null)));
  clear(root, header(t('nav.manager')), h('div', { class: 'manager' }, tabs, body), statusBar());
  renderTabs();
  show();
  app.renderStatus();
  return {
    onMessage(m) {
      if (tab === 'health' && ['sync', 'device', 'hello'].includes(m.type)) health();
      if (tab === 'devices' && m.type === 'pairing') devices();
      if (tab === 'staff' && m.type === 'staff') show();
    },
    resync: show,
  };
}
