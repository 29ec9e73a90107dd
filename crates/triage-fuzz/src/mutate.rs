//! Mutations of one input: bytes, numbers written as text, and (for JSON)
//! the parsed tree.

use rand::Rng;
use serde_json::Value;

/// Numbers that break parsers: signs, zero, overflow, underflow, NaN, the
/// edges of the integer types.
const NUMBERS: [&str; 16] = [
    "-1",
    "0",
    "1",
    "2",
    "7.5",
    "1e400",
    "-1e400",
    "1e-320",
    "NaN",
    "inf",
    "4294967296",
    "9223372036854775808",
    "18446744073709551616",
    "100000",
    "-0",
    "0.30000000000000004",
];

/// Bytes that matter in binary headers and text formats.
const BYTES: [u8; 12] = [
    0, 1, 0x7f, 0x80, 0xff, b',', b'"', b'\n', b'\r', b'{', b'[', b'.',
];

/// `base` with 1–4 mutations; `pool` supplies splices; `json` adds tree
/// edits.
pub(crate) fn mutate(base: &[u8], pool: &[Vec<u8>], json: bool, rng: &mut impl Rng) -> Vec<u8> {
    let mut data = base.to_vec();
    if json && rng.random_bool(0.6) {
        if let Ok(mut value) = serde_json::from_slice::<Value>(&data) {
            for _ in 0..rng.random_range(1..=3) {
                edit_tree(&mut value, rng);
            }
            data = serde_json::to_vec(&value).unwrap_or(data);
            if rng.random_bool(0.7) {
                return data;
            }
        }
    }
    for _ in 0..rng.random_range(1..=4) {
        mutate_bytes(&mut data, pool, rng);
    }
    data
}

fn mutate_bytes(data: &mut Vec<u8>, pool: &[Vec<u8>], rng: &mut impl Rng) {
    let len = data.len();
    match rng.random_range(0..9) {
        0 if len > 0 => {
            let i = index(rng, len);
            data[i] ^= 1 << rng.random_range(0..8);
        }
        1 if len > 0 => {
            let i = index(rng, len);
            data[i] = BYTES[rng.random_range(0..BYTES.len())];
        }
        2 => {
            let i = index(rng, len + 1);
            let n = rng.random_range(1..=8);
            let bytes: Vec<u8> = (0..n).map(|_| rng.random()).collect();
            data.splice(i..i, bytes);
        }
        3 if len > 0 => {
            let i = index(rng, len);
            let n = rng.random_range(1..=(len - i).min(64));
            data.drain(i..i + n);
        }
        4 if len > 0 => {
            // Repeat a slice (a row, a record) somewhere else.
            let i = index(rng, len);
            let n = rng.random_range(1..=(len - i).min(256));
            let piece = data[i..i + n].to_vec();
            let j = index(rng, len + 1);
            data.splice(j..j, piece);
        }
        5 if len > 0 => data.truncate(index(rng, len)),
        6 => {
            // Splice: the head of this input, the tail of another.
            let other = &pool[index(rng, pool.len())];
            let i = index(rng, len + 1);
            let j = index(rng, other.len() + 1);
            data.truncate(i);
            data.extend_from_slice(&other[j..]);
        }
        7 => overwrite_number(data, rng),
        _ if len >= 4 => {
            // A 32-bit field (a count, a dimension) set to an edge value.
            let i = index(rng, len - 3);
            let v: u32 =
                [0, 1, 0xffff_ffff, 0x7fff_ffff, 0x0001_0000, 60_000][rng.random_range(0..6)];
            let bytes = if rng.random_bool(0.5) {
                v.to_be_bytes()
            } else {
                v.to_le_bytes()
            };
            data[i..i + 4].copy_from_slice(&bytes);
        }
        _ => data.push(rng.random()),
    }
}

/// A random index below `n` (0 when `n` is 0).
fn index(rng: &mut impl Rng, n: usize) -> usize {
    if n == 0 {
        0
    } else {
        rng.random_range(0..n)
    }
}

/// Replace a run of digits (a number written as text) by an interesting one.
fn overwrite_number(data: &mut Vec<u8>, rng: &mut impl Rng) {
    let starts: Vec<usize> = (0..data.len())
        .filter(|&i| data[i].is_ascii_digit() && (i == 0 || !data[i - 1].is_ascii_digit()))
        .collect();
    if starts.is_empty() {
        return;
    }
    let i = starts[rng.random_range(0..starts.len())];
    let mut j = i;
    while j < data.len() && (data[j].is_ascii_digit() || data[j] == b'.' || data[j] == b'e') {
        j += 1;
    }
    let number = NUMBERS[rng.random_range(0..NUMBERS.len())]
        .as_bytes()
        .to_vec();
    data.splice(i..j, number);
}

/// One edit at a random node of a JSON tree.
fn edit_tree(value: &mut Value, rng: &mut impl Rng) {
    // Walk down a random path, stopping at random.
    let mut node = value;
    loop {
        let children = match &node {
            Value::Array(a) => a.len(),
            Value::Object(o) => o.len(),
            _ => 0,
        };
        if children == 0 || rng.random_bool(0.25) {
            break;
        }
        let pick = rng.random_range(0..children);
        node = match node {
            Value::Array(a) => &mut a[pick],
            Value::Object(o) => o.values_mut().nth(pick).expect("in range"),
            _ => unreachable!("has children"),
        };
    }
    match node {
        Value::Array(a) => match rng.random_range(0..4) {
            0 => a.clear(),
            1 if !a.is_empty() => {
                a.pop();
            }
            2 if !a.is_empty() => {
                let copy = a[rng.random_range(0..a.len())].clone();
                a.push(copy);
            }
            _ => *node = Value::Null,
        },
        Value::Object(o) => {
            if !o.is_empty() && rng.random_bool(0.7) {
                let key = o.keys().nth(rng.random_range(0..o.len())).cloned();
                if let Some(key) = key {
                    o.remove(&key);
                }
            } else {
                o.insert("unexpected".into(), Value::from(1));
            }
        }
        Value::Number(_) | Value::Null | Value::Bool(_) => {
            *node = match rng.random_range(0..8) {
                0 => Value::from(-1),
                1 => Value::from(0),
                2 => Value::from(7.5),
                3 => Value::from(1e300),
                4 => Value::from(u64::MAX),
                5 => Value::from(1_000_000_000_000u64),
                6 => Value::Null,
                _ => Value::from("x"),
            }
        }
        Value::String(s) => {
            *node = match rng.random_range(0..5) {
                0 => Value::from(""),
                1 => Value::from(format!("{s}\u{0}\n\u{1b}[2J")),
                2 => Value::from("../../etc/passwd"),
                3 => Value::from(0),
                _ => Value::from(s.repeat(50)),
            }
        }
    }
}
