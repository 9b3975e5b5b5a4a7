//! How one input file is read: whole, or block by block when it is large; and, for a results
//! file named without a layout, whether it is a wide form (subjects in column blocks) when it
//! has no subject column. The caller gets each frame with how it was read.

use std::path::Path;

use super::wide::WideOptions;
use super::{blocks, BlockError, Matcher, RawFrame, ReadOptions};

/// What the caller allows.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    /// Large files may be read block by block (else always whole).
    pub blocks: bool,
    /// A file without a subject column may be read as a wide form (results without a layout).
    pub may_be_wide: bool,
    /// The year given for the file (a wide form found on its own takes it).
    pub year: Option<i32>,
}

/// How a frame was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct How {
    /// The file was read whole (one frame).
    pub whole: bool,
    /// The file had no subject column and reads as a wide form.
    pub wide_detected: bool,
}

/// Reads `path` as `plan` allows and hands every frame to `on_frame`; gives the number of
/// frames. `progress` hears the bytes read.
pub fn read_file(
    path: &Path,
    matcher: &Matcher,
    opts: &ReadOptions,
    plan: Plan,
    progress: &dyn Fn(u64),
    on_frame: &mut dyn FnMut(RawFrame, How) -> anyhow::Result<()>,
) -> Result<usize, BlockError> {
    let maybe_wide = plan.may_be_wide && opts.wide.is_none() && !super::is_parquet(path);
    let size = std::fs::metadata(path).map_or(0, |m| m.len());
    // Wide forms are small: a file that may be one is read whole.
    if !plan.blocks || (maybe_wide && size < blocks::block_sizes().1) {
        let mut read = super::read_table(path, matcher, opts);
        progress(size);
        let mut wide_detected = false;
        if maybe_wide && !read.as_ref().is_ok_and(|raw| raw.df.column("subject").is_ok()) {
            let found = WideOptions { year: plan.year, ..Default::default() };
            if let Ok(w) = super::read_table(path, matcher, &ReadOptions { wide: Some(&found), ..*opts }) {
                read = Ok(w);
                wide_detected = true;
            }
        }
        on_frame(read?, How { whole: true, wide_detected }).map_err(BlockError::Handler)?;
        return Ok(1);
    }
    let mut frames = 0usize;
    blocks::read_blocks(path, matcher, opts, progress, &mut |raw| {
        frames += 1;
        on_frame(raw, How { whole: false, wide_detected: false })
    })?;
    Ok(frames)
}
