//! VGG-style plain convolutional networks (Simonyan & Zisserman 2015), with
//! the options a practitioner's own model typically has: BatchNorm and
//! Dropout in every block and, optionally, channels *halved* after every
//! pooling (the seed model's choice, which `triage lint` flags: the usual
//! rule doubles them as the resolution halves).
//!
//! Per stage `s`: `blocks[s]` × (`conv3x3 → BN (optional) → ReLU →
//! Dropout(block_dropout)`), then 2×2 max-pooling (stride 2). Then global
//! average pooling, `Linear(w, w) → ReLU` (the penultimate features),
//! `Dropout(dropout)` and the linear classifier. An input must be at least
//! `2^stages` pixels on each side.
//!
//! # References
//!
//! K. Simonyan, A. Zisserman, *Very Deep Convolutional Networks for
//! Large-Scale Image Recognition*, ICLR 2015.

use burn::module::Module;
use burn::nn::pool::{AdaptiveAvgPool2d, AdaptiveAvgPool2dConfig, MaxPool2d, MaxPool2dConfig};
use burn::nn::{Dropout, DropoutConfig, Linear, LinearConfig, Relu};
use burn::tensor::{Device, Tensor};

use crate::classifier_head::ClassifierHead;
use crate::conv_block::ConvUnit;
use crate::model::Classifier;

/// Layout of a VGG-style network.
#[derive(Debug, Clone, PartialEq)]
pub struct VggLayout {
    /// Input channels C.
    pub in_channels: usize,
    /// Width of every stage (already halved if the spec asks for it).
    pub widths: Vec<usize>,
    /// Convolutions per stage.
    pub blocks: Vec<usize>,
    /// BatchNorm after every convolution.
    pub norm: bool,
    /// Dropout after every convolution's ReLU (0 = none).
    pub block_dropout: f64,
    /// Dropout before the classifier.
    pub dropout: f64,
}

/// One convolution block: a [`ConvUnit`] followed by dropout.
#[derive(Module, Debug)]
pub struct VggBlock {
    unit: ConvUnit,
    dropout: Dropout,
}

/// A VGG-style network.
#[derive(Module, Debug)]
pub struct Vgg {
    stages: Vec<Vec<VggBlock>>,
    pool: MaxPool2d,
    gap: AdaptiveAvgPool2d,
    hidden: Linear,
    head: ClassifierHead,
    relu: Relu,
}

impl Vgg {
    /// Create the network described by `layout` with `num_classes` outputs.
    pub fn new(layout: &VggLayout, num_classes: usize, device: &Device) -> Self {
        let mut cin = layout.in_channels;
        let mut stages = Vec::with_capacity(layout.widths.len());
        for (&w, &n) in layout.widths.iter().zip(&layout.blocks) {
            let mut stage = Vec::with_capacity(n);
            for _ in 0..n {
                stage.push(VggBlock {
                    unit: ConvUnit::new(cin, w, layout.norm, device),
                    dropout: DropoutConfig::new(layout.block_dropout).init(),
                });
                cin = w;
            }
            stages.push(stage);
        }
        Self {
            stages,
            pool: MaxPool2dConfig::new([2, 2]).with_strides([2, 2]).init(),
            gap: AdaptiveAvgPool2dConfig::new([1, 1]).init(),
            hidden: LinearConfig::new(cin, cin).init(device),
            head: ClassifierHead::new(cin, num_classes, layout.dropout, device),
            relu: Relu::new(),
        }
    }
}

impl Classifier for Vgg {
    /// Return the logits of penultimate features from [`Self::embed`].
    fn head(&self, features: Tensor<2>) -> Tensor<2> {
        self.head.forward(features)
    }

    /// Return the penultimate features: `ReLU(Linear(GAP(features)))`,
    /// `[N, widths.last()]`.
    fn embed(&self, x: Tensor<4>) -> Tensor<2> {
        let mut x = x;
        for stage in &self.stages {
            for block in stage {
                x = block.dropout.forward(block.unit.forward(x));
            }
            x = self.pool.forward(x);
        }
        let x = self.gap.forward(x).flatten(1, 3);
        self.relu.forward(self.hidden.forward(x))
    }
}
