//! The output folder as one set (§6): `run` writes every file into a staging folder beside the
//! target (`.NAME.new`) and swaps it in at the end, under a lock (`.NAME.lock`), so that whenever
//! the process stops — killed, out of disk, an error — the target holds the complete old set or
//! the complete new one, never a mix. The swap is two renames: the old set to `.NAME.previous`,
//! the new one to NAME; a stop between them leaves no NAME and a complete `.NAME.previous`, which
//! the next run (and every reader, through [`resolve`]) takes back.

use std::fs::{self, File};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

/// A staged output set: files go into [`Staging::dir`]; [`Staging::commit`] swaps it in. Dropped
/// without a commit, the target stays as it was (the staging folder is removed on the next run).
pub struct Staging {
    target: PathBuf,
    new: PathBuf,
    previous: PathBuf,
    /// Held (an OS lock on the file) until the staging is dropped; released if the process dies.
    _lock: File,
}

/// The target as an absolute path without `.` components, and its parent folder.
fn absolute(target: &Path) -> Result<(PathBuf, PathBuf)> {
    let abs = std::path::absolute(target).with_context(|| tr!("неверный путь {}", "invalid path {}", target.display()))?;
    let parent = abs.parent().map(Path::to_path_buf).ok_or_else(|| {
        crate::error::usage(tr!("{}: результаты нельзя писать в корневой каталог", "{}: outputs cannot replace a root folder", target.display()))
    })?;
    Ok((abs, parent))
}

/// A hidden sibling of the target: `.NAME.suffix`.
fn sibling(target: &Path, suffix: &str) -> PathBuf {
    let name = target.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    target.with_file_name(format!(".{name}.{suffix}"))
}

/// Where a run's files are: the folder itself, or — after a swap stopped between its two
/// renames — its `.NAME.previous` (the old complete set).
pub fn resolve(dir: &Path) -> PathBuf {
    if !dir.exists() {
        if let Ok((abs, _)) = absolute(dir) {
            let previous = sibling(&abs, "previous");
            if previous.join("manifest.json").is_file() {
                return previous;
            }
        }
    }
    dir.to_path_buf()
}

/// Takes the lock of an output folder (`.NAME.lock` beside it; an OS lock, released when the
/// file is dropped or the process dies), refusing at once when another shnor holds it. Gives
/// the folder's absolute path and the held lock. `run` holds it while it stages and swaps;
/// `report --out` while it writes into a folder.
pub fn lock(target: &Path) -> Result<(PathBuf, File)> {
    let (target, parent) = absolute(target)?;
    fs::create_dir_all(&parent).with_context(|| tr!("не удалось создать каталог {}", "cannot create directory {}", parent.display()))?;
    let lock_path = sibling(&target, "lock");
    let lock = File::create(&lock_path).with_context(|| tr!("не удалось создать {}", "cannot create {}", lock_path.display()))?;
    if let Err(e) = lock.try_lock() {
        return Err(anyhow::anyhow!(match e {
            fs::TryLockError::WouldBlock => tr!(
                "в каталог {} сейчас пишет другой запуск shnor (блокировка {}); дождитесь его окончания или укажите другой --out",
                "another shnor run is writing to {} (lock {}); wait for it to finish or give another --out",
                target.display(),
                lock_path.display()
            ),
            fs::TryLockError::Error(e) => tr!("не удалось заблокировать {}: {e}", "cannot lock {}: {e}", lock_path.display()),
        }));
    }
    Ok((target, lock))
}

