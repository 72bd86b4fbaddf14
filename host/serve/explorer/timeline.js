// kitei explorer — the timeline: one lane per institution, one bar per
// version at the dates it is in force (the overview and institution views).

import { h, ja } from './dom.js';
import { link } from './routes.js';
import { isUndated, todayJst, institutionsOf } from './format.js';

export function timeline(list, caption) {
  const dated = list.filter((p) => !isUndated(p.effective_from));
  const today = todayJst();
  const years = dated.flatMap((p) => [p.effective_from, p.effective_until || today]).concat([today]).map((d) => Number(d.slice(0, 4)));
  const y0 = Math.min(...years);
  const y1 = Math.max(...years) + 1;
  const day = (s) => Date.UTC(Number(s.slice(0, 4)), Number(s.slice(5, 7) || '1') - 1, Number(s.slice(8, 10) || '1')) / 864e5;
  const t0 = day(`${y0}-01-01`);
  const t1 = day(`${y1}-01-01`);
  const pct = (d) => Math.max(0, Math.min(100, ((d - t0) / (t1 - t0)) * 100));

  const ticks = () => {
    const out = [];
    for (let y = y0; y < y1; y += 1) {
      const t = h('span', { class: 'tl-tick', 'aria-hidden': 'true' }, h('span', null, String(y)));
      t.style.left = `${pct(day(`${y}-01-01`))}%`;
      out.push(t);
    }
    const now = h('span', { class: 'tl-today', title: `today, ${today}` }, h('span', null, 'today'));
    now.style.left = `${pct(day(today))}%`;
    out.push(now);
    return out;
  };

  const axis = h('div', { class: 'tl-axis', 'aria-hidden': 'true' },
    h('div', { class: 'tl-label' }), h('div', { class: 'tl-track' }, ticks()));
  const lanes = institutionsOf(list).map((inst) => {
    const track = h('div', { class: 'tl-track' }, ticks());
    for (const p of inst.variants) {
      const undated = isUndated(p.effective_from);
      const label = undated
        ? `${p.variant}: undated, in force until replaced`
        : `${p.variant}: in force ${p.effective_from} to ${p.effective_until || 'now (no end date)'}`;
      const bar = h('a', {
        class: ['tl-bar', p.in_force_today ? 'current' : '', !p.effective_until ? 'open-end' : '', undated ? 'undated' : ''].join(' ').trim(),
        href: link.variant(p.variant),
        title: `${label}${p.in_force_today ? ' (in force today)' : ''}`,
        'aria-label': label,
        dataset: { variant: p.variant, from: p.effective_from, until: p.effective_until || '' },
      }, h('b', null, undated ? 'undated' : p.version), h('span', { class: 'muted' }, p.variant));
      const left = undated ? 0 : pct(day(p.effective_from));
      const right = p.effective_until ? pct(day(p.effective_until) + 1) : 100;
      bar.style.left = `${left}%`;
      bar.style.width = `${Math.max(right - left, 0.8)}%`;
      track.appendChild(bar);
    }
    return h('div', { class: 'tl-lane', dataset: { institution: inst.id } },
      h('div', { class: 'tl-label' },
        h('a', { href: link.institution(inst.id) }, ja('span', inst.name)),
        h('span', { class: 'muted' }, `${inst.id} · ${inst.variants.length} version${inst.variants.length === 1 ? '' : 's'}`)),
      track);
  });
  return h('figure', { class: 'timeline', role: 'group', 'aria-label': caption || 'Versions by effective date' }, axis, lanes);
}
