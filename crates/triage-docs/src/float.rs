//! Serde helpers for floats that may be non-finite.
//!
//! JSON has no NaN or ±∞; `serde_json` writes them as `null` and cannot
//! read `null` back into an `f64`. These helpers make the round trip
//! explicit: [`nan_as_null`] writes every non-finite value as `null` and
//! reads `null` as NaN (a diverged loss), [`thresholds`] reads `null` as
//! +∞ (the first threshold of a ROC curve).

/// `f64` ↔ number or `null` (`null` reads as NaN).
pub mod nan_as_null {
    use serde::{Deserialize, Deserializer, Serializer};

    /// Write a finite value as a number, anything else as `null`.
    ///
    /// # Errors
    ///
    /// The serializer's.
    pub fn serialize<S: Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
        if v.is_finite() {
            s.serialize_f64(*v)
        } else {
            s.serialize_none()
        }
    }

    /// Read a number, or `null` as NaN.
    ///
    /// # Errors
    ///
    /// The deserializer's.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
        Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
    }
}

/// `Vec<f64>` ↔ array of numbers or `null` (`null` reads as +∞).
pub mod thresholds {
    use serde::{Deserializer, Serializer};

    /// Write finite values as numbers, others as `null`.
    ///
    /// # Errors
    ///
    /// The serializer's.
    pub fn serialize<S: Serializer>(v: &[f64], s: S) -> Result<S::Ok, S::Error> {
        super::write_vec(v, s)
    }

    /// Read numbers, `null` as +∞.
    ///
    /// # Errors
    ///
    /// The deserializer's.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f64>, D::Error> {
        super::read_vec(d, f64::INFINITY)
    }
}

/// `Vec<f64>` ↔ array of numbers or `null` (`null` reads as NaN).
pub mod nan_vec {
    use serde::{Deserializer, Serializer};

    /// Write finite values as numbers, others as `null`.
    ///
    /// # Errors
    ///
    /// The serializer's.
    pub fn serialize<S: Serializer>(v: &[f64], s: S) -> Result<S::Ok, S::Error> {
        super::write_vec(v, s)
    }

    /// Read numbers, `null` as NaN.
    ///
    /// # Errors
    ///
    /// The deserializer's.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<f64>, D::Error> {
        super::read_vec(d, f64::NAN)
    }
}

fn write_vec<S: serde::Serializer>(v: &[f64], s: S) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeSeq;
    let mut seq = s.serialize_seq(Some(v.len()))?;
    for x in v {
        seq.serialize_element(&x.is_finite().then_some(*x))?;
    }
    seq.end()
}

fn read_vec<'de, D: serde::Deserializer<'de>>(d: D, null: f64) -> Result<Vec<f64>, D::Error> {
    use serde::Deserialize;
    Ok(Vec::<Option<f64>>::deserialize(d)?
        .into_iter()
        .map(|x| x.unwrap_or(null))
        .collect())
}

#[cfg(test)]
mod tests {
    use serde::{Deserialize, Serialize};

    #[derive(Serialize, Deserialize)]
    struct T {
        #[serde(with = "super::nan_as_null")]
        a: f64,
        #[serde(with = "super::thresholds")]
        t: Vec<f64>,
    }

    #[test]
    fn non_finite_round_trips_through_null() {
        let json = serde_json::to_string(&T {
            a: f64::NAN,
            t: vec![f64::INFINITY, 0.5],
        })
        .unwrap();
        assert_eq!(json, r#"{"a":null,"t":[null,0.5]}"#);
        let back: T = serde_json::from_str(&json).unwrap();
        assert!(back.a.is_nan());
        assert_eq!(back.t, vec![f64::INFINITY, 0.5]);
    }
}
