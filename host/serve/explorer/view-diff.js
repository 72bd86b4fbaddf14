// kitei explorer — view #/diff/<old>/<new>: where two versions' answers
// differ, and the clauses' text changes (新旧対比表) as a character diff.

import { h, ja, short } from './dom.js';
import { link } from './routes.js';
import { policies, diffOf } from './api.js';
import { effective, institutionsOf } from './format.js';
import { errorBox, provBadge, outcome, citeList } from './widgets.js';
import { state, commit } from './page.js';
import { diffOps } from './textdiff.js';

export async function viewDiff(seq, a, b, at) {
  const d = await policies();
  const variants = d.policies.map((p) => p.variant);
  if (!a || !b) {
    // no pair named: the first institution with two versions
    const inst = institutionsOf(d.policies).find((i) => i.variants.length > 1);
    const pick = inst ? [inst.variants[inst.variants.length - 2].variant, inst.variants[inst.variants.length - 1].variant] : [variants[0], variants[1] || variants[0]];
    state.current = { view: 'diff' };
    commit(seq, 'Compare versions', [
      h('div', { class: 'page-head' }, h('h1', null, 'Compare two versions'),
        h('p', { class: 'lede' }, 'Pick any two variants: the service asks both every kind of request and shows where their answers differ, and which clauses’ text changed (新旧対比表).')),
      diffPicker(d.policies, pick[0], pick[1], at),
    ]);
    return;
  }
  const picker = diffPicker(d.policies, a, b, at);
  let r;
  try {
    r = await diffOf(a, b, at);
  } catch (e) {
    state.current = { view: 'diff' };
    commit(seq, 'Compare versions', [h('h1', null, `Compare ${a} → ${b}`), picker, errorBox(e)]);
    return;
  }
  state.current = { view: 'diff', a, b };
  const total = r.explored.reduce((s, x) => s + x.requests, 0);
  const differing = r.explored.reduce((s, x) => s + x.differing, 0);
  const byOp = new Map();
  for (const g of r.groups) {
    if (!byOp.has(g.operation)) byOp.set(g.operation, []);
    byOp.get(g.operation).push(g);
  }
  const explored = h('div', { class: 'table-scroll' }, h('table', { class: 'plain explored' },
    h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Operation'), h('th', { scope: 'col', class: 'num' }, 'Requests asked'),
      h('th', { scope: 'col', class: 'num' }, 'Answered differently'), h('th', { scope: 'col', class: 'num' }, 'Kinds of difference'))),
    h('tbody', null, r.explored.map((x) => h('tr', null, h('th', { scope: 'row' }, x.operation),
      h('td', { class: 'num' }, x.requests.toLocaleString('en')), h('td', { class: 'num' }, x.differing.toLocaleString('en')),
      h('td', { class: 'num' }, String((byOp.get(x.operation) || []).length)))))));

  const opSections = [...byOp.entries()].map(([op, groups]) => {
    const det = h('details', { class: 'op-section', dataset: { operation: op } },
      h('summary', null, `${op}`, h('span', { class: 'muted' }, ` — ${groups.length} kind${groups.length === 1 ? '' : 's'} of difference`)),
      groups.map((g) => diffGroup(r, g)));
    det.open = groups.length <= 12;
    return h('section', { class: 'op', dataset: { operation: op } }, det);
  });

  commit(seq, `${a} → ${b}`, [
    h('div', { class: 'page-head' },
      h('h1', null, 'Compare ', h('a', { href: link.variant(a) }, a), ' → ', h('a', { href: link.variant(b) }, b)),
      h('p', { class: 'lede' }, `Of ${total.toLocaleString('en')} requests asked of both at ${r.at}, ${differing.toLocaleString('en')} are answered differently, in ${r.groups.length} kinds of difference; ${r.texts.length} clauses’ text changed.`)),
    picker,
    h('div', { class: 'pair modules' }, moduleCard('旧 old', r.old), moduleCard('新 new', r.new)),
    h('h2', null, 'Requests explored'),
    explored,
    h('h2', { id: 'behaviour-h' }, 'Where the answers differ'),
    h('p', { class: 'muted' }, 'Each entry is one kind of difference: how many requests it covers, each side’s answer and the clauses behind it. ',
      '“Try” opens an example request in the form.'),
    opSections.length ? opSections : h('p', null, 'No request is answered differently.'),
    h('h2', { id: 'taiso-h' }, ja('span', '新旧対比表'), ' — text changes'),
    taiso(r),
  ]);
}

