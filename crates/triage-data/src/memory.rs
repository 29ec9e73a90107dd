//! Checking that a buffer fits before it is allocated.
//!
//! A size that scales memory (images × pixels, classes², resamples) is
//! checked here first, so that a typo such as `--size 100000x100000` ends in
//! an error that says what it would need rather than in an abort
//! ("memory allocation of N bytes failed", exit 134). The budget is the
//! memory the operating system reports as available (`MemAvailable` in
//! `/proc/meminfo` on Linux); where that is unknown, [`FALLBACK_BUDGET`].

/// The budget where the available memory cannot be read: 64 GiB.
pub const FALLBACK_BUDGET: u64 = 64 << 30;

/// A buffer that would not fit in memory.
#[derive(Debug, Clone, thiserror::Error)]
#[error(
    "{what} would need {} of memory; {} is available",
    human_bytes(*needed),
    human_bytes(*available)
)]
pub struct TooLarge {
    /// What was to be allocated, with its sizes
    /// (`"50000 training images of 3×2048×2048"`).
    pub what: String,
    /// Bytes it needs (saturated at `u64::MAX`).
    pub needed: u64,
    /// Bytes available.
    pub available: u64,
}

impl TooLarge {
    /// What to do about it.
    pub fn hint(&self) -> &'static str {
        "use smaller sizes (--size, --max-train, --batch-size), or a machine with more memory"
    }
}

/// Memory available to this process, in bytes: Linux's `MemAvailable`, or
/// [`FALLBACK_BUDGET`] where it cannot be read.
pub fn available_bytes() -> u64 {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find_map(|l| l.strip_prefix("MemAvailable:"))
                .and_then(|rest| rest.trim().strip_suffix("kB"))
                .and_then(|kb| kb.trim().parse::<u64>().ok())
        })
        .map_or(FALLBACK_BUDGET, |kb| kb.saturating_mul(1024))
}

/// Refuse `count × bytes_each` bytes when more than is available.
///
/// # Errors
///
/// [`TooLarge`] with the bytes needed and available.
pub fn check_fits(
    what: impl FnOnce() -> String,
    count: u64,
    bytes_each: u64,
) -> Result<(), TooLarge> {
    check_fits_in(what, count, bytes_each, available_bytes())
}

/// As [`check_fits`] against an explicit budget.
///
/// # Errors
///
/// [`TooLarge`] with the bytes needed and `budget`.
pub fn check_fits_in(
    what: impl FnOnce() -> String,
    count: u64,
    bytes_each: u64,
    budget: u64,
) -> Result<(), TooLarge> {
    let needed = count.saturating_mul(bytes_each);
    if needed <= budget {
        return Ok(());
    }
    Err(TooLarge {
        what: what(),
        needed,
        available: budget,
    })
}

/// `1536` → `1.5 KiB`; binary units up to EiB.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 7] = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} bytes")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn too_large_names_what_it_needs() {
        let err = check_fits_in(|| "10 images".into(), 10, 1 << 30, 4 << 30).unwrap_err();
        assert_eq!(err.needed, 10 << 30);
        assert_eq!(
            err.to_string(),
            "10 images would need 10.0 GiB of memory; 4.0 GiB is available"
        );
        assert!(check_fits_in(|| unreachable!(), 4, 1 << 30, 4 << 30).is_ok());
        // Overflow saturates instead of wrapping into a small number.
        let err = check_fits_in(|| "x".into(), u64::MAX, 3, u64::MAX - 1).unwrap_err();
        assert_eq!(err.needed, u64::MAX);
        assert!(available_bytes() > 0);
    }

    #[test]
    fn bytes_read_as_people_write_them() {
        assert_eq!(human_bytes(512), "512 bytes");
        assert_eq!(human_bytes(1536), "1.5 KiB");
        assert_eq!(human_bytes(80_000_000_000), "74.5 GiB");
    }
}
