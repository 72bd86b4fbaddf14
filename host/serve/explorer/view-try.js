// kitei explorer — view #/try[?q=<request>]: the form, the decision sent to
// POST /v1/decisions, and its answer; the address bar holds the filled form.

import { h, append, clear } from './dom.js';
import { link } from './routes.js';
import { errorOf, postJson, policies, vocab, describe } from './api.js';
import { errorBox, copyButton, jsonBlock, statusLine } from './widgets.js';
import { main, state, commit } from './page.js';
import { defaultRequest, buildForm, showFormNotice } from './form.js';
import { renderAnswer } from './answer.js';

/** The form on the page and the request it last sent: a hash update of our
 * own (the address bar following the form) is not a new view. */
let tryState = null;

export async function viewTry(seq, q, variant, institution) {
  const [d, voc] = await Promise.all([policies(), vocab()]);
  statusLine(d);
  let req = null;
  let problem = null;
  if (q != null) {
    try {
      req = JSON.parse(q);
      if (!req || typeof req !== 'object' || Array.isArray(req)) throw new Error('not a JSON object');
    } catch (e) {
      problem = `The link’s request is not a JSON object (${e.message}); the form shows a starting request instead.`;
      req = null;
    }
  }
  if (tryState && state.current.view === 'try' && document.getElementById('decide-form') && req && tryState.lastSent === JSON.stringify(req)) {
    // our own hash update: nothing to do
    main().removeAttribute('aria-busy');
    return;
  }
  state.current = { view: 'try' };
  const form = buildForm(d.policies, voc, decide);
  const answer = h('section', { class: 'answer-pane card', id: 'answer', 'aria-labelledby': 'answer-h', tabindex: '-1' },
    h('h2', { id: 'answer-h', class: 'h-inline' }, 'Answer'),
    h('p', { id: 'answer-status', class: 'visually-hidden', role: 'status', 'aria-live': 'polite' }),
    h('div', { id: 'answer-body' }, h('p', { class: 'answer-empty' }, 'Fill in the facts and press “Decide”. The answer cites every clause it rests on; each cite links to its place in the rule sheet.')));
  const committed = commit(seq, 'Try a decision', [
    h('div', { class: 'page-head' },
      h('h1', null, 'Try a decision'),
      h('p', { class: 'lede' }, 'The facts of one request, sent to ', h('code', null, 'POST /v1/decisions'),
        ' as JSON. The link in the address bar is the filled form: paste it into a review.')),
    voc.error ? h('div', { class: 'notice', role: 'status' }, 'The lists of values could not be read from ', h('a', { href: '/openapi.json' }, '/openapi.json'),
      ` (${voc.error.code}: ${voc.error.message}); type the values instead.`) : null,
    problem ? h('div', { class: 'notice', role: 'alert' }, problem) : null,
    h('div', { class: 'try-layout' }, form.el, answer),
  ]);
  if (!committed) return;
  tryState = { form, lastSent: null };
  const target = variant ? { variant } : { institution: institution || (d.policies[0] || {}).institution };
  const start = req || defaultRequest(target);
  const unknown = form.fill(start);
  if (unknown.length) {
    showFormNotice(`Not in the form, so not sent: ${unknown.join(', ')}.`);
  }
  if (req) await decide(form);
}

async function decide(form) {
  const req = form.read();
  const body = document.getElementById('answer-body');
  const pane = document.getElementById('answer');
  if (!body) return;
  const sent = JSON.stringify(req);
  if (tryState) tryState.lastSent = sent;
  // the address bar holds the filled form, without a new history entry per press
  history.replaceState(null, '', link.tryRequest(req));
  clear(body);
  body.appendChild(h('p', { class: 'loading', role: 'status' }, 'Deciding…'));
  pane.setAttribute('aria-busy', 'true');
  let r;
  let failure = null;
  try {
    r = await postJson('/v1/decisions', req);
  } catch (e) {
    failure = e;
  }
  if (!document.body.contains(body) || (tryState && tryState.lastSent !== sent)) return;
  let meta = null;
  const variant = r && r.body && r.body.policy && r.body.policy.variant;
  if (variant) {
    try {
      meta = await describe(variant);
    } catch (_) {
      meta = null; // the answer stands without summaries
    }
  }
  if (!document.body.contains(body) || (tryState && tryState.lastSent !== sent)) return;
  clear(body);
  pane.removeAttribute('aria-busy');
  const said = document.getElementById('answer-status');
  const copyLink = h('p', { class: 'actions' }, copyButton(() => location.href, 'Copy link to this decision'));
  if (failure) {
    append(body, [errorBox(failure, 'No answer'), jsonBlock('Request sent', req)]);
  } else if (!r.ok || !r.body || r.body.error) {
    append(body, [
      errorBox(errorOf(r), 'The service refused the request'),
      copyLink,
      jsonBlock('Request sent', req),
      jsonBlock(`Response (HTTP ${r.status})`, r.body !== undefined ? r.body : r.text),
    ]);
  } else {
    append(body, [
      renderAnswer(r.body, meta),
      copyLink,
      jsonBlock('Request sent', req, h('p', { class: 'muted small' }, 'POST /v1/decisions')),
      jsonBlock(`Response (HTTP ${r.status})`, r.body),
    ]);
  }
  if (said) said.textContent = answerSummary(r, failure);
  if (window.matchMedia('(max-width: 1100px)').matches) pane.scrollIntoView({ block: 'start' });
}

/** One line for screen readers when an answer arrives. */
function answerSummary(r, failure) {
  if (failure) return `No answer: ${failure.message}`;
  if (!r.ok || !r.body || r.body.error) {
    const e = errorOf(r);
    return `Error ${e.code}: ${e.message}`;
  }
  const a = r.body;
  const what = a.decision || (a.token && a.token.status) ||
    (a.accounts && a.accounts.map((x) => `${x.id} ${x.linkable ? 'linkable' : 'not linkable'}`).join(', ')) ||
    (a.liability && a.liability.map((x) => `${x.party} ${x.ruling}`).join(', ')) ||
    ['disclosure', 'chained', 'suspension'].filter((k) => a[k]).map((k) => `${k} ${a[k].ruling}`).join(', ') || 'answered';
  return `Answer from ${a.policy.variant}: ${what}`;
}
