//! The decoded-dataset cache: every image of a dataset decoded once into one
//! compact `u8` file, memory-mapped by later epochs and later commands.
//!
//! The cache key is a BLAKE3 hash of the *content* of the inputs (every file's
//! bytes, or the record bytes of IDX/CIFAR datasets), the item order and
//! labels, and the decode settings: editing, adding or removing one image
//! gives a new key; touching a file without changing it does not.
//!
//! File layout (little-endian), `<cache dir>/<key>.tdc`:
//!
//! ```text
//! "TRIAGEDC" | version u32 | n u64
//! n × entry { offset u64, file_bytes u64, width u32, height u32, status u8, channels u8, mode u8, pad u8×5 }  (32 bytes)
//! pixel data (entries point into it, offsets from the start of the file)
//! failure reasons: u32 length + UTF-8 JSON array of [index, reason]
//! BLAKE3 hash (32 bytes) of everything before it
//! ```
//!
//! The file is written to a temporary name and renamed into place, so a
//! crash never leaves a half-written cache; a file that fails validation
//! (its checksum, or its structure) is ignored and rebuilt, so flipped bytes
//! on disk never reach a statistic.

use std::fs::File;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use thiserror::Error;

use crate::checksum;
use crate::image::{ColorMode, DecodedImage};

const MAGIC: &[u8; 8] = b"TRIAGEDC";
const VERSION: u32 = 2;
const HEADER: usize = 8 + 4 + 8;
const ENTRY: usize = 32;

/// A decoded image borrowed from the cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageView<'a> {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// 1 or 3.
    pub channels: u8,
    /// The source's colour mode before conversion.
    pub mode: ColorMode,
    /// Size of the source file in bytes (0 for records).
    pub file_bytes: u64,
    /// Row-major interleaved samples.
    pub pixels: &'a [u8],
}

impl ImageView<'_> {
    /// An owned copy.
    pub fn to_image(&self) -> DecodedImage {
        DecodedImage {
            width: self.width,
            height: self.height,
            channels: self.channels,
            pixels: self.pixels.to_vec(),
        }
    }
}

/// What a decoder returns for one item.
pub type DecodeResult = Result<(DecodedImage, ColorMode, u64), String>;

/// Errors of the cache.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum CacheError {
    /// Reading an input or writing the cache failed.
    #[error("cache: cannot use `{}`: {error}", .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        error: std::io::Error,
    },
}

/// Every item of a dataset, decoded: from a memory-mapped cache file, or in
/// memory when caching is off.
#[derive(Debug)]
pub struct DecodedSet {
    storage: Storage,
    n: usize,
    reasons: Vec<Option<String>>,
    /// The cache file, when one was used.
    pub path: Option<PathBuf>,
    /// Whether the cache already held this dataset (no decoding was done).
    pub hit: bool,
}

#[derive(Debug)]
enum Storage {
    Mapped(memmap2::Mmap),
    Memory(Vec<u8>),
}

impl DecodedSet {
    fn bytes(&self) -> &[u8] {
        match &self.storage {
            Storage::Mapped(m) => m,
            Storage::Memory(v) => v,
        }
    }

    /// Number of items.
    pub fn len(&self) -> usize {
        self.n
    }

    /// Whether there are no items.
    pub fn is_empty(&self) -> bool {
        self.n == 0
    }

    /// Item `i`, or the reason it could not be decoded.
    pub fn get(&self, i: usize) -> Result<ImageView<'_>, &str> {
        if let Some(reason) = &self.reasons[i] {
            return Err(reason);
        }
        let bytes = self.bytes();
        let e = &bytes[HEADER + i * ENTRY..HEADER + (i + 1) * ENTRY];
        let offset = u64_at(e, 0) as usize;
        let file_bytes = u64_at(e, 8);
        let width = u32_at(e, 16);
        let height = u32_at(e, 20);
        let channels = e[25];
        let mode = mode_from(e[26]);
        let len = width as usize * height as usize * channels as usize;
        Ok(ImageView {
            width,
            height,
            channels,
            mode,
            file_bytes,
            pixels: &bytes[offset..offset + len],
        })
    }
}

