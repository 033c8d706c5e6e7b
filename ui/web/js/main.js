// The app shell: language, session, the live connection, the status bar
// and which screen is shown.
//
// Screens are modules with mount(root, app) returning an object with
// optional onMessage(msg), resync() and destroy(). Routes are location
// hashes (#till, #tablet, #manager, #pair); ?display=<station> opens the
// customer display for that station.

import { h, clear, button } from './dom.js';
import { get, post } from './api.js';
import { t, errorText, setLanguage, deviceLanguage, rememberDeviceLanguage, LANGUAGES, language, supported } from './i18n.js';
import { number, time, dateTime, setCurrency, setTimeZone } from './format.js';
import { modal, closeModals, toast } from './ui.js';

const screens = {
  login: () => import('./login.js'),
  till: () => import('./till.js'),
  tablet: () => import('./tablet.js'),
  manager: () => import('./manager.js'),
  display: () => import('./display.js'),
  pair: () => import('./pair.js'),
  pickup: () => import('./pickup.js'),
};

export const app = {
  me: null, // {staff, station, expires_at}
  stations: [],
  status: {},
  liveState: 'connecting',
  live: null,
  screen: null,
  name: '',
  params: new URLSearchParams(location.search),
  go,
  logout,
  renderStatus,
  chooseLanguage,
  stationKind,
};

function stationKind(id = app.me && app.me.station) {
  const s = app.stations.find((x) => x.id === id);
  return s ? s.kind : id && id.startsWith('tablet') ? 'tablet' : 'till';
}

const root = () => document.getElementById('app');

async function boot() {
  await setLanguage(deviceLanguage());
  if (location.hash === '#pair') return go('pair');
  try {
    app.me = await get('/me');
  } catch (e) {
    if (e.code === 'not_authorized') return go('login');
    return offlineStart(e);
  }
  await afterLogin();
}

function offlineStart(err) {
  clear(root(), h('div', { class: 'center-card' },
    h('h1', null, 'posnode'), h('p', { class: 'form-error' }, errorText(err)),
    button(t('common.retry'), () => boot(), 'primary')));
}

// afterLogin starts the live connection and shows the station's screen.
export async function afterLogin(loginLanguage) {
  try {
    app.stations = await get('/stations');
  } catch {
    app.stations = [];
  }
  try {
    setStatus(await get('/status'));
  } catch {
    app.status = {};
  }
  const display = app.params.get('display');
  // The customer display speaks the store's language.
  const lang = display ? app.status.language : loginLanguage || app.me?.staff?.language;
  if (lang && supported(lang) && (display || !sessionStorage.getItem('posnode.lang.chosen'))) await setLanguage(lang);
  startLive();
  if (display) return go('display');
  const want = location.hash.slice(1);
  const role = app.me.staff.role;
  if (want === 'manager' && role === 'manager') return go('manager');
  if (['tablet', 'till', 'pickup'].includes(want)) return go(want);
  const kind = stationKind();
  go(kind === 'tablet' || kind === 'pickup' ? kind : 'till');
}

function startLive() {
  if (app.live) return;
  import('./ws.js').then(({ Live }) => {
    app.live = new Live({
      watch: app.params.get('display') || '',
      onState(s) {
        app.liveState = s;
        renderStatus();
        // A dropped socket may mean a revoked device or an ended session.
        if (s === 'offline') get('/me').catch((e) => e.code === 'not_authorized' && app.me && logout(true));
      },
      onOpen: resync,
      onMessage,
    }).start();
  });
}

// resync refetches everything after a (re)connection: pushes may have been
// missed while the socket was down.
async function resync() {
  try {
    app.me = await get('/me');
  } catch (e) {
    if (e.code === 'not_authorized') return logout(true);
  }
  try {
    setStatus(await get('/status'));
  } catch {}
  renderStatus();
  tell();
  if (app.screen && app.screen.resync) app.screen.resync();
}

// setStatus keeps the node's status and, from then on, writes amounts
// that name no currency in the store's and dates and times in the store's
// time zone.
function setStatus(st) {
  app.status = st || {};
  setCurrency(app.status.currency);
  setTimeZone(app.status.time_zone);
}

