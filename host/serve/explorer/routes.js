// kitei explorer — hash routes: `link` formats every view's link and
// parseRoute() reads one back. Pure (no DOM, no network).

const enc = encodeURIComponent;
export const link = {
  overview: () => '#/',
  institution: (id) => `#/institution/${enc(id)}`,
  variant: (v) => `#/variant/${enc(v)}`,
  rule: (v, cite) => `#/variant/${enc(v)}/rule/${enc(cite)}`,
  matrix: (at) => (at ? `#/matrix?at=${enc(at)}` : '#/matrix'),
  diff: (a, b, at) => `#/diff/${enc(a)}/${enc(b)}${at ? `?at=${enc(at)}` : ''}`,
  tryRequest: (req) => `#/try?q=${enc(JSON.stringify(req))}`,
  tryWith: (variant) => `#/try?variant=${enc(variant)}`,
};

/**
 * Parses a location hash ("#/variant/x/rule/y?at=…") into {segs, query}:
 * the path's segments, percent-decoded (a segment that does not decode is
 * kept as written), and its query as URLSearchParams. An in-page anchor
 * ("#main") is not a route: null.
 */
export function parseRoute(hash) {
  const raw = String(hash || '').replace(/^#/, '');
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
