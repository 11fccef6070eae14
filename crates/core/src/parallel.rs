//! Mapping a slice on a few threads, keeping its order; and giving a
//! thread's work second place on the cores.
//!
//! Analysis, entity linking and clustering each have a pass whose items
//! are independent. Each of those passes maps its items on a few threads
//! and joins the results in the items' order. This module owns that
//! pattern; what the work is belongs to the caller.

use std::sync::atomic::{AtomicUsize, Ordering};

/// Parts per thread an item list is cut into. Items cost unevenly (a long
/// article takes many times a short one), so a thread that finishes its
/// part takes the next one left rather than waiting for the others: a
/// pass then ends when its last small part does, not its slowest half.
const PARTS_PER_THREAD: usize = 16;

/// Lowers the calling thread's scheduling priority (its nice value, on
/// Linux), and so that of the threads it starts from then on: work done
/// beside what sets a process's pace (derived data brought up to date
/// while a server answers readers, stories placed while an ingest links)
/// then takes the cores the rest leaves idle instead of a share of those
/// the rest needs. Elsewhere, or when refused, the thread keeps its
/// priority: it is only slower to give way.
pub fn lower_priority() {
    #[cfg(target_os = "linux")]
    {
        /// The nice value given (a thread already lower keeps its own).
        const LOWERED: libc::c_int = 10;
        // SAFETY: none of these calls takes a pointer; on Linux
        // PRIO_PROCESS with a thread id (0: the caller) is that one
        // thread's nice value.
        unsafe {
            if libc::getpriority(libc::PRIO_PROCESS, 0) < LOWERED {
                libc::setpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t, LOWERED);
            }
        }
    }
}

/// `work` applied to every item, on up to `threads` scoped threads, the
/// results in the items' order. One thread (or one item) runs inline.
pub fn map_in_order<I: Sync, T: Send>(items: &[I], threads: usize, work: impl Fn(&I) -> T + Sync) -> Vec<T> {
    let threads = threads.clamp(1, items.len().max(1));
    if threads == 1 {
        return items.iter().map(&work).collect();
    }
    let per = items.len().div_ceil(threads * PARTS_PER_THREAD).max(1);
    let next = AtomicUsize::new(0);
    let (work, next) = (&work, &next);
    let mut parts: Vec<(usize, Vec<T>)> = std::thread::scope(|scope| {
        let taking: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(move || {
                    let mut done = Vec::new();
                    loop {
                        let start = next.fetch_add(per, Ordering::Relaxed);
                        if start >= items.len() {
                            return done;
                        }
                        let part = &items[start..(start + per).min(items.len())];
                        done.push((start, part.iter().map(work).collect::<Vec<_>>()));
                    }
                })
            })
            .collect();
        taking
            .into_iter()
            .flat_map(|t| t.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            .collect()
    });
    parts.sort_unstable_by_key(|&(start, _)| start);
    parts.into_iter().flat_map(|(_, done)| done).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(target_os = "linux")]
    #[test]
    fn a_lowered_thread_and_the_threads_it_starts_run_at_nice_10() {
        let nice = || {
            // SAFETY: no pointers; 0 asks about the calling thread.
            unsafe { libc::getpriority(libc::PRIO_PROCESS, 0) }
        };
        let before = nice();
        let (own, started) = std::thread::spawn(move || {
            lower_priority();
            (nice(), std::thread::spawn(nice).join().unwrap())
        })
        .join()
        .unwrap();
        assert_eq!((own, started), (before.max(10), before.max(10)));
        assert_eq!(nice(), before, "the caller's other threads keep theirs");
    }

    #[test]
    fn results_keep_the_items_order_whatever_the_threads() {
        let items: Vec<u32> = (0..1001).collect();
        for threads in [0, 1, 2, 3, 8, 5000] {
            let squares = map_in_order(&items, threads, |&i| i * i);
            assert_eq!(squares.len(), items.len());
            assert!(
                squares.iter().enumerate().all(|(i, &s)| s == (i * i) as u32),
                "{threads} threads"
            );
        }
        assert!(map_in_order(&Vec::<u32>::new(), 4, |&i| i).is_empty());
    }

    #[test]
    fn a_thread_done_with_its_items_takes_the_next_ones_left() {
        // Item 0 holds its thread until every item of the first half
        // outside its own part is done: with the items cut in halves up
        // front, only the held thread would ever reach them.
        let items: Vec<usize> = (0..1000).collect();
        let per = items.len().div_ceil(2 * PARTS_PER_THREAD);
        let done: Vec<std::sync::atomic::AtomicBool> = items.iter().map(|_| Default::default()).collect();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        let waited = map_in_order(&items, 2, |&i| {
            if i == 0 {
                while !done[per..500].iter().all(|d| d.load(Ordering::Relaxed)) {
                    if std::time::Instant::now() > deadline {
                        return false;
                    }
                    std::thread::yield_now();
                }
            }
            done[i].store(true, Ordering::Relaxed);
            true
        });
        assert!(waited[0], "the other thread never took the held thread's items");
        assert!(waited.iter().all(|&w| w));
    }

    #[test]
    #[should_panic(expected = "item 7")]
    fn a_panic_in_the_work_reaches_the_caller() {
        let items: Vec<u32> = (0..10).collect();
        map_in_order(&items, 2, |&i| if i == 7 { panic!("item 7") } else { i });
    }
}
