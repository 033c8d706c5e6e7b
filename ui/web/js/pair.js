// Pairing a device: it asks the node for a short code, shows it, and
// waits until a manager approves it; the node then sets the device's
// session cookie.

import { h, clear, button } from './dom.js';
import { api } from './api.js';
import { t, errorText } from './i18n.js';
import { once } from './ui.js';

const KEY = 'posnode.pairing';

export function mount(root, app) {
  let timer = 0;
  let stopped = false;
  const box = h('div', { class: 'center-card', 'data-test': 'pair' });

  const show = (...kids) => clear(box, h('h1', null, t('pair.title')), ...kids,
    h('div', { class: 'row' }, button(t('common.back'), () => ((location.hash = ''), app.go('login')), 'ghost')));

  const start = once(async () => {
    try {
      const p = await api('POST', '/pair', { name: navigator.userAgent.includes('Mobile') ? 'Tablet' : 'Device' });
      sessionStorage.setItem(KEY, JSON.stringify(p));
      poll(p);
    } catch (e) {
      show(h('p', { class: 'form-error' }, errorText(e)), button(t('common.retry'), start, 'primary'));
    }
  });

  async function poll(p) {
    if (stopped) return;
    show(h('p', null, t('pair.show')), h('div', { class: 'pair-code', 'data-test': 'pair-code' }, p.code), h('p', { class: 'hint pulse' }, t('pair.waiting')));
    try {
      const r = await api('POST', '/pair/' + encodeURIComponent(p.device_id) + '/poll', { secret: p.secret });
      if (r.state === 'paired') {
        sessionStorage.removeItem(KEY);
        location.hash = '';
        location.reload();
        return;
      }
    } catch (e) {
      // Only an ended pairing ends; a blip, a restart or rate_limited passes.
      if (e.code === 'pairing_unknown') {
        sessionStorage.removeItem(KEY);
        return show(h('p', { class: 'form-error' }, errorText(e)), button(t('pair.start'), start, 'primary'));
      }
    }
    timer = setTimeout(() => poll(p), 2000);
  }

  clear(root, box);
  const saved = sessionStorage.getItem(KEY);
  if (saved) poll(JSON.parse(saved));
  else show(h('p', null, t('pair.explain')), button(t('pair.start'), start, 'primary big', { 'data-test': 'pair-start' }));
  return {
    destroy() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
