//! Progress bars on stderr for the long phases — reading and checking each input (bytes), the
//! identification, writing the outputs — shown only when stderr is a terminal, and never with
//! `--quiet` or `--verbose` (whose timings go to stderr line by line).

use std::sync::OnceLock;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

static BARS: OnceLock<Option<MultiProgress>> = OnceLock::new();

/// Turns the bars on or off (once, at start-up).
pub fn init(show: bool) {
    let _ = BARS.set(show.then(|| MultiProgress::with_draw_target(ProgressDrawTarget::stderr())));
}

fn multi() -> Option<&'static MultiProgress> {
    BARS.get().and_then(Option::as_ref)
}

/// One bar (or nothing, when bars are off). It disappears when dropped.
pub struct Bar(Option<ProgressBar>);

impl Bar {
    /// A bar of `total` bytes.
    pub fn bytes(label: &str, total: u64) -> Bar {
        Bar(multi().map(|m| {
            let style = ProgressStyle::with_template("{msg:40!} [{bar:30}] {bytes:>10}/{total_bytes:<10} {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> ");
            let bar = m.add(ProgressBar::new(total).with_style(style).with_message(label.to_string()));
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        }))
    }

    /// A spinner for a phase without a measure.
    pub fn spinner(label: &str) -> Bar {
        Bar(multi().map(|m| {
            let style = ProgressStyle::with_template("{spinner} {msg} {elapsed}").unwrap_or_else(|_| ProgressStyle::default_spinner());
            let bar = m.add(ProgressBar::new_spinner().with_style(style).with_message(label.to_string()));
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        }))
    }

    pub fn inc(&self, n: u64) {
        if let Some(b) = &self.0 {
            b.inc(n);
        }
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        if let Some(b) = &self.0 {
            b.finish_and_clear();
        }
    }
}
