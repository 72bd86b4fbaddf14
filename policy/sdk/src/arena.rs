//! The component's allocator: a per-call arena in front of the system
//! allocator.
//!
//! A decision allocates a handful of small blocks — the request's lists as
//! the host copies them in, the lifted `Vec`s, the reason lists and their
//! canonical copies — and frees every one of them by the end of the
//! post-return call. Under dlmalloc those allocations and frees were about a
//! quarter of a decision's time (docs/performance.md). Here they bump a
//! pointer through a fixed region, and the region starts over whenever the
//! count of live blocks in it returns to zero, which after a decision it
//! always does. The same idea as OPA's Wasm ABI resetting its heap between
//! evaluations, but driven by the frees themselves, so no protocol step has to
//! remember to reset it.
//!
//! What must outlive a call (the configured [`Engine`](crate::Engine)) is
//! allocated under [`persistent`], straight from the system allocator. Any
//! other block that outlives its call only keeps the region from starting
//! over: the arena then fills, and further blocks come from the system
//! allocator. Slower, never wrong. Blocks larger than the free space (a
//! request with thousands of accounts) also come from the system allocator.
//!
//! The bookkeeping ([`Region`]) works on addresses and is tested natively;
//! the `GlobalAlloc` wrapper is compiled for `wasm32` only, where a component
//! instance runs one call at a time on one thread.

use core::alloc::Layout;

/// Bump bookkeeping over `[base, base + size)`: where the next block goes and
/// how many blocks are live.
#[derive(Debug)]
pub struct Region {
    base: usize,
    size: usize,
    top: usize,
    live: usize,
}

impl Region {
    pub const fn new(base: usize, size: usize) -> Self {
        Region { base, size, top: 0, live: 0 }
    }

    /// Whether `addr` was handed out by this region (blocks are non-empty,
    /// so their start lies strictly below the end).
    pub fn owns(&self, addr: usize) -> bool {
        addr >= self.base && addr < self.base + self.size
    }

    /// Blocks allocated and not yet freed.
    pub fn live(&self) -> usize {
        self.live
    }

    /// The start of a block for `layout`, or `None` when it does not fit.
    pub fn alloc(&mut self, layout: Layout) -> Option<usize> {
        if layout.size() == 0 {
            return None;
        }
        let start = (self.base + self.top).checked_next_multiple_of(layout.align())?;
        let end = start.checked_add(layout.size())?;
        if end > self.base + self.size {
            return None;
        }
        self.top = end - self.base;
        self.live += 1;
        Some(start)
    }

    /// Frees a block this region owns; the region starts over when none is live.
    pub fn dealloc(&mut self, addr: usize, layout: Layout) {
        debug_assert!(self.owns(addr) && self.live > 0);
        self.live = self.live.saturating_sub(1);
        if self.live == 0 {
            self.top = 0;
        } else if addr + layout.size() == self.base + self.top {
            // the newest block: give its space back
            self.top = addr - self.base;
        }
    }

    /// Grows or shrinks the newest block in place; `false` when the block is
    /// not the newest one or the region has no room (the caller then moves it).
    pub fn resize_in_place(&mut self, addr: usize, layout: Layout, new_size: usize) -> bool {
        if addr + layout.size() != self.base + self.top || new_size == 0 {
            return false;
        }
        let Some(end) = addr.checked_add(new_size) else { return false };
        if end > self.base + self.size {
            return false;
        }
        self.top = end - self.base;
        true
    }
}

#[cfg(target_arch = "wasm32")]
pub use guest::persistent;

/// Runs `f` with every allocation going to the system allocator: for what
/// must outlive the call (the configured engine).
#[cfg(not(target_arch = "wasm32"))]
pub fn persistent<T>(f: impl FnOnce() -> T) -> T {
    f()
}

#[cfg(target_arch = "wasm32")]
mod guest {
    use super::Region;
    use core::alloc::{GlobalAlloc, Layout};
    use core::cell::UnsafeCell;
    use std::alloc::System;

    /// Bytes of the per-call region: a decision on a few dozen accounts
    /// needs a few KiB.
    const SIZE: usize = 64 << 10;

    #[repr(C, align(16))]
    struct Buffer(UnsafeCell<[u8; SIZE]>);

    struct State {
        region: Region,
        persistent: bool,
    }

    pub struct Arena {
        buffer: Buffer,
        state: UnsafeCell<State>,
    }

    // SAFETY: a component instance runs one call at a time on one thread;
    // wasm32 without the threads proposal has no other thread to share with.
    unsafe impl Sync for Arena {}

    impl Arena {
        /// # Safety
        /// No other reference to the state is live (single-threaded, and the
        /// allocator never re-enters itself).
        #[allow(clippy::mut_from_ref)]
        unsafe fn state(&self) -> &mut State {
            let state = unsafe { &mut *self.state.get() };
            if state.region.size == 0 {
                state.region = Region::new(self.buffer.0.get() as usize, SIZE);
            }
            state
        }
    }

    #[global_allocator]
    static ARENA: Arena = Arena { buffer: Buffer(UnsafeCell::new([0; SIZE])), state: UnsafeCell::new(State { region: Region::new(0, 0), persistent: false }) };

