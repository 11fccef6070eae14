//! Zeroed arrays with one element per document, for adding up a query.
//!
//! Owns the memory a Similar Posts query adds up in; not what goes in it
//! (`similar` decides that).
//!
//! Why not a `Vec`: at a million articles a query's arrays are megabytes,
//! and in a fresh `storyline similar ID` process filling a `Vec` with
//! zeros cost a page fault for every 4 KiB (about a third of the
//! process's faults, several microseconds each on a virtual machine) on
//! top of the writing. An anonymous mapping comes zeroed from the kernel,
//! and asking for transparent huge pages (Linux `MADV_HUGEPAGE`; a hint,
//! honoured where the system allows it) turns those faults into one per
//! 2 MiB.

use memmap2::MmapMut;
use std::marker::PhantomData;

/// Mappings of at least this size are made a whole number of these long,
/// so the kernel can place and back them with huge pages.
const HUGE_PAGE: usize = 2 << 20;

/// `len` zeroed values of `T`, in memory of their own.
pub(crate) struct Zeroed<T> {
    map: Option<MmapMut>,
    len: usize,
    element: PhantomData<T>,
}

impl<T> Default for Zeroed<T> {
    fn default() -> Self {
        Zeroed {
            map: None,
            len: 0,
            element: PhantomData,
        }
    }
}

impl<T: bytemuck::Pod> Zeroed<T> {
    /// `len` zeros.
    ///
    /// # Panics
    /// When the system refuses the memory, as a `Vec` of that size would
    /// abort.
    pub(crate) fn new(len: usize) -> Self {
        if len == 0 {
            return Self::default();
        }
        // Huge pages only for arrays of a huge page or more: a smaller
        // array would have the kernel zero a whole one for it.
        let bytes = len * size_of::<T>();
        let huge = bytes >= HUGE_PAGE;
        let bytes = if huge {
            bytes.next_multiple_of(HUGE_PAGE)
        } else {
            bytes
        };
        let map = MmapMut::map_anon(bytes)
            .unwrap_or_else(|e| panic!("cannot map {bytes} bytes of scratch memory: {e}"));
        // Only a hint: without huge pages the mapping works the same.
        #[cfg(target_os = "linux")]
        if huge {
            let _ = map.advise(memmap2::Advice::HugePage);
        }
        Zeroed {
            map: Some(map),
            len,
            element: PhantomData,
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.len
    }

    pub(crate) fn as_slice(&self) -> &[T] {
        match &self.map {
            Some(map) => &bytemuck::cast_slice(&map[..])[..self.len],
            None => &[],
        }
    }

    pub(crate) fn as_mut_slice(&mut self) -> &mut [T] {
        match &mut self.map {
            Some(map) => &mut bytemuck::cast_slice_mut(&mut map[..])[..self.len],
            None => &mut [],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrays_start_zeroed_and_keep_what_is_written() {
        let mut a: Zeroed<f32> = Zeroed::new(1_000_003);
        assert_eq!(a.len(), 1_000_003);
        assert!(a.as_slice().iter().all(|&x| x == 0.0));
        a.as_mut_slice()[1_000_002] = 2.5;
        a.as_mut_slice()[0] += 1.0;
        assert_eq!(a.as_slice()[1_000_002], 2.5);
        assert_eq!(a.as_slice()[0], 1.0);
        let empty: Zeroed<u64> = Zeroed::new(0);
        assert!(empty.as_slice().is_empty());
    }
}