/// The default cache directory: `$TRIAGE_CACHE_DIR`, else
/// `$XDG_CACHE_HOME/triage/decoded`, else `~/.cache/triage/decoded`.
pub fn default_cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("TRIAGE_CACHE_DIR") {
        return PathBuf::from(dir);
    }
    let base = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    base.join("triage").join("decoded")
}

/// The cache key: BLAKE3 over `settings`, then for every item its id,
/// label and the hash of its content (`content(i)` returns the bytes).
///
/// # Errors
/// The first input that cannot be read.
pub fn cache_key(
    n: usize,
    settings: &str,
    describe: &(dyn Fn(usize) -> String + Sync),
    content: &(dyn Fn(usize) -> Result<Vec<u8>, (PathBuf, std::io::Error)> + Sync),
) -> Result<String, CacheError> {
    let hashes: Vec<[u8; 32]> = (0..n)
        .into_par_iter()
        .map(|i| {
            let bytes = content(i).map_err(|(path, error)| CacheError::Io { path, error })?;
            let mut h = blake3::Hasher::new();
            h.update(describe(i).as_bytes());
            h.update(&[0]);
            h.update(&bytes);
            Ok(*h.finalize().as_bytes())
        })
        .collect::<Result<_, CacheError>>()?;
    let mut h = blake3::Hasher::new();
    h.update(&VERSION.to_le_bytes());
    h.update(settings.as_bytes());
    h.update(&(n as u64).to_le_bytes());
    for x in &hashes {
        h.update(x);
    }
    Ok(h.finalize().to_hex()[..32].to_string())
}

/// Open the cache file for `key` in `dir` if it is valid; otherwise decode
/// every item with `decode` (in parallel, calling `on_item` after each) and
/// write it. With `dir = None` nothing is written and the set lives in memory.
///
/// # Errors
/// Writing the cache file failed.
pub fn load_or_decode(
    n: usize,
    key: &str,
    dir: Option<&Path>,
    decode: &(dyn Fn(usize) -> DecodeResult + Sync),
    on_item: &(dyn Fn() + Sync),
) -> Result<DecodedSet, CacheError> {
    if let Some(dir) = dir {
        let path = dir.join(format!("{key}.tdc"));
        if let Some(set) = open_valid(&path, n) {
            return Ok(set);
        }
    }
    let results: Vec<DecodeResult> = (0..n)
        .into_par_iter()
        .map(|i| {
            let r = decode(i);
            on_item();
            r
        })
        .collect();
    let Some(dir) = dir else {
        let bytes = encode(&results);
        let reasons = reasons_of(&results);
        return Ok(DecodedSet {
            storage: Storage::Memory(bytes),
            n,
            reasons,
            path: None,
            hit: false,
        });
    };
    let path = dir.join(format!("{key}.tdc"));
    let io = |error| CacheError::Io {
        path: path.clone(),
        error,
    };
    std::fs::create_dir_all(dir).map_err(io)?;
    crate::output::write_atomic(&path, &encode(&results)).map_err(io)?;
    let mut set = open_valid(&path, n).ok_or_else(|| {
        io(std::io::Error::other(
            "the cache file just written is invalid",
        ))
    })?;
    set.hit = false;
    Ok(set)
}

fn reasons_of(results: &[DecodeResult]) -> Vec<Option<String>> {
    results.iter().map(|r| r.as_ref().err().cloned()).collect()
}

