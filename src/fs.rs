//! The one atomic writer: every file stagegate writes (reports, evidence, bundles, keys) goes
//! through [`write_all`], [`write`] or [`write_with`].
//!
//! What a target path gets:
//! - a **new path** or an existing **regular file**: the content goes to a temporary file in
//!   the target's directory, then a rename puts it in place, so a reader never sees half a
//!   file (an existing file's permissions are kept; a new one is `0644`);
//! - a **symlink**: resolved (to its final target, even a missing one), and the target is
//!   written as above; the link itself stays;
//! - a **character device** (`/dev/null`, a terminal), a **FIFO** or a `/dev/fd/N`,
//!   `/proc/self/fd/N` path (`/dev/stdout`): written through, never replaced. A FIFO without
//!   a reader is an error, not a hang;
//! - a directory, a socket or a block device: an error.
//!
//! [`write_all`] writes several files so that either all appear or none does: everything is
//! staged first, then renamed; when a rename fails, the files already renamed are put back
//! as they were (an existing file is kept aside by a hard link until the end, where the file
//! system allows hard links; elsewhere a rollback removes the new file). The
//! [`Committed`] result can also undo the whole group later, for a caller whose next step
//! fails. [`check_distinct`] refuses outputs that name the same file as each other or as an
//! input.
//!
//! No fsync: these are reports and evidence, not a database, and syncing an 80 MB evidence
//! document costs more than collecting it.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Why a file could not be written.
#[derive(Debug, thiserror::Error)]
pub enum FsError {
    /// An I/O error on a path.
    #[error("cannot write `{path}`")]
    Io {
        /// The path.
        path: PathBuf,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// The output is a directory, a socket or a block device.
    #[error("cannot write `{path}`: it is a {kind}")]
    NotAFile {
        /// The path.
        path: PathBuf,
        /// What it is.
        kind: &'static str,
    },
    /// A symlink chain too long (or a loop).
    #[error("cannot write `{0}`: too many levels of symbolic links")]
    SymlinkLoop(PathBuf),
    /// A FIFO nobody reads.
    #[error("cannot write `{0}`: it is a FIFO with no reader")]
    NoReader(PathBuf),
    /// Two outputs, or an output and an input, are the same file.
    #[error("{first} and {second} are the same file `{path}`")]
    Collision {
        /// The first use (e.g. "`--bundle-out`").
        first: String,
        /// The second use.
        second: String,
        /// The path.
        path: PathBuf,
    },
}

fn io(path: &Path) -> impl Fn(std::io::Error) -> FsError + '_ {
    move |source| FsError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Where an output path really goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A path to create or a regular file to replace by rename (symlinks resolved).
    Replace(PathBuf),
    /// A device, FIFO or `/dev/fd` path, written in place.
    WriteThrough(PathBuf),
}

impl Target {
    /// The path written.
    pub fn path(&self) -> &Path {
        match self {
            Target::Replace(p) | Target::WriteThrough(p) => p,
        }
    }
}

/// The most symlinks followed.
const MAX_LINKS: usize = 40;

/// Resolves `path`: follows symlinks to the file they name (which may not exist yet) and says
/// whether it is replaced by rename or written through.
pub fn resolve(path: &Path) -> Result<Target, FsError> {
    let mut current = path.to_owned();
    for _ in 0..MAX_LINKS {
        if is_fd_path(&current) {
            return Ok(Target::WriteThrough(path.to_owned()));
        }
        let meta = match std::fs::symlink_metadata(&current) {
            Ok(meta) => meta,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Target::Replace(current));
            }
            Err(err) => return Err(io(&current)(err)),
        };
        let kind = meta.file_type();
        if kind.is_symlink() {
            let link = std::fs::read_link(&current).map_err(io(&current))?;
            current = match current.parent() {
                Some(dir) if link.is_relative() => dir.join(link),
                _ => link,
            };
            continue;
        }
        if kind.is_file() {
            return Ok(Target::Replace(current));
        }
        if kind.is_dir() {
            return Err(FsError::NotAFile {
                path: path.to_owned(),
                kind: "directory",
            });
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::FileTypeExt;
            if kind.is_char_device() || kind.is_fifo() {
                return Ok(Target::WriteThrough(current));
            }
            if kind.is_socket() {
                return Err(FsError::NotAFile {
                    path: path.to_owned(),
                    kind: "socket",
                });
            }
        }
        return Err(FsError::NotAFile {
            path: path.to_owned(),
            kind: "block device or special file",
        });
    }
    Err(FsError::SymlinkLoop(path.to_owned()))
}

