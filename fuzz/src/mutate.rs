//! Mutations of seed inputs: bytes, JSON trees, lines of text, and the
//! sections of a WebAssembly component.
//!
//! Every case is made from a generator seeded by the run's seed and the
//! case's number alone, so a case can be made again without the ones
//! before it (that is how the driver recovers the input of a crash that
//! killed the process).

use serde_json::Value;

mod wasm;
pub use wasm::{component, sections};

/// A small deterministic generator (splitmix64): reproducible cases need
/// nothing stronger, and a fixed algorithm keeps a seed meaning the same
/// input across versions of any crate.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// The generator of case `case` of a run seeded `seed`.
    pub fn for_case(seed: u64, case: u64) -> Self {
        let mut rng = Rng(seed ^ case.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        rng.bits();
        rng
    }

    /// The next 64 random bits.
    pub fn bits(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 { 0 } else { (self.bits() % n as u64) as usize }
    }

    /// True once in `n` times.
    pub fn one_in(&mut self, n: usize) -> bool {
        self.below(n) == 0
    }

    /// One of `items` (`None` when empty).
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        if items.is_empty() { None } else { items.get(self.below(items.len())) }
    }

    /// A length skewed towards small values, at most `max`.
    pub fn size(&mut self, max: usize) -> usize {
        match self.below(4) {
            0 => self.below(max.min(4) + 1),
            1 => self.below(max.min(32) + 1),
            2 => self.below(max.min(512) + 1),
            _ => self.below(max + 1),
        }
    }
}

/// Tokens worth inserting: what the seeds spell (field names, wire names,
/// timestamps, key lines) and values at the edges.
#[derive(Clone, Debug, Default)]
pub struct Dictionary {
    /// raw byte strings
    pub tokens: Vec<Vec<u8>>,
    /// JSON values
    pub values: Vec<Value>,
}

impl Dictionary {
    /// Collects the strings and object keys of JSON seeds (and of JSON kept
    /// inside their strings, as a signature file keeps its statement), the
    /// words of text seeds, and edge values.
    pub fn from_seeds(seeds: &[Vec<u8>]) -> Self {
        let mut d = Dictionary::default();
        for seed in seeds {
            if let Ok(v) = serde_json::from_slice::<Value>(seed) {
                collect(&v, &mut d);
            } else if let Ok(text) = std::str::from_utf8(seed) {
                for word in text.split(|c: char| c.is_whitespace() || "[]{}=,\"".contains(c)).filter(|w| !w.is_empty()) {
                    d.tokens.push(word.as_bytes().to_vec());
                }
                for line in text.lines().filter(|l| !l.trim().is_empty()) {
                    d.tokens.push(format!("{line}\n").into_bytes());
                }
            }
        }
        for edge in EDGE_STRINGS {
            d.tokens.push(edge.as_bytes().to_vec());
            d.values.push(Value::String((*edge).to_string()));
        }
        for n in EDGE_NUMBERS {
            d.tokens.push(n.as_bytes().to_vec());
            if let Ok(v) = serde_json::from_str(n) {
                d.values.push(v);
            }
        }
        d.values.extend([Value::Null, Value::Bool(true), Value::Bool(false), Value::Array(vec![]), Value::Object(Default::default())]);
        d.tokens.sort();
        d.tokens.dedup();
        d
    }
}