fn encode(results: &[DecodeResult]) -> Vec<u8> {
    let n = results.len();
    let data_len: usize = results
        .iter()
        .map(|r| r.as_ref().map_or(0, |(img, _, _)| img.pixels.len()))
        .sum();
    let mut out = Vec::with_capacity(HEADER + n * ENTRY + data_len + 64);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&VERSION.to_le_bytes());
    out.extend_from_slice(&(n as u64).to_le_bytes());
    let mut offset = (HEADER + n * ENTRY) as u64;
    for r in results {
        let mut e = [0u8; ENTRY];
        if let Ok((img, mode, file_bytes)) = r {
            e[0..8].copy_from_slice(&offset.to_le_bytes());
            e[8..16].copy_from_slice(&file_bytes.to_le_bytes());
            e[16..20].copy_from_slice(&img.width.to_le_bytes());
            e[20..24].copy_from_slice(&img.height.to_le_bytes());
            e[24] = 1;
            e[25] = img.channels;
            e[26] = mode_code(*mode);
            offset += img.pixels.len() as u64;
        }
        out.extend_from_slice(&e);
    }
    for (img, _, _) in results.iter().flatten() {
        out.extend_from_slice(&img.pixels);
    }
    let failures: Vec<(usize, &String)> = results
        .iter()
        .enumerate()
        .filter_map(|(i, r)| r.as_ref().err().map(|e| (i, e)))
        .collect();
    let json = serde_json::to_vec(&failures).unwrap_or_else(|_| b"[]".to_vec());
    out.extend_from_slice(&(json.len() as u32).to_le_bytes());
    out.extend_from_slice(&json);
    checksum::seal(&mut out);
    out
}

/// Map and validate a cache file; `None` when absent or invalid.
fn open_valid(path: &Path, n: usize) -> Option<DecodedSet> {
    let file = File::open(path).ok()?;
    // SAFETY: the file is only ever created under a temporary name and
    // renamed into place, never modified afterwards; the mapping is
    // read-only. (Another process truncating it while mapped would fault;
    // triage never does.)
    #[allow(unsafe_code)]
    let map = unsafe { memmap2::Mmap::map(&file) }.ok()?;
    let reasons = validate(&map, n)?;
    Some(DecodedSet {
        storage: Storage::Mapped(map),
        n,
        reasons,
        path: Some(path.to_path_buf()),
        hit: true,
    })
}

fn validate(bytes: &[u8], n: usize) -> Option<Vec<Option<String>>> {
    let bytes = checksum::unseal(bytes)?;
    if bytes.len() < HEADER || &bytes[..8] != MAGIC || u32_at(bytes, 8) != VERSION {
        return None;
    }
    if u64_at(bytes, 12) as usize != n {
        return None;
    }
    let data_start = HEADER.checked_add(n.checked_mul(ENTRY)?)?;
    let mut end = data_start;
    for i in 0..n {
        let e = bytes.get(HEADER + i * ENTRY..HEADER + (i + 1) * ENTRY)?;
        if e[24] == 1 {
            let len = (u32_at(e, 16) as usize)
                .checked_mul(u32_at(e, 20) as usize)?
                .checked_mul(e[25] as usize)?;
            let offset = u64_at(e, 0) as usize;
            if offset != end || !matches!(e[25], 1 | 3) {
                return None;
            }
            end = offset.checked_add(len)?;
        }
    }
    let json_len = u32_at(bytes.get(end..end + 4)?, 0) as usize;
    let json = bytes.get(end + 4..end + 4 + json_len)?;
    let failures: Vec<(usize, String)> = serde_json::from_slice(json).ok()?;
    let mut reasons = vec![None; n];
    for (i, reason) in failures {
        *reasons.get_mut(i)? = Some(reason);
    }
    for (i, r) in reasons.iter().enumerate() {
        if r.is_none() && bytes[HEADER + i * ENTRY + 24] != 1 {
            return None;
        }
    }
    Some(reasons)
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    let mut x = [0u8; 4];
    x.copy_from_slice(&b[at..at + 4]);
    u32::from_le_bytes(x)
}

fn u64_at(b: &[u8], at: usize) -> u64 {
    let mut x = [0u8; 8];
    x.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(x)
}

fn mode_code(mode: ColorMode) -> u8 {
    match mode {
        ColorMode::Gray => 0,
        ColorMode::GrayAlpha => 1,
        ColorMode::Rgb => 2,
        ColorMode::Rgba => 3,
        ColorMode::Other => 4,
    }
}

