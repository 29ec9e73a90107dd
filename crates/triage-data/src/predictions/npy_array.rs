//! A small, defensive reader for numeric `.npy` arrays.
//!
//! The format (magic `\x93NUMPY`, version, header length, a Python dict
//! literal `{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }`,
//! then the raw data) is parsed here rather than by `npyz`, because that
//! crate computes the element count with unchecked arithmetic and
//! preallocates from the header's shape: a corrupt header could make it
//! panic or abort. Here every size is checked against the bytes present.

/// Element type of an array.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Elem {
    /// IEEE float of this many bytes (4 or 8).
    Float(usize),
    /// Signed integer of this many bytes (1, 2, 4 or 8).
    Int(usize),
    /// Unsigned integer of this many bytes (1, 2, 4 or 8).
    Uint(usize),
}

impl Elem {
    fn size(self) -> usize {
        match self {
            Elem::Float(size) | Elem::Int(size) | Elem::Uint(size) => size,
        }
    }
}

/// A parsed array: header fields and its raw data.
#[derive(Debug)]
pub(super) struct NpyArray {
    /// The dtype as written (`<f4`).
    pub(super) descr: String,
    /// The element type, or `None` for one this reader does not support.
    pub(super) elem: Option<Elem>,
    big_endian: bool,
    pub(super) fortran_order: bool,
    pub(super) shape: Vec<usize>,
    /// Exactly `shape.product() × size` bytes (empty if `elem` is `None`).
    data: Vec<u8>,
}

const MAGIC: &[u8] = b"\x93NUMPY";

impl NpyArray {
    /// Parse the bytes of a `.npy` file.
    ///
    /// # Errors
    /// A reason, for a file that is not a well-formed `.npy` array.
    pub(super) fn parse(mut bytes: Vec<u8>) -> Result<Self, String> {
        if !bytes.starts_with(MAGIC) {
            return Err("missing the \\x93NUMPY magic string".to_owned());
        }
        let (major, minor) = match bytes.get(6..8) {
            Some(&[major, minor]) => (major, minor),
            _ => return Err("file ends inside the preamble".to_owned()),
        };
        let (header_len, header_start) = match major {
            1 => (
                bytes
                    .get(8..10)
                    .map(|b| usize::from(u16::from_le_bytes([b[0], b[1]]))),
                10usize,
            ),
            2 | 3 => (
                bytes.get(8..12).and_then(|b| {
                    usize::try_from(u32::from_le_bytes([b[0], b[1], b[2], b[3]])).ok()
                }),
                12,
            ),
            _ => return Err(format!("unsupported format version {major}.{minor}")),
        };
        let header_len = header_len.ok_or("file ends inside the preamble")?;
        let data_start = header_start
            .checked_add(header_len)
            .ok_or("header is too long")?;
        let header = bytes.get(header_start..data_start).ok_or_else(|| {
            format!(
                "header of {header_len} bytes is longer than the file ({} bytes)",
                bytes.len()
            )
        })?;
        // Versions 1 and 2 are latin-1, version 3 UTF-8; the keys and values
        // that matter are ASCII either way.
        let text: String = header.iter().map(|&b| char::from(b)).collect();
        let header = Header::parse(&text)?;

        let (elem, big_endian) = parse_descr(&header.descr)?;
        let count = header
            .shape
            .iter()
            .try_fold(1usize, |acc, &dim| acc.checked_mul(dim))
            .ok_or_else(|| format!("shape {} is too large", shape_text(&header.shape)))?;
        let data = match elem {
            Some(elem) => {
                let needed = count
                    .checked_mul(elem.size())
                    .ok_or_else(|| format!("shape {} is too large", shape_text(&header.shape)))?;
                let present = bytes.len() - data_start;
                if present < needed {
                    return Err(format!(
                        "truncated: shape {} of {} needs {needed} data bytes, found {present}",
                        shape_text(&header.shape),
                        header.descr
                    ));
                }
                let mut data = bytes.split_off(data_start);
                data.truncate(needed);
                data
            }
            None => Vec::new(),
        };
        Ok(Self {
            descr: header.descr,
            elem,
            big_endian,
            fortran_order: header.fortran_order,
            shape: header.shape,
            data,
        })
    }

