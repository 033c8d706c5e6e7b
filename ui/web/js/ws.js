// Live is the websocket to the node: it reconnects with backoff after any
// drop and calls onOpen after every (re)connection so that the screen
// refetches its full state; pushed messages go to onMessage.

export class Live {
  constructor({ watch = '', onMessage, onOpen, onState }) {
    this.watch = watch;
    this.onMessage = onMessage || (() => {});
    this.onOpen = onOpen || (() => {});
    this.onState = onState || (() => {});
    this.attempt = 0;
    this.ws = null;
    this.timer = 0;
    this.stopped = false;
    this.state = 'connecting';
  }

  start() {
    this.stopped = false;
    this.connect();
    return this;
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.ws) this.ws.close();
    this.ws = null;
  }

  setState(s) {
    if (this.state !== s) {
      this.state = s;
      this.onState(s);
    }
  }

  connect() {
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    let url = proto + '//' + location.host + '/ws';
    if (this.watch) url += '?watch=' + encodeURIComponent(this.watch);
    const ws = new WebSocket(url);
    this.ws = ws;
    ws.onopen = () => {
      this.attempt = 0;
      this.setState('online');
      this.onOpen();
    };
    ws.onmessage = (ev) => {
      let m;
      try {
        m = JSON.parse(ev.data);
      } catch {
        return;
      }
      this.onMessage(m);
    };
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.setState('offline');
      if (this.stopped) return;
      // 0.5 s, 1 s, 2 s ... up to 15 s, with jitter so that many screens
      // do not reconnect in step after a node restart.
      const base = Math.min(15000, 500 * 2 ** this.attempt++);
      this.timer = setTimeout(() => this.connect(), base / 2 + Math.random() * (base / 2));
    };
  }
}
