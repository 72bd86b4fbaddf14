// kitei explorer: read, compare and try every institution's rules.
//
// The page's one entry module (index.html loads it; the rest are imported
// from here). One page, no framework, no build step, nothing from the
// network but this service's own JSON API (GET /v1/policies, /v1/matrix,
// /v1/diff, /openapi.json; POST /v1/decisions). Views are hash routes (see
// router.js), so any state worth sharing is a link.
//
// The modules, each one job:
//   main.js              this file: starts the router
//   router.js            hash route → view;  page.js  the router's state, commit()
//   routes.js            links to every view and parseRoute() (pure)
//   api.js               the JSON API and its cache
//   dom.js               h() and friends;  widgets.js  pieces views share
//   format.js            pure formatting helpers;  textdiff.js  the character diff (pure)
//   timeline.js          the institutions' timeline
//   view-overview.js, view-institution.js, view-rules.js (a rule sheet),
//   view-matrix.js, view-diff.js, view-try.js   one module per view
//   form.js              the try-a-decision form;  answer.js  a decision shown
//
// Everything the API says is inserted as text (textContent, createElement);
// nothing is parsed as HTML. The page's Content-Security-Policy allows no
// inline script or style, so styles are classes, and positions are set
// through element.style.

import { main } from './page.js';
import { route } from './router.js';

window.addEventListener('hashchange', route);
document.getElementById('skip').addEventListener('click', (ev) => {
  // the skip link must not become a route
  ev.preventDefault();
  main().focus();
});
route();
