//! Limits on untrusted input: how large a file and how deep a document may be.
//!
//! Every reader of evidence, policies and data goes through [`read_limited`] and
//! [`check_depth`], so a 10 GB file or a document nested 10,000 deep is refused with an error
//! that names the file before any parser sees it.

#![allow(
    clippy::arithmetic_side_effects,
    clippy::indexing_slicing,
    reason = "offsets advanced within the length of the slice scanned; reads go through `get`"
)]

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::digest::Sha256Digest;

/// The limits in force for one run. Configurable from the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest input file accepted, in bytes.
    pub max_file_bytes: u64,
    /// The deepest nesting of arrays and objects accepted in a JSON or YAML document.
    pub max_depth: usize,
}

impl Default for Limits {
    /// 256 MiB and 128 levels: far above real SBOMs (a 50,000-component CycloneDX file is
    /// ~20 MB, nested under 20 deep) and far below what exhausts memory or the stack.
    fn default() -> Self {
        Limits {
            max_file_bytes: 256 * 1024 * 1024,
            max_depth: 128,
        }
    }
}

/// Why an input was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LimitError {
    /// The file could not be read.
    #[error("cannot read `{}`", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The path names a FIFO, a device, a socket or a directory: reading it could block
    /// forever or never end.
    #[error("`{}` is {kind}, not a regular file; give a file, or `-` for standard input", path.display())]
    NotRegular {
        /// The file.
        path: PathBuf,
        /// What it is instead.
        kind: &'static str,
    },
    /// The file is larger than [`Limits::max_file_bytes`].
    #[error("`{}` is larger than the limit of {limit} bytes", path.display())]
    TooLarge {
        /// The file.
        path: PathBuf,
        /// The limit.
        limit: u64,
    },
    /// The document nests deeper than [`Limits::max_depth`].
    #[error("`{}` nests deeper than the limit of {limit} levels (line {line}, column {column})", path.display())]
    TooDeep {
        /// The file.
        path: PathBuf,
        /// The limit.
        limit: usize,
        /// 1-based line where the limit was crossed.
        line: usize,
        /// 1-based column where the limit was crossed.
        column: usize,
        /// Byte offset where the limit was crossed.
        offset: usize,
    },
}

/// Opens `path` for reading only if it is a regular file (after following symlinks).
///
/// A FIFO, a socket or a character device (`/dev/zero`, `/dev/tty`) given as an input would
/// block a gate forever or feed it without end, outside any deadline (issue #12): they are
/// refused, as are directories. The file is opened without blocking and checked on the open
/// handle, so swapping the path for a FIFO between a check and the open changes nothing.
/// Standard input is read through `-`, never through its device path.
pub fn open_regular(path: &Path) -> Result<fs_err::File, LimitError> {
    let io = |source| LimitError::Io {
        path: path.to_owned(),
        source,
    };
    let mut options = fs_err::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use fs_err::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(io)?;
    let file_type = file.metadata().map_err(io)?.file_type();
    if !file_type.is_file() {
        return Err(LimitError::NotRegular {
            path: path.to_owned(),
            kind: file_kind(&file_type),
        });
    }
    Ok(file)
}

/// What kind of non-regular file this is, for the error message.
fn file_kind(file_type: &std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a FIFO";
        }
        if file_type.is_socket() {
            return "a socket";
        }
        if file_type.is_char_device() {
            return "a character device";
        }
        if file_type.is_block_device() {
            return "a block device";
        }
    }
    if file_type.is_dir() {
        "a directory"
    } else {
        "not a regular file"
    }
}

/// Reads a whole file (or standard input for `-`), refusing it once it exceeds the limit.
/// Reads at most `limit + 1` bytes, so a huge file costs no more than the limit. Only regular
/// files are read ([`open_regular`]).
pub fn read_limited(path: &Path, limits: &Limits) -> Result<Vec<u8>, LimitError> {
    let io = |source| LimitError::Io {
        path: path.to_owned(),
        source,
    };
    let (reader, expected): (Box<dyn Read>, u64) = if path == Path::new("-") {
        (Box::new(std::io::stdin().lock()), 0)
    } else {
        let file = open_regular(path)?;
        let length = file.metadata().map_or(0, |m| m.len());
        (Box::new(file), length)
    };
    // Size the buffer from the file's length when known, so reading does not reallocate.
    let expected = expected.min(limits.max_file_bytes);
    let mut bytes = Vec::with_capacity(usize::try_from(expected).unwrap_or(0).saturating_add(1));
    reader
        .take(limits.max_file_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(LimitError::TooLarge {
            path: path.to_owned(),
            limit: limits.max_file_bytes,
        });
    }
    Ok(bytes)
}

