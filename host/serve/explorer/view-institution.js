// kitei explorer — view #/institution/<id>: one institution's versions, with
// links comparing each to the one before, and (kitei serve --shadow) what
// its shadow modules would change on the traffic served.

import { h, ja, short } from './dom.js';
import { link } from './routes.js';
import { ApiError, api, policies } from './api.js';
import { effective, institutionsOf } from './format.js';
import { errorBox, statusLine } from './widgets.js';
import { state, commit } from './page.js';
import { timeline } from './timeline.js';

export async function viewInstitution(seq, id) {
  const d = await policies();
  statusLine(d);
  const list = d.policies.filter((p) => p.institution === id);
  state.current = { view: 'institution', id };
  if (!list.length) {
    commit(seq, 'Unknown institution', [h('h1', null, 'Unknown institution'),
      errorBox(new ApiError(404, 'unknown_institution', `no module of an institution \`${id}\` is serving`), 'Not found')]);
    return;
  }
  const inst = institutionsOf(list)[0];
  // what the shadow modules would change (kitei serve --shadow); nothing when off or unreachable
  const shadow = await api('/v1/shadow').catch(() => null);
  if (seq !== state.renderSeq) return;
  const cards = [];
  inst.variants.forEach((p, i) => {
    if (i > 0) {
      const prev = inst.variants[i - 1];
      cards.push(h('p', { class: 'compare-link' },
        h('a', { class: 'button', href: link.diff(prev.variant, p.variant), dataset: { old: prev.variant, new: p.variant } },
          `Compare ${prev.variant} → ${p.variant}`), ' ', ja('span', '新旧対比表', 'muted')));
    }
    cards.push(versionCard(p));
  });
  commit(seq, inst.name, [
    h('p', { class: 'crumbs' }, h('a', { href: '#/' }, 'Institutions'), ' › ', inst.id),
    h('div', { class: 'page-head' },
      h('h1', null, ja('span', inst.name), ' ', h('span', { class: 'muted' }, `(${inst.id})`)),
      h('p', { class: 'lede' }, `${inst.variants.length} version${inst.variants.length === 1 ? '' : 's'} serving. A request naming the institution is decided by the version in force at its time.`)),
    timeline(list, `Versions of ${inst.id} by effective date`),
    shadowLines(shadow, inst.id),
    h('h2', null, 'Versions'),
    h('div', { class: 'versions' }, cards),
  ]);
}

/**
 * GET /v1/shadow's pairs of one institution, one line each: "from
 * 2023-06-06 gunma-2023: N of M decisions since … would change, under
 * 第2条第2項 (k), …"; null when there is none.
 */
function shadowLines(report, id) {
  const pairs = ((report && report.enabled && report.pairs) || []).filter((p) => p.institution === id && p.compared > 0);
  if (!pairs.length) return null;
  const when = (t) => String(t || '').replace('T', ' ').slice(0, 16) + ' UTC';
  return h('section', { class: 'shadow', 'aria-label': 'Shadow evaluation' },
    h('h2', null, 'Shadow evaluation ', ja('span', '影', 'muted')),
    pairs.map((p) => {
      const s = p.shadow;
      const under = p.clauses.map((c) => `${c.clause} (${c.count})`).join(', ');
      return h('p', { class: 'shadow-line', dataset: { module: p.module.variant, shadow: s.variant } },
        `from ${s.effective_from} `, s.source === 'next' ? h('a', { href: link.variant(s.variant) }, s.variant) : h('code', null, s.variant),
        h('span', { class: 'muted' }, ` (${s.source === 'staged' ? 'staged' : 'next version'})`),
        `: ${p.changed} of ${p.compared} decisions of ${p.module.variant} since ${when(p.since)} would change`,
        under ? [', under ', ja('span', under)] : '',
        p.failed ? ` (${p.failed} failed)` : '',
        // a staged module does not serve: /v1/diff cannot name it
        s.source === 'next' ? [' — ', h('a', { href: link.diff(p.module.variant, s.variant) }, 'compare')] : '');
    }),
    report.dropped ? h('p', { class: 'muted small' }, `${report.dropped} decisions not shadowed (the queue was full).`) : null);
}

function versionCard(p) {
  const set = Object.entries(p.settings || {}).filter(([, v]) => v != null);
  return h('article', { class: 'card version', dataset: { variant: p.variant } },
    h('h3', null, h('a', { href: link.variant(p.variant) }, p.variant), ' ',
      h('span', { class: `badge ${p.in_force_today ? 'in-force' : 'not-in-force'}` }, p.in_force_today ? 'in force today' : 'not in force today')),
    h('dl', { class: 'meta-grid' },
      h('dt', null, 'Title'), h('dd', null, ja('span', p.title)),
      h('dt', null, 'Version'), h('dd', null, p.version),
      h('dt', null, 'Effective'), h('dd', null, effective(p)),
      h('dt', null, 'Settings'), h('dd', null, set.length ? set.map(([k, v]) => `${k} = ${Array.isArray(v) ? v.join(', ') : v}`).join('; ') : h('span', { class: 'muted' }, 'none set')),
      h('dt', null, 'Module'), h('dd', null, h('code', { title: p.sha256 }, short(p.sha256)))),
    h('p', { class: 'actions' },
      h('a', { href: link.variant(p.variant) }, 'Rule sheet'),
      h('a', { href: link.tryWith(p.variant) }, 'Try a decision')));
}