function diffPicker(list, a, b, at) {
  const sel = (id, value) => {
    const s = h('select', { id },
      institutionsOf(list).map((inst) => h('optgroup', { label: `${inst.name} (${inst.id})` },
        inst.variants.map((p) => h('option', { value: p.variant }, `${p.variant} (${p.version})`)))));
    s.value = value;
    return s;
  };
  const sa = sel('diff-old', a);
  const sb = sel('diff-new', b);
  const atInput = h('input', { type: 'text', id: 'diff-at', value: at || '', placeholder: 'default', spellcheck: 'false' });
  return h('form', {
    class: 'matrix-tools diff-picker',
    onsubmit: (ev) => {
      ev.preventDefault();
      location.hash = link.diff(sa.value, sb.value, atInput.value.trim());
    },
  },
    h('div', { class: 'field' }, h('label', { for: 'diff-old' }, 'Old'), sa),
    h('div', { class: 'field' }, h('label', { for: 'diff-new' }, 'New'), sb),
    h('div', { class: 'field' }, h('label', { for: 'diff-at' }, 'Asked at (RFC 3339, optional)'), atInput),
    h('button', { type: 'submit', class: 'primary' }, 'Compare'));
}

function moduleCard(side, mod) {
  return h('div', { class: 'card module', dataset: { variant: mod.variant } },
    h('div', { class: 'side-label', lang: 'ja' }, side),
    h('h3', { class: 'h-inline' }, h('a', { href: link.variant(mod.variant) }, mod.variant), ' ', ja('span', `${mod.institution_name} ${mod.title}`, 'muted')),
    h('p', { class: 'small muted' }, `version ${mod.version} · effective ${effective(mod)} · module `, h('code', { title: mod.sha256 }, short(mod.sha256))));
}

function diffGroup(r, g) {
  const sideOf = (label, variant, s) => h('div', { class: 'side', dataset: { side: label === '旧' ? 'old' : 'new' } },
    h('div', { class: 'side-label' }, ja('span', label), ` ${variant}`),
    h('p', null, outcome(s.outcome)),
    h('ul', { class: 'clauses' }, s.clauses.map((c) => h('li', { dataset: { cite: c.cite, met: String(c.met), code: c.code } },
      h('div', { class: 'reason-head' },
        h('span', { class: c.met ? 'met-yes' : 'met-no', title: c.met ? 'condition met' : 'condition not met' }, c.met ? '✓' : '✗'),
        h('a', { class: 'cite-link', href: link.rule(variant, c.cite), lang: 'ja' }, c.cite),
        (c.provenance || []).map(provBadge),
        h('code', { class: 'small' }, c.code)),
      (c.texts || []).map((t) => ja('p', t, 'text'))))));
  const exOld = Object.assign({}, g.example, { variant: r.old.variant });
  const exNew = Object.assign({}, g.example, { variant: r.new.variant });
  return h('article', { class: 'card group', dataset: { operation: g.operation } },
    h('div', { class: 'group-head' },
      h('strong', null, `${g.count.toLocaleString('en')} request${g.count === 1 ? '' : 's'}`),
      h('span', null, outcome(g.old.outcome), ' → ', outcome(g.new.outcome)),
      h('span', { class: 'actions small' },
        h('a', { href: link.tryRequest(exOld), title: 'open an example request in the form, decided by the old version' }, `Try on ${r.old.variant}`),
        h('a', { href: link.tryRequest(exNew), title: 'the same request, decided by the new version' }, `Try on ${r.new.variant}`))),
    h('div', { class: 'pair' }, sideOf('旧', r.old.variant, g.old), sideOf('新', r.new.variant, g.new)),
    g.common && g.common.length
      ? h('p', { class: 'common muted' }, 'Cited the same by both: ', citeList(r.new.variant, g.common))
      : null);
}

function taiso(r) {
  if (!r.texts.length) return h('p', null, 'No clause’s text changed.');
  return h('div', { class: 'table-scroll' }, h('table', { class: 'plain taiso' },
    h('thead', null, h('tr', null, h('th', { scope: 'col', class: 'cite-col' }, ja('span', '条項')),
      h('th', { scope: 'col' }, ja('span', '旧'), ` ${r.old.variant}`), h('th', { scope: 'col' }, ja('span', '新'), ` ${r.new.variant}`))),
    h('tbody', null, r.texts.map((t) => {
      const [oldNode, newNode] = charDiff(t.old.join('\n'), t.new.join('\n'));
      return h('tr', { dataset: { cite: t.cite } },
        h('th', { scope: 'row', class: 'cite-col' }, ja('span', t.cite), h('br'),
          h('span', { class: 'small' }, h('a', { href: link.rule(r.old.variant, t.cite) }, '旧'), ' · ', h('a', { href: link.rule(r.new.variant, t.cite) }, '新'))),
        t.old.length ? h('td', { class: 'old' }, oldNode) : h('td', { class: 'old none' }, '(none)'),
        t.new.length ? h('td', { class: 'new' }, newNode) : h('td', { class: 'new none' }, '(none)'));
    }))));
}

/** Character diff of two texts: [old with <del>, new with <ins>]. */
function charDiff(a, b) {
  const ops = diffOps(a, b);
  const left = h('div', { class: 'diff-text', lang: 'ja' });
  const right = h('div', { class: 'diff-text', lang: 'ja' });
  for (const [op, text] of ops) {
    if (op === '=') {
      left.appendChild(document.createTextNode(text));
      right.appendChild(document.createTextNode(text));
    } else if (op === '-') {
      left.appendChild(h('del', null, text));
    } else {
      right.appendChild(h('ins', null, text));
    }
  }
  return [left, right];
}