fn collect(v: &Value, d: &mut Dictionary) {
    match v {
        Value::String(s) => {
            d.tokens.push(format!("\"{s}\"").into_bytes());
            d.values.push(v.clone());
            if let Ok(inner) = serde_json::from_str::<Value>(s)
                && (inner.is_object() || inner.is_array())
            {
                collect(&inner, d);
            }
        }
        Value::Object(map) => {
            for (k, v) in map {
                d.tokens.push(format!("\"{k}\"").into_bytes());
                d.values.push(Value::String(k.clone()));
                collect(v, d);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect(v, d)),
        Value::Number(_) | Value::Bool(_) => d.values.push(v.clone()),
        Value::Null => {}
    }
}

/// Strings at the edges of what the readers accept: timestamps at the ends
/// of chrono's range and around leap seconds and offsets, dates, empty and
/// odd text.
const EDGE_STRINGS: &[&str] = &[
    "",
    " ",
    "\u{0}",
    "\u{feff}",
    "第2条第2項第3号",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "1970-01-01T00:00:00Z",
    "0000-01-01T00:00:00Z",
    "9999-12-31T23:59:59+09:00",
    "+262143-12-31T23:59:59Z",
    "-262144-01-01T00:00:00Z",
    "2023-12-31T23:59:60Z",
    "2023-06-05T15:00:00Z",
    "2023-06-06T00:00:00+09:00",
    "2023-06-05T23:59:59.999999999+09:00",
    "2023-07-03T10:00:00+23:59",
    "2023-07-03T10:00:00-23:59",
    "2023-07-03T10:00:00+24:00",
    "2023-07-03T10:00:00",
    "2023-07-03",
    "2023-02-29",
    "2024-02-29T12:00:00+09:00",
    "kitei-policy@v1",
    "-----BEGIN SSH SIGNATURE-----\n",
    "-----END SSH SIGNATURE-----\n",
    "ssh-ed25519 ",
    "ssh-rsa ",
    "AAAAC3NzaC1lZDI1NTE5AAAA",
];

/// Numbers at the edges of the integer types the readers and the WIT
/// contract use.
const EDGE_NUMBERS: &[&str] = &[
    "0",
    "1",
    "-1",
    "89",
    "90",
    "91",
    "3650",
    "3651",
    "127",
    "128",
    "255",
    "256",
    "65535",
    "65536",
    "2147483647",
    "2147483648",
    "-2147483648",
    "4294967295",
    "4294967296",
    "9223372036854775807",
    "-9223372036854775808",
    "18446744073709551615",
    "18446744073709551616",
    "1e308",
    "-0",
    "0.5",
    "1e-9",
];

/// Byte-level mutations, one to four stacked: bit flips, interesting bytes,
/// inserted, deleted, duplicated and swapped ranges, truncation, dictionary
/// tokens, and splices with another seed. The result is at most `max` bytes.
pub fn bytes(rng: &mut Rng, input: &mut Vec<u8>, others: &[Vec<u8>], dict: &Dictionary, max: usize) {
    for _ in 0..=rng.below(4) {
        let n = input.len();
        match rng.below(12) {
            0 if n > 0 => {
                let i = rng.below(n);
                input[i] ^= 1 << rng.below(8);
            }
            1 if n > 0 => {
                let i = rng.below(n);
                input[i] = *rng.pick(&[0u8, 1, 0x7f, 0x80, 0xff, b'"', b'\\', b'{', b'[', b'0', b'\n']).unwrap_or(&0);
            }
            2 => {
                let at = rng.below(n + 1);
                let add: Vec<u8> = (0..rng.size(64)).map(|_| rng.bits() as u8).collect();
                input.splice(at..at, add);
            }
            3 if n > 0 => {
                let from = rng.below(n);
                let to = (from + rng.size(n - from)).min(n);
                input.drain(from..to);
            }
            4 if n > 0 => {
                let from = rng.below(n);
                let to = (from + rng.size(n - from)).min(n);
                let copy = input[from..to].to_vec();
                let at = rng.below(input.len() + 1);
                for _ in 0..=rng.below(3) {
                    input.splice(at..at, copy.iter().copied());
                }
            }
            5 if n > 0 => input.truncate(rng.below(n)),
            6 | 7 => {
                if let Some(token) = rng.pick(&dict.tokens) {
                    let at = rng.below(n + 1);
                    if rng.one_in(2) && n > 0 {
                        let to = (at + token.len()).min(n);
                        input.splice(at..to, token.iter().copied());
                    } else {
                        input.splice(at..at, token.iter().copied());
                    }
                }
            }
            8 => {
                if let Some(other) = rng.pick(others) {
                    let cut = rng.below(n + 1);
                    let from = rng.below(other.len() + 1);
                    input.truncate(cut);
                    input.extend_from_slice(&other[from..]);
                }
            }
            9 if n > 1 => {
                let a = rng.below(n);
                let b = rng.below(n);
                input.swap(a, b);
            }
            10 if n > 0 => {
                // an ASCII digit run made longer or a number changed
                let i = rng.below(n);
                input[i] = b'0' + rng.below(10) as u8;
            }
            _ => {
                let at = rng.below(n + 1);
                let byte = rng.bits() as u8;
                input.insert(at, byte);
            }
        }
    }
    input.truncate(max);
}

/// A mutation of a JSON document as a tree: a node replaced by a
/// dictionary value or an edge value, a key removed or added, an array
/// element repeated or removed, a node nested deep, a string made long;
/// a string that is itself JSON is mutated inside. `None` when `input` is
/// not JSON.
pub fn json(rng: &mut Rng, input: &[u8], dict: &Dictionary) -> Option<Vec<u8>> {
    let mut doc: Value = serde_json::from_slice(input).ok()?;
    for _ in 0..=rng.below(2) {
        let count = nodes(&doc);
        let target = rng.below(count);
        let mut index = 0;
        mutate_node(rng, &mut doc, target, &mut index, dict);
    }
    let out = if rng.one_in(2) { serde_json::to_vec(&doc) } else { serde_json::to_vec_pretty(&doc) };
    out.ok()
}

fn nodes(v: &Value) -> usize {
    1 + match v {
        Value::Object(m) => m.values().map(nodes).sum(),
        Value::Array(a) => a.iter().map(nodes).sum(),
        _ => 0,
    }
}

/// Walks to node number `target` (pre-order) and mutates it.
fn mutate_node(rng: &mut Rng, v: &mut Value, target: usize, index: &mut usize, dict: &Dictionary) -> bool {
    if *index == target {
        change(rng, v, dict);
        return true;
    }
    *index += 1;
    match v {
        Value::Object(m) => m.values_mut().any(|c| mutate_node(rng, c, target, index, dict)),
        Value::Array(a) => a.iter_mut().any(|c| mutate_node(rng, c, target, index, dict)),
        _ => false,
    }
}

/// A dictionary value of the same JSON type as `v` (most mutations that
/// keep a field's type get past a strict reader and reach the decision).
fn same_kind<'a>(rng: &mut Rng, v: &Value, dict: &'a Dictionary) -> Option<&'a Value> {
    let kind = std::mem::discriminant(v);
    let n = dict.values.len();
    let start = rng.below(n);
    (0..n).map(|i| &dict.values[(start + i) % n]).find(|x| std::mem::discriminant(*x) == kind)
}

