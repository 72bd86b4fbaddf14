// kitei explorer — view #/: institutions on a timeline, and the modules
// serving now.

import { h, ja, short } from './dom.js';
import { link } from './routes.js';
import { policies } from './api.js';
import { effective } from './format.js';
import { statusLine } from './widgets.js';
import { state, commit } from './page.js';
import { timeline } from './timeline.js';

export async function viewOverview(seq) {
  const d = await policies(true);
  statusLine(d);
  state.current = { view: 'overview' };
  const rows = d.policies.slice().sort((a, b) => (a.institution + a.effective_from < b.institution + b.effective_from ? -1 : 1));
  const table = h('div', { class: 'table-scroll' }, h('table', { class: 'plain' },
    h('thead', null, h('tr', null, ['Variant', 'Institution', 'Title', 'Version', 'Effective', 'Today', 'Module sha256', 'Signature'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', null, rows.map((p) => h('tr', { dataset: { variant: p.variant } },
      h('th', { scope: 'row', class: 'nowrap' }, h('a', { href: link.variant(p.variant) }, p.variant)),
      h('td', null, h('a', { href: link.institution(p.institution) }, ja('span', p.institution_name))),
      h('td', null, ja('span', p.title)),
      h('td', { class: 'nowrap' }, p.version),
      h('td', { class: 'nowrap' }, effective(p)),
      h('td', null, h('span', { class: `badge ${p.in_force_today ? 'in-force' : 'not-in-force'}` }, p.in_force_today ? 'in force' : 'not in force')),
      h('td', null, h('code', { title: p.sha256 }, short(p.sha256))),
      h('td', { class: 'nowrap' }, p.signature ? 'verified' : h('span', { class: 'muted' }, 'unsigned')))))));
  const rejected = (d.rejected || []).length
    ? h('section', null, h('h2', null, 'Files not loaded'),
      h('ul', null, d.rejected.map((r) => h('li', null, h('code', null, String(r.file)), ': ', String(r.error)))))
    : null;
  commit(seq, 'Institutions', [
    h('div', { class: 'page-head' },
      h('h1', null, 'Institutions and their rules'),
      h('p', { class: 'lede' }, 'Each bar is one version of an institution’s API利用規定, compiled to a policy module, placed at the dates it is in force. ',
        'Pick an institution for its versions, a bar for its rule sheet.')),
    timeline(d.policies),
    h('h2', null, 'Modules serving now'),
    table,
    rejected,
  ]);
}