function onMessage(m) {
  switch (m.type) {
    case 'hello':
      if (m.data && m.data.status) setStatus(m.data.status);
      break;
    case 'sync':
      app.status = { ...app.status, sync: m.data };
      break;
    case 'clock':
      app.status = { ...app.status, clock: m.data };
      break;
    case 'device': {
      // Devices are kept by station: {station: {printer: {...}, ...}}.
      const all = { ...(app.status.devices || {}) };
      const was = all[m.station || ''] || {};
      all[m.station || ''] = { ...was, ...m.data };
      app.status = { ...app.status, devices: all };
      // A drawer alarm is news to the station's staff, not just a pill.
      const dr = m.data && m.data.drawer;
      if (dr && dr.code && dr.code !== (was.drawer || {}).code && app.me && m.station === app.me.station) {
        toast(t('device.drawer') + ': ' + deviceText(dr), 'error');
      }
      break;
    }
    case 'revoked':
      return logout(true);
  }
  renderStatus();
  // A till's serial scanner puts items into the till's sale (none while
  // it is paid) whatever screen the till shows: the cashier is told.
  const d = m.type === 'scan' && app.name !== 'till' && app.me && m.station === app.me.station && m.data;
  if (d && (d.route === 'cart' || d.route === 'held')) toast(t(d.route === 'cart' ? 'till.added_away' : 'till.held_away', { code: d.code }), 'error');
  if (app.screen && app.screen.onMessage) app.screen.onMessage(m);
}

// allowed reports whether the signed-in member of staff may open screen
// name: the manager screen is for managers only (the server refuses the
// rest of them its data anyway).
function allowed(name) {
  if (name === 'manager') return !!(app.me && app.me.staff.role === 'manager');
  return true;
}

// tell names the screen shown to the node, for a till's serial scans, or
// says m.
const tell = (m = app.name) => app.live?.ws?.readyState === 1 && !app.live.ws.send(m);
// Input is use, for the node's idle lock.
let used = 0;
for (const e of ['pointerdown', 'keydown']) addEventListener(e, () => Date.now() - used > 5e3 && tell('use') && (used = Date.now()), true);

let mounting = 0;
export async function go(name) {
  if (!allowed(name)) name = stationKind() === 'tablet' || stationKind() === 'pickup' ? stationKind() : 'till';
  const my = ++mounting;
  const mod = await screens[name]();
  if (my !== mounting) return;
  if (app.screen && app.screen.destroy) app.screen.destroy();
  closeModals();
  app.name = name;
  tell();
  if (['till', 'tablet', 'manager', 'pickup'].includes(name)) history.replaceState(null, '', location.pathname + location.search + '#' + name);
  const r = root();
  r.className = 'screen-' + name;
  r.replaceChildren();
  app.screen = mod.mount(r, app) || {};
}

async function logout(expired) {
  if (!expired) {
    try {
      await post('/logout');
    } catch {}
  }
  if (app.live) app.live.stop();
  app.live = null;
  app.me = null;
  sessionStorage.removeItem('posnode.lang.chosen');
  await setLanguage(deviceLanguage());
  go('login');
}

function chooseLanguage(after) {
  const m = modal({
    title: t('nav.language'), cls: 'narrow',
    body: h('div', { class: 'lang-list' }, LANGUAGES.map((l) =>
      button(l.name, async () => {
        rememberDeviceLanguage(l.tag);
        sessionStorage.setItem('posnode.lang.chosen', '1');
        await setLanguage(l.tag);
        m.close();
        if (after) after();
        else go(app.name);
      }, l.tag === language() ? 'on' : '', { lang: l.tag, 'data-lang': l.tag }))),
  });
}

// header is the top bar of staff screens.
export function header(title) {
  const me = app.me;
  const role = me.staff.role;
  const nav = [];
  if (app.name !== 'till' && stationKind() !== 'tablet') nav.push(button(t('nav.till'), () => go('till'), 'ghost'));
  if (app.name !== 'tablet') nav.push(button(t('nav.tablet'), () => go('tablet'), 'ghost'));
  if (app.name !== 'pickup' && app.stations.some((s) => s.kind === 'pickup')) nav.push(button(t('nav.pickup'), () => go('pickup'), 'ghost', { 'data-test': 'nav-pickup' }));
  if (app.name === 'till') nav.push(button(t('shift.button'), () => import('./shift.js').then((m) => m.shiftDialog(app)), 'ghost', { 'data-test': 'shift' }));
  if (role === 'manager' && app.name !== 'manager') nav.push(button(t('nav.manager'), () => go('manager'), 'ghost', { 'data-test': 'nav-manager' }));
  return h('header', { class: 'top' },
    h('div', { class: 'title' }, h('strong', null, title), h('span', { class: 'sub' }, me.station)),
    h('nav', null, nav),
    h('div', { class: 'who' }, h('span', { 'data-test': 'staff-name' }, me.staff.name), h('span', { class: 'sub' }, t('role.' + role))),
    button(LANGUAGES.find((l) => l.tag === language()).name, () => chooseLanguage(), 'ghost', { 'data-test': 'lang' }),
    // A paired device stays signed in until a manager revokes it.
    me.staff.id.startsWith('device:') ? null : button(t('nav.logout'), () => logout(false), 'ghost', { 'data-test': 'logout' }));
}

