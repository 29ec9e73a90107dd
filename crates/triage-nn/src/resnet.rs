//! CIFAR-style ResNets with basic blocks (He et al. 2016): ResNet-20/32/56
//! (§4.2: three stages of n blocks, widths 16/32/64, 6n + 2 layers) and
//! ResNet-18 adapted to small images (four stages of two blocks, widths
//! 64/128/256/512, a 3×3 stride-1 stem and no max-pool, as in the usual
//! CIFAR adaptation), for any input channels and size.
//!
//! `conv3x3(C → w₁) + BN + ReLU`, then for every stage `s` `blocks[s]`
//! basic blocks of width `widths[s]` (stride 2 at the start of every stage
//! but the first; a 1×1 conv + BN projection shortcut where the shape
//! changes — He et al.'s option B), global average pooling, dropout, and a
//! linear classifier. ResNet-20 with 3 input channels has 272,474 trainable
//! parameters for 10 classes, as in the backend bake-off.
//!
//! # References
//!
//! K. He, X. Zhang, S. Ren, J. Sun, *Deep Residual Learning for Image
//! Recognition*, CVPR 2016.

use burn::module::Module;
use burn::nn::conv::Conv2d;
use burn::nn::pool::{AdaptiveAvgPool2d, AdaptiveAvgPool2dConfig};
use burn::nn::{BatchNorm, Relu};
use burn::tensor::{Device, Tensor};

use crate::classifier_head::ClassifierHead;
use crate::conv_block::{apply_norm, batch_norm, conv1x1, conv3x3};
use crate::model::Classifier;

/// Two 3×3 convolutions with a residual connection.
#[derive(Module, Debug)]
pub struct BasicBlock {
    c1: Conv2d,
    b1: Option<BatchNorm>,
    c2: Conv2d,
    b2: Option<BatchNorm>,
    down: Option<Conv2d>,
    down_bn: Option<BatchNorm>,
    relu: Relu,
}

impl BasicBlock {
    fn new(cin: usize, cout: usize, stride: usize, norm: bool, device: &Device) -> Self {
        let project = stride != 1 || cin != cout;
        Self {
            c1: conv3x3(cin, cout, stride, 1, device),
            b1: batch_norm(cout, norm, device),
            c2: conv3x3(cout, cout, 1, 1, device),
            b2: batch_norm(cout, norm, device),
            down: project.then(|| conv1x1(cin, cout, stride, device)),
            down_bn: batch_norm(cout, norm && project, device),
            relu: Relu::new(),
        }
    }

    fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let identity = match &self.down {
            Some(c) => apply_norm(c.forward(x.clone()), &self.down_bn),
            None => x.clone(),
        };
        let y = self.relu.forward(apply_norm(self.c1.forward(x), &self.b1));
        let y = apply_norm(self.c2.forward(y), &self.b2);
        self.relu.forward(y + identity)
    }
}

/// A ResNet of basic blocks.
#[derive(Module, Debug)]
pub struct ResNet {
    stem: Conv2d,
    stem_bn: Option<BatchNorm>,
    blocks: Vec<BasicBlock>,
    pool: AdaptiveAvgPool2d,
    head: ClassifierHead,
    relu: Relu,
}

impl ResNet {
    /// Create a ResNet with `in_channels` inputs, `blocks[s]` basic blocks
    /// of width `widths[s]` per stage (the slices have the same, non-zero
    /// length), `num_classes` outputs, BatchNorm after every convolution
    /// when `norm`, and `dropout` before the classifier (0 disables it).
    pub fn new(
        in_channels: usize,
        widths: &[usize],
        blocks: &[usize],
        num_classes: usize,
        norm: bool,
        dropout: f64,
        device: &Device,
    ) -> Self {
        let mut layers = Vec::with_capacity(blocks.iter().sum());
        let mut cin = widths[0];
        for (stage, (&w, &n)) in widths.iter().zip(blocks).enumerate() {
            for j in 0..n {
                let stride = if stage > 0 && j == 0 { 2 } else { 1 };
                layers.push(BasicBlock::new(cin, w, stride, norm, device));
                cin = w;
            }
        }
        Self {
            stem: conv3x3(in_channels, widths[0], 1, 1, device),
            stem_bn: batch_norm(widths[0], norm, device),
            blocks: layers,
            pool: AdaptiveAvgPool2dConfig::new([1, 1]).init(),
            head: ClassifierHead::new(cin, num_classes, dropout, device),
            relu: Relu::new(),
        }
    }
}

impl Classifier for ResNet {
    /// Return the logits of penultimate features from [`Self::embed`].
    fn head(&self, features: Tensor<2>) -> Tensor<2> {
        self.head.forward(features)
    }

    /// Return the penultimate features: the globally average-pooled output
    /// of the last stage, `[N, widths.last()]`.
    fn embed(&self, x: Tensor<4>) -> Tensor<2> {
        let mut x = self
            .relu
            .forward(apply_norm(self.stem.forward(x), &self.stem_bn));
        for b in &self.blocks {
            x = b.forward(x);
        }
        self.pool.forward(x).flatten(1, 3)
    }
}