fn change(rng: &mut Rng, v: &mut Value, dict: &Dictionary) {
    match rng.below(12) {
        0 | 11 => {
            if let Some(x) = same_kind(rng, v, dict) {
                *v = x.clone();
            }
        }
        9 | 10 => match v {
            Value::Bool(b) => *b = !*b,
            Value::Array(a) if a.len() > 1 => {
                let (x, y) = (rng.below(a.len()), rng.below(a.len()));
                a.swap(x, y);
            }
            _ => {
                if let Some(x) = same_kind(rng, v, dict) {
                    *v = x.clone();
                }
            }
        },
        1 => {
            if let Some(x) = rng.pick(&dict.values) {
                *v = x.clone();
            }
        }
        2 => match v {
            Value::Object(m) if !m.is_empty() => {
                let key = m.keys().nth(rng.below(m.len())).cloned().unwrap_or_default();
                m.remove(&key);
            }
            Value::Array(a) if !a.is_empty() => {
                let i = rng.below(a.len());
                a.remove(i);
            }
            _ => *v = Value::Null,
        },
        3 => match v {
            Value::Object(m) => {
                let key = match rng.pick(&dict.values) {
                    Some(Value::String(s)) => s.clone(),
                    _ => "extra".into(),
                };
                let value = rng.pick(&dict.values).cloned().unwrap_or(Value::Null);
                m.insert(key, value);
            }
            Value::Array(a) => {
                let item = if a.is_empty() { rng.pick(&dict.values).cloned().unwrap_or(Value::Null) } else { a[rng.below(a.len())].clone() };
                for _ in 0..=rng.size(64) {
                    a.push(item.clone());
                }
            }
            _ => *v = Value::Array(vec![v.take()]),
        },
        4 => {
            // nesting past what a reader recurses into
            let depth = rng.size(300);
            let mut x = v.take();
            for _ in 0..depth {
                x = if rng.one_in(2) { Value::Array(vec![x]) } else { serde_json::json!({ "a": x }) };
            }
            *v = x;
        }
        5 => {
            if let Value::String(s) = v {
                if let Ok(mut inner) = serde_json::from_str::<Value>(s) {
                    let count = nodes(&inner);
                    let target = rng.below(count);
                    mutate_node(rng, &mut inner, target, &mut 0, dict);
                    *s = inner.to_string();
                } else {
                    let mut bytes = s.clone().into_bytes();
                    self::bytes(rng, &mut bytes, &[], dict, 1 << 16);
                    *s = String::from_utf8_lossy(&bytes).into_owned();
                }
            } else {
                *v = Value::String("x".repeat(rng.size(100_000)));
            }
        }
        6 => {
            if let Value::Number(n) = v {
                let x = n.as_f64().unwrap_or(0.0);
                *v = serde_json::json!(match rng.below(4) {
                    0 => -x,
                    1 => x + 1.0,
                    2 => x * 1e6,
                    _ => x - 1.0,
                });
            } else if let Some(x) = rng.pick(&dict.values) {
                *v = x.clone();
            }
        }
        7 => *v = Value::Bool(rng.one_in(2)),
        _ => *v = Value::Null,
    }
}

