//! True line numbers for CSV records and errors.
//!
//! The `csv` crate's [`csv::Position::line`] does not count the blank lines
//! it skips, so a bad row on line 10 after two blank lines was reported as
//! line 8; and a record's [`csv::Position::byte`] is where the parser
//! started, before those blank lines. [`track_lines`] wraps the input and
//! notes, as the CSV reader consumes it, the byte offset of every newline
//! and whether its line was blank (empty, or a lone `\r`);
//! [`Lines::line_of`] takes a record's byte offset to its line, then skips
//! the blank lines the parser skipped. Memory: 16 bytes per line.

use std::cell::RefCell;
use std::io::Read;
use std::rc::Rc;

/// A reader that records where its newlines are.
pub(crate) struct LineTracking<R> {
    inner: R,
    consumed: u64,
    /// Whether the line being read so far holds a byte other than `\r`.
    content: bool,
    newlines: Rc<RefCell<Vec<Newline>>>,
}

/// The end of one line.
#[derive(Clone, Copy)]
struct Newline {
    /// Byte offset of the `\n`.
    offset: u64,
    /// Whether the line it ends was blank.
    blank: bool,
}

/// The newlines seen so far by a [`LineTracking`] reader.
#[derive(Clone)]
pub(crate) struct Lines(Rc<RefCell<Vec<Newline>>>);

/// Wrap `inner`; the [`Lines`] answers for the bytes it has read.
pub(crate) fn track_lines<R: Read>(inner: R) -> (LineTracking<R>, Lines) {
    let newlines = Rc::new(RefCell::new(Vec::new()));
    let lines = Lines(Rc::clone(&newlines));
    let reader = LineTracking {
        inner,
        consumed: 0,
        content: false,
        newlines,
    };
    (reader, lines)
}

impl<R: Read> Read for LineTracking<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let mut newlines = self.newlines.borrow_mut();
        for (i, &b) in buf[..n].iter().enumerate() {
            match b {
                b'\n' => {
                    newlines.push(Newline {
                        offset: self.consumed + i as u64,
                        blank: !self.content,
                    });
                    self.content = false;
                }
                b'\r' => {}
                _ => self.content = true,
            }
        }
        self.consumed += n as u64;
        Ok(n)
    }
}

impl Lines {
    /// The 1-based line of the first non-blank line at or after byte
    /// `offset`.
    pub(crate) fn line_at(&self, offset: u64) -> u64 {
        let newlines = self.0.borrow();
        // 0-based index of the line holding `offset`.
        let mut line = newlines.partition_point(|nl| nl.offset < offset);
        while newlines.get(line).is_some_and(|nl| nl.blank) {
            line += 1;
        }
        line as u64 + 1
    }

    /// The line where a record (or an error's record) starts.
    pub(crate) fn line_of(&self, position: &csv::Position) -> u64 {
        self.line_at(position.byte())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blank_lines_are_counted() {
        let text = "a,b\n\n1,2\n\r\n\n3,4\n";
        let (reader, lines) = track_lines(text.as_bytes());
        let mut csv = csv::ReaderBuilder::new().from_reader(reader);
        let found: Vec<u64> = csv
            .records()
            .map(|r| lines.line_of(r.unwrap().position().unwrap()))
            .collect();
        assert_eq!(found, [3, 6]);
    }
}
