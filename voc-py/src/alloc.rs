//! The extension's allocator: the system allocator, with large blocks backed by transparent huge pages.
//!
//! voc's kernels write large fresh arrays (a feature matrix of hundreds of MB, event columns of tens of
//! MB). Where the kernel gives huge pages only on request (`transparent_hugepage/enabled = madvise`, a
//! common default), every 4 KiB of such an array costs a page fault when it is first written and a
//! page-table entry to tear down when it is freed; on large tables that bookkeeping rivals the
//! computation. Blocks of at least [`HUGE_MIN`] bytes are therefore advised `MADV_HUGEPAGE` (as numpy
//! does for its own arrays): one fault per 2 MiB. The advice changes no value; where huge pages are
//! off or not available, it does nothing.

use std::alloc::{GlobalAlloc, Layout, System};

/// Smallest block advised to use huge pages (numpy uses the same threshold for its arrays).
pub(crate) const HUGE_MIN: usize = 4 << 20;

/// The system allocator, advising blocks of [`HUGE_MIN`] bytes or more to use huge pages.
pub(crate) struct HugePages;

#[global_allocator]
static GLOBAL: HugePages = HugePages;

/// Advises the whole pages inside `[ptr, ptr + len)` to use huge pages when `len` is large.
fn advise(ptr: *mut u8, len: usize) {
    if ptr.is_null() || len < HUGE_MIN {
        return;
    }
    const PAGE: usize = 4096;
    let start = (ptr as usize).next_multiple_of(PAGE);
    let end = (ptr as usize + len) & !(PAGE - 1);
    if end > start {
        // SAFETY: the range lies inside a block this allocator just handed out; the advice only
        // changes how the kernel backs those pages, never their contents. A failure is harmless.
        #[allow(unsafe_code)]
        unsafe {
            libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_HUGEPAGE);
        }
    }
}

// SAFETY: every call is forwarded to `System` with the same arguments; `advise` only adds a hint on
// the returned block.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for HugePages {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded unchanged; the caller upholds `GlobalAlloc::alloc`'s contract.
        let p = unsafe { System.alloc(layout) };
        advise(p, layout.size());
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let p = unsafe { System.alloc_zeroed(layout) };
        advise(p, layout.size());
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System` through this allocator, with this layout.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as for `dealloc`; `new_size` is the caller's, valid per `GlobalAlloc::realloc`.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        advise(p, new_size);
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_blocks_keep_their_contents_through_growth() {
        // Below and above the threshold, zeroed and not, grown past it by realloc (Vec growth).
        for n in [
            10usize,
            HUGE_MIN / 8 - 1,
            HUGE_MIN / 8 + 3,
            3 * HUGE_MIN / 8,
        ] {
            let z = vec![0u64; n];
            assert!(z.iter().all(|&x| x == 0));
            let mut v: Vec<u64> = (0..n as u64).collect();
            v.extend(0..n as u64);
            assert_eq!(v.len(), 2 * n);
            assert!(v[..n].iter().enumerate().all(|(i, &x)| x == i as u64));
            assert!(v[n..].iter().enumerate().all(|(i, &x)| x == i as u64));
            v.truncate(1);
            v.shrink_to_fit();
            assert_eq!(v, [0]);
        }
    }

    #[test]
    fn advice_outside_a_page_or_on_null_is_a_no_op() {
        advise(std::ptr::null_mut(), HUGE_MIN);
        let mut b = vec![1u8; 16];
        advise(b.as_mut_ptr(), b.len());
        assert_eq!(b, [1u8; 16]);
    }
}
