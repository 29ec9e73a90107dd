//! ResNeXt for small images (Xie et al. 2017, §5.1 CIFAR variant):
//! bottleneck blocks whose 3×3 convolution is split into `cardinality`
//! groups.
//!
//! `conv3x3(C → stem) + BN + ReLU`, then per stage `s` `blocks[s]`
//! bottleneck blocks — `1×1 (→ inner) + BN + ReLU`, `3×3 grouped (inner →
//! inner, groups = cardinality, stride 2 at the start of every stage but
//! the first) + BN + ReLU`, `1×1 (→ widths[s]) + BN`, plus a 1×1 projection
//! shortcut where the shape changes, then ReLU — with `inner = cardinality
//! × bottleneck_width × 2^s`; global average pooling, dropout, linear
//! classifier. ResNeXt-29 is 3 stages × 3 blocks × 3 convolutions + stem +
//! classifier. The paper's 8×64d has stage widths 256/512/1024; triage's
//! `resnext29` preset is a CPU-sized 4×4d with widths 64/128/256.
//!
//! # References
//!
//! S. Xie, R. Girshick, P. Dollár, Z. Tu, K. He, *Aggregated Residual
//! Transformations for Deep Neural Networks*, CVPR 2017.

use burn::module::Module;
use burn::nn::conv::Conv2d;
use burn::nn::pool::{AdaptiveAvgPool2d, AdaptiveAvgPool2dConfig};
use burn::nn::{BatchNorm, Relu};
use burn::tensor::{Device, Tensor};

use crate::classifier_head::ClassifierHead;
use crate::conv_block::{apply_norm, batch_norm, conv1x1, conv3x3};
use crate::model::Classifier;

/// Layout of a ResNeXt.
#[derive(Debug, Clone, PartialEq)]
pub struct ResNeXtLayout {
    /// Input channels C.
    pub in_channels: usize,
    /// Width of the stem convolution.
    pub stem: usize,
    /// Output width of every stage.
    pub widths: Vec<usize>,
    /// Bottleneck blocks per stage.
    pub blocks: Vec<usize>,
    /// Groups of the 3×3 convolutions.
    pub cardinality: usize,
    /// Channels per group in the first stage (doubles every stage).
    pub bottleneck_width: usize,
    /// BatchNorm after every convolution.
    pub norm: bool,
    /// Dropout before the classifier.
    pub dropout: f64,
}

/// A ResNeXt bottleneck block.
#[derive(Module, Debug)]
pub struct BottleneckBlock {
    reduce: Conv2d,
    b1: Option<BatchNorm>,
    grouped: Conv2d,
    b2: Option<BatchNorm>,
    expand: Conv2d,
    b3: Option<BatchNorm>,
    down: Option<Conv2d>,
    down_bn: Option<BatchNorm>,
    relu: Relu,
}

impl BottleneckBlock {
    fn new(
        cin: usize,
        inner: usize,
        cout: usize,
        stride: usize,
        layout: &ResNeXtLayout,
        device: &Device,
    ) -> Self {
        let norm = layout.norm;
        let project = stride != 1 || cin != cout;
        Self {
            reduce: conv1x1(cin, inner, 1, device),
            b1: batch_norm(inner, norm, device),
            grouped: conv3x3(inner, inner, stride, layout.cardinality, device),
            b2: batch_norm(inner, norm, device),
            expand: conv1x1(inner, cout, 1, device),
            b3: batch_norm(cout, norm, device),
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
        let y = self
            .relu
            .forward(apply_norm(self.reduce.forward(x), &self.b1));
        let y = self
            .relu
            .forward(apply_norm(self.grouped.forward(y), &self.b2));
        let y = apply_norm(self.expand.forward(y), &self.b3);
        self.relu.forward(y + identity)
    }
}

/// A ResNeXt.
#[derive(Module, Debug)]
pub struct ResNeXt {
    stem: Conv2d,
    stem_bn: Option<BatchNorm>,
    blocks: Vec<BottleneckBlock>,
    pool: AdaptiveAvgPool2d,
    head: ClassifierHead,
    relu: Relu,
}

impl ResNeXt {
    /// Create the network described by `layout` with `num_classes` outputs.
    pub fn new(layout: &ResNeXtLayout, num_classes: usize, device: &Device) -> Self {
        let mut blocks = Vec::with_capacity(layout.blocks.iter().sum());
        let mut cin = layout.stem;
        for (stage, (&w, &n)) in layout.widths.iter().zip(&layout.blocks).enumerate() {
            let inner = (layout.cardinality * layout.bottleneck_width) << stage;
            for j in 0..n {
                let stride = if stage > 0 && j == 0 { 2 } else { 1 };
                blocks.push(BottleneckBlock::new(cin, inner, w, stride, layout, device));
                cin = w;
            }
        }
        Self {
            stem: conv3x3(layout.in_channels, layout.stem, 1, 1, device),
            stem_bn: batch_norm(layout.stem, layout.norm, device),
            blocks,
            pool: AdaptiveAvgPool2dConfig::new([1, 1]).init(),
            head: ClassifierHead::new(cin, num_classes, layout.dropout, device),
            relu: Relu::new(),
        }
    }
}

impl Classifier for ResNeXt {
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
