//! Reading outside input without letting it decide how much is read.
//!
//! A predictions, labels or embeddings file may be a device
//! (`/dev/zero`), a stream with no end (`<(yes)`), a FIFO nobody writes,
//! or a line of gigabytes with no newline. Readers here
//!
//! * open without blocking on a FIFO that has no writer ([`open_input`]:
//!   `O_NONBLOCK`, so such a FIFO reads as empty);
//! * stop with an error naming the limit after [`MAX_INPUT_BYTES`] bytes
//!   ([`read_bounded`], [`Bounded`]) or, for text, a line longer than
//!   [`MAX_LINE_BYTES`] ([`Bounded`]).
//!
//! Memory is then bounded by what was actually read, never by what a header
//! promises.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

/// Most bytes read from one input file (4 GiB): a predictions CSV of
/// 10⁷ rows × 30 classes is about 2 GiB.
pub const MAX_INPUT_BYTES: u64 = 4 << 30;

/// Longest line of a text input (16 MiB): a CSV row of 10,000 classes
/// with 20-digit numbers is 0.2 MiB.
pub const MAX_LINE_BYTES: u64 = 16 << 20;

/// Open `path` for reading. On Unix a FIFO is opened without waiting for
/// its writer (without one it reads as empty); read it through
/// [`Bounded`], which waits for its data.
///
/// # Errors
///
/// The open's error.
pub fn open_input(path: &Path) -> io::Result<File> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
        if std::fs::metadata(path)?.file_type().is_fifo() {
            // Non-blocking: the open returns at once, and reads through
            // [`Bounded`] wait for data (retrying `WouldBlock`) and end when
            // the writer closes, or at once when there is none.
            return std::fs::OpenOptions::new()
                .read(true)
                .custom_flags(libc::O_NONBLOCK)
                .open(path);
        }
    }
    File::open(path)
}

/// A reader that fails once more than `max_total` bytes were read, or (when
/// `max_line` is set) once a line grows past `max_line` bytes.
#[derive(Debug)]
pub struct Bounded<R> {
    inner: R,
    read: u64,
    line: u64,
    max_total: u64,
    max_line: Option<u64>,
}

impl<R: Read> Bounded<R> {
    /// Limit `inner` to [`MAX_INPUT_BYTES`] and lines of
    /// [`MAX_LINE_BYTES`].
    pub fn text(inner: R) -> Self {
        Self::new(inner, MAX_INPUT_BYTES, Some(MAX_LINE_BYTES))
    }

    /// Limit `inner` to `max_total` bytes and, if given, lines of
    /// `max_line` bytes.
    pub fn new(inner: R, max_total: u64, max_line: Option<u64>) -> Self {
        Self {
            inner,
            read: 0,
            line: 0,
            max_total,
            max_line,
        }
    }
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = loop {
            match self.inner.read(buf) {
                // A FIFO opened by [`open_input`] whose writer has not
                // written yet.
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    std::thread::sleep(std::time::Duration::from_millis(5));
                }
                other => break other?,
            }
        };
        self.read += n as u64;
        if self.read > self.max_total {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "more than {} bytes (the limit of one input file); is it a device or a stream without end?",
                    self.max_total
                ),
            ));
        }
        if let Some(max_line) = self.max_line {
            for &b in &buf[..n] {
                if b == b'\n' {
                    self.line = 0;
                } else {
                    self.line += 1;
                }
            }
            if self.line > max_line {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!(
                        "a line longer than {max_line} bytes (the limit of one line) without a newline; is it a text file?"
                    ),
                ));
            }
        }
        Ok(n)
    }
}

/// Read all of `path`, at most `limit` bytes (else an error naming it).
///
/// # Errors
///
/// The I/O error, or `InvalidData` past `limit`.
pub fn read_bounded(path: &Path, limit: u64) -> io::Result<Vec<u8>> {
    let file = open_input(path)?;
    let mut bytes = Vec::new();
    Bounded::new(file, limit, None).read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// Most bytes of a JSON document triage reads (1 GiB).
pub const MAX_DOCUMENT_BYTES: u64 = 1 << 30;

/// Read `path` as UTF-8 text of at most [`MAX_DOCUMENT_BYTES`] bytes.
///
/// # Errors
///
/// As [`read_bounded`], and `InvalidData` for text that is not UTF-8.
pub fn read_document(path: &Path) -> io::Result<String> {
    String::from_utf8(read_bounded(path, MAX_DOCUMENT_BYTES)?)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endless_input_and_endless_lines_stop_at_their_limits() {
        let endless = io::repeat(b'a');
        let mut sink = Vec::new();
        let err = Bounded::new(endless, 1 << 20, Some(1000))
            .read_to_end(&mut sink)
            .unwrap_err();
        assert!(err.to_string().contains("1000 bytes"), "{err}");
        let lines = io::repeat(b'\n').take(5000);
        let mut sink = Vec::new();
        let err = Bounded::new(lines, 4096, Some(10))
            .read_to_end(&mut sink)
            .unwrap_err();
        assert!(err.to_string().contains("4096 bytes"), "{err}");
        let ok = io::repeat(b'\n').take(100);
        let mut sink = Vec::new();
        Bounded::new(ok, 4096, Some(10))
            .read_to_end(&mut sink)
            .unwrap();
        assert_eq!(sink.len(), 100);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn devices_and_fifos_without_a_writer_end_quickly() {
        let err = read_bounded(Path::new("/dev/zero"), 1 << 20).unwrap_err();
        assert!(err.to_string().contains("bytes"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("fifo");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if !made.is_ok_and(|s| s.success()) {
            return; // no mkfifo here
        }
        let started = std::time::Instant::now();
        assert!(read_bounded(&fifo, 1 << 20).unwrap().is_empty());
        assert!(started.elapsed().as_secs() < 5);
    }
}