/// As [`read_limited`], into shared bytes, with their sha256. A regular file is read straight
/// into its final buffer, sized from its length (`Arc::from(Vec)` would copy every byte once
/// more), and hashed on another thread a chunk at a time as it is read, so that hashing a large
/// document takes no time of its own.
pub fn read_limited_hashed(
    path: &Path,
    limits: &Limits,
) -> Result<(Arc<[u8]>, Sha256Digest), LimitError> {
    OpenedFile::open(path, limits)?.read_hashed(path, limits)
}

/// A file opened to be read whole ([`read_limited_hashed`]), its buffer allocated by the
/// thread that opened it: a thread that hands the reading to another gets the memory back
/// into its own heap when it lets the bytes go, for what it allocates next.
#[derive(Debug)]
pub struct OpenedFile(Option<(fs_err::File, Arc<[u8]>)>);

impl OpenedFile {
    /// Opens `path` (a regular file within `limits`, or `-`) and allocates its buffer.
    pub fn open(path: &Path, limits: &Limits) -> Result<OpenedFile, LimitError> {
        if path == Path::new("-") {
            return Ok(OpenedFile(None));
        }
        let file = open_regular(path)?;
        let length = file
            .metadata()
            .map_err(|source| LimitError::Io {
                path: path.to_owned(),
                source,
            })?
            .len();
        if length > limits.max_file_bytes {
            return Err(LimitError::TooLarge {
                path: path.to_owned(),
                limit: limits.max_file_bytes,
            });
        }
        Ok(OpenedFile(
            usize::try_from(length)
                .ok()
                .map(|length| (file, zeroed(length))),
        ))
    }

    /// Reads the file into its buffer, hashing it as it is read.
    pub fn read_hashed(
        self,
        path: &Path,
        limits: &Limits,
    ) -> Result<(Arc<[u8]>, Sha256Digest), LimitError> {
        let read_whole = || {
            let bytes = read_limited(path, limits)?;
            let digest = Sha256Digest::of(&bytes);
            Ok((Arc::from(bytes), digest))
        };
        let Some((mut file, mut shared)) = self.0 else {
            return read_whole();
        };
        let io = |source| LimitError::Io {
            path: path.to_owned(),
            source,
        };
        let Some(buffer) = Arc::get_mut(&mut shared) else {
            return read_whole();
        };
        let (read, digest) = std::thread::scope(|scope| {
            let (sender, receiver) = std::sync::mpsc::channel::<&[u8]>();
            let hashing = std::thread::Builder::new()
                .name("stagegate-hash".to_owned())
                .spawn_scoped(scope, move || Sha256Digest::of_chunks(receiver));
            let mut rest = buffer;
            let mut read = Ok(());
            while !rest.is_empty() {
                let (chunk, tail) = rest.split_at_mut(rest.len().min(HASHED_CHUNK));
                if let Err(err) = file.read_exact(chunk) {
                    read = Err(err);
                    break;
                }
                // Without the hashing thread, the bytes are hashed once read.
                let _ = sender.send(chunk);
                rest = tail;
            }
            drop(sender);
            (read, hashing.ok().and_then(|handle| handle.join().ok()))
        });
        // A file that shrank or grew while it was read is read again, the general way.
        let mut more = [0u8; 1];
        match read {
            Ok(()) if file.read(&mut more).map_err(io)? == 0 => {
                let digest = digest.unwrap_or_else(|| Sha256Digest::of(&shared));
                Ok((shared, digest))
            }
            Ok(()) => read_whole(),
            Err(err) if err.kind() == std::io::ErrorKind::UnexpectedEof => read_whole(),
            Err(err) => Err(io(err)),
        }
    }
}

/// `length` zero bytes, shared. Allocated zeroed, so that memory fresh from the system is not
/// written (every page touched) before it is read into.
pub(crate) fn zeroed(length: usize) -> Arc<[u8]> {
    let zeroed = Arc::<[u8]>::new_zeroed_slice(length);
    // SAFETY: zero bytes are valid `u8`s, and the allocation is zeroed.
    unsafe { zeroed.assume_init() }
}

/// How much is read before it is handed to the hashing thread.
const HASHED_CHUNK: usize = 1 << 20;

