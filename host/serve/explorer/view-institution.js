// kitei explorer — view #/institution/<id>: one institution's versions, with
// links comparing each to the one before.

import { h, ja, short } from './dom.js';
import { link } from './routes.js';
import { ApiError, policies } from './api.js';
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
    h('h2', null, 'Versions'),
    h('div', { class: 'versions' }, cards),
  ]);
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
