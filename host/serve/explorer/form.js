// kitei explorer — the try-a-decision form: built from the vocabulary the
// service publishes; read() gives the request it holds, fill() sets it from
// one and names what it could not hold.

import { h, ja, clear, uid } from './dom.js';
import { effective, nowJst, institutionsOf } from './format.js';

/** A starting request: every fact present, so the form shows them all. */
export function defaultRequest(target) {
  return Object.assign({}, target, {
    operation: 'authorize',
    at: nowJst(),
    customer: { segment: 'individual', internet_banking_contract: true, direct_banking_registered: false,
      accounts: [{ id: 'A1', kind: 'ordinary', general_account: false, cash_card: true, loan_card: false, pin_registered: true, internet_banking_registered: true }] },
    provider: { id: 'moneyforward', designated: true, contract: true, channel: 'institution_api', via_chained: false },
    consent: { agreed_to_terms: true, api_auth_completed: true, authorized_functions: ['balance', 'transactions'] },
    service: { internet_banking_open: true, api_open: true },
    function: 'balance',
    account_ids: ['A1'],
  });
}

// what the form knows; anything else in a pasted request is reported
export const KNOWN = {
  '': ['institution', 'variant', 'operation', 'at', 'customer', 'provider', 'consent', 'service', 'function', 'account_ids', 'incident', 'facts'],
  customer: ['segment', 'internet_banking_contract', 'direct_banking_registered', 'accounts'],
  account: ['id', 'kind', 'general_account', 'cash_card', 'loan_card', 'pin_registered', 'internet_banking_registered'],
  provider: ['id', 'designated', 'contract', 'channel', 'via_chained'],
  consent: ['agreed_to_terms', 'api_auth_completed', 'authenticated_at', 'registered_at', 'last_access_at', 'authorized_functions'],
  service: ['internet_banking_open', 'api_open'],
  incident: ['kind', 'loss_event', 'institution_at_fault'],
};
const ACCOUNT_FLAGS = [
  ['general_account', 'general account (総合口座)'],
  ['cash_card', 'cash card'],
  ['loan_card', 'loan card'],
  ['pin_registered', 'PIN registered'],
  ['internet_banking_registered', 'registered in IB'],
];

export function showFormNotice(text) {
  const n = document.getElementById('form-notice');
  if (!n) return;
  n.textContent = text;
  n.hidden = !text;
}

/** A <select> over an enum from /openapi.json, or a text field when it is unknown;
 * a value a module declares is labelled with its word and the variants declaring it. */
function enumControl(id, values, blank, declared) {
  if (!values) return h('input', { type: 'text', id, spellcheck: 'false', placeholder: blank ? '(none)' : '' });
  const label = (v) => {
    const t = (declared || []).find((d) => d.name === v);
    return t ? `${v} — ${t.ja} (declared by ${(t.variants || []).join(', ')})` : v;
  };
  return h('select', { id },
    blank ? h('option', { value: '' }, blank) : null,
    values.map((v) => h('option', { value: v }, label(v))));
}

/** A checkbox per declared term, labelled with its wire name and word. */
function declaredChecks(terms, cls, key) {
  return (terms || []).map((t) => {
    const box = h('input', { type: 'checkbox', class: cls, id: uid(`${cls}-${t.name}`), dataset: { [key]: t.name } });
    return h('label', { class: 'check', title: `${t.summary}; declared by ${(t.variants || []).join(', ')}` }, box, t.name, ' ', ja('span', t.ja, 'muted'));
  });
}

function field(labelText, control, hint) {
  const id = control.id || uid('f');
  control.id = id;
  return h('div', { class: 'field' }, h('label', { for: id }, labelText), control, hint ? h('span', { class: 'hint' }, hint) : null);
}

function check(labelText, box) {
  return h('label', { class: 'check' }, box, labelText);
}

/**
 * The try-a-decision form over the modules serving (`list`) and the lists
 * of values from /openapi.json (`voc`): {el, read(), fill(request)}.
 * `decide(form)` is called when it is submitted or a pasted request loaded.
 */