impl Staging {
    /// Takes the lock (refusing when another run holds it), puts back an old set a stopped swap
    /// left aside, clears what a stopped run left, and creates the staging folder.
    pub fn begin(target: &Path) -> Result<Staging> {
        let (target, lock) = lock(target)?;
        let (new, previous) = (sibling(&target, "new"), sibling(&target, "previous"));
        if !target.exists() && previous.exists() {
            rename(&previous, &target)?;
        }
        for leftover in [&previous, &new] {
            if leftover.exists() {
                fs::remove_dir_all(leftover).with_context(|| tr!("не удалось удалить {}", "cannot remove {}", leftover.display()))?;
            }
        }
        fs::create_dir(&new).with_context(|| tr!("не удалось создать каталог {}", "cannot create directory {}", new.display()))?;
        Ok(Staging { target, new, previous, _lock: lock })
    }

    /// The folder the files are written into.
    pub fn dir(&self) -> &Path {
        &self.new
    }

    /// Swaps the staged set in: the old set aside, the new one in its place, the old removed.
    /// When the second rename fails, the old set is put back.
    pub fn commit(self) -> Result<()> {
        let had_old = self.target.exists();
        if had_old {
            rename(&self.target, &self.previous)?;
        }
        let renamed = rename(&self.new, &self.target);
        if let Err(e) = renamed {
            if had_old {
                let _ = fs::rename(&self.previous, &self.target);
            }
            return Err(e);
        }
        if had_old {
            // The new set is in place; the old one is no longer needed (a failure here leaves
            // a hidden folder the next run removes).
            let _ = fs::remove_dir_all(&self.previous);
        }
        Ok(())
    }
}

impl Drop for Staging {
    /// Not committed (an error on the way): the staged files go; the target was never touched.
    fn drop(&mut self) {
        if self.new.exists() {
            let _ = fs::remove_dir_all(&self.new);
        }
    }
}

fn rename(from: &Path, to: &Path) -> Result<()> {
    fs::rename(from, to).with_context(|| tr!("не удалось переименовать {} в {}", "cannot rename {} to {}", from.display(), to.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) {
        fs::write(dir.join(name), text).unwrap();
    }

    #[test]
    fn a_staged_set_replaces_the_old_one_whole() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("out");
        fs::create_dir(&target).unwrap();
        write(&target, "manifest.json", "old");
        write(&target, "stale.csv", "old");
        let s = Staging::begin(&target).unwrap();
        write(s.dir(), "manifest.json", "new");
        // Not committed yet: the old set is untouched.
        assert_eq!(fs::read_to_string(target.join("manifest.json")).unwrap(), "old");
        s.commit().unwrap();
        assert_eq!(fs::read_to_string(target.join("manifest.json")).unwrap(), "new");
        assert!(!target.join("stale.csv").exists(), "nothing of the old set stays");
        assert!(!sibling(&target, "previous").exists() && !sibling(&target, "new").exists());
    }

    #[test]
    fn a_stopped_run_or_swap_leaves_a_complete_set_that_is_found_and_taken_back() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("out");
        // A swap stopped between its renames: no target, the old set aside, a new set staged.
        let previous = sibling(&target, "previous");
        fs::create_dir(&previous).unwrap();
        write(&previous, "manifest.json", "old");
        fs::create_dir(sibling(&target, "new")).unwrap();
        assert_eq!(resolve(&target), previous);
        let s = Staging::begin(&target).unwrap();
        assert_eq!(fs::read_to_string(target.join("manifest.json")).unwrap(), "old");
        assert_eq!(fs::read_dir(s.dir()).unwrap().count(), 0, "the stopped run's files are cleared");
        drop(s);
        assert!(!sibling(&target, "new").exists(), "an uncommitted staging folder is removed");
        assert_eq!(resolve(&target), target);
    }

    #[test]
    fn a_second_run_into_the_same_folder_is_refused_while_the_first_holds_it() {
        let root = tempfile::tempdir().unwrap();
        let target = root.path().join("out");
        let first = Staging::begin(&target).unwrap();
        let e = Staging::begin(&target).err().unwrap().to_string();
        assert!(e.contains("другой запуск shnor") || e.contains("another shnor run"), "{e}");
        drop(first);
        Staging::begin(&target).unwrap();
    }
}
