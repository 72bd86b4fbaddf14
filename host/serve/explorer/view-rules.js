// kitei explorer — view #/variant/<variant>[/rule/<cite>]: a variant's rule
// sheet in document order, its settings and declared terms, a rule
// highlighted.

import { h, ja, short } from './dom.js';
import { link } from './routes.js';
import { policies, vocab, describe } from './api.js';
import { provTitle, effective } from './format.js';
import { provBadge } from './widgets.js';
import { main, state, commit } from './page.js';

function settingsRows(settings, used) {
  return Object.entries(settings || {}).map(([k, v]) => h('tr', null,
    h('td', null, k),
    h('td', null, v == null ? h('span', { class: 'muted' }, 'not set') : Array.isArray(v) ? v.join(', ') : String(v)),
    used ? h('td', null, used.includes(k) ? 'yes' : h('span', { class: 'muted' }, 'no')) : null));
}

function groupName(clause) {
  if (clause.article != null) return `第${clause.article}条`;
  return clause.section || '—';
}

export async function viewVariant(seq, variant, cite) {
  if (state.current.view === 'variant' && state.current.variant === variant && document.querySelector('ol.rules')) {
    // the same sheet: only move the highlight
    if (seq !== state.renderSeq) return;
    main().removeAttribute('aria-busy');
    highlightRule(cite);
    return;
  }
  const [d, meta, voc] = await Promise.all([policies(), describe(variant), vocab()]);
  const p = d.policies.find((x) => x.variant === variant);
  const counts = {};
  for (const r of meta.rules) counts[r.provenance] = (counts[r.provenance] || 0) + 1;
  const provOrder = (voc.Provenance || Object.keys(counts)).filter((k) => counts[k]);

  const sections = [];
  let curSection = null;
  meta.rules.forEach((r, i) => {
    const g = groupName(r.clause || {});
    if (!curSection || curSection.name !== g) {
      curSection = { name: g, list: h('ol', { class: 'rules' }) };
      sections.push(h('section', { class: 'article' }, ja('h3', g, 'article-h'), curSection.list));
    }
    curSection.list.appendChild(ruleItem(meta, r, i));
  });

  const filters = h('fieldset', { class: 'legend' },
    h('legend', { class: 'visually-hidden' }, 'Show rules by provenance'),
    h('span', { class: 'muted' }, 'Show:'),
    provOrder.map((k) => {
      const box = h('input', { type: 'checkbox', checked: true, value: k });
      box.addEventListener('change', () => {
        for (const li of document.querySelectorAll(`li.rule[data-provenance="${k}"]`)) li.hidden = !box.checked;
      });
      return h('label', { title: provTitle(k) }, box, provBadge(k), h('span', { class: 'muted small' }, String(counts[k])));
    }));

  const older = p && d.policies.filter((x) => x.institution === p.institution && x.effective_from < p.effective_from)
    .sort((a, b) => (a.effective_from < b.effective_from ? 1 : -1))[0];
  const newer = p && d.policies.filter((x) => x.institution === p.institution && x.effective_from > p.effective_from)
    .sort((a, b) => (a.effective_from < b.effective_from ? -1 : 1))[0];

  state.current = { view: 'variant', variant };
  const ok = commit(seq, `${variant} rule sheet`, [
    h('p', { class: 'crumbs' }, h('a', { href: '#/' }, 'Institutions'), ' › ',
      h('a', { href: link.institution(meta.institution) }, meta.institution), ' › ', variant),
    h('div', { class: 'page-head' },
      h('h1', null, ja('span', `${meta.institution_name} ${meta.title}`)),
      h('p', { class: 'lede' }, `${variant} · version ${meta.version} · effective ${effective(meta)} · ${meta.rules.length} rules in document order`)),
    h('div', { class: 'sheet-head' },
      h('div', null,
        h('dl', { class: 'meta-grid' },
          h('dt', null, 'Variant'), h('dd', null, h('code', null, variant)),
          h('dt', null, 'Institution'), h('dd', null, ja('span', meta.institution_name), ` (${meta.institution})`),
          h('dt', null, 'Effective'), h('dd', null, effective(meta), p ? [' ', h('span', { class: `badge ${p.in_force_today ? 'in-force' : 'not-in-force'}` }, p.in_force_today ? 'in force today' : 'not in force today')] : null),
          h('dt', null, 'Parties'), h('dd', null, (meta.parties || []).join(', ')),
          p ? [h('dt', null, 'Module'), h('dd', null, h('code', { title: p.sha256 }, short(p.sha256)), ' ', h('span', { class: 'muted' }, p.signature ? 'signature verified' : 'unsigned'))] : null,
          p && p.source ? [h('dt', null, 'Source'), h('dd', null, h('code', null, p.source))] : null),
        h('p', { class: 'actions' },
          older ? h('a', { class: 'button small', href: link.diff(older.variant, variant) }, `Compare with ${older.variant}`) : null,
          newer ? h('a', { class: 'button small', href: link.diff(variant, newer.variant) }, `Compare with ${newer.variant}`) : null,
          h('a', { class: 'button small', href: link.tryWith(variant) }, 'Try a decision'),
          h('a', { class: 'button small', href: '#/matrix' }, 'Matrix'))),
      h('section', { class: 'card settings', 'aria-labelledby': 'settings-h' },
        h('h2', { id: 'settings-h', class: 'h-inline' }, 'Settings in force'),
        h('p', { class: 'muted small' }, 'Values the published text leaves to the institution', p && p.settings_source ? [' — from ', h('code', null, p.settings_source)] : ' — none supplied; built in.'),
        h('div', { class: 'table-scroll' }, h('table', { class: 'plain settings-table' },
          h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Setting'), h('th', { scope: 'col' }, 'Value'), h('th', { scope: 'col' }, 'Read by this module'))),
          h('tbody', null, settingsRows(meta.settings, meta.settings_used || [])))))),
    termsSection(meta),
    h('h2', null, 'Rules'),
    filters,
    h('p', { id: 'rule-notice', class: 'notice', hidden: true, role: 'status' }),
    h('div', { class: 'sheet', dataset: { variant } }, sections),
  ], { noFocus: !!cite });
  if (ok) highlightRule(cite);
}

