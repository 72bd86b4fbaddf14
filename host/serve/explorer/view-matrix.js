// kitei explorer — view #/matrix: every variant asked the same questions,
// rule by rule.

import { h, ja } from './dom.js';
import { link } from './routes.js';
import { matrixAt } from './api.js';
import { outcome, citeList } from './widgets.js';
import { state, commit } from './page.js';

export async function viewMatrix(seq, at) {
  const m = await matrixAt(at);
  state.current = { view: 'matrix' };
  const n = m.variants.length;
  const onlyDiff = h('input', { type: 'checkbox', id: 'only-differs' });
  const atInput = h('input', { type: 'text', id: 'matrix-at', value: m.at, spellcheck: 'false', inputmode: 'text' });
  const tools = h('form', {
    class: 'matrix-tools',
    onsubmit: (ev) => {
      ev.preventDefault();
      location.hash = link.matrix(atInput.value.trim());
    },
  },
    h('div', { class: 'field' }, h('label', { for: 'matrix-at' }, 'Questions asked at (RFC 3339)'), atInput),
    h('button', { type: 'submit' }, 'Ask again'),
    h('label', { class: 'check' }, onlyDiff, 'Only rows where variants differ'));

  const head = h('tr', null, h('th', { scope: 'col', class: 'row-label' }, 'Question'),
    m.variants.map((v) => h('th', { scope: 'col', dataset: { variant: v.variant } },
      h('a', { href: link.variant(v.variant) }, v.variant), h('br'),
      ja('span', v.institution_name, 'muted small'), h('br'),
      h('span', { class: 'muted small' }, `version ${v.version}`))));
  const bodies = m.sections.map((s) => h('tbody', { dataset: { section: s.title } },
    h('tr', { class: 'section' }, h('th', { colspan: String(n + 1), scope: 'colgroup' }, s.title, s.note ? h('span', { class: 'note' }, s.note) : null)),
    s.rows.map((row) => {
      const values = row.cells.map((c) => c.value);
      const differs = values.some((v) => v !== values[0]);
      return h('tr', { class: differs ? 'differs' : 'same', dataset: { label: row.label } },
        h('th', { scope: 'row', class: 'row-label' }, row.label, differs ? h('span', { class: 'visually-hidden' }, ' (variants differ)') : null),
        row.cells.map((c, i) => h('td', null,
          h('span', { class: 'value' }, String(c.value).split('; ').map((part) => h('span', null, outcome(part)))),
          citeList(m.variants[i].variant, c.cites || []))));
    })));
  onlyDiff.addEventListener('change', () => {
    for (const tr of document.querySelectorAll('table.matrix tr.same')) tr.hidden = onlyDiff.checked;
  });
  commit(seq, 'Matrix', [
    h('div', { class: 'page-head' },
      h('h1', null, 'Every variant, rule by rule'),
      h('p', { class: 'lede' }, 'The same questions put to every module serving, one column per variant. Each cell is the answer and the clauses it cites; ',
        h('span', { class: 'unmet' }, '✗'), ' marks a condition that was not met, ≠ a row where the variants answer differently.')),
    tools,
    h('div', { class: 'table-scroll tall', tabindex: '0', role: 'region', 'aria-label': 'Matrix (scrolls)' },
      h('table', { class: 'matrix' }, h('thead', null, head), bodies)),
  ]);
}
