// kitei explorer: read, compare and try every institution's rules.
//
// One page, no framework, no build step, nothing from the network but this
// service's own JSON API (GET /v1/policies, /v1/matrix, /v1/diff,
// /openapi.json; POST /v1/decisions). Views are hash routes, so any state
// worth sharing is a link:
//
//   #/                                  institutions on a timeline
//   #/institution/<id>                  one institution's versions
//   #/variant/<variant>                 a variant's rule sheet
//   #/variant/<variant>/rule/<cite>     ... scrolled to that rule, highlighted
//   #/matrix[?at=<RFC 3339>]            every variant, rule by rule
//   #/diff[/<old>/<new>][?at=]          behavioural diff and 新旧対比表
//   #/try[?q=<request JSON>]            try a decision (filled and decided)
//
// Everything the API says is inserted as text (textContent, createElement);
// nothing is parsed as HTML. The page's Content-Security-Policy allows no
// inline script or style, so styles are classes, and positions are set
// through element.style.
'use strict';

(function () {
  // ------------------------------------------------------------------
  // DOM helpers

  /** Creates an element: h('a', {href: '#/', class: 'x'}, 'text', child). */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    if (attrs) {
      for (const [k, v] of Object.entries(attrs)) {
        if (v == null || v === false) continue;
        if (k === 'class') el.className = v;
        else if (k === 'text') el.textContent = v;
        else if (k === 'dataset') Object.assign(el.dataset, v);
        else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
        else if (v === true) el.setAttribute(k, '');
        else el.setAttribute(k, String(v));
      }
    }
    append(el, children);
    return el;
  }

  function append(el, children) {
    for (const c of children.flat(Infinity)) {
      if (c == null || c === false) continue;
      el.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
    }
    return el;
  }

  /** Japanese text, marked so the browser picks Japanese glyphs. */
  function ja(tag, text, cls) {
    return h(tag, { lang: 'ja', class: cls }, text);
  }

  function clear(el) {
    while (el.firstChild) el.removeChild(el.firstChild);
  }

  function short(sha) {
    return sha ? sha.slice(0, 12) : '';
  }

  let idCounter = 0;
  function uid(prefix) {
    idCounter += 1;
    return `${prefix}-${idCounter}`;
  }

  // ------------------------------------------------------------------
  // Links (hash routes)

  const enc = encodeURIComponent;
  const link = {
    overview: () => '#/',
    institution: (id) => `#/institution/${enc(id)}`,
    variant: (v) => `#/variant/${enc(v)}`,
    rule: (v, cite) => `#/variant/${enc(v)}/rule/${enc(cite)}`,
    matrix: (at) => (at ? `#/matrix?at=${enc(at)}` : '#/matrix'),
    diff: (a, b, at) => `#/diff/${enc(a)}/${enc(b)}${at ? `?at=${enc(at)}` : ''}`,
    tryRequest: (req) => `#/try?q=${enc(JSON.stringify(req))}`,
    tryWith: (variant) => `#/try?variant=${enc(variant)}`,
  };

  // ------------------------------------------------------------------
  // The JSON API

  class ApiError extends Error {
    constructor(status, code, message) {
      super(message);
      this.status = status;
      this.code = code;
    }
  }

  /** Sends a request; resolves to {status, ok, text, body}, body parsed if JSON. */
  async function send(path, options) {
    let res;
    try {
      res = await fetch(path, Object.assign({ headers: { Accept: 'application/json' } }, options));
    } catch (e) {
      throw new ApiError(0, 'unreachable', `the service did not answer (${e.message})`);
    }
    const text = await res.text();
    let body;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch (_) {
      body = undefined;
    }
    return { status: res.status, ok: res.ok, text, body };
  }

  /** GETs or POSTs JSON; rejects with ApiError on any error answer. */
  async function api(path, options) {
    const r = await send(path, options);
    if (!r.ok || r.body === undefined || (r.body && r.body.error)) {
      throw errorOf(r);
    }
    return r.body;
  }

  function errorOf(r) {
    const e = r.body && r.body.error;
    if (e && typeof e === 'object') {
      return new ApiError(r.status, String(e.code || `http_${r.status}`), String(e.message || ''));
    }
    const what = r.ok ? 'the answer is not JSON' : `HTTP ${r.status}`;
    return new ApiError(r.status, `http_${r.status}`, `${what}: ${r.text.slice(0, 300)}`);
  }

  function postJson(path, value) {
    return send(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(value),
    });
  }

  const cache = { policies: null, vocab: null, describe: new Map(), diff: new Map(), matrix: new Map() };

  function policies(fresh) {
    if (!cache.policies || fresh) {
      cache.policies = api('/v1/policies').catch((e) => {
        cache.policies = null;
        throw e;
      });
    }
    return cache.policies;
  }

  /** The string-enum schemas of /openapi.json: {AccountKind: [...], ...}, or {error}. */
  function vocab() {
    if (!cache.vocab) {
      cache.vocab = api('/openapi.json').then(
        (doc) => {
          const schemas = (doc && doc.components && doc.components.schemas) || {};
          const out = {};
          for (const [name, s] of Object.entries(schemas)) {
            if (s && s.type === 'string' && Array.isArray(s.enum)) out[name] = s.enum.map(String);
          }
          // the terms the loaded modules declare (x-kitei-term), by kind:
          // {function: [{name, ja, summary, variants}], customer_fact: [...], ...}
          const declared = {};
          const add = (t) => {
            if (t && typeof t.kind === 'string' && typeof t.name === 'string') (declared[t.kind] = declared[t.kind] || []).push(t);
          };
          for (const s of Object.values(schemas)) {
            if (!s) continue;
            if (Array.isArray(s['x-kitei-declared'])) s['x-kitei-declared'].forEach(add);
            for (const prop of Object.values(s.properties || {})) if (prop && prop['x-kitei-term']) add(prop['x-kitei-term']);
          }
          out.declared = declared;
          return out;
        },
        (e) => ({ error: e }),
      );
    }
    return cache.vocab;
  }

  function describe(variant) {
    if (!cache.describe.has(variant)) {
      const p = postJson('/v1/decisions', { variant, operation: 'describe' }).then((r) => {
        if (!r.ok || !r.body || !r.body.metadata) throw errorOf(r);
        return r.body.metadata;
      });
      p.catch(() => cache.describe.delete(variant));
      cache.describe.set(variant, p);
    }
    return cache.describe.get(variant);
  }

  function diffOf(a, b, at) {
    const key = `${a}\n${b}\n${at || ''}`;
    if (!cache.diff.has(key)) {
      const q = new URLSearchParams({ old: a, new: b });
      if (at) q.set('at', at);
      const p = api(`/v1/diff?${q}`);
      p.catch(() => cache.diff.delete(key));
      cache.diff.set(key, p);
    }
    return cache.diff.get(key);
  }

  function matrixAt(at) {
    const key = at || '';
    if (!cache.matrix.has(key)) {
      const p = api(at ? `/v1/matrix?at=${enc(at)}` : '/v1/matrix');
      p.catch(() => cache.matrix.delete(key));
      cache.matrix.set(key, p);
    }
    return cache.matrix.get(key);
  }

  // ------------------------------------------------------------------
  // Shared pieces

  function errorBox(e, context) {
    const code = e instanceof ApiError ? e.code : 'error';
    const status = e instanceof ApiError && e.status ? `HTTP ${e.status} · ` : '';
    return h('div', { class: 'error-box', role: 'alert', dataset: { errorCode: code } },
      h('p', null, h('strong', null, context || 'The service answered with an error'), ': ',
        h('span', { class: 'muted' }, status), h('span', { class: 'error-code' }, code)),
      h('p', { class: 'error-message' }, e.message || String(e)));
  }

  function provBadge(p) {
    return h('span', { class: `badge prov-${p}`, title: provTitle(p), dataset: { provenance: p } }, p);
  }

  function provTitle(p) {
    return {
      verbatim: 'the rule follows the published text as written',
      interpreted: 'the published text needed a reading; the summary says which',
      omitted: 'the published text omits this clause (省略); nothing is checked',
      setting: 'the text leaves a value to the institution: a setting supplies it',
    }[p] || p;
  }

  /** good / bad / open, for colouring an outcome string. */
  function outcomeClass(s) {
    const v = String(s).toLowerCase();
    if (/^(deny|not linkable|not_permitted|not permitted|expired|invalid|not_exempt)/.test(v)) return 'bad';
    if (/^(permit|linkable|permitted|valid)/.test(v)) return 'good';
    return 'open';
  }

  function outcome(s) {
    return h('span', { class: `outcome ${outcomeClass(s)}`, dataset: { outcome: s } }, s);
  }

  /** A cite from the matrix or diff ("第2条第2項 ✗"), linked to its rule. */
  function citeLink(variant, raw) {
    const unmet = / ✗$/.test(raw);
    const cite = raw.replace(/ ✗$/, '');
    const a = h('a', { href: link.rule(variant, cite), lang: 'ja', dataset: { cite } }, cite);
    if (!unmet) return h('span', { dataset: { cite } }, a);
    return h('span', { class: 'unmet', title: 'condition not met', dataset: { cite, met: 'false' } }, a, ' ✗');
  }

  function citeList(variant, cites) {
    return h('span', { class: 'cites' }, cites.map((c) => citeLink(variant, c)));
  }

  function effective(p) {
    if (isUndated(p.effective_from)) return 'undated';
    return p.effective_until ? `${p.effective_from} – ${p.effective_until}` : `from ${p.effective_from}`;
  }

  function isUndated(from) {
    return !from || Number(from.slice(0, 4)) < 1900;
  }

  function todayJst() {
    return new Date(Date.now() + 9 * 3600e3).toISOString().slice(0, 10);
  }

  function nowJst() {
    return `${new Date(Date.now() + 9 * 3600e3).toISOString().slice(0, 16)}:00+09:00`;
  }

  /** Institutions in order, each with its variants by effective date. */
  function institutionsOf(list) {
    const by = new Map();
    for (const p of list) {
      if (!by.has(p.institution)) by.set(p.institution, { id: p.institution, name: p.institution_name, variants: [] });
      by.get(p.institution).variants.push(p);
    }
    for (const i of by.values()) i.variants.sort((a, b) => (a.effective_from < b.effective_from ? -1 : 1));
    return [...by.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
  }

  function copyButton(getText, label) {
    const status = h('span', { class: 'copied', role: 'status' });
    const button = h('button', {
      type: 'button',
      class: 'small',
      onclick: async () => {
        const ok = await copyText(getText());
        status.textContent = ok ? 'Copied' : 'Copy failed: select the text and copy it';
        setTimeout(() => { status.textContent = ''; }, 2500);
      },
    }, label || 'Copy');
    return h('span', { class: 'actions' }, button, status);
  }

  async function copyText(text) {
    try {
      if (navigator.clipboard && window.isSecureContext) {
        await navigator.clipboard.writeText(text);
        return true;
      }
    } catch (_) {
      // fall through to the selection copy
    }
    const area = h('textarea', { class: 'visually-hidden', readonly: true });
    area.value = text;
    document.body.appendChild(area);
    area.select();
    let ok = false;
    try {
      ok = document.execCommand('copy');
    } catch (_) {
      ok = false;
    }
    area.remove();
    return ok;
  }

  function jsonBlock(title, value, extra) {
    const text = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
    const id = uid('json');
    return h('div', { class: 'json-block' },
      h('div', { class: 'json-head' }, h('h3', { id, class: 'json-title' }, title), copyButton(() => text, 'Copy JSON')),
      extra || null,
      h('pre', { class: 'json', tabindex: '0', 'aria-labelledby': id }, text));
  }

  // ------------------------------------------------------------------
  // Router

  const main = () => document.getElementById('main');
  let renderSeq = 0;
  /** The render whose view is on the page (set by `commit`). */
  let committedSeq = 0;
  let current = { view: null };

  function parseHash() {
    const raw = location.hash.replace(/^#/, '');
    if (raw && !raw.startsWith('/')) return null; // an in-page anchor, not a route
    const qi = raw.indexOf('?');
    const path = qi < 0 ? raw : raw.slice(0, qi);
    const query = new URLSearchParams(qi < 0 ? '' : raw.slice(qi + 1));
    const segs = path.split('/').filter(Boolean).map((s) => {
      try {
        return decodeURIComponent(s);
      } catch (_) {
        return s;
      }
    });
    return { segs, query };
  }

  function setNav(name) {
    for (const a of document.querySelectorAll('nav.views a')) {
      if (a.dataset.nav === name) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    }
  }

  /** Replaces the page's content if this render is still the latest. */
  function commit(seq, title, nodes, opts) {
    if (seq !== renderSeq) return false;
    committedSeq = seq;
    const m = main();
    clear(m);
    append(m, [nodes]);
    m.removeAttribute('aria-busy');
    document.title = `${title} — kitei explorer`;
    if (!(opts && opts.keepScroll)) window.scrollTo(0, 0);
    if (!(opts && opts.noFocus)) {
      const h1 = m.querySelector('h1');
      if (h1) {
        h1.setAttribute('tabindex', '-1');
        h1.focus({ preventScroll: true });
      }
    }
    return true;
  }

  async function route() {
    const r = parseHash();
    if (!r) return;
    const seq = ++renderSeq;
    const [head, ...rest] = r.segs;
    const m = main();
    m.setAttribute('aria-busy', 'true');
    // show "Loading…" only when an answer takes long enough to notice, and
    // only until the view is on the page: a view that commits and then waits
    // for more (the form, then its decision) must not be replaced by it
    const slow = setTimeout(() => {
      if (seq === renderSeq && committedSeq !== seq) {
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
          current = { view: null };
          commit(seq, 'Not found', [
            h('h1', null, 'No such view'),
            h('p', null, 'The link ', h('code', null, location.hash), ' names no view of the explorer. ',
              h('a', { href: '#/' }, 'Go to the institutions'), '.'),
          ]);
      }
    } catch (e) {
      current = { view: null };
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

  // ------------------------------------------------------------------
  // Overview: institutions on a timeline of effective dates

  function timeline(list, caption) {
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

  function statusLine(d) {
    const el = document.getElementById('status-line');
    if (!el) return;
    el.textContent = `${d.policies.length} module${d.policies.length === 1 ? '' : 's'} serving from ${d.directory}` +
      ` · signatures ${d.signatures_required ? 'required' : 'not required'}` +
      (d.rejected && d.rejected.length ? ` · ${d.rejected.length} file(s) rejected` : '') +
      (d.ready ? '' : ' · not ready');
  }

  async function viewOverview(seq) {
    const d = await policies(true);
    statusLine(d);
    current = { view: 'overview' };
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

  async function viewInstitution(seq, id) {
    const d = await policies();
    statusLine(d);
    const list = d.policies.filter((p) => p.institution === id);
    current = { view: 'institution', id };
    if (!list.length) {
      commit(seq, 'Unknown institution', [h('h1', null, 'Unknown institution'),
        errorBox(new ApiError(404, 'unknown_institution', `no module of an institution \`${id}\` is serving`), 'Not found')]);
      return;
    }
    const inst = institutionsOf(list)[0];
    // what the shadow modules would change (kitei serve --shadow); nothing when off or unreachable
    const shadow = await api('/v1/shadow').catch(() => null);
    if (seq !== renderSeq) return;
    const cards = [];
    inst.variants.forEach((p, i) => {
      if (i > 0) {
        const prev = inst.variants[i - 1];
        cards.push(h('p', { class: 'compare-link' },
          h('a', { class: 'button', href: link.diff(prev.variant, p.variant), dataset: { old: prev.variant, new: p.variant } },
            `Compare ${prev.variant} → ${p.variant}`), ' ', ja('span', '新旧対比表', 'muted')));
      }
      cards.push(versionCard(p));
    });
    commit(seq, inst.name, [
      h('p', { class: 'crumbs' }, h('a', { href: '#/' }, 'Institutions'), ' › ', inst.id),
      h('div', { class: 'page-head' },
        h('h1', null, ja('span', inst.name), ' ', h('span', { class: 'muted' }, `(${inst.id})`)),
        h('p', { class: 'lede' }, `${inst.variants.length} version${inst.variants.length === 1 ? '' : 's'} serving. A request naming the institution is decided by the version in force at its time.`)),
      timeline(list, `Versions of ${inst.id} by effective date`),
      shadowLines(shadow, inst.id),
      h('h2', null, 'Versions'),
      h('div', { class: 'versions' }, cards),
    ]);
  }

  /**
   * GET /v1/shadow's pairs of one institution, one line each: "from
   * 2023-06-06 gunma-2023: N of M decisions since … would change, under
   * 第2条第2項 (k), …"; null when there is none.
   */
  function shadowLines(report, id) {
    const pairs = ((report && report.enabled && report.pairs) || []).filter((p) => p.institution === id && p.compared > 0);
    if (!pairs.length) return null;
    const when = (t) => String(t || '').replace('T', ' ').slice(0, 16) + ' UTC';
    return h('section', { class: 'shadow', 'aria-label': 'Shadow evaluation' },
      h('h2', null, 'Shadow evaluation ', ja('span', '影', 'muted')),
      pairs.map((p) => {
        const s = p.shadow;
        const under = p.clauses.map((c) => `${c.clause} (${c.count})`).join(', ');
        return h('p', { class: 'shadow-line', dataset: { module: p.module.variant, shadow: s.variant } },
          `from ${s.effective_from} `, s.source === 'next' ? h('a', { href: link.variant(s.variant) }, s.variant) : h('code', null, s.variant),
          h('span', { class: 'muted' }, ` (${s.source === 'staged' ? 'staged' : 'next version'})`),
          `: ${p.changed} of ${p.compared} decisions of ${p.module.variant} since ${when(p.since)} would change`,
          under ? [', under ', ja('span', under)] : '',
          p.failed ? ` (${p.failed} failed)` : '',
          // a staged module does not serve: /v1/diff cannot name it
          s.source === 'next' ? [' — ', h('a', { href: link.diff(p.module.variant, s.variant) }, 'compare')] : '');
      }),
      report.dropped ? h('p', { class: 'muted small' }, `${report.dropped} decisions not shadowed (the queue was full).`) : null);
  }

  function settingsRows(settings, used) {
    return Object.entries(settings || {}).map(([k, v]) => h('tr', null,
      h('td', null, k),
      h('td', null, v == null ? h('span', { class: 'muted' }, 'not set') : Array.isArray(v) ? v.join(', ') : String(v)),
      used ? h('td', null, used.includes(k) ? 'yes' : h('span', { class: 'muted' }, 'no')) : null));
  }

  function versionCard(p) {
    const set = Object.entries(p.settings || {}).filter(([, v]) => v != null);
    return h('article', { class: 'card version', dataset: { variant: p.variant } },
      h('h3', null, h('a', { href: link.variant(p.variant) }, p.variant), ' ',
        h('span', { class: `badge ${p.in_force_today ? 'in-force' : 'not-in-force'}` }, p.in_force_today ? 'in force today' : 'not in force today')),
      h('dl', { class: 'meta-grid' },
        h('dt', null, 'Title'), h('dd', null, ja('span', p.title)),
        h('dt', null, 'Version'), h('dd', null, p.version),
        h('dt', null, 'Effective'), h('dd', null, effective(p)),
        h('dt', null, 'Settings'), h('dd', null, set.length ? set.map(([k, v]) => `${k} = ${Array.isArray(v) ? v.join(', ') : v}`).join('; ') : h('span', { class: 'muted' }, 'none set')),
        h('dt', null, 'Module'), h('dd', null, h('code', { title: p.sha256 }, short(p.sha256)))),
      h('p', { class: 'actions' },
        h('a', { href: link.variant(p.variant) }, 'Rule sheet'),
        h('a', { href: link.tryWith(p.variant) }, 'Try a decision')));
  }

  // ------------------------------------------------------------------
  // A variant's rule sheet

  function groupName(clause) {
    if (clause.article != null) return `第${clause.article}条`;
    return clause.section || '—';
  }

  async function viewVariant(seq, variant, cite) {
    if (current.view === 'variant' && current.variant === variant && document.querySelector('ol.rules')) {
      // the same sheet: only move the highlight
      if (seq !== renderSeq) return;
      main().removeAttribute('aria-busy');
      highlightRule(cite);
      return;
    }
    const [d, meta, voc] = await Promise.all([policies(), describe(variant), vocab()]);
    const p = d.policies.find((x) => x.variant === variant);
    const counts = {};
    for (const r of meta.rules) counts[r.provenance] = (counts[r.provenance] || 0) + 1;
    const provOrder = (voc.Provenance || Object.keys(counts)).filter((k) => counts[k]);

    const sections = [];
    let curSection = null;
    meta.rules.forEach((r, i) => {
      const g = groupName(r.clause || {});
      if (!curSection || curSection.name !== g) {
        curSection = { name: g, list: h('ol', { class: 'rules' }) };
        sections.push(h('section', { class: 'article' }, ja('h3', g, 'article-h'), curSection.list));
      }
      curSection.list.appendChild(ruleItem(meta, r, i));
    });

    const filters = h('fieldset', { class: 'legend' },
      h('legend', { class: 'visually-hidden' }, 'Show rules by provenance'),
      h('span', { class: 'muted' }, 'Show:'),
      provOrder.map((k) => {
        const box = h('input', { type: 'checkbox', checked: true, value: k });
        box.addEventListener('change', () => {
          for (const li of document.querySelectorAll(`li.rule[data-provenance="${k}"]`)) li.hidden = !box.checked;
        });
        return h('label', { title: provTitle(k) }, box, provBadge(k), h('span', { class: 'muted small' }, String(counts[k])));
      }));

    const older = p && d.policies.filter((x) => x.institution === p.institution && x.effective_from < p.effective_from)
      .sort((a, b) => (a.effective_from < b.effective_from ? 1 : -1))[0];
    const newer = p && d.policies.filter((x) => x.institution === p.institution && x.effective_from > p.effective_from)
      .sort((a, b) => (a.effective_from < b.effective_from ? -1 : 1))[0];

    current = { view: 'variant', variant };
    const ok = commit(seq, `${variant} rule sheet`, [
      h('p', { class: 'crumbs' }, h('a', { href: '#/' }, 'Institutions'), ' › ',
        h('a', { href: link.institution(meta.institution) }, meta.institution), ' › ', variant),
      h('div', { class: 'page-head' },
        h('h1', null, ja('span', `${meta.institution_name} ${meta.title}`)),
        h('p', { class: 'lede' }, `${variant} · version ${meta.version} · effective ${effective(meta)} · ${meta.rules.length} rules in document order`)),
      h('div', { class: 'sheet-head' },
        h('div', null,
          h('dl', { class: 'meta-grid' },
            h('dt', null, 'Variant'), h('dd', null, h('code', null, variant)),
            h('dt', null, 'Institution'), h('dd', null, ja('span', meta.institution_name), ` (${meta.institution})`),
            h('dt', null, 'Effective'), h('dd', null, effective(meta), p ? [' ', h('span', { class: `badge ${p.in_force_today ? 'in-force' : 'not-in-force'}` }, p.in_force_today ? 'in force today' : 'not in force today')] : null),
            h('dt', null, 'Parties'), h('dd', null, (meta.parties || []).join(', ')),
            p ? [h('dt', null, 'Module'), h('dd', null, h('code', { title: p.sha256 }, short(p.sha256)), ' ', h('span', { class: 'muted' }, p.signature ? 'signature verified' : 'unsigned'))] : null,
            p && p.source ? [h('dt', null, 'Source'), h('dd', null, h('code', null, p.source))] : null),
          h('p', { class: 'actions' },
            older ? h('a', { class: 'button small', href: link.diff(older.variant, variant) }, `Compare with ${older.variant}`) : null,
            newer ? h('a', { class: 'button small', href: link.diff(variant, newer.variant) }, `Compare with ${newer.variant}`) : null,
            h('a', { class: 'button small', href: link.tryWith(variant) }, 'Try a decision'),
            h('a', { class: 'button small', href: '#/matrix' }, 'Matrix'))),
        h('section', { class: 'card settings', 'aria-labelledby': 'settings-h' },
          h('h2', { id: 'settings-h', class: 'h-inline' }, 'Settings in force'),
          h('p', { class: 'muted small' }, 'Values the published text leaves to the institution', p && p.settings_source ? [' — from ', h('code', null, p.settings_source)] : ' — none supplied; built in.'),
          h('div', { class: 'table-scroll' }, h('table', { class: 'plain settings-table' },
            h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Setting'), h('th', { scope: 'col' }, 'Value'), h('th', { scope: 'col' }, 'Read by this module'))),
            h('tbody', null, settingsRows(meta.settings, meta.settings_used || [])))))),
      termsSection(meta),
      h('h2', null, 'Rules'),
      filters,
      h('p', { id: 'rule-notice', class: 'notice', hidden: true, role: 'status' }),
      h('div', { class: 'sheet', dataset: { variant } }, sections),
    ], { noFocus: !!cite });
    if (ok) highlightRule(cite);
  }

  /** The terms the module declares beyond the core vocabulary (contract 0.4), or nothing. */
  function termsSection(meta) {
    const terms = meta.terms || [];
    if (!terms.length) return null;
    return h('section', { class: 'card terms', id: 'terms', 'aria-labelledby': 'terms-h' },
      h('h2', { id: 'terms-h', class: 'h-inline' }, 'Terms'),
      h('p', { class: 'muted small' }, 'Declared by this module beyond the core vocabulary; requests name them by their wire name.'),
      h('div', { class: 'table-scroll' }, h('table', { class: 'plain terms-table' },
        h('thead', null, h('tr', null,
          h('th', { scope: 'col' }, 'Term'), h('th', { scope: 'col' }, 'Kind'), h('th', { scope: 'col' }, '日本語'),
          h('th', { scope: 'col' }, 'Meaning'), h('th', { scope: 'col' }, 'Introduced by'))),
        h('tbody', null, terms.map((t) => {
          const r = meta.rules[t.rule];
          const cite = t.cite || (r && r.cite);
          return h('tr', { class: 'term', dataset: { term: t.name, kind: t.kind } },
            h('td', null, h('code', null, t.name)),
            h('td', null, String(t.kind).replace(/_/g, ' ')),
            h('td', null, ja('span', t.ja)),
            h('td', null, t.summary),
            h('td', null, cite ? h('a', { href: link.rule(meta.variant, cite), lang: 'ja' }, cite) : '—'));
        })))));
  }

  function ruleItem(meta, r, i) {
    const settingNote = [];
    if (r.provenance === 'setting') {
      for (const [, name] of r.summary.matchAll(/`([a-z_]+)`/g)) {
        if (meta.settings && name in meta.settings) {
          const v = meta.settings[name];
          settingNote.push(h('p', { class: 'codes' }, 'In force: ', h('code', null, name), ' = ',
            v == null ? h('span', null, 'not set') : h('strong', null, Array.isArray(v) ? v.join(', ') : String(v))));
        }
      }
    }
    return h('li', { class: 'rule', id: `rule-${i}`, tabindex: '-1', dataset: { cite: r.cite, provenance: r.provenance, codeMet: r.code_met, codeUnmet: r.code_unmet } },
      h('div', { class: 'rule-side' },
        h('div', { class: 'cite' }, h('a', { href: link.rule(meta.variant, r.cite), lang: 'ja' }, r.cite)),
        h('div', { class: 'prov' }, provBadge(r.provenance))),
      h('div', { class: 'rule-body' },
        ja('p', r.text, `text${r.provenance === 'omitted' ? ' omitted' : ''}`),
        h('p', { class: 'summary', lang: 'en' }, r.summary),
        h('p', { class: 'codes' }, r.code_met === r.code_unmet
          ? ['code ', h('code', null, r.code_met)]
          : ['met ', h('code', null, r.code_met), ' · not met ', h('code', null, r.code_unmet)]),
        settingNote));
  }

  function highlightRule(cite) {
    for (const el of document.querySelectorAll('li.rule.highlight')) el.classList.remove('highlight');
    const notice = document.getElementById('rule-notice');
    if (notice) notice.hidden = true;
    if (!cite) return;
    const hits = [...document.querySelectorAll('li.rule')].filter((li) => li.dataset.cite === cite);
    if (!hits.length) {
      if (notice) {
        notice.textContent = `This variant has no rule ${cite}.`;
        notice.hidden = false;
      }
      return;
    }
    for (const li of hits) {
      li.hidden = false;
      li.classList.add('highlight');
    }
    document.title = `${cite} — ${current.variant} rule sheet — kitei explorer`;
    hits[0].scrollIntoView({ block: 'center' });
    hits[0].focus({ preventScroll: true });
  }

  // ------------------------------------------------------------------
  // The matrix: every variant, rule by rule

  async function viewMatrix(seq, at) {
    const m = await matrixAt(at);
    current = { view: 'matrix' };
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

  // ------------------------------------------------------------------
  // Behavioural diff and 新旧対比表

  async function viewDiff(seq, a, b, at) {
    const d = await policies();
    const variants = d.policies.map((p) => p.variant);
    if (!a || !b) {
      // no pair named: the first institution with two versions
      const inst = institutionsOf(d.policies).find((i) => i.variants.length > 1);
      const pick = inst ? [inst.variants[inst.variants.length - 2].variant, inst.variants[inst.variants.length - 1].variant] : [variants[0], variants[1] || variants[0]];
      current = { view: 'diff' };
      commit(seq, 'Compare versions', [
        h('div', { class: 'page-head' }, h('h1', null, 'Compare two versions'),
          h('p', { class: 'lede' }, 'Pick any two variants: the service asks both every kind of request and shows where their answers differ, and which clauses’ text changed (新旧対比表).')),
        diffPicker(d.policies, pick[0], pick[1], at),
      ]);
      return;
    }
    const picker = diffPicker(d.policies, a, b, at);
    let r;
    try {
      r = await diffOf(a, b, at);
    } catch (e) {
      current = { view: 'diff' };
      commit(seq, 'Compare versions', [h('h1', null, `Compare ${a} → ${b}`), picker, errorBox(e)]);
      return;
    }
    current = { view: 'diff', a, b };
    const total = r.explored.reduce((s, x) => s + x.requests, 0);
    const differing = r.explored.reduce((s, x) => s + x.differing, 0);
    const byOp = new Map();
    for (const g of r.groups) {
      if (!byOp.has(g.operation)) byOp.set(g.operation, []);
      byOp.get(g.operation).push(g);
    }
    const explored = h('div', { class: 'table-scroll' }, h('table', { class: 'plain explored' },
      h('thead', null, h('tr', null, h('th', { scope: 'col' }, 'Operation'), h('th', { scope: 'col', class: 'num' }, 'Requests asked'),
        h('th', { scope: 'col', class: 'num' }, 'Answered differently'), h('th', { scope: 'col', class: 'num' }, 'Kinds of difference'))),
      h('tbody', null, r.explored.map((x) => h('tr', null, h('th', { scope: 'row' }, x.operation),
        h('td', { class: 'num' }, x.requests.toLocaleString('en')), h('td', { class: 'num' }, x.differing.toLocaleString('en')),
        h('td', { class: 'num' }, String((byOp.get(x.operation) || []).length)))))));

    const opSections = [...byOp.entries()].map(([op, groups]) => {
      const det = h('details', { class: 'op-section', dataset: { operation: op } },
        h('summary', null, `${op}`, h('span', { class: 'muted' }, ` — ${groups.length} kind${groups.length === 1 ? '' : 's'} of difference`)),
        groups.map((g) => diffGroup(r, g)));
      det.open = groups.length <= 12;
      return h('section', { class: 'op', dataset: { operation: op } }, det);
    });

    commit(seq, `${a} → ${b}`, [
      h('div', { class: 'page-head' },
        h('h1', null, 'Compare ', h('a', { href: link.variant(a) }, a), ' → ', h('a', { href: link.variant(b) }, b)),
        h('p', { class: 'lede' }, `Of ${total.toLocaleString('en')} requests asked of both at ${r.at}, ${differing.toLocaleString('en')} are answered differently, in ${r.groups.length} kinds of difference; ${r.texts.length} clauses’ text changed.`)),
      picker,
      h('div', { class: 'pair modules' }, moduleCard('旧 old', r.old), moduleCard('新 new', r.new)),
      h('h2', null, 'Requests explored'),
      explored,
      h('h2', { id: 'behaviour-h' }, 'Where the answers differ'),
      h('p', { class: 'muted' }, 'Each entry is one kind of difference: how many requests it covers, each side’s answer and the clauses behind it. ',
        '“Try” opens an example request in the form.'),
      opSections.length ? opSections : h('p', null, 'No request is answered differently.'),
      h('h2', { id: 'taiso-h' }, ja('span', '新旧対比表'), ' — text changes'),
      taiso(r),
    ]);
  }

  function diffPicker(list, a, b, at) {
    const sel = (id, value) => {
      const s = h('select', { id },
        institutionsOf(list).map((inst) => h('optgroup', { label: `${inst.name} (${inst.id})` },
          inst.variants.map((p) => h('option', { value: p.variant }, `${p.variant} (${p.version})`)))));
      s.value = value;
      return s;
    };
    const sa = sel('diff-old', a);
    const sb = sel('diff-new', b);
    const atInput = h('input', { type: 'text', id: 'diff-at', value: at || '', placeholder: 'default', spellcheck: 'false' });
    return h('form', {
      class: 'matrix-tools diff-picker',
      onsubmit: (ev) => {
        ev.preventDefault();
        location.hash = link.diff(sa.value, sb.value, atInput.value.trim());
      },
    },
      h('div', { class: 'field' }, h('label', { for: 'diff-old' }, 'Old'), sa),
      h('div', { class: 'field' }, h('label', { for: 'diff-new' }, 'New'), sb),
      h('div', { class: 'field' }, h('label', { for: 'diff-at' }, 'Asked at (RFC 3339, optional)'), atInput),
      h('button', { type: 'submit', class: 'primary' }, 'Compare'));
  }

  function moduleCard(side, mod) {
    return h('div', { class: 'card module', dataset: { variant: mod.variant } },
      h('div', { class: 'side-label', lang: 'ja' }, side),
      h('h3', { class: 'h-inline' }, h('a', { href: link.variant(mod.variant) }, mod.variant), ' ', ja('span', `${mod.institution_name} ${mod.title}`, 'muted')),
      h('p', { class: 'small muted' }, `version ${mod.version} · effective ${effective(mod)} · module `, h('code', { title: mod.sha256 }, short(mod.sha256))));
  }

  function diffGroup(r, g) {
    const sideOf = (label, variant, s) => h('div', { class: 'side', dataset: { side: label === '旧' ? 'old' : 'new' } },
      h('div', { class: 'side-label' }, ja('span', label), ` ${variant}`),
      h('p', null, outcome(s.outcome)),
      h('ul', { class: 'clauses' }, s.clauses.map((c) => h('li', { dataset: { cite: c.cite, met: String(c.met), code: c.code } },
        h('div', { class: 'reason-head' },
          h('span', { class: c.met ? 'met-yes' : 'met-no', title: c.met ? 'condition met' : 'condition not met' }, c.met ? '✓' : '✗'),
          h('a', { class: 'cite-link', href: link.rule(variant, c.cite), lang: 'ja' }, c.cite),
          (c.provenance || []).map(provBadge),
          h('code', { class: 'small' }, c.code)),
        (c.texts || []).map((t) => ja('p', t, 'text'))))));
    const exOld = Object.assign({}, g.example, { variant: r.old.variant });
    const exNew = Object.assign({}, g.example, { variant: r.new.variant });
    return h('article', { class: 'card group', dataset: { operation: g.operation } },
      h('div', { class: 'group-head' },
        h('strong', null, `${g.count.toLocaleString('en')} request${g.count === 1 ? '' : 's'}`),
        h('span', null, outcome(g.old.outcome), ' → ', outcome(g.new.outcome)),
        h('span', { class: 'actions small' },
          h('a', { href: link.tryRequest(exOld), title: 'open an example request in the form, decided by the old version' }, `Try on ${r.old.variant}`),
          h('a', { href: link.tryRequest(exNew), title: 'the same request, decided by the new version' }, `Try on ${r.new.variant}`))),
      h('div', { class: 'pair' }, sideOf('旧', r.old.variant, g.old), sideOf('新', r.new.variant, g.new)),
      g.common && g.common.length
        ? h('p', { class: 'common muted' }, 'Cited the same by both: ', citeList(r.new.variant, g.common))
        : null);
  }

  function taiso(r) {
    if (!r.texts.length) return h('p', null, 'No clause’s text changed.');
    return h('div', { class: 'table-scroll' }, h('table', { class: 'plain taiso' },
      h('thead', null, h('tr', null, h('th', { scope: 'col', class: 'cite-col' }, ja('span', '条項')),
        h('th', { scope: 'col' }, ja('span', '旧'), ` ${r.old.variant}`), h('th', { scope: 'col' }, ja('span', '新'), ` ${r.new.variant}`))),
      h('tbody', null, r.texts.map((t) => {
        const [oldNode, newNode] = charDiff(t.old.join('\n'), t.new.join('\n'));
        return h('tr', { dataset: { cite: t.cite } },
          h('th', { scope: 'row', class: 'cite-col' }, ja('span', t.cite), h('br'),
            h('span', { class: 'small' }, h('a', { href: link.rule(r.old.variant, t.cite) }, '旧'), ' · ', h('a', { href: link.rule(r.new.variant, t.cite) }, '新'))),
          t.old.length ? h('td', { class: 'old' }, oldNode) : h('td', { class: 'old none' }, '(none)'),
          t.new.length ? h('td', { class: 'new' }, newNode) : h('td', { class: 'new none' }, '(none)'));
      }))));
  }

  /** Character diff of two texts: [old with <del>, new with <ins>]. */
  function charDiff(a, b) {
    const ops = diffOps(a, b);
    const left = h('div', { class: 'diff-text', lang: 'ja' });
    const right = h('div', { class: 'diff-text', lang: 'ja' });
    for (const [op, text] of ops) {
      if (op === '=') {
        left.appendChild(document.createTextNode(text));
        right.appendChild(document.createTextNode(text));
      } else if (op === '-') {
        left.appendChild(h('del', null, text));
      } else {
        right.appendChild(h('ins', null, text));
      }
    }
    return [left, right];
  }

  function diffOps(a, b) {
    // common prefix and suffix first, then an LCS table over the middle
    let p = 0;
    while (p < a.length && p < b.length && a[p] === b[p]) p += 1;
    let s = 0;
    while (s < a.length - p && s < b.length - p && a[a.length - 1 - s] === b[b.length - 1 - s]) s += 1;
    const A = [...a.slice(p, a.length - s)];
    const B = [...b.slice(p, b.length - s)];
    const out = [];
    const push = (op, t) => {
      if (!t) return;
      const last = out[out.length - 1];
      if (last && last[0] === op) last[1] += t;
      else out.push([op, t]);
    };
    push('=', a.slice(0, p));
    const n = A.length;
    const m = B.length;
    if (n * m > 4e6) {
      push('-', A.join(''));
      push('+', B.join(''));
    } else {
      const w = m + 1;
      const L = new Uint16Array((n + 1) * w);
      for (let i = n - 1; i >= 0; i -= 1) {
        for (let j = m - 1; j >= 0; j -= 1) {
          L[i * w + j] = A[i] === B[j] ? L[(i + 1) * w + j + 1] + 1 : Math.max(L[(i + 1) * w + j], L[i * w + j + 1]);
        }
      }
      let i = 0;
      let j = 0;
      const raw = [];
      while (i < n || j < m) {
        if (i < n && j < m && A[i] === B[j]) {
          raw.push(['=', A[i]]);
          i += 1;
          j += 1;
        } else if (j < m && (i === n || L[i * w + j + 1] >= L[(i + 1) * w + j])) {
          raw.push(['+', B[j]]);
          j += 1;
        } else {
          raw.push(['-', A[i]]);
          i += 1;
        }
      }
      // merge runs; a single equal character between changes reads as noise
      const runs = [];
      for (const [op, ch] of raw) {
        const last = runs[runs.length - 1];
        if (last && last[0] === op) last[1] += ch;
        else runs.push([op, ch]);
      }
      const cleaned = [];
      runs.forEach((run, k) => {
        if (run[0] === '=' && [...run[1]].length === 1 && k > 0 && k < runs.length - 1) {
          cleaned.push(['-', run[1]], ['+', run[1]]);
        } else cleaned.push(run);
      });
      // deletions before insertions within each changed stretch
      let dels = '';
      let inss = '';
      for (const [op, t] of cleaned) {
        if (op === '-') dels += t;
        else if (op === '+') inss += t;
        else {
          push('-', dels);
          push('+', inss);
          dels = '';
          inss = '';
          push('=', t);
        }
      }
      push('-', dels);
      push('+', inss);
    }
    push('=', a.slice(a.length - s));
    return out;
  }

  // ------------------------------------------------------------------
  // Try a decision

  /** A starting request: every fact present, so the form shows them all. */
  function defaultRequest(target) {
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
  const KNOWN = {
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

  let tryState = null;

  async function viewTry(seq, q, variant, institution) {
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
    if (tryState && current.view === 'try' && document.getElementById('decide-form') && req && tryState.lastSent === JSON.stringify(req)) {
      // our own hash update: nothing to do
      main().removeAttribute('aria-busy');
      return;
    }
    current = { view: 'try' };
    const form = buildForm(d.policies, voc);
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

  function showFormNotice(text) {
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

  function buildForm(list, voc) {
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

  function renderAnswer(a, meta) {
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

  // ------------------------------------------------------------------

  window.addEventListener('hashchange', route);
  document.getElementById('skip').addEventListener('click', (ev) => {
    // the skip link must not become a route
    ev.preventDefault();
    main().focus();
  });
  route();
}());
