//! The memory limit on policy evaluation (`--max-memory`).
//!
//! A Rego rule can build values without bound — a string doubled thirty times is 2.5 GB (issue
//! #12) — and regorus has no memory budget of its own (outside its custom allocator build). The
//! binary's global allocator is [`CountingAllocator`] around mimalloc: it keeps the number of
//! live heap bytes of the process in one relaxed atomic (a few nanoseconds per allocation).
//! While a policy evaluation runs ([`Evaluating`]), an allocation that takes the process past
//! the limit ends it at once with exit code 2 and a message naming the limit: nothing has been
//! signed or written at that point (a gate signs and writes only after its evaluation), and a
//! failed allocation would otherwise abort the process (exit 134). Outside evaluations the
//! count is kept but not enforced: reading evidence is bounded by the input limits instead.
//!
//! The default limit ([`default_limit`]) is half of the machine's physical memory, at most
//! 4 GiB: far above real evaluations (the 10,000-component benchmark peaks under 200 MB) and
//! below what gets a CI runner's processes killed.

#![allow(
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    reason = "counters and sums of items held in memory, bounded by a collection's length"
)]

use std::alloc::{GlobalAlloc, Layout};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Live heap bytes of the process, as counted by [`CountingAllocator`].
static LIVE: AtomicUsize = AtomicUsize::new(0);
/// The limit in bytes (`usize::MAX`: none).
static LIMIT: AtomicUsize = AtomicUsize::new(usize::MAX);
/// How many evaluations are running (the limit is enforced while this is above zero).
static EVALUATING: AtomicUsize = AtomicUsize::new(0);

/// A global allocator that counts live bytes and enforces [`set_limit`] during evaluations.
#[derive(Debug)]
pub struct CountingAllocator<A>(pub A);

