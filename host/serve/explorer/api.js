// kitei explorer — the service's JSON API: fetch wrappers, ApiError for
// error answers, and a cache of the answers views share (the policies, the
// vocabulary from /openapi.json, describe, diff, matrix).

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** Sends a request; resolves to {status, ok, text, body}, body parsed if JSON. */
export async function send(path, options) {
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
export async function api(path, options) {
  const r = await send(path, options);
  if (!r.ok || r.body === undefined || (r.body && r.body.error)) {
    throw errorOf(r);
  }
  return r.body;
}

export function errorOf(r) {
  const e = r.body && r.body.error;
  if (e && typeof e === 'object') {
    return new ApiError(r.status, String(e.code || `http_${r.status}`), String(e.message || ''));
  }
  const what = r.ok ? 'the answer is not JSON' : `HTTP ${r.status}`;
  return new ApiError(r.status, `http_${r.status}`, `${what}: ${r.text.slice(0, 300)}`);
}

export function postJson(path, value) {
  return send(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(value),
  });
}

const cache = { policies: null, vocab: null, describe: new Map(), diff: new Map(), matrix: new Map() };

export function policies(fresh) {
  if (!cache.policies || fresh) {
    cache.policies = api('/v1/policies').catch((e) => {
      cache.policies = null;
      throw e;
    });
  }
  return cache.policies;
}

/** The string-enum schemas of /openapi.json: {AccountKind: [...], ...}, or {error}. */
export function vocab() {
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

export function describe(variant) {
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

export function diffOf(a, b, at) {
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

export function matrixAt(at) {
  const key = at || '';
  if (!cache.matrix.has(key)) {
    const p = api(at ? `/v1/matrix?at=${encodeURIComponent(at)}` : '/v1/matrix');
    p.catch(() => cache.matrix.delete(key));
    cache.matrix.set(key, p);
  }
  return cache.matrix.get(key);
}
