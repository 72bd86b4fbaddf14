// kitei explorer — the router: reads the hash route and renders its view.
//
//   #/                                  institutions on a timeline
//   #/institution/<id>                  one institution's versions
//   #/variant/<variant>                 a variant's rule sheet
//   #/variant/<variant>/rule/<cite>     ... scrolled to that rule, highlighted
//   #/matrix[?at=<RFC 3339>]            every variant, rule by rule
//   #/diff[/<old>/<new>][?at=]          behavioural diff and 新旧対比表
//   #/try[?q=<request JSON>]            try a decision (filled and decided)

import { h, append, clear } from './dom.js';
import { parseRoute } from './routes.js';
import { errorBox } from './widgets.js';
import { main, state, setNav, commit } from './page.js';
import { viewOverview } from './view-overview.js';
import { viewInstitution } from './view-institution.js';
import { viewVariant } from './view-rules.js';
import { viewMatrix } from './view-matrix.js';
import { viewDiff } from './view-diff.js';
import { viewTry } from './view-try.js';

/** Renders the view the location hash names (on load and every hash change). */
export async function route() {
  const r = parseRoute(location.hash);
  if (!r) return;
  const seq = ++state.renderSeq;
  const [head, ...rest] = r.segs;
  const m = main();
  m.setAttribute('aria-busy', 'true');
  // show "Loading…" only when an answer takes long enough to notice, and
  // only until the view is on the page: a view that commits and then waits
  // for more (the form, then its decision) must not be replaced by it
  const slow = setTimeout(() => {
    if (seq === state.renderSeq && state.committedSeq !== seq) {
      clear(m);
      append(m, [h('p', { class: 'loading', role: 'status' }, loadingText(head))]);
    }
  }, 150);
  try {
    switch (head) {
      case undefined:
        setNav('overview');
        await viewOverview(seq);
        break;
      case 'institution':
        setNav('overview');
        await viewInstitution(seq, rest[0]);
        break;
      case 'variant':
        setNav('overview');
        await viewVariant(seq, rest[0], rest[1] === 'rule' ? rest.slice(2).join('/') : null);
        break;
      case 'matrix':
        setNav('matrix');
        await viewMatrix(seq, r.query.get('at'));
        break;
      case 'diff':
        setNav('diff');
        await viewDiff(seq, rest[0], rest[1], r.query.get('at'));
        break;
      case 'try':
        setNav('try');
        await viewTry(seq, r.query.get('q'), r.query.get('variant'), r.query.get('institution'));
        break;
      default:
        setNav(null);
        state.current = { view: null };
        commit(seq, 'Not found', [
          h('h1', null, 'No such view'),
          h('p', null, 'The link ', h('code', null, location.hash), ' names no view of the explorer. ',
            h('a', { href: '#/' }, 'Go to the institutions'), '.'),
        ]);
    }
  } catch (e) {
    state.current = { view: null };
    commit(seq, 'Error', [h('h1', null, 'Could not show this view'), errorBox(e)]);
  } finally {
    clearTimeout(slow);
  }
}

function loadingText(head) {
  return {
    diff: 'Exploring both versions with every kind of request…',
    matrix: 'Asking every variant the same questions…',
    try: 'Loading the form…',
  }[head] || 'Loading…';
}
