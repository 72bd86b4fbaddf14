// kitei explorer — small pieces views share: the error box, provenance
// badge, outcome, cite links, copy button, JSON block, the footer's status
// line.

import { h, uid } from './dom.js';
import { link } from './routes.js';
import { ApiError } from './api.js';
import { provTitle, outcomeClass } from './format.js';

export function errorBox(e, context) {
  const code = e instanceof ApiError ? e.code : 'error';
  const status = e instanceof ApiError && e.status ? `HTTP ${e.status} · ` : '';
  return h('div', { class: 'error-box', role: 'alert', dataset: { errorCode: code } },
    h('p', null, h('strong', null, context || 'The service answered with an error'), ': ',
      h('span', { class: 'muted' }, status), h('span', { class: 'error-code' }, code)),
    h('p', { class: 'error-message' }, e.message || String(e)));
}

export function provBadge(p) {
  return h('span', { class: `badge prov-${p}`, title: provTitle(p), dataset: { provenance: p } }, p);
}

export function outcome(s) {
  return h('span', { class: `outcome ${outcomeClass(s)}`, dataset: { outcome: s } }, s);
}

/** A cite from the matrix or diff ("第2条第2項 ✗"), linked to its rule. */
export function citeLink(variant, raw) {
  const unmet = / ✗$/.test(raw);
  const cite = raw.replace(/ ✗$/, '');
  const a = h('a', { href: link.rule(variant, cite), lang: 'ja', dataset: { cite } }, cite);
  if (!unmet) return h('span', { dataset: { cite } }, a);
  return h('span', { class: 'unmet', title: 'condition not met', dataset: { cite, met: 'false' } }, a, ' ✗');
}

export function citeList(variant, cites) {
  return h('span', { class: 'cites' }, cites.map((c) => citeLink(variant, c)));
}

export function copyButton(getText, label) {
  const status = h('span', { class: 'copied', role: 'status' });
  const button = h('button', {
    type: 'button',
    class: 'small',
    onclick: async () => {
      const ok = await copyText(getText());
      status.textContent = ok ? 'Copied' : 'Copy failed: select the text and copy it';
      setTimeout(() => { status.textContent = ''; }, 2500);
    },
  }, label || 'Copy');
  return h('span', { class: 'actions' }, button, status);
}

export async function copyText(text) {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text);
      return true;
    }
  } catch (_) {
    // fall through to the selection copy
  }
  const area = h('textarea', { class: 'visually-hidden', readonly: true });
  area.value = text;
  document.body.appendChild(area);
  area.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } catch (_) {
    ok = false;
  }
  area.remove();
  return ok;
}

export function jsonBlock(title, value, extra) {
  const text = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  const id = uid('json');
  return h('div', { class: 'json-block' },
    h('div', { class: 'json-head' }, h('h3', { id, class: 'json-title' }, title), copyButton(() => text, 'Copy JSON')),
    extra || null,
    h('pre', { class: 'json', tabindex: '0', 'aria-labelledby': id }, text));
}

export function statusLine(d) {
  const el = document.getElementById('status-line');
  if (!el) return;
  el.textContent = `${d.policies.length} module${d.policies.length === 1 ? '' : 's'} serving from ${d.directory}` +
    ` · signatures ${d.signatures_required ? 'required' : 'not required'}` +
    (d.rejected && d.rejected.length ? ` · ${d.rejected.length} file(s) rejected` : '') +
    (d.ready ? '' : ' · not ready');
}
