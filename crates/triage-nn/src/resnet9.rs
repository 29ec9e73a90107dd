//! The fast ResNet-9 of Page's DAWNBench CIFAR-10 entry (the ancestor of
//! airbench): a shallow, wide residual network that reaches 94% on
//! CIFAR-10 in a few epochs on a GPU.
//!
//! `prep: ConvUnit(C → w₀)`; `layer1: ConvUnit(w₀ → w₁) + maxpool 2 +
//! residual(2 × ConvUnit(w₁))`; `layer2: ConvUnit(w₁ → w₂) + maxpool 2`;
//! `layer3: ConvUnit(w₂ → w₃) + maxpool 2 + residual(2 × ConvUnit(w₃))`;
//! global max pooling; `Linear(w₃ → K, no bias)` scaled by 0.125. Default
//! widths 64/128/256/512. An input must be at least 8 pixels on each side.
//!
//! # References
//!
//! D. Page, *How to train your ResNet* (Myrtle.ai blog series, 2018);
//! K. Jordan, *94% on CIFAR-10 in 3.29 seconds on a single GPU*
//! (airbench, arXiv:2404.00498, 2024).

use crate::model::Classifier;
use burn::module::Module;
use burn::nn::pool::{MaxPool2d, MaxPool2dConfig};
use burn::nn::{Dropout, DropoutConfig, Linear, LinearConfig};
use burn::tensor::{Device, Tensor};

use crate::conv_block::ConvUnit;

/// Logit scale of Page's classifier.
pub const RESNET9_LOGIT_SCALE: f32 = 0.125;

/// Page's ResNet-9.
#[derive(Module, Debug)]
pub struct ResNet9 {
    prep: ConvUnit,
    layer1: ConvUnit,
    res1: Vec<ConvUnit>,
    layer2: ConvUnit,
    layer3: ConvUnit,
    res3: Vec<ConvUnit>,
    pool: MaxPool2d,
    dropout: Dropout,
    fc: Linear,
}

impl ResNet9 {
    /// Create the network with `in_channels` inputs, the four `widths`,
    /// BatchNorm when `norm`, `dropout` before the classifier and
    /// `num_classes` outputs.
    pub fn new(
        in_channels: usize,
        widths: [usize; 4],
        num_classes: usize,
        norm: bool,
        dropout: f64,
        device: &Device,
    ) -> Self {
        let [w0, w1, w2, w3] = widths;
        Self {
            prep: ConvUnit::new(in_channels, w0, norm, device),
            layer1: ConvUnit::new(w0, w1, norm, device),
            res1: vec![
                ConvUnit::new(w1, w1, norm, device),
                ConvUnit::new(w1, w1, norm, device),
            ],
            layer2: ConvUnit::new(w1, w2, norm, device),
            layer3: ConvUnit::new(w2, w3, norm, device),
            res3: vec![
                ConvUnit::new(w3, w3, norm, device),
                ConvUnit::new(w3, w3, norm, device),
            ],
            pool: MaxPool2dConfig::new([2, 2]).with_strides([2, 2]).init(),
            dropout: DropoutConfig::new(dropout).init(),
            fc: LinearConfig::new(w3, num_classes)
                .with_bias(false)
                .init(device),
        }
    }
}

impl Classifier for ResNet9 {
    /// Return the logits of penultimate features from [`Self::embed`].
    fn head(&self, features: Tensor<2>) -> Tensor<2> {
        self.fc
            .forward(self.dropout.forward(features))
            .mul_scalar(RESNET9_LOGIT_SCALE)
    }

    /// Return the penultimate features: the global max over the last
    /// layer's feature map, `[N, w₃]`.
    fn embed(&self, x: Tensor<4>) -> Tensor<2> {
        let residual = |units: &[ConvUnit], x: Tensor<4>| {
            let y = units.iter().fold(x.clone(), |y, u| u.forward(y));
            x + y
        };
        let x = self.prep.forward(x);
        let x = self.pool.forward(self.layer1.forward(x));
        let x = residual(&self.res1, x);
        let x = self.pool.forward(self.layer2.forward(x));
        let x = self.pool.forward(self.layer3.forward(x));
        let x = residual(&self.res3, x);
        let [n, c, _, _] = x.dims();
        x.max_dim(3).max_dim(2).reshape([n, c])
    }
}
