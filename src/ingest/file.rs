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
/// frames. `progress` hears the bytes read. A file that changes while it is read is refused.
pub fn read_file(
    path: &Path,
    matcher: &Matcher,
    opts: &ReadOptions,
    plan: Plan,
    progress: &dyn Fn(u64),
    on_frame: &mut dyn FnMut(RawFrame, How) -> anyhow::Result<()>,
) -> Result<usize, BlockError> {
    let before = stamp(path);
    let mut ends = Ends::default();
    let frames = read_frames(path, matcher, opts, plan, progress, &mut |raw, how| {
        ends.see(&raw);
        on_frame(raw, how)
    })?;
    ends.check(path)?;
    // Tests stretch the reading (`SHNOR_READ_PAUSE_MS`) to change a file while it is read.
    if let Some(pause) = std::env::var("SHNOR_READ_PAUSE_MS").ok().and_then(|v| v.parse::<u64>().ok()) {
        std::thread::sleep(std::time::Duration::from_millis(pause));
    }
    if stamp(path) != before {
        return Err(BlockError::Read(super::ReadError::Io(tr!(
            "файл изменился во время чтения (его размер или время изменения стали другими): прочитанное может быть смесью старого и нового; дождитесь, пока файл допишут, и запустите снова",
            "the file changed while it was read (its size or modification time differ): what was read may mix old and new; wait until the file is fully written and run again"
        ))));
    }
    Ok(frames)
}

/// The last rows of a delimited text file, to tell a file cut off in the middle of a row: its
/// last line has fewer fields than the header, comes after every row used, and no line break
/// ends the file (a ragged row elsewhere is only excluded).
#[derive(Default)]
struct Ends {
    text: bool,
    last_used: u64,
    last_short: Option<(u64, usize, usize)>,
}

impl Ends {
    fn see(&mut self, raw: &RawFrame) {
        self.text |= raw.info.delimiter.is_some();
        let used = raw.df.column(super::ROW_COL).ok().and_then(|c| polars::prelude::ChunkAgg::max(c.u64().ok()?));
        self.last_used = self.last_used.max(used.unwrap_or(0));
        if let Some(short) = raw.ragged.iter().filter(|(_, f, e)| f < e).max_by_key(|r| r.0) {
            if self.last_short.is_none_or(|s| s.0 < short.0) {
                self.last_short = Some(*short);
            }
        }
    }

    fn check(&self, path: &Path) -> Result<(), BlockError> {
        let Some((row, fields, expected)) = self.last_short.filter(|s| self.text && s.0 > self.last_used) else {
            return Ok(());
        };
        if ends_with_line_break(path) {
            return Ok(());
        }
        Err(BlockError::Read(super::ReadError::Format(tr!(
            "файл обрывается посреди строки {row}: в ней {fields} {} из {expected}, и файл не заканчивается переводом строки — похоже, его скопировали или выгрузили не до конца; выгрузите файл заново",
            "the file ends in the middle of row {row}: it has {fields} fields{} of {expected} and no line break ends the file — it looks copied or exported only in part; export it again",
            if crate::i18n::is_en() { "" } else { crate::i18n::ru_plural(fields as u64, "поле", "поля", "полей") }
        ))))
    }
}

/// Whether the file's last character is a line break (in UTF-8, Windows-1251 or UTF-16).
fn ends_with_line_break(path: &Path) -> bool {
    use std::io::{Read, Seek, SeekFrom};
    let Ok(mut f) = std::fs::File::open(path) else { return true };
    let mut tail = [0u8; 2];
    let len = f.metadata().map_or(0, |m| m.len());
    if len < 2 || f.seek(SeekFrom::Start(len - 2)).is_err() || f.read_exact(&mut tail).is_err() {
        return true;
    }
    let eol = |b: u8| b == b'\n' || b == b'\r';
    eol(tail[1]) || (tail[1] == 0 && eol(tail[0]))
}

/// What tells that a file changed: its size and modification time (nanoseconds where the
/// file system keeps them).
fn stamp(path: &Path) -> Option<(u64, std::time::SystemTime)> {
    std::fs::metadata(path).ok().and_then(|m| Some((m.len(), m.modified().ok()?)))
}

fn read_frames(
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
