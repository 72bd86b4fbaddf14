// kitei explorer — the character diff of two texts (新旧対比表), over code
// points. Pure (no DOM).

/**
 * The edits turning `a` into `b`, character by character: a list of
 * [op, text] with op '=' (in both), '-' (only in a) or '+' (only in b);
 * within each changed stretch the deletions come before the insertions.
 */
export function diffOps(a, b) {
  // over code points, not UTF-16 units: a character outside the BMP (𠮷,
  // a surrogate pair) is never split between an equal run and a change
  const ca = Array.from(a);
  const cb = Array.from(b);
  // common prefix and suffix first, then an LCS table over the middle
  let p = 0;
  while (p < ca.length && p < cb.length && ca[p] === cb[p]) p += 1;
  let s = 0;
  while (s < ca.length - p && s < cb.length - p && ca[ca.length - 1 - s] === cb[cb.length - 1 - s]) s += 1;
  const A = ca.slice(p, ca.length - s);
  const B = cb.slice(p, cb.length - s);
  const out = [];
  const push = (op, t) => {
    if (!t) return;
    const last = out[out.length - 1];
    if (last && last[0] === op) last[1] += t;
    else out.push([op, t]);
  };
  push('=', ca.slice(0, p).join(''));
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
  push('=', ca.slice(ca.length - s).join(''));
  return out;
}
