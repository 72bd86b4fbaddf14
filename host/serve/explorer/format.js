// kitei explorer — pure formatting helpers: provenance titles, outcome
// colours, effective dates, today in JST, institutions grouped from the
// policy list. No DOM.

export function provTitle(p) {
  return {
    verbatim: 'the rule follows the published text as written',
    interpreted: 'the published text needed a reading; the summary says which',
    omitted: 'the published text omits this clause (省略); nothing is checked',
    setting: 'the text leaves a value to the institution: a setting supplies it',
  }[p] || p;
}

/** good / bad / open, for colouring an outcome string. */
export function outcomeClass(s) {
  const v = String(s).toLowerCase();
  if (/^(deny|not linkable|not_permitted|not permitted|expired|invalid|not_exempt)/.test(v)) return 'bad';
  if (/^(permit|linkable|permitted|valid)/.test(v)) return 'good';
  return 'open';
}

export function effective(p) {
  if (isUndated(p.effective_from)) return 'undated';
  return p.effective_until ? `${p.effective_from} – ${p.effective_until}` : `from ${p.effective_from}`;
}

export function isUndated(from) {
  return !from || Number(from.slice(0, 4)) < 1900;
}

export function todayJst() {
  return new Date(Date.now() + 9 * 3600e3).toISOString().slice(0, 10);
}

export function nowJst() {
  return `${new Date(Date.now() + 9 * 3600e3).toISOString().slice(0, 16)}:00+09:00`;
}

/** Institutions in order, each with its variants by effective date. */
export function institutionsOf(list) {
  const by = new Map();
  for (const p of list) {
    if (!by.has(p.institution)) by.set(p.institution, { id: p.institution, name: p.institution_name, variants: [] });
    by.get(p.institution).variants.push(p);
  }
  for (const i of by.values()) i.variants.sort((a, b) => (a.effective_from < b.effective_from ? -1 : 1));
  return [...by.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
}