/// `/dev/fd/N`, `/dev/stdout`-like and `/proc/…/fd/N` paths: the open file of a process,
/// which a rename could never reach.
fn is_fd_path(path: &Path) -> bool {
    let text = path.to_string_lossy();
    text.starts_with("/dev/fd/")
        || matches!(&*text, "/dev/stdout" | "/dev/stderr" | "/dev/stdin")
        || (text.starts_with("/proc/") && text.contains("/fd/"))
}

/// Writes one file ([`write_all`] with one entry).
pub fn write(path: &Path, bytes: &[u8]) -> Result<(), FsError> {
    write_all(&[(path, bytes)])?.keep();
    Ok(())
}

/// Like [`write`], with the content streamed by `write` (no copy in memory).
pub fn write_with(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), FsError> {
    match resolve(path)? {
        Target::Replace(target) => {
            let staged = stage(path, &target, write)?;
            let mut committed = Committed::default();
            committed.rename(staged)?;
            committed.keep();
            Ok(())
        }
        Target::WriteThrough(target) => write_through(&target, write),
    }
}

/// Writes several files so that either all of them appear or none does: each regular one goes
/// to a temporary file beside its target first; they are renamed into place only once all
/// were written, and a failed rename puts back the ones already renamed. Devices and FIFOs
/// are written last. The result can undo the whole group ([`Committed::roll_back`]); drop or
/// [`Committed::keep`] it to keep the files.
pub fn write_all(files: &[(&Path, &[u8])]) -> Result<Committed, FsError> {
    let mut staged = Vec::new();
    let mut through = Vec::new();
    for (path, bytes) in files {
        match resolve(path)? {
            Target::Replace(target) => {
                staged.push(stage(path, &target, |file| file.write_all(bytes))?);
            }
            Target::WriteThrough(target) => through.push((target, *bytes)),
        }
    }
    let mut committed = Committed::default();
    for file in staged {
        if let Err(err) = committed.rename(file) {
            committed.roll_back();
            return Err(err);
        }
    }
    for (target, bytes) in through {
        if let Err(err) = write_through(&target, |file| file.write_all(bytes)) {
            committed.roll_back();
            return Err(err);
        }
    }
    Ok(committed)
}

/// The files a [`write_all`] put in place, with what they replaced.
#[derive(Debug, Default)]
#[must_use = "drop or `keep()` keeps the files; `roll_back()` undoes them"]
pub struct Committed {
    /// (target, the hard link keeping the file it replaced).
    done: Vec<(PathBuf, Option<PathBuf>)>,
}

impl Committed {
    fn rename(&mut self, staged: Staged) -> Result<(), FsError> {
        let target = staged.target.clone();
        // Keep what is there aside, to put it back on a rollback.
        let backup = if target.is_file() {
            let backup = temp_name(&target, "old");
            std::fs::hard_link(&target, &backup).ok().map(|()| backup)
        } else {
            None
        };
        match staged.temp.persist(&target) {
            Ok(_) => {
                self.done.push((target, backup));
                Ok(())
            }
            Err(err) => {
                if let Some(backup) = backup {
                    let _ = std::fs::remove_file(backup);
                }
                Err(FsError::Io {
                    path: staged.shown,
                    source: err.error,
                })
            }
        }
    }

    /// The paths written (symlinks resolved).
    pub fn paths(&self) -> impl Iterator<Item = &Path> {
        self.done.iter().map(|(p, _)| p.as_path())
    }

    /// Keeps the files.
    pub fn keep(mut self) {
        for (_, backup) in self.done.drain(..) {
            if let Some(backup) = backup {
                let _ = std::fs::remove_file(backup);
            }
        }
    }

    /// Removes every file put in place, restoring the files they replaced. Returns the paths
    /// that could not be removed or restored.
    pub fn roll_back(mut self) -> Vec<PathBuf> {
        let mut left = Vec::new();
        for (target, backup) in self.done.drain(..).rev() {
            let undone = match backup {
                Some(backup) => std::fs::rename(&backup, &target),
                None => std::fs::remove_file(&target),
            };
            if undone.is_err() {
                left.push(target);
            }
        }
        left
    }
}

impl Drop for Committed {
    fn drop(&mut self) {
        for (_, backup) in self.done.drain(..) {
            if let Some(backup) = backup {
                let _ = std::fs::remove_file(backup);
            }
        }
    }
}

/// A file written to a temporary file beside its target, not yet in place.
struct Staged {
    temp: tempfile::NamedTempFile,
    target: PathBuf,
    shown: PathBuf,
}

fn temp_name(target: &Path, what: &str) -> PathBuf {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    target.with_file_name(format!(".{name}.stagegate-{what}-{}", uuid::Uuid::now_v7()))
}