    /// The elements as f64, in storage order; `None` unless a float array.
    pub(super) fn floats(&self) -> Option<Vec<f64>> {
        let big = self.big_endian;
        match self.elem? {
            Elem::Float(4) => Some(
                self.data
                    .chunks_exact(4)
                    .map(|b| f64::from(f32::from_bits(word(b, big) as u32)))
                    .collect(),
            ),
            Elem::Float(8) => Some(
                self.data
                    .chunks_exact(8)
                    .map(|b| f64::from_bits(word(b, big)))
                    .collect(),
            ),
            _ => None,
        }
    }

    /// The elements as i128 (which holds every i64 and u64), in storage
    /// order; `None` unless an integer array.
    pub(super) fn integers(&self) -> Option<Vec<i128>> {
        let big = self.big_endian;
        match self.elem? {
            Elem::Int(size) => Some(
                self.data
                    .chunks_exact(size)
                    .map(|b| {
                        // Sign-extend from `size` bytes.
                        let shift = 64 - 8 * size as u32;
                        i128::from(((word(b, big) << shift) as i64) >> shift)
                    })
                    .collect(),
            ),
            Elem::Uint(size) => Some(
                self.data
                    .chunks_exact(size)
                    .map(|b| i128::from(word(b, big)))
                    .collect(),
            ),
            Elem::Float(_) => None,
        }
    }
}

/// The unsigned value of up to 8 bytes in the given byte order.
fn word(bytes: &[u8], big_endian: bool) -> u64 {
    let fold = |acc: u64, &b: &u8| (acc << 8) | u64::from(b);
    if big_endian {
        bytes.iter().fold(0, fold)
    } else {
        bytes.iter().rev().fold(0, fold)
    }
}

/// Element type and byte order of a dtype string such as `<f8` or `|u1`.
/// An unsupported but well-formed dtype gives `Ok((None, _))`.
fn parse_descr(descr: &str) -> Result<(Option<Elem>, bool), String> {
    let (big_endian, rest) = match descr.as_bytes().first() {
        Some(b'<' | b'|') => (false, &descr[1..]),
        Some(b'>') => (true, &descr[1..]),
        Some(b'=') => (cfg!(target_endian = "big"), &descr[1..]),
        Some(_) => (cfg!(target_endian = "big"), descr),
        None => return Err("empty dtype".to_owned()),
    };
    let mut chars = rest.chars();
    let kind = chars.next();
    let size = chars.as_str().parse::<usize>().ok();
    let elem = match (kind, size) {
        (Some('f'), Some(size @ (4 | 8))) => Some(Elem::Float(size)),
        (Some('i'), Some(size @ (1 | 2 | 4 | 8))) => Some(Elem::Int(size)),
        (Some('u'), Some(size @ (1 | 2 | 4 | 8))) => Some(Elem::Uint(size)),
        _ => None,
    };
    Ok((elem, big_endian))
}

/// The three header keys.
#[derive(Debug)]
struct Header {
    descr: String,
    fortran_order: bool,
    shape: Vec<usize>,
}

/// A header value this reader understands.
#[derive(Debug)]
enum Value {
    Str(String),
    Bool(bool),
    /// A tuple or list of non-negative integers.
    Ints(Vec<usize>),
    /// Anything else (a structured dtype's list of fields, say).
    Other,
}

