// Unit cases for the explorer's modules (host/serve/explorer/): the
// character diff, the hash routes, the formatting helpers, and the
// try-a-decision form's fill/read round trip.
//
// Not served: tests/explorer.rs runs this file in chromium as a WebDriver
// execute-async script on an explorer page, so it imports the very modules
// the page runs (`await import('/explorer/textdiff.js')`). It answers a list
// of {name, ok, got, want} (the values as JSON text); the Rust test reports each case by name and fails
// with the name and the values of every case that failed.
const done = arguments[arguments.length - 1];

(async () => {
  const { diffOps } = await import('/explorer/textdiff.js');
  const { link, parseRoute } = await import('/explorer/routes.js');
  const format = await import('/explorer/format.js');
  const { buildForm, defaultRequest } = await import('/explorer/form.js');
  const api = await import('/explorer/api.js');

  const results = [];
  /** Order-insensitive for object keys, order-sensitive for arrays. */
  const same = (a, b) => {
    if (a === b) return true;
    if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
    if (Array.isArray(a) !== Array.isArray(b)) return false;
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && same(a[k], b[k]));
  };
  // values travel as JSON text: a lone half of a surrogate pair (what a
  // broken diff gives) is escaped by JSON.stringify, where WebDriver could
  // not carry it as a string
  const show = (v) => (v === undefined ? 'undefined' : JSON.stringify(v));
  const eq = (name, got, want) => results.push({ name, ok: same(got, want), got: show(got), want: show(want) });
  const ok = (name, cond, got) => results.push({ name, ok: !!cond, got: show(got), want: 'true' });
  /** Runs a case; an exception fails it with the exception. */
  const unit = (name, fn) => {
    try {
      fn();
    } catch (e) {
      results.push({ name, ok: false, got: `threw ${e && e.stack ? e.stack : e}`, want: null });
    }
  };

  // ---------------------------------------------------------------- textdiff
  const lone = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
  const diffCases = [
    ['textdiff: equal texts are one equal run', '同じ本文', '同じ本文', [['=', '同じ本文']]],
    ['textdiff: two empty texts, no edits', '', '', []],
    ['textdiff: from nothing, all inserted', '', '預金', [['+', '預金']]],
    ['textdiff: to nothing, all deleted', '預金', '', [['-', '預金']]],
    ['textdiff: Japanese insertion at the end', '普通預金', '普通預金及び当座預金', [['=', '普通預金'], ['+', '及び当座預金']]],
    ['textdiff: Japanese replacement in the middle, deletion first', '普通預金、当座預金', '普通預金、貯蓄預金',
      [['=', '普通預金、'], ['-', '当座'], ['+', '貯蓄'], ['=', '預金']]],
    ['textdiff: one equal character between changes reads as part of the change', 'あいう', 'かいき', [['-', 'あいう'], ['+', 'かいき']]],
    ['textdiff: surrogate pair sharing its high half (𠮷 → 𠮟) is not split', '𠮷野家', '𠮟野家', [['-', '𠮷'], ['+', '𠮟'], ['=', '野家']]],
    ['textdiff: surrogate pair sharing its low half is not split', '𠮷です', '\u{10FB7}です', [['-', '𠮷'], ['+', '\u{10FB7}'], ['=', 'です']]],
    ['textdiff: BMP character → surrogate pair (吉 → 𠮷)', '吉野家', '𠮷野家', [['-', '吉'], ['+', '𠮷'], ['=', '野家']]],
  ];
  for (const [name, a, b, want] of diffCases) {
    unit(name, () => {
      const got = diffOps(a, b);
      eq(name, got, want);
      const old = got.filter(([op]) => op !== '+').map(([, t]) => t).join('');
      const neu = got.filter(([op]) => op !== '-').map(([, t]) => t).join('');
      eq(`${name} (rebuilds both texts)`, [old, neu], [a, b]);
      const broken = got.filter(([, t]) => lone.test(t));
      eq(`${name} (no half of a surrogate pair in any run)`, broken, []);
    });
  }
  unit('textdiff: a long text over the table limit is one deletion and one insertion', () => {
    const a = '旧'.repeat(2100);
    const b = '新'.repeat(2100);
    eq('textdiff: a long text over the table limit is one deletion and one insertion', diffOps(`前${a}後`, `前${b}後`),
      [['=', '前'], ['-', a], ['+', b], ['=', '後']]);
  });

  // ------------------------------------------------------------------ routes
  const cite = '第2条第2項第3号';
  unit('routes: a rule link is percent-encoded', () => {
    eq('routes: a rule link is percent-encoded', link.rule('toyama-2023', cite), `#/variant/toyama-2023/rule/${encodeURIComponent(cite)}`);
  });
  unit('routes: each view\'s link parses back to its segments', () => {
    const parsed = (hash) => parseRoute(hash).segs;
    eq('routes: overview', parsed(link.overview()), []);
    eq('routes: institution', parsed(link.institution('koza-renkei')), ['institution', 'koza-renkei']);
    eq('routes: variant', parsed(link.variant('toyama-2023')), ['variant', 'toyama-2023']);
    eq('routes: rule, Japanese cite', parsed(link.rule('toyama-2023', cite)), ['variant', 'toyama-2023', 'rule', cite]);
    eq('routes: a slash inside a segment stays in it', parsed(link.variant('a/b')), ['variant', 'a/b']);
    eq('routes: diff', parsed(link.diff('gunma-2019', 'gunma-2023')), ['diff', 'gunma-2019', 'gunma-2023']);
    eq('routes: try', parsed(link.tryWith('gunma-2023')), ['try']);
  });
  unit('routes: queries parse back', () => {
    const at = '2023-07-03T10:00:00+09:00';
    eq('routes: matrix without a time has no query', link.matrix(''), '#/matrix');
    eq('routes: matrix ?at= keeps its + (not a space)', parseRoute(link.matrix(at)).query.get('at'), at);
    const d = parseRoute(link.diff('gunma-2019', 'gunma-2023', at));
    eq('routes: diff ?at=', [d.segs, d.query.get('at')], [['diff', 'gunma-2019', 'gunma-2023'], at]);
    eq('routes: diff without a time', link.diff('a', 'b'), '#/diff/a/b');
    eq('routes: try ?variant=', parseRoute(link.tryWith('toyama-2023')).query.get('variant'), 'toyama-2023');
    const req = { institution: 'toyama', note: 'a&b=c#d?e+f%20 100% 規定', account_ids: ['A1', 'A 2'] };
    eq('routes: try ?q= carries a request JSON through', JSON.parse(parseRoute(link.tryRequest(req)).query.get('q')), req);
  });
  unit('routes: what is not a route', () => {
    eq('routes: an in-page anchor is not a route', parseRoute('#main'), null);
    eq('routes: an empty hash is the overview', parseRoute('').segs, []);
    eq('routes: a bad percent escape is kept as written', parseRoute('#/variant/%E0%A4%A').segs, ['variant', '%E0%A4%A']);
  });

  // ------------------------------------------------------------------ format
  unit('format: effective dates', () => {
    eq('format: effective, a closed span', format.effective({ effective_from: '2019-11-26', effective_until: '2023-06-05' }), '2019-11-26 – 2023-06-05');
    eq('format: effective, open-ended', format.effective({ effective_from: '2023-06-06' }), 'from 2023-06-06');
    eq('format: effective, undated', format.effective({ effective_from: '0001-01-01' }), 'undated');
    eq('format: isUndated', ['', null, '1899-12-31', '1900-01-01'].map(format.isUndated), [true, true, true, false]);
  });
  unit('format: outcome colours', () => {
    const words = ['deny', 'Permit', 'permitted', 'not permitted', 'not_permitted', 'linkable', 'not linkable', 'valid', 'invalid', 'expired', 'not_exempt', 'shared', 'institution'];
    eq('format: outcomeClass', words.map(format.outcomeClass), ['bad', 'good', 'good', 'bad', 'bad', 'good', 'bad', 'good', 'bad', 'bad', 'bad', 'open', 'open']);
  });
  unit('format: institutions grouped and ordered', () => {
    const list = [
      { institution: 'toyama', institution_name: '富山銀行', variant: 'toyama-2023', effective_from: '2023-04-01' },
      { institution: 'gunma', institution_name: '群馬銀行', variant: 'gunma-2023', effective_from: '2023-06-06' },
      { institution: 'gunma', institution_name: '群馬銀行', variant: 'gunma-2019', effective_from: '2019-11-26' },
    ];
    const got = format.institutionsOf(list).map((i) => [i.id, i.name, i.variants.map((p) => p.variant)]);
    eq('format: institutionsOf', got, [['gunma', '群馬銀行', ['gunma-2019', 'gunma-2023']], ['toyama', '富山銀行', ['toyama-2023']]]);
  });
  unit('format: now in JST', () => {
    const now = format.nowJst();
    ok('format: nowJst is RFC 3339 at +09:00', /^\d{4}-\d\d-\d\dT\d\d:\d\d:00\+09:00$/.test(now), now);
    ok('format: nowJst is now (within two minutes)', Math.abs(Date.parse(now) - Date.now()) < 120e3, now);
    eq('format: todayJst is nowJst\'s date', format.todayJst(), now.slice(0, 10));
  });

  // -------------------------------------------------------------------- form
  // built (not attached to the page) over the modules this service runs and
  // the vocabulary it publishes, as the try view builds it
  const [d, voc] = await Promise.all([api.policies(), api.vocab()]);
  const decided = [];
  const newForm = () => buildForm(d.policies, voc, (f) => decided.push(f));
  const flags = ((voc.declared || {}).account_flag || []).map((t) => t.name);
  /** What the form reads back for a request it can hold: every account
   * flag it asks (false when not given) is there. */
  const withFlags = (req) => {
    const out = JSON.parse(JSON.stringify(req));
    for (const a of out.customer.accounts) for (const f of flags) if (!(f in a)) a[f] = false;
    return out;
  };
  const inst = format.institutionsOf(d.policies).find((i) => i.variants.length > 1) || format.institutionsOf(d.policies)[0];
  unit('form: the starting request fills and reads back unchanged', () => {
    const req = defaultRequest({ institution: inst.id });
    const form = newForm();
    eq('form: the starting request fills with nothing left over', form.fill(req), []);
    eq('form: the starting request reads back unchanged', form.read(), withFlags(req));
  });
  unit('form: a request naming a version, with two accounts, times and an incident', () => {
    const v = inst.variants[0].variant;
    const fns = voc.Function || [];
    const req = {
      variant: v,
      operation: (voc.Operation || ['authorize']).includes('liability') ? 'liability' : 'authorize',
      at: '2023-07-03T10:00:00+09:00',
      customer: {
        segment: (voc.Segment || ['individual'])[0],
        internet_banking_contract: false,
        direct_banking_registered: true,
        accounts: [
          { id: 'A1', kind: (voc.AccountKind || ['ordinary'])[0], general_account: true, cash_card: false, loan_card: true, pin_registered: false, internet_banking_registered: true },
          { id: '口座2', kind: (voc.AccountKind || ['ordinary']).slice(-1)[0], general_account: false, cash_card: true, loan_card: false, pin_registered: true, internet_banking_registered: false },
        ],
      },
      provider: { id: 'moneyforward', designated: false, contract: true, channel: (voc.Channel || ['institution_api']).slice(-1)[0], via_chained: true },
      consent: {
        agreed_to_terms: false, api_auth_completed: true, authenticated_at: '2023-07-01T09:00:00+09:00', registered_at: '2023-01-01T00:00:00+09:00',
        last_access_at: '2023-07-02T12:00:00+09:00', authorized_functions: fns.slice(0, 2),
      },
      service: { internet_banking_open: false, api_open: true },
      function: fns[fns.length - 1],
      account_ids: ['A1', '口座2'],
      incident: { kind: (voc.IncidentKind || [])[0], loss_event: (voc.LossEvent || [])[0], institution_at_fault: true },
    };
    for (const k of ['kind', 'loss_event']) if (req.incident[k] === undefined) delete req.incident[k];
    const form = newForm();
    eq('form: a full request fills with nothing left over', form.fill(req), []);
    eq('form: a full request reads back unchanged', form.read(), withFlags(req));
    const again = newForm();
    again.fill(form.read());
    eq('form: read, fill, read is stable', again.read(), form.read());
  });
  unit('form: what the form cannot hold is named', () => {
    const form = newForm();
    const unknown = form.fill({ institution: inst.id, operation: 'authorize', bogus: 1, customer: { accounts: [{ id: 'A1', kind: 'no_such_kind', color: 'red' }], extra: true },
      provider: { channel: 'carrier_pigeon' }, facts: { no_such_fact: true } });
    eq('form: unknown fields and values are named by path', unknown.slice().sort(), [
      'bogus', 'customer.accounts[0].color', 'customer.accounts[0].kind = "no_such_kind"', 'customer.extra', 'facts.no_such_fact', 'provider.channel = "carrier_pigeon"',
    ].sort());
    const read = form.read();
    eq('form: what it could not hold is not sent', [read.bogus, read.customer.extra, read.provider.channel, read.facts], [undefined, undefined, undefined, undefined]);
    eq('form: filling never decides', decided.length, 0);
  });

  return results;
})().then(done, (e) => done([{ name: 'loading the explorer modules', ok: false, got: String(e && e.stack ? e.stack : e), want: null }]));