fn stage(
    shown: &Path,
    target: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<Staged, FsError> {
    stage_with_mode(shown, target, None, write)
}

fn stage_with_mode(
    shown: &Path,
    target: &Path,
    private: Option<u32>,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<Staged, FsError> {
    let dir = target
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let fail = io(shown);
    let mut temp = tempfile::Builder::new()
        .prefix(".stagegate-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(&fail)?;
    if private.is_some() {
        // A secret: on disk before the rename, so a crash leaves the old key or the new one.
        write(temp.as_file_mut()).map_err(&fail)?;
        temp.as_file().sync_all().map_err(&fail)?;
        return Ok(Staged {
            temp,
            target: target.to_owned(),
            shown: shown.to_owned(),
        });
    }
    {
        let mut buffered = std::io::BufWriter::new(temp.as_file_mut());
        write(&mut buffered).map_err(&fail)?;
        buffered.flush().map_err(&fail)?;
    }
    // Reports and evidence are not secrets: readable like any file the user writes (a
    // temporary file starts as 0600), or as the file replaced was.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(target)
            .map(|m| m.permissions().mode() & 0o7777)
            .unwrap_or(0o644);
        temp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(mode))
            .map_err(&fail)?;
    }
    Ok(Staged {
        temp,
        target: target.to_owned(),
        shown: shown.to_owned(),
    })
}

/// Writes a secret (a private key): mode `0600` from the start (a temporary file is created
/// `0600`), synced, renamed into place; symlinks are resolved as for [`write`]. A device or
/// FIFO is refused: a private key goes to a file.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<(), FsError> {
    match resolve(path)? {
        Target::Replace(target) => {
            let staged = stage_with_mode(path, &target, Some(0o600), |file| file.write_all(bytes))?;
            let mut committed = Committed::default();
            committed.rename(staged)?;
            committed.keep();
            Ok(())
        }
        Target::WriteThrough(_) => Err(FsError::NotAFile {
            path: path.to_owned(),
            kind: "device or FIFO (a private key goes to a file)",
        }),
    }
}

/// Writes into a device or FIFO in place. A FIFO is opened without blocking, so one without
/// a reader is an error rather than a hang; writes then block as usual.
fn write_through(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), FsError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32);
    }
    let file = options.open(path).map_err(|err| {
        if err.raw_os_error() == Some(rustix::io::Errno::NXIO.raw_os_error()) {
            FsError::NoReader(path.to_owned())
        } else {
            io(path)(err)
        }
    })?;
    #[cfg(unix)]
    {
        let flags = rustix::fs::fcntl_getfl(&file).map_err(|e| io(path)(e.into()))?;
        rustix::fs::fcntl_setfl(&file, flags.difference(rustix::fs::OFlags::NONBLOCK))
            .map_err(|e| io(path)(e.into()))?;
    }
    let mut buffered = std::io::BufWriter::new(file);
    write(&mut buffered).map_err(io(path))?;
    buffered.flush().map_err(io(path))
}

/// Whether two paths name the same file (after symlinks): the same inode when both exist,
/// else the same resolved path.
pub fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let (Ok(x), Ok(y)) = (std::fs::metadata(a), std::fs::metadata(b)) {
            return x.dev() == y.dev() && x.ino() == y.ino();
        }
    }
    match (canonical_target(a), canonical_target(b)) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

/// The absolute path a (possibly missing) output resolves to.
fn canonical_target(path: &Path) -> Option<PathBuf> {
    let target = match resolve(path).ok()? {
        Target::Replace(p) => p,
        Target::WriteThrough(_) => return None,
    };
    if let Ok(p) = std::fs::canonicalize(&target) {
        return Some(p);
    }
    let name = target.file_name()?;
    let dir = target
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    Some(std::fs::canonicalize(dir).ok()?.join(name))
}