    unsafe impl GlobalAlloc for Arena {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            let state = unsafe { self.state() };
            if !state.persistent {
                if let Some(addr) = state.region.alloc(layout) {
                    return addr as *mut u8;
                }
            }
            unsafe { System.alloc(layout) }
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            let state = unsafe { self.state() };
            if state.region.owns(ptr as usize) {
                state.region.dealloc(ptr as usize, layout);
            } else {
                unsafe { System.dealloc(ptr, layout) }
            }
        }

        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            let state = unsafe { self.state() };
            if !state.region.owns(ptr as usize) {
                return unsafe { System.realloc(ptr, layout, new_size) };
            }
            if state.region.resize_in_place(ptr as usize, layout, new_size) {
                return ptr;
            }
            // SAFETY: the caller guarantees `new_size` with `layout`'s alignment is a valid layout.
            let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
            let new = unsafe { self.alloc(new_layout) };
            if !new.is_null() {
                unsafe {
                    core::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                    self.dealloc(ptr, layout);
                }
            }
            new
        }
    }

    /// Runs `f` with every allocation going to the system allocator.
    pub fn persistent<T>(f: impl FnOnce() -> T) -> T {
        // SAFETY: single-threaded; the reference does not live across `f`.
        let was = unsafe { core::mem::replace(&mut ARENA.state().persistent, true) };
        let out = f();
        unsafe { ARENA.state().persistent = was };
        out
    }
}

#[cfg(test)]
mod tests {
    use super::Region;
    use core::alloc::Layout;

    fn layout(size: usize, align: usize) -> Layout {
        Layout::from_size_align(size, align).unwrap()
    }

    #[test]
    fn starts_over_when_nothing_is_live() {
        let mut r = Region::new(4096, 256);
        let a = r.alloc(layout(10, 1)).unwrap();
        let b = r.alloc(layout(8, 8)).unwrap();
        assert_eq!(a, 4096);
        assert_eq!(b, 4096 + 16, "aligned past the first block");
        r.dealloc(a, layout(10, 1));
        assert_eq!(r.live(), 1);
        assert_ne!(r.alloc(layout(4, 4)), Some(a), "a live block keeps the region from starting over");
        r.dealloc(b, layout(8, 8));
        r.dealloc(4096 + 24, layout(4, 4));
        assert_eq!(r.live(), 0);
        assert_eq!(r.alloc(layout(1, 1)), Some(4096), "empty: starts over");
    }

    #[test]
    fn refuses_what_does_not_fit_and_empty_blocks() {
        let mut r = Region::new(4096, 64);
        assert_eq!(r.alloc(layout(0, 8)), None);
        assert_eq!(r.alloc(layout(65, 1)), None);
        assert!(r.alloc(layout(60, 1)).is_some());
        assert_eq!(r.alloc(layout(8, 4)), None, "4096+60 aligned to 4 is 4156 (+8 > 4160)");
        assert!(!r.owns(4096 + 64) && !r.owns(4095) && r.owns(4096 + 63));
    }

    #[test]
    fn newest_block_grows_and_frees_in_place() {
        let mut r = Region::new(0x1000, 128);
        let a = r.alloc(layout(16, 8)).unwrap();
        let b = r.alloc(layout(16, 8)).unwrap();
        assert!(!r.resize_in_place(a, layout(16, 8), 32), "not the newest");
        assert!(r.resize_in_place(b, layout(16, 8), 64));
        assert!(!r.resize_in_place(b, layout(64, 8), 200), "no room");
        r.dealloc(b, layout(64, 8));
        assert_eq!(r.alloc(layout(8, 8)), Some(b), "the newest block's space came back");
    }

    /// Random alloc / resize / free sequences against a model: blocks never
    /// overlap, stay inside the region, keep their alignment, and the region
    /// is empty again once everything is freed.
    #[test]
    fn random_sequences_never_overlap() {
        let (base, size) = (1 << 16, 4096);
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        for _ in 0..200 {
            let mut r = Region::new(base, size);
            let mut live: Vec<(usize, Layout)> = Vec::new();
            for _ in 0..300 {
                match next(3) {
                    0 | 1 => {
                        let l = layout(1 + next(200) as usize, 1 << next(5));
                        if let Some(a) = r.alloc(l) {
                            assert_eq!(a % l.align(), 0);
                            assert!(a >= base && a + l.size() <= base + size);
                            for &(b, m) in &live {
                                assert!(a + l.size() <= b || b + m.size() <= a, "overlap");
                            }
                            live.push((a, l));
                        }
                    }
                    _ if !live.is_empty() => {
                        let i = next(live.len() as u64) as usize;
                        let (a, l) = live[i];
                        if next(2) == 0 {
                            let grown = 1 + next(300) as usize;
                            if r.resize_in_place(a, l, grown) {
                                live[i].1 = layout(grown, l.align());
                                for (j, &(b, m)) in live.iter().enumerate() {
                                    assert!(j == i || a + grown <= b || b + m.size() <= a, "overlap after resize");
                                }
                            }
                        } else {
                            r.dealloc(a, l);
                            live.swap_remove(i);
                        }
                    }
                    _ => {}
                }
                assert_eq!(r.live(), live.len());
            }
            for (a, l) in live.drain(..) {
                r.dealloc(a, l);
            }
            assert_eq!(r.alloc(layout(1, 1)), Some(base));
        }
    }
}
