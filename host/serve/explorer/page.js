// kitei explorer — the page's frame: the router's state, the nav's current
// view, and commit(), which puts a view on the page if its render is still
// the latest.

import { append, clear } from './dom.js';

/** The page's <main>, where every view is put. */
export const main = () => document.getElementById('main');

/** What the router knows across renders; views set `current`. */
export const state = {
  /** The latest render started (each hash change starts one). */
  renderSeq: 0,
  /** The render whose view is on the page (set by `commit`). */
  committedSeq: 0,
  /** The view on the page: {view, ...what it shows}. */
  current: { view: null },
};

export function setNav(name) {
  for (const a of document.querySelectorAll('nav.views a')) {
    if (a.dataset.nav === name) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

/** Replaces the page's content if this render is still the latest. */
export function commit(seq, title, nodes, opts) {
  if (seq !== state.renderSeq) return false;
  state.committedSeq = seq;
  const m = main();
  clear(m);
  append(m, [nodes]);
  m.removeAttribute('aria-busy');
  document.title = `${title} — kitei explorer`;
  if (!(opts && opts.keepScroll)) window.scrollTo(0, 0);
  if (!(opts && opts.noFocus)) {
    const h1 = m.querySelector('h1');
    if (h1) {
      h1.setAttribute('tabindex', '-1');
      h1.focus({ preventScroll: true });
    }
  }
  return true;
}
