//! A BLAKE3 checksum at the end of a file's bytes: [`seal`] appends the
//! 32-byte hash of everything before it, [`unseal`] checks it and returns
//! the bytes without it. Used by the decoded-image cache and by
//! checkpoints, so that flipped bytes on disk are caught on read.

/// Bytes of the checksum.
pub const CHECKSUM_LEN: usize = 32;

/// Append the BLAKE3 hash of `bytes` to them.
pub fn seal(bytes: &mut Vec<u8>) {
    let hash = blake3::hash(bytes);
    bytes.extend_from_slice(hash.as_bytes());
}

/// The bytes before the trailing checksum when it matches them; `None`
/// when it does not or the input is shorter than a checksum.
pub fn unseal(sealed: &[u8]) -> Option<&[u8]> {
    let body_len = sealed.len().checked_sub(CHECKSUM_LEN)?;
    let (body, hash) = sealed.split_at(body_len);
    (blake3::hash(body).as_bytes() == hash).then_some(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_flipped_bit_is_caught() {
        let mut sealed = b"weights and state".to_vec();
        seal(&mut sealed);
        assert_eq!(unseal(&sealed), Some(&b"weights and state"[..]));
        for i in 0..sealed.len() {
            let mut bad = sealed.clone();
            bad[i] ^= 1;
            assert_eq!(unseal(&bad), None, "flip at {i}");
        }
        assert_eq!(unseal(&sealed[..10]), None);
    }
}
