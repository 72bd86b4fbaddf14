// kitei explorer — DOM helpers: h() builds elements (text is always text,
// never parsed as HTML), append, clear, ja() for Japanese text, uid().

// DOM helpers

/** Creates an element: h('a', {href: '#/', class: 'x'}, 'text', child). */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v == null || v === false) continue;
      if (k === 'class') el.className = v;
      else if (k === 'text') el.textContent = v;
      else if (k === 'dataset') Object.assign(el.dataset, v);
      else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (v === true) el.setAttribute(k, '');
      else el.setAttribute(k, String(v));
    }
  }
  append(el, children);
  return el;
}

export function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c == null || c === false) continue;
    el.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
  }
  return el;
}

/** Japanese text, marked so the browser picks Japanese glyphs. */
export function ja(tag, text, cls) {
  return h(tag, { lang: 'ja', class: cls }, text);
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
}

export function short(sha) {
  return sha ? sha.slice(0, 12) : '';
}

let idCounter = 0;
export function uid(prefix) {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}