export function buildForm(list, voc, decide) {
  const insts = institutionsOf(list);
  const el = {};
  const decl = voc.declared || {};
  const accountFlags = ACCOUNT_FLAGS.concat((decl.account_flag || []).map((t) => [t.name, `${t.name} (${t.ja})`]));
  const knownAccount = KNOWN.account.concat((decl.account_flag || []).map((t) => t.name));
  const factChecks = {};
  for (const kind of ['customer_fact', 'provider_fact', 'consent_fact', 'service_fact']) factChecks[kind] = declaredChecks(decl[kind], 'decl-fact', 'fact');
  const factBoxes = () => [...formEl.querySelectorAll('input.decl-fact')];
  const declaredFacts = (kind) => (factChecks[kind].length
    ? h('div', { class: 'checks declared-facts', dataset: { kind } }, h('span', { class: 'muted small' }, 'Declared by a module: '), factChecks[kind])
    : null);
  el.institution = h('select', { id: 'f-institution' }, insts.map((i) => h('option', { value: i.id }, `${i.id} — ${i.name}`)));
  el.variant = h('select', { id: 'f-variant' });
  const fillVariants = () => {
    const inst = insts.find((i) => i.id === el.institution.value);
    const keep = el.variant.value;
    clear(el.variant);
    el.variant.appendChild(h('option', { value: '' }, 'the version in force at the time'));
    for (const p of inst ? inst.variants : []) el.variant.appendChild(h('option', { value: p.variant }, `${p.variant} (${effective(p)})`));
    el.variant.value = [...el.variant.options].some((o) => o.value === keep) ? keep : '';
  };
  el.institution.addEventListener('change', fillVariants);
  el.at = h('input', { type: 'text', id: 'f-at', spellcheck: 'false', autocomplete: 'off', placeholder: '2023-07-03T10:00:00+09:00' });
  el.operation = enumControl('f-operation', voc.Operation);
  el.function = enumControl('f-function', voc.Function, '(none)', decl.function);
  el.account_ids = h('input', { type: 'text', id: 'f-account-ids', spellcheck: 'false', autocomplete: 'off', placeholder: 'A1, A2' });

  el.segment = enumControl('f-segment', voc.Segment, '(not given)');
  el.ib_contract = h('input', { type: 'checkbox', id: 'f-ib-contract' });
  el.direct_banking = h('input', { type: 'checkbox', id: 'f-direct-banking' });
  const accounts = h('div', { class: 'accounts', id: 'f-accounts' });
  const addAccount = (a) => {
    const n = accounts.children.length + 1;
    const idBox = h('input', { type: 'text', id: uid('acc-id'), spellcheck: 'false', autocomplete: 'off', class: 'acc-id' });
    idBox.value = a && a.id != null ? String(a.id) : `A${n}`;
    const kind = enumControl(uid('acc-kind'), voc.AccountKind, null, decl.account_kind);
    kind.classList.add('acc-kind');
    if (a && a.kind != null) kind.value = String(a.kind);
    const flags = accountFlags.map(([k, label]) => {
      const box = h('input', { type: 'checkbox', class: `acc-flag`, dataset: { flag: k } });
      box.checked = !!(a && a[k] === true);
      return check(label, box);
    });
    const row = h('div', { class: 'account-row', role: 'group', 'aria-label': 'Account' },
      field('Account id', idBox), field('Kind', kind),
      h('button', { type: 'button', class: 'small remove', onclick: () => { row.remove(); } }, 'Remove'),
      h('div', { class: 'checks' }, flags));
    const label = () => row.setAttribute('aria-label', `Account ${idBox.value}`);
    idBox.addEventListener('input', label);
    label();
    accounts.appendChild(row);
    return row;
  };

  el.provider_id = h('input', { type: 'text', id: 'f-provider-id', spellcheck: 'false', autocomplete: 'off' });
  el.designated = h('input', { type: 'checkbox', id: 'f-designated' });
  el.contract = h('input', { type: 'checkbox', id: 'f-contract' });
  el.channel = enumControl('f-channel', voc.Channel, '(not given)', decl.channel);
  el.via_chained = h('input', { type: 'checkbox', id: 'f-via-chained' });

  el.agreed = h('input', { type: 'checkbox', id: 'f-agreed' });
  el.api_auth = h('input', { type: 'checkbox', id: 'f-api-auth' });
  el.authenticated_at = h('input', { type: 'text', id: 'f-authenticated-at', spellcheck: 'false', autocomplete: 'off' });
  el.registered_at = h('input', { type: 'text', id: 'f-registered-at', spellcheck: 'false', autocomplete: 'off' });
  el.last_access_at = h('input', { type: 'text', id: 'f-last-access-at', spellcheck: 'false', autocomplete: 'off' });
  const fnBoxes = (voc.Function || []).map((f) => h('input', { type: 'checkbox', class: 'auth-fn', value: f }));
  el.authorized_text = voc.Function ? null : h('input', { type: 'text', id: 'f-authorized', spellcheck: 'false' });

  el.ib_open = h('input', { type: 'checkbox', id: 'f-ib-open' });
  el.api_open = h('input', { type: 'checkbox', id: 'f-api-open' });

  el.incident_kind = enumControl('f-incident-kind', voc.IncidentKind, '(none)', decl.incident_kind);
  el.loss_event = enumControl('f-loss-event', voc.LossEvent, '(none)', decl.loss_event);
  el.at_fault = h('input', { type: 'checkbox', id: 'f-at-fault' });

  const formEl = h('form', { class: 'decide', id: 'decide-form', novalidate: true, 'aria-label': 'Request facts' },
    h('p', { id: 'form-notice', class: 'notice', hidden: true, role: 'status' }),
    h('fieldset', null, h('legend', null, 'Question'),
      h('div', { class: 'fields' },
        field('Institution', el.institution),
        field('Version', el.variant, 'or one version, whatever the date'),
        field('At (RFC 3339; no offset = JST)', el.at),
        field('Operation', el.operation),
        field('Function', el.function, 'read by authorize'),
        field('Account ids the function is for', el.account_ids, 'comma-separated; blank = not given'))),
    h('fieldset', null, h('legend', null, 'Customer'),
      h('div', { class: 'fields' }, field('Segment', el.segment)),
      h('div', { class: 'checks' }, check('internet banking contract', el.ib_contract), check('direct banking registered', el.direct_banking)),
      declaredFacts('customer_fact'),
      h('h3', { class: 'small' }, 'Accounts'),
      accounts,
      h('p', { class: 'actions' }, h('button', { type: 'button', class: 'small', id: 'add-account', onclick: () => { addAccount(null).querySelector('input').focus(); } }, 'Add account'))),
    h('fieldset', null, h('legend', null, 'Provider (API連携事業者)'),
      h('div', { class: 'fields' }, field('Provider id', el.provider_id), field('Channel', el.channel)),
      h('div', { class: 'checks' }, check('designated by the institution', el.designated), check('contract with the customer', el.contract), check('via a chained provider', el.via_chained)),
      declaredFacts('provider_fact')),
    h('fieldset', null, h('legend', null, 'Consent'),
      h('div', { class: 'checks' }, check('agreed to the terms', el.agreed), check('API連携認証 completed', el.api_auth)),
      declaredFacts('consent_fact'),
      h('div', { class: 'fields' },
        field('Authenticated at', el.authenticated_at),
        field('Registered at', el.registered_at),
        field('Last access at', el.last_access_at)),
      voc.Function
        ? h('fieldset', { class: 'inner' }, h('legend', { class: 'small' }, 'Functions the customer authorized'),
          h('div', { class: 'checks' }, fnBoxes.map((b) => check(b.value, b))))
        : field('Functions the customer authorized (comma-separated)', el.authorized_text)),
    h('fieldset', null, h('legend', null, 'Service windows'),
      h('div', { class: 'checks' }, check('internet banking open', el.ib_open), check('API service open', el.api_open)),
      declaredFacts('service_fact')),
    h('fieldset', null, h('legend', null, 'Incident'),
      h('div', { class: 'fields' }, field('Incident kind', el.incident_kind, 'read by incident'), field('Loss event', el.loss_event, 'read by liability')),
      h('div', { class: 'checks' }, check('institution at fault', el.at_fault))),
    h('div', { class: 'actions' },
      h('button', { type: 'submit', class: 'primary', id: 'decide' }, 'Decide'),
      h('button', { type: 'button', id: 'reset-form', onclick: () => { api_.fill(defaultRequest({ institution: el.institution.value })); } }, 'Start again'),
      h('details', { class: 'paste' }, h('summary', null, 'Load a request from JSON'),
        h('div', { class: 'field' }, h('label', { for: 'paste-json' }, 'A request, or a conformance file (its “request” is used)'),
          h('textarea', { id: 'paste-json', spellcheck: 'false' })),
        h('p', null, h('button', { type: 'button', id: 'paste-load', onclick: () => loadPasted() }, 'Load and decide')))));

  const loadPasted = () => {
    const area = document.getElementById('paste-json');
    let v;
    try {
      v = JSON.parse(area.value);
    } catch (e) {
      showFormNotice(`Not JSON: ${e.message}`);
      return;
    }
    if (v && typeof v === 'object' && v.request && typeof v.request === 'object') v = v.request;
    if (!v || typeof v !== 'object' || Array.isArray(v)) {
      showFormNotice('Not a JSON object.');
      return;
    }
    if (!v.institution && !v.variant) v = Object.assign({ institution: el.institution.value }, v);
    const unknown = api_.fill(v);
    showFormNotice(unknown.length ? `Not in the form, so not sent: ${unknown.join(', ')}.` : '');
    decide(api_);
  };

  formEl.addEventListener('submit', (ev) => {
    ev.preventDefault();
    decide(api_);
  });

  const bool = (b) => !!b.checked;
  const text = (i) => i.value.trim();
  const csv = (s) => s.split(',').map((x) => x.trim()).filter(Boolean);

  const api_ = {
    el: formEl,
    /** The request the form holds. */
    read() {
      const req = {};
      if (el.variant.value) req.variant = el.variant.value;
      else req.institution = el.institution.value;
      req.operation = text(el.operation);
      if (text(el.at)) req.at = text(el.at);
      const customer = {};
      if (text(el.segment)) customer.segment = text(el.segment);
      customer.internet_banking_contract = bool(el.ib_contract);
      customer.direct_banking_registered = bool(el.direct_banking);
      customer.accounts = [...accounts.querySelectorAll('.account-row')].map((row) => {
        const a = { id: row.querySelector('.acc-id').value.trim(), kind: row.querySelector('.acc-kind').value.trim() };
        for (const box of row.querySelectorAll('.acc-flag')) a[box.dataset.flag] = box.checked;
        return a;
      });
      req.customer = customer;
      const provider = {};
      if (text(el.provider_id)) provider.id = text(el.provider_id);
      provider.designated = bool(el.designated);
      provider.contract = bool(el.contract);
      if (text(el.channel)) provider.channel = text(el.channel);
      provider.via_chained = bool(el.via_chained);
      req.provider = provider;
      const consent = { agreed_to_terms: bool(el.agreed), api_auth_completed: bool(el.api_auth) };
      for (const k of ['authenticated_at', 'registered_at', 'last_access_at']) if (text(el[k])) consent[k] = text(el[k]);
      consent.authorized_functions = el.authorized_text ? csv(el.authorized_text.value) : fnBoxes.filter((b) => b.checked).map((b) => b.value);
      req.consent = consent;
      req.service = { internet_banking_open: bool(el.ib_open), api_open: bool(el.api_open) };
      if (text(el.function)) req.function = text(el.function);
      if (text(el.account_ids)) req.account_ids = csv(el.account_ids.value);
      const incident = {};
      if (text(el.incident_kind)) incident.kind = text(el.incident_kind);
      if (text(el.loss_event)) incident.loss_event = text(el.loss_event);
      if (el.at_fault.checked) incident.institution_at_fault = true;
      if (Object.keys(incident).length) req.incident = incident;
      const facts = {};
      for (const box of factBoxes()) if (box.checked) facts[box.dataset.fact] = true;
      if (Object.keys(facts).length) req.facts = facts;
      return req;
    },
    /** Fills the form from a request; returns the fields it could not hold. */
    fill(req) {
      const unknown = [];
      const obj = (v) => (v && typeof v === 'object' && !Array.isArray(v) ? v : {});
      const note = (path, o, known) => {
        for (const k of Object.keys(obj(o))) if (!known.includes(k)) unknown.push(path ? `${path}.${k}` : k);
      };
      const setSelect = (s, v, path) => {
        const value = v == null ? '' : String(v);
        if (s.tagName === 'SELECT' && ![...s.options].some((o) => o.value === value)) {
          unknown.push(`${path} = ${JSON.stringify(v)}`);
          s.value = s.options.length && s.options[0].value === '' ? '' : s.options[0].value;
        } else s.value = value;
      };
      note('', req, KNOWN['']);
      let inst = req.institution;
      if (req.variant) {
        const p = list.find((x) => x.variant === req.variant);
        if (p) inst = p.institution;
      }
      if (inst != null) setSelect(el.institution, inst, 'institution');
      fillVariants();
      if (req.variant) setSelect(el.variant, req.variant, 'variant');
      else el.variant.value = '';
      setSelect(el.operation, req.operation, 'operation');
      el.at.value = req.at == null ? '' : String(req.at);
      const c = obj(req.customer);
      note('customer', c, KNOWN.customer);
      setSelect(el.segment, c.segment, 'customer.segment');
      el.ib_contract.checked = c.internet_banking_contract === true;
      el.direct_banking.checked = c.direct_banking_registered === true;
      clear(accounts);
      (Array.isArray(c.accounts) ? c.accounts : []).forEach((a, i) => {
        note(`customer.accounts[${i}]`, a, knownAccount);
        const row = addAccount(obj(a));
        const kind = row.querySelector('.acc-kind');
        if (kind.tagName === 'SELECT' && a && a.kind != null && kind.value !== String(a.kind)) unknown.push(`customer.accounts[${i}].kind = ${JSON.stringify(a.kind)}`);
      });
      const p = obj(req.provider);
      note('provider', p, KNOWN.provider);
      el.provider_id.value = p.id == null ? '' : String(p.id);
      el.designated.checked = p.designated === true;
      el.contract.checked = p.contract === true;
      setSelect(el.channel, p.channel, 'provider.channel');
      el.via_chained.checked = p.via_chained === true;
      const k = obj(req.consent);
      note('consent', k, KNOWN.consent);
      el.agreed.checked = k.agreed_to_terms === true;
      el.api_auth.checked = k.api_auth_completed === true;
      for (const t of ['authenticated_at', 'registered_at', 'last_access_at']) el[t].value = k[t] == null ? '' : String(k[t]);
      const fns = Array.isArray(k.authorized_functions) ? k.authorized_functions.map(String) : [];
      if (el.authorized_text) el.authorized_text.value = fns.join(', ');
      for (const b of fnBoxes) b.checked = fns.includes(b.value);
      for (const f of fns) if (!el.authorized_text && !fnBoxes.some((b) => b.value === f)) unknown.push(`consent.authorized_functions: ${f}`);
      const s = obj(req.service);
      note('service', s, KNOWN.service);
      el.ib_open.checked = s.internet_banking_open !== false;
      el.api_open.checked = s.api_open !== false;
      setSelect(el.function, req.function, 'function');
      el.account_ids.value = Array.isArray(req.account_ids) ? req.account_ids.join(', ') : '';
      const inc = obj(req.incident);
      note('incident', inc, KNOWN.incident);
      setSelect(el.incident_kind, inc.kind, 'incident.kind');
      setSelect(el.loss_event, inc.loss_event, 'incident.loss_event');
      el.at_fault.checked = inc.institution_at_fault === true;
      const facts = obj(req.facts);
      const boxes = factBoxes();
      for (const box of boxes) box.checked = facts[box.dataset.fact] === true;
      for (const [f, v] of Object.entries(facts)) {
        if (!boxes.some((b) => b.dataset.fact === f)) unknown.push(`facts.${f}`);
        else if (typeof v !== 'boolean') unknown.push(`facts.${f} = ${JSON.stringify(v)}`);
      }
      return unknown;
    },
  };
  fillVariants();
  return api_;
}