/** The terms the module declares beyond the core vocabulary (contract 0.4), or nothing. */
function termsSection(meta) {
  const terms = meta.terms || [];
  if (!terms.length) return null;
  return h('section', { class: 'card terms', id: 'terms', 'aria-labelledby': 'terms-h' },
    h('h2', { id: 'terms-h', class: 'h-inline' }, 'Terms'),
    h('p', { class: 'muted small' }, 'Declared by this module beyond the core vocabulary; requests name them by their wire name.'),
    h('div', { class: 'table-scroll' }, h('table', { class: 'plain terms-table' },
      h('thead', null, h('tr', null,
        h('th', { scope: 'col' }, 'Term'), h('th', { scope: 'col' }, 'Kind'), h('th', { scope: 'col' }, '日本語'),
        h('th', { scope: 'col' }, 'Meaning'), h('th', { scope: 'col' }, 'Introduced by'))),
      h('tbody', null, terms.map((t) => {
        const r = meta.rules[t.rule];
        const cite = t.cite || (r && r.cite);
        return h('tr', { class: 'term', dataset: { term: t.name, kind: t.kind } },
          h('td', null, h('code', null, t.name)),
          h('td', null, String(t.kind).replace(/_/g, ' ')),
          h('td', null, ja('span', t.ja)),
          h('td', null, t.summary),
          h('td', null, cite ? h('a', { href: link.rule(meta.variant, cite), lang: 'ja' }, cite) : '—'));
      })))));
}

function ruleItem(meta, r, i) {
  const settingNote = [];
  if (r.provenance === 'setting') {
    for (const [, name] of r.summary.matchAll(/`([a-z_]+)`/g)) {
      if (meta.settings && name in meta.settings) {
        const v = meta.settings[name];
        settingNote.push(h('p', { class: 'codes' }, 'In force: ', h('code', null, name), ' = ',
          v == null ? h('span', null, 'not set') : h('strong', null, Array.isArray(v) ? v.join(', ') : String(v))));
      }
    }
  }
  return h('li', { class: 'rule', id: `rule-${i}`, tabindex: '-1', dataset: { cite: r.cite, provenance: r.provenance, codeMet: r.code_met, codeUnmet: r.code_unmet } },
    h('div', { class: 'rule-side' },
      h('div', { class: 'cite' }, h('a', { href: link.rule(meta.variant, r.cite), lang: 'ja' }, r.cite)),
      h('div', { class: 'prov' }, provBadge(r.provenance))),
    h('div', { class: 'rule-body' },
      ja('p', r.text, `text${r.provenance === 'omitted' ? ' omitted' : ''}`),
      h('p', { class: 'summary', lang: 'en' }, r.summary),
      h('p', { class: 'codes' }, r.code_met === r.code_unmet
        ? ['code ', h('code', null, r.code_met)]
        : ['met ', h('code', null, r.code_met), ' · not met ', h('code', null, r.code_unmet)]),
      settingNote));
}

function highlightRule(cite) {
  for (const el of document.querySelectorAll('li.rule.highlight')) el.classList.remove('highlight');
  const notice = document.getElementById('rule-notice');
  if (notice) notice.hidden = true;
  if (!cite) return;
  const hits = [...document.querySelectorAll('li.rule')].filter((li) => li.dataset.cite === cite);
  if (!hits.length) {
    if (notice) {
      notice.textContent = `This variant has no rule ${cite}.`;
      notice.hidden = false;
    }
    return;
  }
  for (const li of hits) {
    li.hidden = false;
    li.classList.add('highlight');
  }
  document.title = `${cite} — ${state.current.variant} rule sheet — kitei explorer`;
  hits[0].scrollIntoView({ block: 'center' });
  hits[0].focus({ preventScroll: true });
}
