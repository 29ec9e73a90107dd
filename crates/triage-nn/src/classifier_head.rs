//! The classifier head the convolutional trunks (`vgg`, `resnet`,
//! `resnext`) share: dropout on the pooled features, then one linear layer
//! to the logits, `logits = W · dropout(features) + b`.
//!
//! Checkpoints written before the head was shared (format version ≤ 2)
//! hold these weights at `fc.*` of the model; [`crate::checkpoint`] moves
//! them to `head.fc.*` when it reads one.

use burn::module::Module;
use burn::nn::{Dropout, DropoutConfig, Linear, LinearConfig};
use burn::tensor::{Device, Tensor};

/// Dropout, then a linear classifier.
#[derive(Module, Debug)]
pub struct ClassifierHead {
    dropout: Dropout,
    fc: Linear,
}

impl ClassifierHead {
    /// A head from `features` inputs to `classes` logits, dropping inputs
    /// with probability `dropout` in training.
    pub fn new(features: usize, classes: usize, dropout: f64, device: &Device) -> Self {
        Self {
            dropout: DropoutConfig::new(dropout).init(),
            fc: LinearConfig::new(features, classes).init(device),
        }
    }

    /// Logits of pooled features `[n, features]`.
    pub fn forward(&self, features: Tensor<2>) -> Tensor<2> {
        self.fc.forward(self.dropout.forward(features))
    }
}
