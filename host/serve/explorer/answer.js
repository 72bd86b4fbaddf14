// kitei explorer — a decision's answer shown: the outcome, the conditions
// not met, every cited clause linked to its rule.

import { h, append, ja, short } from './dom.js';
import { link } from './routes.js';
import { provBadge, outcome } from './widgets.js';

/** Whether a reason's code is the met or the unmet code of its rule. */
function ruleFor(meta, reason) {
  if (!meta) return null;
  const same = meta.rules.filter((r) => r.cite === reason.cite);
  return same.find((r) => r.code_met === reason.code || r.code_unmet === reason.code) ||
    same.find((r) => r.text === reason.text) || null;
}

function reasonsList(variant, reasons, meta) {
  if (!reasons || !reasons.length) return h('p', { class: 'muted' }, 'No clause cited.');
  return h('ul', { class: 'reasons' }, reasons.map((x) => {
    const rule = ruleFor(meta, x);
    let met = null;
    if (rule && rule.code_met !== rule.code_unmet) met = rule.code_met === x.code;
    return h('li', { class: 'reason', dataset: { cite: x.cite, code: x.code, met: met == null ? '' : String(met) } },
      h('div', { class: 'reason-head' },
        met == null ? null : h('span', { class: met ? 'met-yes' : 'met-no', title: met ? 'condition met' : 'condition not met' }, met ? '✓ met' : '✗ not met'),
        h('a', { class: 'cite-link', href: link.rule(variant, x.cite), lang: 'ja' }, x.cite),
        provBadge(x.provenance),
        h('code', { class: 'small' }, x.code)),
      ja('p', x.text, 'text'),
      rule ? h('p', { class: 'summary' }, rule.summary) : null);
  }));
}

/** The conditions not met, first: why a request was denied. */
function unmetSummary(variant, reasons, meta) {
  if (!meta || !reasons) return null;
  const unmet = reasons.filter((x) => {
    const rule = ruleFor(meta, x);
    return rule && rule.code_met !== rule.code_unmet && rule.code_unmet === x.code;
  });
  if (!unmet.length) return h('p', { class: 'unmet-summary none' }, 'Every condition cited is met.');
  return h('div', { class: 'unmet-summary' },
    h('strong', null, `Not met (${unmet.length}):`),
    h('ul', null, unmet.map((x) => {
      const rule = ruleFor(meta, x);
      return h('li', { dataset: { cite: x.cite } },
        h('a', { href: link.rule(variant, x.cite), lang: 'ja', class: 'cite-link' }, x.cite), ' — ', rule.summary);
    })));
}

export function renderAnswer(a, meta) {
  const v = a.policy.variant;
  const who = h('p', { class: 'muted small' }, 'Decided by ', h('a', { href: link.variant(v) }, v),
    ` (version ${a.policy.version}, module `, h('code', { title: a.policy.sha256 }, short(a.policy.sha256)), ')');
  const out = h('div', { class: 'answer', dataset: { operation: a.operation, variant: v } });
  const head = (label, value) => h('div', { class: 'answer-head' }, label ? h('span', { class: 'muted' }, label) : null, outcome(value));
  const token = (t) => h('div', { class: 'subanswer token', dataset: { token: t.status } },
    h('h3', null, 'Token'),
    head('status', t.status),
    t.expires_at ? h('p', { class: 'small' }, 'expires at ', h('code', null, t.expires_at)) : null,
    reasonsList(v, t.reasons, meta));
  switch (a.operation) {
    case 'eligibility':
    case 'authorize':
      append(out, [h('div', { class: 'answer-head decision', dataset: { decision: a.decision } }, h('span', { class: 'muted' }, a.operation), outcome(a.decision)), who,
        unmetSummary(v, a.reasons, meta),
        h('h3', null, 'Reasons'), reasonsList(v, a.reasons, meta), a.token ? token(a.token) : null]);
      break;
    case 'token':
      append(out, [who, token(a.token)]);
      break;
    case 'accounts':
      append(out, [who, (a.accounts || []).map((acc) => h('div', { class: 'subanswer account', dataset: { account: acc.id, linkable: String(acc.linkable) } },
        h('h3', null, `${acc.id} `, h('span', { class: 'muted' }, `(${acc.kind})`)),
        head('', acc.linkable ? 'linkable' : 'not linkable'),
        reasonsList(v, acc.reasons, meta)))]);
      break;
    case 'liability':
      append(out, [who, (a.liability || []).map((l) => h('div', { class: 'subanswer party', dataset: { party: l.party, ruling: l.ruling } },
        h('h3', null, l.party), head('ruling', l.ruling), reasonsList(v, l.reasons, meta)))]);
      break;
    case 'incident':
      append(out, [who, ['disclosure', 'chained', 'suspension'].filter((k) => a[k]).map((k) => h('div', { class: 'subanswer', dataset: { part: k, ruling: a[k].ruling } },
        h('h3', null, k), head('ruling', a[k].ruling), reasonsList(v, a[k].reasons, meta)))]);
      break;
    case 'describe': {
      const m = a.metadata || {};
      append(out, [who, h('p', null, ja('span', `${m.institution_name || ''} ${m.title || ''}`), `: ${(m.rules || []).length} rules. `,
        h('a', { href: link.variant(v) }, 'Open the rule sheet'), '.')]);
      break;
    }
    default:
      append(out, [who, h('p', null, 'An answer this page does not know how to show; the JSON is below.')]);
  }
  return out;
}
