// Small DOM helpers: h builds elements, clear empties a node.

// h(tag, attrs, ...children) returns a new element. attrs: class, text,
// on<event> handlers, dataset via data-*, booleans as present/absent.
export function h(tag, attrs, ...kids) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v == null || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k === 'text') el.textContent = v;
      else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
      else if (v === true) el.setAttribute(k, '');
      else el.setAttribute(k, v);
    }
  }
  append(el, kids);
  return el;
}

function append(el, kids) {
  for (const k of kids) {
    if (k == null || k === false) continue;
    if (Array.isArray(k)) append(el, k);
    else el.append(k instanceof Node ? k : String(k));
  }
}

// clear removes every child of el and appends kids.
export function clear(el, ...kids) {
  el.replaceChildren();
  append(el, kids);
  return el;
}

// button is a large touch button.
export function button(label, onclick, cls = '', attrs = {}) {
  return h('button', { type: 'button', class: 'btn ' + cls, onclick, ...attrs }, label);
}
