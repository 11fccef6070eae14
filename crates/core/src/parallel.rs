//! Mapping a slice on a few threads, keeping its order.
//!
//! Analysis, entity linking and clustering each have a pass whose items
//! are independent. Each of those passes splits its items into one
//! contiguous part per thread and joins the results in the same order. This
//! module owns that pattern; what the work is belongs to the caller.

/// `work` applied to every item, on up to `threads` scoped threads, the
/// results in the items' order. One thread (or one item) runs inline.
pub fn map_in_order<I: Sync, T: Send>(items: &[I], threads: usize, work: impl Fn(&I) -> T + Sync) -> Vec<T> {
    let threads = threads.clamp(1, items.len().max(1));
    if threads == 1 {
        return items.iter().map(&work).collect();
    }
    let per = items.len().div_ceil(threads);
    let work = &work;
    std::thread::scope(|scope| {
        let parts: Vec<_> = items
            .chunks(per)
            .map(|part| scope.spawn(move || part.iter().map(work).collect::<Vec<_>>()))
            .collect();
        parts
            .into_iter()
            .flat_map(|p| p.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
    #[should_panic(expected = "item 7")]
    fn a_panic_in_the_work_reaches_the_caller() {
        let items: Vec<u32> = (0..10).collect();
        map_in_order(&items, 2, |&i| if i == 7 { panic!("item 7") } else { i });
    }
}