fn mode_from(code: u8) -> ColorMode {
    match code {
        0 => ColorMode::Gray,
        1 => ColorMode::GrayAlpha,
        2 => ColorMode::Rgb,
        3 => ColorMode::Rgba,
        _ => ColorMode::Other,
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    fn decoder(i: usize) -> DecodeResult {
        if i == 2 {
            return Err("truncated PNG".into());
        }
        let (w, h, c) = (i as u32 + 1, 2, if i.is_multiple_of(2) { 1 } else { 3 });
        let pixels = (0..w * h * u32::from(c))
            .map(|v| (v as usize + i) as u8)
            .collect();
        Ok((
            DecodedImage {
                width: w,
                height: h,
                channels: c,
                pixels,
            },
            ColorMode::Rgb,
            100 + i as u64,
        ))
    }

    #[test]
    fn roundtrip_and_hit() {
        let dir = tempfile::tempdir().unwrap();
        let calls = AtomicUsize::new(0);
        let decode = |i: usize| {
            calls.fetch_add(1, Ordering::Relaxed);
            decoder(i)
        };
        let first = load_or_decode(5, "k1", Some(dir.path()), &decode, &|| {}).unwrap();
        assert!(!first.hit);
        assert_eq!(calls.load(Ordering::Relaxed), 5);
        let second = load_or_decode(5, "k1", Some(dir.path()), &decode, &|| {}).unwrap();
        assert!(second.hit);
        assert_eq!(calls.load(Ordering::Relaxed), 5, "a hit must not decode");
        for i in 0..5 {
            match (second.get(i), decoder(i)) {
                (Ok(view), Ok((img, mode, bytes))) => {
                    assert_eq!(view.to_image(), img);
                    assert_eq!((view.mode, view.file_bytes), (mode, bytes));
                }
                (Err(r), Err(e)) => assert_eq!(r, e),
                _ => panic!("item {i} differs"),
            }
        }
    }

    #[test]
    fn corrupt_cache_is_rebuilt() {
        let dir = tempfile::tempdir().unwrap();
        load_or_decode(5, "k2", Some(dir.path()), &decoder, &|| {}).unwrap();
        let path = dir.path().join("k2.tdc");
        let bytes = std::fs::read(&path).unwrap();
        std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
        let set = load_or_decode(5, "k2", Some(dir.path()), &decoder, &|| {}).unwrap();
        assert!(!set.hit);
        assert_eq!(set.get(4).unwrap().to_image(), decoder(4).unwrap().0);
    }

    #[test]
    fn flipped_bytes_are_caught_and_rebuilt() {
        let dir = tempfile::tempdir().unwrap();
        load_or_decode(5, "k3", Some(dir.path()), &decoder, &|| {}).unwrap();
        let path = dir.path().join("k3.tdc");
        let mut bytes = std::fs::read(&path).unwrap();
        // A pixel of item 1, same file size: the structure is still valid.
        let at = HEADER + 5 * ENTRY + 7;
        bytes[at] ^= 0x5a;
        std::fs::write(&path, &bytes).unwrap();
        let set = load_or_decode(5, "k3", Some(dir.path()), &decoder, &|| {}).unwrap();
        assert!(!set.hit, "a cache with a flipped byte was reused");
        for i in 0..5 {
            if let Ok((image, _, _)) = decoder(i) {
                assert_eq!(set.get(i).unwrap().to_image(), image);
            }
        }
        let reused = load_or_decode(5, "k3", Some(dir.path()), &decoder, &|| {}).unwrap();
        assert!(reused.hit, "the rebuilt cache is reused");
    }

    #[test]
    fn key_depends_on_content_not_on_calls() {
        let describe = |i: usize| format!("item{i}");
        let content = |i: usize| Ok(vec![i as u8; 10]);
        let a = cache_key(3, "s", &describe, &content).unwrap();
        let b = cache_key(3, "s", &describe, &content).unwrap();
        assert_eq!(a, b);
        let changed = |i: usize| Ok(vec![if i == 1 { 9 } else { i as u8 }; 10]);
        assert_ne!(a, cache_key(3, "s", &describe, &changed).unwrap());
        assert_ne!(
            a,
            cache_key(3, "other settings", &describe, &content).unwrap()
        );
    }

    #[test]
    fn in_memory_without_a_directory() {
        let set = load_or_decode(3, "k", None, &decoder, &|| {}).unwrap();
        assert!(set.path.is_none());
        assert_eq!(set.get(2), Err("truncated PNG"));
        assert_eq!(set.get(1).unwrap().channels, 3);
    }
}