impl Header {
    /// Parse the dict literal. Nesting is not followed (no recursion), so a
    /// hostile header cannot exhaust the stack.
    fn parse(text: &str) -> Result<Self, String> {
        let mut cursor = Cursor {
            text: text.trim_end_matches(['\n', ' ', '\0']),
            pos: 0,
        };
        cursor.expect('{')?;
        let (mut descr, mut fortran_order, mut shape) = (None, None, None);
        loop {
            if cursor.eat('}') {
                break;
            }
            let key = match cursor.value()? {
                Value::Str(key) => key,
                _ => return Err("header keys must be strings".to_owned()),
            };
            cursor.expect(':')?;
            let value = cursor.value()?;
            match (key.as_str(), value) {
                ("descr", Value::Str(s)) => descr = Some(s),
                ("descr", _) => return Err("structured dtypes are not supported".to_owned()),
                ("fortran_order", Value::Bool(b)) => fortran_order = Some(b),
                ("shape", Value::Ints(dims)) => shape = Some(dims),
                ("fortran_order" | "shape", _) => return Err(format!("bad `{key}` in header")),
                _ => {}
            }
            if !cursor.eat(',') {
                cursor.expect('}')?;
                break;
            }
        }
        let missing = |key: &str| format!("header has no `{key}`");
        Ok(Self {
            descr: descr.ok_or_else(|| missing("descr"))?,
            fortran_order: fortran_order.ok_or_else(|| missing("fortran_order"))?,
            shape: shape.ok_or_else(|| missing("shape"))?,
        })
    }
}

/// Position in the header text.
struct Cursor<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Cursor<'a> {
    fn rest(&self) -> &'a str {
        self.text.get(self.pos..).unwrap_or_default()
    }

    fn skip_space(&mut self) {
        let rest = self.rest();
        self.pos += rest.len() - rest.trim_start().len();
    }

    /// Consume `c` (after spaces) if it is next.
    fn eat(&mut self, c: char) -> bool {
        self.skip_space();
        if self.rest().starts_with(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, c: char) -> Result<(), String> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(format!(
                "malformed header: expected `{c}` at byte {}",
                self.pos
            ))
        }
    }

    /// A string, `True`/`False`, or a flat tuple/list of integers; a nested
    /// sequence is skipped to its closing bracket and gives [`Value::Other`].
    fn value(&mut self) -> Result<Value, String> {
        self.skip_space();
        let rest = self.rest();
        if let Some(quote) = rest.chars().next().filter(|&c| c == '\'' || c == '"') {
            let body = &rest[1..];
            let end = body
                .find(quote)
                .ok_or("malformed header: unterminated string")?;
            self.pos += end + 2;
            return Ok(Value::Str(body[..end].to_owned()));
        }
        for (word, value) in [("True", true), ("False", false)] {
            if rest.starts_with(word) {
                self.pos += word.len();
                return Ok(Value::Bool(value));
            }
        }
        if rest.starts_with(['(', '[']) {
            return self.sequence();
        }
        Err(format!(
            "malformed header: unexpected value at byte {}",
            self.pos
        ))
    }

    fn sequence(&mut self) -> Result<Value, String> {
        let bytes = self.rest().as_bytes();
        let mut depth = 0usize;
        let mut end = None;
        for (i, &b) in bytes.iter().enumerate() {
            match b {
                b'(' | b'[' => depth += 1,
                b')' | b']' => {
                    depth -= 1;
                    if depth == 0 {
                        end = Some(i);
                        break;
                    }
                }
                _ => {}
            }
        }
        let end = end.ok_or("malformed header: unclosed bracket")?;
        let inner = &self.rest()[1..end];
        self.pos += end + 1;
        let mut dims = Vec::new();
        for item in inner.split(',').map(str::trim) {
            if item.is_empty() {
                continue;
            }
            // Python 2 wrote long integers with an `L` suffix.
            let digits = item.strip_suffix('L').unwrap_or(item);
            match digits.parse::<usize>() {
                Ok(dim) => dims.push(dim),
                Err(_) if digits.bytes().all(|b| b.is_ascii_digit()) && !digits.is_empty() => {
                    return Err(format!("dimension {digits} is too large"))
                }
                Err(_) => return Ok(Value::Other),
            }
        }
        Ok(Value::Ints(dims))
    }
}

