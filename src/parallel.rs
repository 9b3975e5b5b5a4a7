//! Running independent jobs (input files, output formats) on a few threads.

use anyhow::Result;

/// Runs `job` over `items` on up to `workers` threads, starting them in the order of `start`
/// (indices into `items`); results in the order of `items`. The first error (in item order) is
/// returned.
pub fn in_parallel<T: Sync, R: Send>(items: &[T], start: &[usize], workers: usize, job: impl Fn(usize, &T) -> Result<R> + Sync) -> Result<Vec<R>> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let slots: Vec<std::sync::Mutex<Option<Result<R>>>> = items.iter().map(|_| std::sync::Mutex::new(None)).collect();
    let workers = workers.clamp(1, items.len().max(1));
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                let Some(&i) = start.get(k) else { break };
                let Some(item) = items.get(i) else { break };
                let r = job(i, item);
                if let Some(slot) = slots.get(i) {
                    if let Ok(mut s) = slot.lock() {
                        *s = Some(r);
                    }
                }
            });
        }
    });
    slots
        .into_iter()
        .map(|s| {
            s.into_inner()
                .ok()
                .flatten()
                .unwrap_or_else(|| Err(anyhow::anyhow!("a worker thread stopped without a result")))
        })
        .collect()
}