/// Line-level mutations of a text file (TOML): a line removed, repeated,
/// swapped, or a seed's line inserted.
pub fn lines(rng: &mut Rng, input: &[u8], dict: &Dictionary) -> Vec<u8> {
    let text = String::from_utf8_lossy(input);
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    for _ in 0..=rng.below(3) {
        let n = lines.len();
        match rng.below(4) {
            0 if n > 0 => {
                lines.remove(rng.below(n));
            }
            1 if n > 0 => {
                let line = lines[rng.below(n)].clone();
                lines.insert(rng.below(n + 1), line);
            }
            2 if n > 1 => {
                let (a, b) = (rng.below(n), rng.below(n));
                lines.swap(a, b);
            }
            _ => {
                if let Some(token) = rng.pick(&dict.tokens) {
                    let line = String::from_utf8_lossy(token).trim_end().to_string();
                    lines.insert(rng.below(n + 1), line);
                }
            }
        }
    }
    let mut out = lines.join("\n").into_bytes();
    out.push(b'\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_case_is_the_same_whatever_ran_before() {
        let a: Vec<u64> = (0..4).map(|_| Rng::for_case(7, 1234).bits()).collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
        assert_ne!(Rng::for_case(7, 1).bits(), Rng::for_case(7, 2).bits());
    }

    #[test]
    fn json_mutations_stay_json_and_reach_nested_statements() {
        let seed = br#"{ "statement": "{\"a\":1,\"b\":\"x\"}", "signature": "s" }"#.to_vec();
        let dict = Dictionary::from_seeds(std::slice::from_ref(&seed));
        assert!(dict.tokens.iter().any(|t| t == b"\"a\""), "keys of the JSON inside a string are tokens");
        for case in 0..200 {
            let out = json(&mut Rng::for_case(1, case), &seed, &dict).expect("seed is JSON");
            // JSON nested deeper than a reader recurses is meant to be refused
            if let Err(e) = serde_json::from_slice::<Value>(&out) {
                assert!(e.to_string().contains("recursion limit"), "{e}");
            }
        }
    }

    #[test]
    fn byte_mutations_respect_the_limit() {
        let dict = Dictionary::from_seeds(&[b"a = 1\n".to_vec()]);
        for case in 0..500 {
            let mut input = b"require_signatures = true\n".to_vec();
            bytes(&mut Rng::for_case(5, case), &mut input, &[vec![b'x'; 100]], &dict, 64);
            assert!(input.len() <= 64);
        }
    }
}