// SAFETY: every call is forwarded to the inner allocator unchanged; only counters are added.
unsafe impl<A: GlobalAlloc> GlobalAlloc for CountingAllocator<A> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        let pointer = unsafe { self.0.alloc(layout) };
        if !pointer.is_null() {
            grew(layout.size());
        }
        pointer
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        let pointer = unsafe { self.0.alloc_zeroed(layout) };
        if !pointer.is_null() {
            grew(layout.size());
        }
        pointer
    }

    unsafe fn dealloc(&self, pointer: *mut u8, layout: Layout) {
        // SAFETY: forwarded with the caller's guarantees.
        unsafe { self.0.dealloc(pointer, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, pointer: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees.
        let moved = unsafe { self.0.realloc(pointer, layout, new_size) };
        if !moved.is_null() {
            if new_size >= layout.size() {
                grew(new_size - layout.size());
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        moved
    }
}

fn grew(bytes: usize) {
    let live = LIVE
        .fetch_add(bytes, Ordering::Relaxed)
        .saturating_add(bytes);
    if live > LIMIT.load(Ordering::Relaxed) && EVALUATING.load(Ordering::Relaxed) > 0 {
        exceeded();
    }
}

/// Ends the process: exit code 2, with a message written without allocating.
#[cold]
fn exceeded() -> ! {
    let mut message = [0u8; 256];
    let mut length = 0;
    let mut push = |bytes: &[u8]| {
        for &byte in bytes {
            if let Some(slot) = message.get_mut(length) {
                *slot = byte;
                length += 1;
            }
        }
    };
    push(b"\n  x policy evaluation exceeded the memory limit of ");
    let mib = LIMIT.load(Ordering::Relaxed) / (1024 * 1024);
    let mut digits = [0u8; 20];
    let mut count = 0;
    let mut rest = mib;
    loop {
        if let Some(slot) = digits.get_mut(count) {
            *slot = b'0' + (rest % 10) as u8;
        }
        count += 1;
        rest /= 10;
        if rest == 0 || count == digits.len() {
            break;
        }
    }
    for index in (0..count).rev() {
        push(&digits[index..=index]);
    }
    push(b" MiB; the gate fails and nothing was signed\n  help: raise it with `--max-memory` if the policy is legitimate\n");
    let text = message.get(..length).unwrap_or_default();
    // SAFETY: writing a valid buffer to standard error, then ending the process without
    // running anything else (no allocation, no destructor, no half-written output).
    unsafe {
        libc::write(2, text.as_ptr().cast(), text.len());
        libc::_exit(2)
    }
}

/// Sets the limit, in bytes, enforced while evaluations run.
pub fn set_limit(bytes: u64) {
    LIMIT.store(
        usize::try_from(bytes).unwrap_or(usize::MAX),
        Ordering::Relaxed,
    );
}

/// Live heap bytes counted so far (0 when [`CountingAllocator`] is not the global allocator).
pub fn live_bytes() -> usize {
    LIVE.load(Ordering::Relaxed)
}

/// Half of the physical memory, at most 4 GiB (1 GiB when the memory size is unknown).
pub fn default_limit() -> u64 {
    const GIB: u64 = 1024 * 1024 * 1024;
    // SAFETY: sysconf only reads system configuration.
    let (pages, page_size) = unsafe {
        (
            libc::sysconf(libc::_SC_PHYS_PAGES),
            libc::sysconf(libc::_SC_PAGESIZE),
        )
    };
    match (u64::try_from(pages), u64::try_from(page_size)) {
        (Ok(pages), Ok(size)) if pages > 0 && size > 0 => {
            (pages.saturating_mul(size) / 2).clamp(GIB / 4, 4 * GIB)
        }
        _ => GIB,
    }
}

/// Parses a size: bytes, or a number with `K`, `M`, `G` (or `KiB`, `MiB`, `GiB`; powers of
/// 1024), e.g. `512MiB`, `2G`.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value: u64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a size like 512MiB or 2GiB"))?;
    let factor: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        _ => {
            return Err(format!(
                "`{text}`: unknown unit `{unit}`; use KiB, MiB or GiB"
            ));
        }
    };
    let bytes = value
        .checked_mul(factor)
        .ok_or_else(|| format!("`{text}` is too large"))?;
    if bytes < 1 << 20 {
        return Err(format!("`{text}` is below the smallest limit, 1MiB"));
    }
    Ok(bytes)
}

/// Marks an evaluation as running for as long as it lives: the limit is enforced meanwhile.
#[derive(Debug)]
pub struct Evaluating(());

impl Evaluating {
    /// Starts enforcing the limit (until the value is dropped).
    pub fn start() -> Evaluating {
        EVALUATING.fetch_add(1, Ordering::Relaxed);
        Evaluating(())
    }
}

impl Drop for Evaluating {
    fn drop(&mut self) {
        EVALUATING.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Turns a stack overflow (or any other memory fault) into exit code 2 with a message,
/// instead of the abort (exit 134) Rust's runtime gives it.
///
/// Recursive Rego functions are refused at load and nesting is bounded, so no known input
/// overflows the stack; this is the net under them (issue #12): whatever overflows — a parser,
/// the policy engine — the gate fails closed with a clear message, having signed nothing. The
/// handler runs on the alternate signal stack Rust's runtime gives every thread, writes a fixed
/// message and ends the process without unwinding or allocating.
pub fn install_fault_handler() {
    #[cfg(unix)]
    {
        // SAFETY: a zeroed `sigaction` is a valid starting value; the handler only calls
        // async-signal-safe functions (`write`, `_exit`).
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_fault as *const () as usize;
            action.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(libc::SIGSEGV, &action, std::ptr::null_mut());
            libc::sigaction(libc::SIGBUS, &action, std::ptr::null_mut());
        }
    }
}

#[cfg(unix)]
extern "C" fn on_fault(_: libc::c_int, _: *mut libc::siginfo_t, _: *mut libc::c_void) {
    const MESSAGE: &[u8] = b"\n  x stagegate stopped on a stack overflow (or another memory fault): an input or a policy nests or recurses too deeply; the gate fails and nothing was signed\n";
    // SAFETY: async-signal-safe calls only.
    unsafe {
        libc::write(2, MESSAGE.as_ptr().cast(), MESSAGE.len());
        libc::_exit(2);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse() {
        assert_eq!(parse_size("512MiB"), Ok(512 << 20));
        assert_eq!(parse_size("2G"), Ok(2 << 30));
        assert_eq!(parse_size("1048576"), Ok(1 << 20));
        assert!(parse_size("1k").is_err());
        assert!(parse_size("99999999999999999999G").is_err());
        assert!(parse_size("lots").is_err());
        let default = default_limit();
        assert!((256 << 20..=4 << 30).contains(&default), "{default}");
    }
}