/// Refuses outputs that are the same file as another output or as an input. Devices, FIFOs
/// and `/dev/fd` paths are written through and may repeat; `-` (standard input) is no file.
pub fn check_distinct(
    outputs: &[(String, &Path)],
    inputs: &[(String, &Path)],
) -> Result<(), FsError> {
    let replaced: Vec<&(String, &Path)> = outputs
        .iter()
        .filter(|(_, p)| matches!(resolve(p), Ok(Target::Replace(_))))
        .collect();
    for (i, (first, a)) in replaced.iter().enumerate() {
        for (second, b) in replaced.iter().skip(i.saturating_add(1)) {
            if same_file(a, b) {
                return Err(FsError::Collision {
                    first: first.clone(),
                    second: second.clone(),
                    path: a.to_path_buf(),
                });
            }
        }
        for (input, b) in inputs {
            if b.as_os_str() != "-" && same_file(a, b) {
                return Err(FsError::Collision {
                    first: first.clone(),
                    second: format!("the input {input}"),
                    path: a.to_path_buf(),
                });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir() -> tempfile::TempDir {
        tempfile::tempdir().unwrap()
    }

    #[test]
    fn files_appear_together_or_not_at_all() {
        let dir = dir();
        let first = dir.path().join("first.json");
        let missing = dir.path().join("no-such-dir/second.xml");
        assert!(write_all(&[(&first, b"1"), (&missing, b"2")]).is_err());
        assert!(!first.exists(), "the first file waits for the second");

        // A rename that fails (the target is a directory) undoes the first one.
        fs_err::write(&first, b"old").unwrap();
        let taken = dir.path().join("taken");
        fs_err::create_dir(&taken).unwrap();
        assert!(write_all(&[(&first, b"new"), (&taken, b"2")]).is_err());
        assert_eq!(fs_err::read(&first).unwrap(), b"old");

        let second = dir.path().join("second.xml");
        write_all(&[(&first, b"1"), (&second, b"2")])
            .unwrap()
            .keep();
        assert_eq!(fs_err::read(&first).unwrap(), b"1");
        assert_eq!(fs_err::read(&second).unwrap(), b"2");
        let names: Vec<_> = fs_err::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 3, "no temporary or backup file is left");
    }

    #[test]
    fn roll_back_restores() {
        let dir = dir();
        let old = dir.path().join("old.json");
        let new = dir.path().join("new.json");
        fs_err::write(&old, b"before").unwrap();
        let committed = write_all(&[(&old, b"after"), (&new, b"x")]).unwrap();
        assert_eq!(fs_err::read(&old).unwrap(), b"after");
        assert!(committed.roll_back().is_empty());
        assert_eq!(fs_err::read(&old).unwrap(), b"before");
        assert!(!new.exists());
        assert_eq!(fs_err::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_are_resolved_and_kept() {
        let dir = dir();
        let target = dir.path().join("real.json");
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink("real.json", &link).unwrap();
        // Dangling: the target is created, the link stays.
        write(&link, b"1").unwrap();
        assert!(
            fs_err::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs_err::read(&target).unwrap(), b"1");
        write(&link, b"2").unwrap();
        assert!(
            fs_err::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs_err::read(&target).unwrap(), b"2");

        let looped = dir.path().join("loop");
        std::os::unix::fs::symlink("loop", &looped).unwrap();
        assert!(matches!(write(&looped, b"x"), Err(FsError::SymlinkLoop(_))));
    }

    #[cfg(unix)]
    #[test]
    fn devices_and_fifos_are_written_through() {
        use std::os::unix::fs::FileTypeExt;
        write(Path::new("/dev/null"), b"x").unwrap();
        assert!(
            fs_err::metadata("/dev/null")
                .unwrap()
                .file_type()
                .is_char_device()
        );
        let dir = dir();
        let fifo = dir.path().join("fifo");
        rustix::fs::mkfifoat(rustix::fs::CWD, &fifo, rustix::fs::Mode::from(0o600)).unwrap();
        // No reader: an error, not a hang.
        assert!(matches!(write(&fifo, b"x"), Err(FsError::NoReader(_))));
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || fs_err::read(fifo).unwrap())
        };
        // Wait for the reader to open its end.
        let mut result = write(&fifo, b"through");
        for _ in 0..200 {
            if !matches!(result, Err(FsError::NoReader(_))) {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
            result = write(&fifo, b"through");
        }
        result.unwrap();
        assert_eq!(reader.join().unwrap(), b"through");
        assert!(fs_err::metadata(&fifo).unwrap().file_type().is_fifo());
        assert!(matches!(
            write(dir.path(), b"x"),
            Err(FsError::NotAFile { .. })
        ));
    }

    #[test]
    fn collisions() {
        let dir = dir();
        let a = dir.path().join("a.json");
        let b = dir.path().join("sub/../a.json");
        fs_err::create_dir(dir.path().join("sub")).unwrap();
        let c = dir.path().join("c.json");
        let err = check_distinct(
            &[("`--bundle-out`".into(), &a), ("`--format`".into(), &b)],
            &[],
        )
        .unwrap_err();
        assert!(matches!(err, FsError::Collision { .. }), "{err}");
        fs_err::write(&c, b"{}").unwrap();
        assert!(check_distinct(&[("`-o`".into(), &c)], &[("`--sbom`".into(), &c)]).is_err());
        assert!(check_distinct(&[("`-o`".into(), &a)], &[("`--sbom`".into(), &c)]).is_ok());
        let null = Path::new("/dev/null");
        assert!(check_distinct(&[("x".into(), null), ("y".into(), null)], &[]).is_ok());
    }
}
