//! How the input files are read in parallel: two at a time, the register and the crosswalk
//! first and every other file's checks waiting for them, then the largest files first.

use crate::config::{InputKind, InputSpec};

/// The order files start in: the register and the crosswalk first (the other files wait for
/// them), then the largest, so that the two workers finish at about the same time.
pub(super) fn start_order(order: &[&InputSpec]) -> Vec<usize> {
    let mut start: Vec<usize> = (0..order.len()).collect();
    start.sort_by_key(|&i| {
        let spec = order.get(i);
        let first = spec.is_some_and(|s| matches!(s.kind, InputKind::Schools | InputKind::Crosswalk));
        let size = spec.and_then(|s| std::fs::metadata(&s.path).ok()).map_or(0, |m| m.len());
        (!first, std::cmp::Reverse(size))
    });
    start
}

/// Something the other files wait for (the register, the crosswalk): published once by the
/// file that reads it, "none" when there is no such file.
pub(super) struct Awaited<T>(std::sync::OnceLock<Option<T>>);

impl<T> Awaited<T> {
    /// Nothing to wait for when no file of `kind` is among the inputs.
    pub(super) fn new(order: &[&InputSpec], kind: InputKind) -> Self {
        let cell = std::sync::OnceLock::new();
        if !order.iter().any(|s| s.kind == kind) {
            let _ = cell.set(None);
        }
        Awaited(cell)
    }

    /// Blocks until it is published.
    pub(super) fn wait(&self) -> &Option<T> {
        self.0.wait()
    }

    /// The publisher: whatever happens to the file, it publishes (unset when dropped: "none"),
    /// so that no other file waits for ever.
    pub(super) fn publisher(&self) -> Publish<'_, T> {
        Publish(&self.0)
    }
}

pub(super) struct Publish<'a, T>(&'a std::sync::OnceLock<Option<T>>);

impl<T> Publish<'_, T> {
    pub(super) fn set(&self, value: Option<T>) {
        let _ = self.0.set(value);
    }
}

impl<T> Drop for Publish<'_, T> {
    fn drop(&mut self) {
        let _ = self.0.set(None);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dropped_publisher_publishes_none_and_absent_kinds_need_no_wait() {
        let spec = |kind| InputSpec::new(kind, "x".into());
        let specs = [spec(InputKind::Results)];
        let order: Vec<&InputSpec> = specs.iter().collect();
        let register: Awaited<u32> = Awaited::new(&order, InputKind::Schools);
        assert!(register.wait().is_none());
        let results: Awaited<u32> = Awaited::new(&order, InputKind::Results);
        std::thread::scope(|s| {
            s.spawn(|| drop(results.publisher()));
        });
        assert!(results.wait().is_none());
        let specs = [spec(InputKind::Results), spec(InputKind::Schools)];
        let order: Vec<&InputSpec> = specs.iter().collect();
        let first = start_order(&order);
        assert_eq!(first.first(), Some(&1), "the register starts first");
        let reg: Awaited<u32> = Awaited::new(&order, InputKind::Schools);
        reg.publisher().set(Some(7));
        assert_eq!(*reg.wait(), Some(7));
    }
}
