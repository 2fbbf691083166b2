//! Memory budgets for query evaluation: how much heap one evaluation holds, counted as it allocates.
//!
//! oxigraph materialises what ORDER BY, GROUP BY, DISTINCT and hash joins need in memory, so one query can take
//! gigabytes before its time limit stops it. The binary installs [`CountingAllocator`] as its global allocator; an
//! evaluation thread enters its [`Meter`]'s group, and every allocation and release made on that thread is counted
//! in a fixed table (no allocation, no lock on the allocator's path). The thread that waits for the evaluation polls
//! the meter and cancels the evaluation once it passes its budget: the query fails with
//! [`Error::MemoryLimit`](crate::error::Error::MemoryLimit), its memory is freed as the evaluation unwinds, and the
//! process stays alive.
//!
//! The count follows the thread, not the allocation: what the evaluation hands back (its results) and frees
//! elsewhere stays counted until the meter is dropped, and that is the point of a budget for what one evaluation
//! holds. Without the allocator installed (a library user, in-process tests) every meter reads zero and budgets are
//! never reached: the limit is a property of the `mvkg` binary.
//!
//! This module holds the crate's only `unsafe` code: a global allocator cannot be written without it. It forwards
//! every call to the system allocator unchanged (pointers and layouts as given), so memory that C code (RocksDB)
//! frees or allocates is unaffected; it only adds the size to a counter.

#![allow(unsafe_code)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicIsize, AtomicUsize, Ordering};

const SLOTS: usize = 256;

/// The live bytes of one meter.
struct Slot {
    group: AtomicUsize,
    bytes: AtomicIsize,
}

#[allow(clippy::declare_interior_mutable_const)]
const EMPTY: Slot = Slot { group: AtomicUsize::new(0), bytes: AtomicIsize::new(0) };
static TABLE: [Slot; SLOTS] = [EMPTY; SLOTS];
static NEXT_GROUP: AtomicUsize = AtomicUsize::new(1);

thread_local! {
    /// The meter group the current thread's allocations count towards (0: none).
    static GROUP: Cell<usize> = const { Cell::new(0) };
}

/// Adds `delta` bytes to the current thread's meter, if it has one.
#[inline]
fn charge(delta: isize) {
    // `try_with`: a thread being torn down may still allocate after its locals are gone.
    let _ = GROUP.try_with(|g| {
        let id = g.get();
        if id != 0 {
            let slot = &TABLE[id % SLOTS];
            if slot.group.load(Ordering::Relaxed) == id {
                slot.bytes.fetch_add(delta, Ordering::Relaxed);
            }
        }
    });
}

/// The system allocator, counting the bytes of threads inside a [`Meter`]'s group. Install it in a binary with
/// `#[global_allocator] static A: CountingAllocator = CountingAllocator;`.
pub struct CountingAllocator;

// SAFETY: every method forwards to `System` with the caller's pointer and layout unchanged and returns its result;
// the only addition is `charge`, which neither allocates nor unwinds.
unsafe impl GlobalAlloc for CountingAllocator {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            charge(layout.size() as isize);
        }
        p
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            charge(layout.size() as isize);
        }
        p
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        charge(-(layout.size() as isize));
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            charge(new_size as isize - layout.size() as isize);
        }
        p
    }
}

/// A meter for one evaluation: a group to enter on the evaluating thread, and its live bytes.
#[derive(Debug)]
pub struct Meter {
    id: usize,
}

impl Meter {
    /// A new meter, or one that reads zero when its slot is taken (more than 256 evaluations at once).
    pub fn new() -> Meter {
        let id = NEXT_GROUP.fetch_add(1, Ordering::Relaxed).max(1);
        let slot = &TABLE[id % SLOTS];
        if slot.group.compare_exchange(0, id, Ordering::SeqCst, Ordering::SeqCst).is_err() {
            return Meter { id: 0 };
        }
        slot.bytes.store(0, Ordering::SeqCst);
        Meter { id }
    }

    /// A handle that reads this meter from another thread and enters its group on the evaluating one.
    pub fn handle(&self) -> MeterHandle {
        MeterHandle { id: self.id }
    }
}

impl Default for Meter {
    fn default() -> Self {
        Meter::new()
    }
}

impl Drop for Meter {
    fn drop(&mut self) {
        if self.id != 0 {
            TABLE[self.id % SLOTS].group.store(0, Ordering::SeqCst);
        }
    }
}

/// Reads a [`Meter`] and enters its group; copied to the evaluating thread.
#[derive(Clone, Copy, Debug)]
pub struct MeterHandle {
    id: usize,
}

impl MeterHandle {
    /// Bytes counted so far (0 once the meter is dropped).
    pub fn bytes(&self) -> usize {
        if self.id == 0 {
            return 0;
        }
        let slot = &TABLE[self.id % SLOTS];
        if slot.group.load(Ordering::Relaxed) != self.id {
            return 0;
        }
        slot.bytes.load(Ordering::Relaxed).max(0) as usize
    }

    /// Counts the current thread's allocations towards this meter until the guard is dropped.
    pub fn enter(&self) -> Entered {
        let before = GROUP.with(|g| g.replace(self.id));
        Entered { before }
    }
}

/// The current thread counts towards a meter while this lives.
#[derive(Debug)]
pub struct Entered {
    before: usize,
}

impl Drop for Entered {
    fn drop(&mut self) {
        let _ = GROUP.try_with(|g| g.set(self.before));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_meter_counts_only_its_own_thread_and_only_while_alive() {
        // The test binary does not install the allocator, so charges are made by hand.
        let meter = Meter::new();
        let h = meter.handle();
        {
            let _in = h.enter();
            charge(1000);
            charge(-200);
        }
        charge(5000);
        assert_eq!(h.bytes(), 800);
        std::thread::spawn(move || charge(7)).join().unwrap();
        assert_eq!(h.bytes(), 800);
        drop(meter);
        assert_eq!(h.bytes(), 0);
    }
}
