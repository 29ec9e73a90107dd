//! Host-side image sets: what training, evaluation and inference read.
//!
//! Images live in host memory as one `f32` buffer in `[N, C, H, W]` order,
//! already normalised; minibatches are gathered (and augmented) from it and
//! copied to the device one batch at a time.

use burn::tensor::{Device, Int, Tensor, TensorData};

use crate::error::NnError;
use crate::model::InputShape;

/// Images and their class labels.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageSet {
    /// Shape of every image.
    pub shape: InputShape,
    /// Pixel values, `N·C·H·W`, image-major.
    pub pixels: Vec<f32>,
    /// Class index of every image, each in `0..K`.
    pub labels: Vec<usize>,
}

impl ImageSet {
    /// Create a set, checking that the buffer holds one image per label.
    ///
    /// # Errors
    ///
    /// [`NnError::LengthMismatch`] when `pixels.len() ≠ labels.len()·C·H·W`;
    /// [`NnError::InvalidConfig`] for an empty image shape.
    pub fn new(shape: InputShape, pixels: Vec<f32>, labels: Vec<usize>) -> Result<Self, NnError> {
        if shape.is_empty() {
            return Err(NnError::invalid(
                "input shape",
                format!("is empty: {shape:?}"),
            ));
        }
        let expected = labels.len() * shape.len();
        if pixels.len() != expected {
            return Err(NnError::LengthMismatch {
                what: "pixel values and labels × image size",
                expected,
                got: pixels.len(),
            });
        }
        Ok(Self {
            shape,
            pixels,
            labels,
        })
    }

    /// Number of images N.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether the set holds no images.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// The pixels of image `i`.
    pub fn image(&self, i: usize) -> &[f32] {
        let d = self.shape.len();
        &self.pixels[i * d..(i + 1) * d]
    }

    /// Return the images `indices` (in that order) as a set.
    pub fn subset(&self, indices: &[usize]) -> ImageSet {
        let mut pixels = Vec::with_capacity(indices.len() * self.shape.len());
        for &i in indices {
            pixels.extend_from_slice(self.image(i));
        }
        ImageSet {
            shape: self.shape,
            pixels,
            labels: indices.iter().map(|&i| self.labels[i]).collect(),
        }
    }

    /// Check that every label is below `num_classes`.
    ///
    /// # Errors
    ///
    /// [`NnError::LabelOutOfRange`] with the first offending label.
    pub fn check_labels(&self, num_classes: usize) -> Result<(), NnError> {
        match self.labels.iter().find(|&&l| l >= num_classes) {
            Some(&l) => Err(NnError::LabelOutOfRange {
                label: i64::try_from(l).unwrap_or(i64::MAX),
                num_classes,
            }),
            None => Ok(()),
        }
    }
}

/// Copy `pixels` (`n` images of `shape`) to `device` as `[n, C, H, W]`.
pub(crate) fn image_tensor(
    pixels: Vec<f32>,
    n: usize,
    shape: InputShape,
    device: &Device,
) -> Tensor<4> {
    Tensor::from_data(
        TensorData::new(pixels, [n, shape.channels, shape.height, shape.width]),
        device,
    )
}

/// Copy class indices to `device` as an `Int` tensor `[n]`.
pub(crate) fn label_tensor(labels: &[usize], device: &Device) -> Tensor<1, Int> {
    let v: Vec<i64> = labels.iter().map(|&l| l as i64).collect();
    let n = v.len();
    Tensor::from_data(TensorData::new(v, [n]), device)
}

/// Read a float tensor back to the host.
pub(crate) fn to_host<const D: usize>(t: Tensor<D>) -> Result<Vec<f32>, NnError> {
    t.try_into_vec_as::<f32>()
        .map_err(|e| NnError::TensorRead(format!("{e:?}")))
}

/// Read a one-element tensor (a loss) back as f64 (NaN if empty).
pub(crate) fn scalar(t: Tensor<1>) -> Result<f64, NnError> {
    Ok(to_host(t)?.first().map_or(f64::NAN, |&x| f64::from(x)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_checks_lengths_and_subset_gathers() {
        let shape = InputShape {
            channels: 1,
            height: 1,
            width: 2,
        };
        assert!(ImageSet::new(shape, vec![0.0; 5], vec![0, 1, 0]).is_err());
        let set = ImageSet::new(shape, vec![0., 1., 2., 3., 4., 5.], vec![0, 1, 2]).unwrap();
        let sub = set.subset(&[2, 0]);
        assert_eq!(sub.pixels, vec![4., 5., 0., 1.]);
        assert_eq!(sub.labels, vec![2, 0]);
        assert!(set.check_labels(3).is_ok());
        assert_eq!(
            set.check_labels(2).unwrap_err(),
            NnError::LabelOutOfRange {
                label: 2,
                num_classes: 2
            }
        );
    }
}
