// Login: staff number, then PIN, on a touch keypad. The station is chosen
// once per device and remembered.

import { h, clear, button } from './dom.js';
import { api, get } from './api.js';
import { t, errorText, LANGUAGES, language } from './i18n.js';
import { keypad, pushKeys } from './ui.js';
import { afterLogin } from './main.js';

const STATION_KEY = 'posnode.station';

export function mount(root, app) {
  let step = 'staff';
  let staff = '';
  let station = app.params.get('display') || localStorage.getItem(STATION_KEY) || '';
  let stations = [];
  let busy = false;
  const msg = h('div', { class: 'form-error', role: 'alert', 'data-test': 'login-error' });
  const stationsEl = h('div', { class: 'chips stations' });
  const prompt = h('div', { class: 'pad-label', 'data-test': 'login-step' });
  let pad;
  const padHolder = h('div');

  const showPad = () => {
    prompt.textContent = step === 'staff' ? t('login.staff') : t('login.pin');
    // There is no dialog to close: a scanned badge or code signs no one in.
    pad = keypad({ mask: step === 'pin', maxLen: step === 'pin' ? 12 : 8, onEnter: next, onChange: () => (msg.textContent = ''), scanned: t('login.scan') });
    clear(padHolder, pad.el);
  };

  const renderStations = () => {
    if (!station && stations.length) station = stations[0].id;
    clear(stationsEl, stations.map((s) => button(s.name || s.id, () => {
      station = s.id;
      localStorage.setItem(STATION_KEY, station);
      renderStations();
    }, s.id === station ? 'chip on' : 'chip', { 'data-station': s.id })));
  };

  async function next() {
    if (busy) return;
    const v = pad.value();
    if (step === 'staff') {
      if (!v) return;
      staff = v;
      step = 'pin';
      showPad();
      return;
    }
    if (!v) return;
    busy = true;
    try {
      const res = await api('POST', '/login', { staff, pin: v, station });
      localStorage.setItem(STATION_KEY, res.station);
      app.me = { staff: res.staff, station: res.station, expires_at: res.expires_at };
      await afterLogin(res.staff.language);
    } catch (e) {
      step = 'staff';
      staff = '';
      showPad(); // a new pad clears the message: set it after
      msg.textContent = errorText(e);
    } finally {
      busy = false;
    }
  }

  const back = () => {
    step = 'staff';
    staff = '';
    showPad();
  };

  const pop = pushKeys((e) => (pad ? pad.key(e) : false));
  showPad();
  clear(root,
    h('div', { class: 'login' },
      h('div', { class: 'login-side' },
        h('h1', null, 'posnode'),
        h('p', { class: 'hint' }, t('login.welcome')),
        h('div', { class: 'pad-label' }, t('login.station')),
        stationsEl,
        h('div', { class: 'login-links' },
          button(LANGUAGES.find((l) => l.tag === language()).name, () => app.chooseLanguage(() => app.go('login')), 'ghost', { 'data-test': 'lang' }),
          button(t('pair.link'), () => ((location.hash = 'pair'), app.go('pair')), 'ghost'))),
      h('div', { class: 'login-pad' }, prompt, padHolder, msg,
        h('div', { class: 'row' },
          button(t('common.back'), back, 'ghost'),
          button(t('login.next'), next, 'primary', { 'data-test': 'login-next' })))));
  renderStations();
  get('/login/stations').then((list) => {
    stations = list || [];
    stations.sort((a, b) => a.id.localeCompare(b.id));
    if (station && !stations.some((s) => s.id === station)) station = '';
    renderStations();
  }).catch(() => {});
  // A display in the till's browser is back once the till signs in.
  const wait = app.params.get('display') && setInterval(() => get('/me').then((me) => (clearInterval(wait), (app.me = me), afterLogin()), () => {}), 5e3);
  return { destroy: () => (pop(), clearInterval(wait)) };
}