// statusBar is the footer with connection, sync and device status.
export function statusBar() {
  return h('footer', { class: 'statusbar', id: 'statusbar' });
}

function renderStatus() {
  const el = document.getElementById('statusbar');
  if (!el) return;
  const st = app.status || {};
  const sync = st.sync || {};
  const parts = [];
  const live = app.liveState === 'online';
  // A wrong clock misdates every receipt: it comes first.
  const clock = st.clock;
  if (clock && clock.problem === 'behind') parts.push(h('span', { class: 'pill bad', 'data-test': 'clock' }, t('status.clock_behind', { time: dateTime(clock.newest) })));
  else if (clock && clock.problem) parts.push(h('span', { class: 'pill bad', 'data-test': 'clock' }, t('status.clock_implausible')));
  parts.push(h('span', { class: 'pill ' + (live ? 'ok' : 'bad'), 'data-test': 'live' }, live ? t('status.connected') : t('status.disconnected')));
  const state = sync.state || 'offline';
  parts.push(h('span', { class: 'pill ' + (state === 'online' ? 'ok' : 'warn'), 'data-test': 'sync' }, t('sync.title') + ': ' + t('sync.' + state)));
  const depth = sync.queue_depth;
  if (depth != null) parts.push(h('span', { class: 'pill' + (depth > 0 ? ' warn' : '') }, t('sync.queue', { n: number(depth) })));
  const oldest = sync.oldest_unacked;
  if (depth > 0 && time(oldest)) parts.push(h('span', { class: 'pill warn' }, t('sync.oldest', { time: time(oldest) })));
  const mine = (st.devices || {})[app.me && app.me.station] || {};
  for (const [name, d] of Object.entries(mine)) {
    const s = deviceState(d);
    // A followed drawer whose state is not known says nothing the printer's pill does not.
    if (name === 'drawer' && s === 'unknown' && !d.code) continue;
    const cls = d && d.code ? 'bad' : ['ok', 'ready', 'online', 'closed', 'virtual'].includes(s) ? 'ok' : s === 'paper_low' || s === 'open' ? 'warn' : 'bad';
    parts.push(h('span', { class: 'pill ' + cls, 'data-device': name, title: (d && d.error) || '' }, t('device.' + name) + ': ' + deviceText(d)));
    if (!mine.drawer && d && (d.drawer === 'open' || d.drawer === 'closed')) {
      parts.push(h('span', { class: 'pill ' + (d.drawer === 'open' ? 'warn' : 'ok'), 'data-device': 'drawer' }, t('device.drawer') + ': ' + t('device.state.' + d.drawer)));
    }
  }
  clear(el, parts);
}

// deviceText says what the node reports about a device in the screen's
// language: its problem, from the code the node sends with the English
// detail (a code this screen does not know shows that detail), or else
// its state.
export function deviceText(d) {
  if (d && d.code) {
    const key = 'device.problem.' + d.code;
    const text = t(key);
    return text !== key ? text : d.error || t('device.state.error');
  }
  return t('device.state.' + deviceState(d));
}

// deviceState reduces what the node reports about a device to one state.
export function deviceState(d) {
  if (typeof d === 'string') return d;
  if (!d) return 'unknown';
  if (d.state || d.status) return d.state || d.status;
  if (d.virtual) return 'virtual';
  if (d.connected === false) return 'offline';
  if (d.paper_out) return 'paper_out';
  if (d.cover_open) return 'cover_open';
  if (d.error) return 'error';
  if (d.paper_low) return 'paper_low';
  if (d.ready === false) return 'busy';
  return 'ok';
}

window.addEventListener('posnode:signed-out', () => {
  if (app.me) logout(true);
});

window.addEventListener('hashchange', () => {
  const want = location.hash.slice(1);
  if (app.me && !allowed(want)) return history.replaceState(null, '', location.pathname + location.search + '#' + app.name);
  if (app.me && screens[want] && want !== app.name && want !== 'login') go(want);
});

boot();
