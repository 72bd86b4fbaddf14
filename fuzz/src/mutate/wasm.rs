//! Mutations of a WebAssembly component by its top-level sections.

use super::{Dictionary, Rng, bytes};

/// The top-level sections of a WebAssembly binary: `(start, end)` of each
/// section's bytes (id, size and payload), after the 8-byte header. Stops
/// at the first section whose size runs past the end.
pub fn sections(wasm: &[u8]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut at = 8;
    while at < wasm.len() {
        let start = at;
        at += 1;
        let mut size: u64 = 0;
        let mut shift = 0;
        loop {
            let Some(&b) = wasm.get(at) else { return out };
            at += 1;
            size |= u64::from(b & 0x7f) << shift;
            shift += 7;
            if b & 0x80 == 0 || shift > 35 {
                break;
            }
        }
        let Some(end) = at.checked_add(size as usize).filter(|&e| e <= wasm.len()) else { return out };
        out.push((start, end));
        at = end;
    }
    out
}

/// Mutations of a component that keep most of it well formed, so that the
/// mutated bytes get past the first checks: a section repeated, removed,
/// moved, or taken from another component; bytes changed inside one
/// section; a section's size changed; the file cut at a section boundary.
pub fn component(rng: &mut Rng, input: &[u8], others: &[Vec<u8>], dict: &Dictionary) -> Vec<u8> {
    let secs = sections(input);
    if secs.is_empty() || input.len() < 8 {
        let mut out = input.to_vec();
        bytes(rng, &mut out, others, dict, 1 << 20);
        return out;
    }
    let header = &input[..8];
    let mut parts: Vec<Vec<u8>> = secs.iter().map(|&(s, e)| input[s..e].to_vec()).collect();
    let n = parts.len();
    match rng.below(8) {
        0 => {
            let i = rng.below(n);
            let copy = parts[i].clone();
            parts.insert(rng.below(n + 1), copy);
        }
        1 => {
            parts.remove(rng.below(n));
        }
        2 => {
            let (a, b) = (rng.below(n), rng.below(n));
            parts.swap(a, b);
        }
        3 => {
            if let Some(other) = rng.pick(others) {
                let theirs = sections(other);
                if let Some(&(s, e)) = rng.pick(&theirs) {
                    let i = rng.below(n);
                    parts[i] = other[s..e].to_vec();
                }
            }
        }
        4 => parts.truncate(rng.below(n + 1)),
        5 => {
            // the size field of one section made wrong
            let i = rng.below(n);
            if parts[i].len() > 1 {
                parts[i][1] ^= 1 << rng.below(7);
            }
        }
        _ => {
            // bytes changed inside one section's payload, a few at most, so
            // that most of the component still validates
            let i = rng.below(n);
            let len = parts[i].len();
            for _ in 0..=rng.below(4) {
                if len > 2 {
                    let at = 2 + rng.below(len - 2);
                    match rng.below(3) {
                        0 => parts[i][at] ^= 1 << rng.below(8),
                        1 => parts[i][at] = rng.bits() as u8,
                        _ => parts[i][at] = *rng.pick(&[0u8, 0x7f, 0x80, 0xff, 0x40, 0x41, 0x0b]).unwrap_or(&0),
                    }
                }
            }
        }
    }
    let mut out = header.to_vec();
    parts.iter().for_each(|p| out.extend_from_slice(p));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_of_a_component_header_and_two_sections() {
        let mut wasm = b"\0asm\x0d\0\x01\0".to_vec();
        wasm.extend_from_slice(&[0, 2, b'a', b'b', 1, 0]);
        assert_eq!(sections(&wasm), vec![(8, 12), (12, 14)]);
        let dict = Dictionary::default();
        for case in 0..200 {
            let out = component(&mut Rng::for_case(3, case), &wasm, &[], &dict);
            assert!(out.starts_with(b"\0asm"), "the header is kept");
        }
    }
}
