//! Writing `.npy` files (NumPy format version 1.0) of little-endian
//! matrices: `f32` (the embeddings written by `triage predict`), `f64` and
//! `u32` (the neighbour lists of `triage knn`).
//!
//! Layout: the magic `\x93NUMPY`, version bytes `1 0`, a `u16` header
//! length, the header (a Python dict literal padded with spaces and ended
//! by `\n` so that the data starts at a multiple of 64 bytes), then the
//! data in C order. Reference: NumPy, *NEP 1 — A simple file format for
//! NumPy arrays*.

use std::path::Path;

/// Alignment of the data section.
const ALIGN: usize = 64;

/// An element type `.npy` files hold.
pub trait NpyElement: Copy {
    /// NumPy's `descr` of it, little-endian.
    const DESCR: &'static str;
    /// Append its little-endian bytes.
    fn put(self, out: &mut Vec<u8>);
}

impl NpyElement for f32 {
    const DESCR: &'static str = "<f4";
    fn put(self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_le_bytes());
    }
}

impl NpyElement for f64 {
    const DESCR: &'static str = "<f8";
    fn put(self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_le_bytes());
    }
}

impl NpyElement for u32 {
    const DESCR: &'static str = "<u4";
    fn put(self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_le_bytes());
    }
}

/// Return the `.npy` bytes of a `rows × cols` row-major matrix
/// (`data.len() = rows·cols`, checked by [`write_npy`]).
fn npy_bytes<T: NpyElement>(data: &[T], rows: usize, cols: usize) -> Vec<u8> {
    let dict = format!(
        "{{'descr': '{}', 'fortran_order': False, 'shape': ({rows}, {cols}), }}",
        T::DESCR
    );
    let unpadded = 6 + 2 + 2 + dict.len() + 1;
    let pad = (ALIGN - unpadded % ALIGN) % ALIGN;
    let header_len = dict.len() + pad + 1;
    let mut out = Vec::with_capacity(unpadded + pad + std::mem::size_of_val(data));
    out.extend_from_slice(b"\x93NUMPY\x01\x00");
    out.extend_from_slice(&(header_len as u16).to_le_bytes());
    out.extend_from_slice(dict.as_bytes());
    out.extend(std::iter::repeat_n(b' ', pad));
    out.push(b'\n');
    for &v in data {
        v.put(&mut out);
    }
    out
}

/// Write a `rows × cols` row-major `f32` matrix to `path` as `.npy`
/// (atomically: a temporary file renamed into place).
///
/// # Errors
///
/// An I/O error, or `InvalidInput` when `data.len() ≠ rows·cols`.
pub fn write_npy_f32(path: &Path, data: &[f32], rows: usize, cols: usize) -> std::io::Result<()> {
    write_npy(path, data, rows, cols)
}

/// Write a `rows × cols` row-major matrix of any [`NpyElement`] to `path`
/// as `.npy` (atomically).
///
/// # Errors
///
/// An I/O error, or `InvalidInput` when `data.len() ≠ rows·cols`.
pub fn write_npy<T: NpyElement>(
    path: &Path,
    data: &[T],
    rows: usize,
    cols: usize,
) -> std::io::Result<()> {
    if rows.checked_mul(cols) != Some(data.len()) {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("{} values do not form a {rows} × {cols} matrix", data.len()),
        ));
    }
    crate::output::write_atomic(path, &npy_bytes(data, rows, cols))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_is_aligned_and_data_follows() {
        let b = npy_bytes(&[1.0f32, -2.5, 3.0, 4.0, 5.0, 6.0], 3, 2);
        assert_eq!(&b[..8], b"\x93NUMPY\x01\x00");
        let hl = u16::from_le_bytes([b[8], b[9]]) as usize;
        assert_eq!((10 + hl) % 64, 0);
        let header = std::str::from_utf8(&b[10..10 + hl]).unwrap();
        assert!(header.contains("'shape': (3, 2)"), "{header}");
        assert!(header.contains("'descr': '<f4'"), "{header}");
        assert!(header.ends_with('\n'));
        let v: Vec<f32> = b[10 + hl..]
            .chunks(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        assert_eq!(v, vec![1.0, -2.5, 3.0, 4.0, 5.0, 6.0]);
    }

    #[test]
    fn each_element_type_writes_its_descr_and_width() {
        let data_of = |b: &[u8]| {
            let hl = u16::from_le_bytes([b[8], b[9]]) as usize;
            (
                std::str::from_utf8(&b[10..10 + hl]).unwrap().to_owned(),
                b[10 + hl..].to_vec(),
            )
        };
        let (h, d) = data_of(&npy_bytes(&[1.5f64, -2.0], 1, 2));
        assert!(h.contains("'descr': '<f8'"), "{h}");
        assert_eq!(d, [1.5f64.to_le_bytes(), (-2.0f64).to_le_bytes()].concat());
        let (h, d) = data_of(&npy_bytes(&[7u32, 70_000], 2, 1));
        assert!(h.contains("'descr': '<u4'"), "{h}");
        assert_eq!(d, [7u32.to_le_bytes(), 70_000u32.to_le_bytes()].concat());
    }

    #[test]
    fn mismatched_shape_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        assert!(write_npy_f32(&dir.path().join("x.npy"), &[1.0; 5], 2, 3).is_err());
    }
}