/// Checks the bracket nesting of a JSON document (or YAML flow collections) without parsing
/// it: one pass over the bytes, skipping strings. Catches the "nested 10,000 deep" attack
/// before a recursive parser can overflow the stack.
pub fn check_depth(path: &Path, bytes: &[u8], limits: &Limits) -> Result<(), LimitError> {
    let mut depth = 0usize;
    let mut offset = 0usize;
    while let Some(&byte) = bytes.get(offset) {
        match byte {
            b'"' => match skip_string(bytes, offset) {
                Some(end) => offset = end,
                None => return Ok(()),
            },
            b'[' | b'{' => {
                depth += 1;
                if depth > limits.max_depth {
                    return Err(too_deep(path, bytes, offset, limits));
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        offset += 1;
    }
    Ok(())
}

/// The offset of the quote that closes the string opening at `start`; `None` when it is not
/// closed. Strings are most of a JSON document's bytes: this jumps from quote to backslash.
pub(crate) fn skip_string(bytes: &[u8], start: usize) -> Option<usize> {
    let mut at = start + 1;
    loop {
        let found = memchr::memchr2(b'"', b'\\', bytes.get(at..)?)?;
        if bytes.get(at + found) == Some(&b'\\') {
            at += found + 2;
        } else {
            return Some(at + found);
        }
    }
}

/// The error for a document that crosses the depth limit at `offset`.
pub(crate) fn too_deep(path: &Path, bytes: &[u8], offset: usize, limits: &Limits) -> LimitError {
    let (line, column) = line_column(bytes, offset);
    LimitError::TooDeep {
        path: path.to_owned(),
        limit: limits.max_depth,
        line,
        column,
        offset,
    }
}

/// 1-based line and column of a byte offset.
pub fn line_column(bytes: &[u8], offset: usize) -> (usize, usize) {
    let before = bytes.get(..offset).unwrap_or(bytes);
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    (line, offset - line_start + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_nesting_is_refused_with_position() {
        let doc = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let err = check_depth(Path::new("x.json"), doc.as_bytes(), &Limits::default());
        match err {
            Err(LimitError::TooDeep { line, column, .. }) => assert_eq!((line, column), (1, 129)),
            other => panic!("expected TooDeep, got {other:?}"),
        }
    }

    #[test]
    fn brackets_in_strings_do_not_count() {
        let doc = format!("{{\"a\": \"{}\\\"\"}}", "[".repeat(500));
        assert!(check_depth(Path::new("x.json"), doc.as_bytes(), &Limits::default()).is_ok());
    }

    #[test]
    fn escaped_quotes_do_not_end_a_string() {
        let doc = br#"{"a": "x\"[[[[", "b": "\\", "c": [1]}"#;
        let limits = Limits {
            max_depth: 2,
            ..Limits::default()
        };
        assert!(check_depth(Path::new("x.json"), doc, &limits).is_ok());
        let deeper = br#"{"a": "\\", "c": [[1]]}"#;
        assert!(check_depth(Path::new("x.json"), deeper, &limits).is_err());
    }

    /// Regression for issue #12 point 11: a FIFO given as an input blocked forever.
    #[cfg(unix)]
    #[test]
    fn fifos_devices_and_directories_are_refused() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let fifo = dir.path().join("sbom.json");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.is_ok_and(|s| s.success()), "mkfifo");
        for (path, kind) in [
            (fifo.as_path(), "a FIFO"),
            (Path::new("/dev/zero"), "a character device"),
            (dir.path(), "a directory"),
        ] {
            match read_limited(path, &Limits::default()) {
                Err(LimitError::NotRegular { kind: found, .. }) => assert_eq!(found, kind),
                other => panic!("expected {path:?} to be refused, got {other:?}"),
            }
        }
    }

    #[test]
    fn read_and_hashed_in_chunks() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("evidence.json");
        for length in [0, 1, HASHED_CHUNK, 2 * HASHED_CHUNK + 3] {
            let bytes: Vec<u8> = (0..length).map(|i| (i % 251) as u8).collect();
            fs_err::write(&path, &bytes).unwrap_or_else(|e| panic!("{e}"));
            let read = read_limited_hashed(&path, &Limits::default());
            let (shared, digest) = read.unwrap_or_else(|e| panic!("{length}: {e}"));
            assert_eq!(&shared[..], &bytes[..], "{length}");
            assert_eq!(digest, Sha256Digest::of(&bytes), "{length}");
        }
        let limits = Limits {
            max_file_bytes: 10,
            ..Limits::default()
        };
        assert!(matches!(
            read_limited_hashed(&path, &limits),
            Err(LimitError::TooLarge { .. })
        ));
    }

    #[test]
    fn line_column_counts_from_one() {
        assert_eq!(line_column(b"ab\ncd", 4), (2, 2));
        assert_eq!(line_column(b"ab", 0), (1, 1));
    }
}
