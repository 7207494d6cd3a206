//! The process's allocator, mimalloc. A gateway allocates and frees small objects on every
//! request (headers, JSON members, path segments); mimalloc's per-thread free lists serve those
//! in a fraction of glibc malloc's instructions (bench/callgrind.sh: malloc and free were a
//! sixth of a translated request). Built without transparent huge pages (`no_thp`): mimalloc
//! would otherwise advise the kernel to back its arenas with 2 MiB pages, and khugepaged,
//! collapsing them minutes later, grows the resident size of a 20 MB process by megabytes at a
//! time for no gain. The command line (`main.rs`) makes it the global allocator; the library
//! and its tests keep the system's.
//!
//! Memory freed after a burst goes back to the system once the burst is over.
//!
//! mimalloc returns the pages a thread freed (a purge) only when that thread next allocates or
//! frees: a worker that goes quiet after two thousand connections closed would keep their
//! memory resident for as long as it stays quiet (70 MB after a c=2000 storm, against 20 MB
//! with the purge done). Purging on every free instead (`purge_delay` 0) costs a system call
//! every few dozen requests under load. So a worker about to wait for work collects its heap
//! when a second has passed since it last did (a clock that one task of the control runtime
//! advances, and that every worker's runtime reads when it parks): at most once a second per
//! worker, and within a second or two of the last request.

use std::alloc::{GlobalAlloc, Layout};
use std::cell::Cell;
use std::ffi::c_void;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// The alignment every block of mimalloc's has (`MI_MAX_ALIGN_SIZE`), and the most that
/// Rust's own allocators take for granted of `malloc` (std's `MIN_ALIGN` on 64-bit targets).
const MIN_ALIGN: usize = 16;

/// mimalloc, asked through its plain entry points where the alignment wanted is one every
/// block has. The `mimalloc` crate asks `mi_malloc_aligned` for every allocation, whose
/// fast path serves only blocks of at most 1 KiB at an address that happens to be aligned:
/// every larger one (a connection's buffer, a request's boxed handler) took the generic
/// aligned path, a twentieth of a translated request's instructions (bench/callgrind.sh).
/// Anything aligned beyond 16 bytes is still the crate's.
pub struct Mimalloc;

/// Whether `mi_malloc` gives what `layout` asks (std's own rule for `malloc`: a block
/// smaller than the alignment may be placed less strictly).
fn plain(layout: &Layout) -> bool {
    layout.align() <= MIN_ALIGN && layout.align() <= layout.size()
}

// SAFETY: each call is passed to mimalloc, which allocates, frees and moves blocks as
// `GlobalAlloc` requires; a block from either entry point is freed by `mi_free`, and one
// from `mi_malloc` is aligned to `MIN_ALIGN` (or to its size, when smaller).
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Mimalloc {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if plain(&layout) {
            // SAFETY: any size may be asked; null is returned on failure.
            unsafe { libmimalloc_sys::mi_malloc(layout.size()).cast() }
        } else {
            // SAFETY: as the caller's.
            unsafe { mimalloc::MiMalloc.alloc(layout) }
        }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if plain(&layout) {
            // SAFETY: as `alloc`.
            unsafe { libmimalloc_sys::mi_zalloc(layout.size()).cast() }
        } else {
            // SAFETY: as the caller's.
            unsafe { mimalloc::MiMalloc.alloc_zeroed(layout) }
        }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from this allocator, so from mimalloc.
        unsafe { mimalloc::MiMalloc.dealloc(ptr, layout) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new = Layout::from_size_align(new_size, layout.align());
        if new.is_ok_and(|new| plain(&layout) && plain(&new)) {
            // SAFETY: `ptr` came from mimalloc; the block moved keeps `MIN_ALIGN`.
            unsafe { libmimalloc_sys::mi_realloc(ptr.cast::<c_void>(), new_size).cast() }
        } else {
            // SAFETY: as the caller's.
            unsafe { mimalloc::MiMalloc.realloc(ptr, layout, new_size) }
        }
    }
}

/// Seconds since the runtime started, advanced by [`tick`].
static CLOCK: AtomicU64 = AtomicU64::new(0);

thread_local! {
    /// The [`CLOCK`] value at this worker's last collection.
    static COLLECTED: Cell<u64> = const { Cell::new(0) };
}

/// For `on_thread_park`: collects this thread's heap if the clock moved since it last did.
#[allow(unsafe_code)] // mimalloc's C API; no safe wrapper exposes mi_collect
pub fn on_park() {
    let now = CLOCK.load(Ordering::Relaxed);
    if COLLECTED.replace(now) != now {
        // SAFETY: mi_collect takes no pointers and may be called from any thread at any
        // time; it frees and purges only what this thread's heap no longer uses.
        unsafe { libmimalloc_sys::mi_collect(true) };
    }
}

/// Advances the clock every second, which also wakes the runtime it runs on when it would
/// otherwise wait for work forever with a heap to collect. One task in the process.
pub async fn tick() {
    let mut every = seconds();
    loop {
        every.tick().await;
        CLOCK.fetch_add(1, Ordering::Relaxed);
    }
}

/// Wakes the runtime it runs on every second, as [`tick`] does its own: one such task on
/// each serving worker, whose thread then collects when it parks again.
pub async fn wake() {
    let mut every = seconds();
    loop {
        every.tick().await;
    }
}

fn seconds() -> tokio::time::Interval {
    let mut every = tokio::time::interval(Duration::from_secs(1));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    every
}

#[cfg(test)]
mod tests {
    use super::Mimalloc;
    use std::alloc::{GlobalAlloc, Layout};

    /// Every block is aligned as asked, through the plain entry points or the aligned ones,
    /// and keeps its bytes when it grows or shrinks across the two.
    #[test]
    #[allow(unsafe_code)]
    fn blocks_are_aligned_as_asked_and_keep_their_bytes() {
        for align in [1, 2, 8, 16, 32, 64, 4096] {
            for size in [1, 7, 8, 15, 16, 100, 1024, 1025, 5000, 70_000] {
                let layout = Layout::from_size_align(size, align).unwrap();
                // SAFETY: the layout is not empty; each block is written within its size and
                // freed once, with the layout it has.
                unsafe {
                    let zeroed = Mimalloc.alloc_zeroed(layout);
                    assert!(!zeroed.is_null());
                    assert_eq!(zeroed as usize % align, 0, "{size} bytes at {align}");
                    assert!((0..size).all(|i| *zeroed.add(i) == 0));
                    Mimalloc.dealloc(zeroed, layout);

                    let block = Mimalloc.alloc(layout);
                    assert!(!block.is_null());
                    assert_eq!(block as usize % align, 0, "{size} bytes at {align}");
                    for i in 0..size {
                        *block.add(i) = i as u8;
                    }
                    let mut layout = layout;
                    let mut block = block;
                    for new_size in [size * 3, size.div_ceil(2), 3, size + 40_000] {
                        let kept = layout.size().min(new_size);
                        block = Mimalloc.realloc(block, layout, new_size);
                        assert!(!block.is_null());
                        assert_eq!(block as usize % align, 0, "{size} → {new_size} at {align}");
                        assert!((0..kept).all(|i| *block.add(i) == i as u8));
                        for i in kept..new_size {
                            *block.add(i) = i as u8;
                        }
                        layout = Layout::from_size_align(new_size, align).unwrap();
                    }
                    Mimalloc.dealloc(block, layout);
                }
            }
        }
    }
}