/// A shape for a message: `[3, 4]`, or its first dimensions and the count
/// when it has more than 8 (`[1, 1, 1, 1, 1, 1, 1, 1, … 10000 dimensions]`).
pub(crate) fn shape_text(shape: &[usize]) -> String {
    const SHOWN: usize = 8;
    if shape.len() <= SHOWN {
        return format!("{shape:?}");
    }
    let head: Vec<String> = shape[..SHOWN].iter().map(ToString::to_string).collect();
    format!("[{}, … {} dimensions]", head.join(", "), shape.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn npy(header: &str, data: &[u8]) -> Vec<u8> {
        let mut bytes = MAGIC.to_vec();
        bytes.extend_from_slice(&[1, 0]);
        bytes.extend_from_slice(&(header.len() as u16).to_le_bytes());
        bytes.extend_from_slice(header.as_bytes());
        bytes.extend_from_slice(data);
        bytes
    }

    #[test]
    fn parses_big_endian_and_signed_values() {
        let data = [0xff, 0xfe, 0x00, 0x05];
        let a = NpyArray::parse(npy(
            "{'descr': '>i2', 'fortran_order': False, 'shape': (2,), }",
            &data,
        ))
        .unwrap();
        assert_eq!(a.integers().unwrap(), vec![-2, 5]);
        let a = NpyArray::parse(npy(
            "{'descr': '<u2', 'fortran_order': False, 'shape': (2,)}",
            &data,
        ))
        .unwrap();
        assert_eq!(a.integers().unwrap(), vec![0xfeff, 0x0500]);
        let a = NpyArray::parse(npy(
            "{'descr': '|i1', 'fortran_order': False, 'shape': (4,)}",
            &data,
        ))
        .unwrap();
        assert_eq!(a.integers().unwrap(), vec![-1, -2, 0, 5]);
        let data = 1.5f64.to_be_bytes();
        let a = NpyArray::parse(npy(
            "{'descr': '>f8', 'fortran_order': False, 'shape': (1, 1)}",
            &data,
        ))
        .unwrap();
        assert_eq!(a.floats().unwrap(), vec![1.5]);
    }

    #[test]
    fn rejects_hostile_headers_without_panicking() {
        let cases = [
            "{'descr': '<f8', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4294967296)}",
            "{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999999,)}",
            "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000,)}",
            "{'descr': '<f8', 'fortran_order': False, 'shape': ((((((((",
            "{'descr': '<f8', 'fortran_order': False, 'shape': ))))(2,)}",
            "{'descr': '<f8', 'fortran_order': 'no', 'shape': (2,)}",
            "{'descr': '<f8', 'shape': (2,)}",
            "{'descr': '",
            "{",
            "",
        ];
        for header in cases {
            assert!(NpyArray::parse(npy(header, &[0; 16])).is_err(), "{header}");
        }
        assert!(NpyArray::parse(b"\x93NUMPY\x01".to_vec()).is_err());
        assert!(NpyArray::parse(b"\x93NUMPY\x02\x00\xff\xff\xff\xff".to_vec()).is_err());
        assert!(NpyArray::parse(b"PK\x03\x04".to_vec()).is_err());
    }

    #[test]
    fn unsupported_dtypes_parse_without_data() {
        let a = NpyArray::parse(npy(
            "{'descr': '<f2', 'fortran_order': False, 'shape': (3,)}",
            &[],
        ))
        .unwrap();
        assert_eq!(a.elem, None);
        assert_eq!(a.descr, "<f2");
        let a = NpyArray::parse(npy(
            "{'descr': 'é', 'fortran_order': False, 'shape': (0,)}",
            &[],
        ))
        .unwrap();
        assert_eq!(a.elem, None);
    }

    #[test]
    fn corrupted_files_never_panic() {
        let header = "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }";
        let good = npy(header, &[0; 48]);
        // A small deterministic generator (xorshift) picks bytes to corrupt.
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..20_000 {
            let mut bytes = good.clone();
            for _ in 0..1 + next() % 4 {
                let at = (next() % bytes.len() as u64) as usize;
                bytes[at] = next() as u8;
            }
            let cut = (next() % (bytes.len() as u64 + 1)) as usize;
            bytes.truncate(cut);
            if let Ok(array) = NpyArray::parse(bytes) {
                let _ = (array.floats(), array.integers());
            }
        }
    }
}
