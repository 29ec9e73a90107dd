//! CIFAR ResNet-20 (He et al. 2016, §4.2), for any input channels and size.
//!
//! `conv3x3(C → w₁) + BN + ReLU`, three stages of three basic blocks with
//! widths `w₁, w₂, w₃` (default 16, 32, 64; stride 2 at the start of stages 2
//! and 3, a 1×1 conv + BN projection shortcut where the shape changes — He
//! et al.'s option B), global average pooling, then a linear classifier.
//! With the default widths and 3 input channels it has 272,474 trainable
//! parameters for 10 classes, as in the backend bake-off.
//!
//! # References
//!
//! K. He, X. Zhang, S. Ren, J. Sun, *Deep Residual Learning for Image
//! Recognition*, CVPR 2016.

use burn::module::Module;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::pool::{AdaptiveAvgPool2d, AdaptiveAvgPool2dConfig};
use burn::nn::{
    BatchNorm, BatchNormConfig, Dropout, DropoutConfig, Linear, LinearConfig, PaddingConfig2d, Relu,
};
use burn::tensor::{Device, Tensor};

/// Basic blocks per stage in ResNet-20 (6n + 2 layers with n = 3).
pub const RESNET20_BLOCKS_PER_STAGE: usize = 3;

fn conv3x3(cin: usize, cout: usize, stride: usize, device: &Device) -> Conv2d {
    Conv2dConfig::new([cin, cout], [3, 3])
        .with_stride([stride, stride])
        .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
        .with_bias(false)
        .init(device)
}

fn batch_norm(channels: usize, norm: bool, device: &Device) -> Option<BatchNorm> {
    norm.then(|| BatchNormConfig::new(channels).init(device))
}

fn apply_norm(x: Tensor<4>, bn: &Option<BatchNorm>) -> Tensor<4> {
    match bn {
        Some(bn) => bn.forward(x),
        None => x,
    }
}

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
        let down = project.then(|| {
            Conv2dConfig::new([cin, cout], [1, 1])
                .with_stride([stride, stride])
                .with_bias(false)
                .init(device)
        });
        Self {
            c1: conv3x3(cin, cout, stride, device),
            b1: batch_norm(cout, norm, device),
            c2: conv3x3(cout, cout, 1, device),
            b2: batch_norm(cout, norm, device),
            down,
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

/// CIFAR-style ResNet-20.
#[derive(Module, Debug)]
pub struct ResNet {
    stem: Conv2d,
    stem_bn: Option<BatchNorm>,
    blocks: Vec<BasicBlock>,
    pool: AdaptiveAvgPool2d,
    dropout: Dropout,
    fc: Linear,
    relu: Relu,
}

impl ResNet {
    /// Create a ResNet-20 with `in_channels` inputs, stage `widths`,
    /// `num_classes` outputs, BatchNorm after every convolution when `norm`,
    /// and `dropout` before the classifier (0 disables it).
    pub fn new(
        in_channels: usize,
        widths: [usize; 3],
        num_classes: usize,
        norm: bool,
        dropout: f64,
        device: &Device,
    ) -> Self {
        let mut blocks = Vec::with_capacity(3 * RESNET20_BLOCKS_PER_STAGE);
        let mut cin = widths[0];
        for (stage, &w) in widths.iter().enumerate() {
            for j in 0..RESNET20_BLOCKS_PER_STAGE {
                let stride = if stage > 0 && j == 0 { 2 } else { 1 };
                blocks.push(BasicBlock::new(cin, w, stride, norm, device));
                cin = w;
            }
        }
        Self {
            stem: conv3x3(in_channels, widths[0], 1, device),
            stem_bn: batch_norm(widths[0], norm, device),
            blocks,
            pool: AdaptiveAvgPool2dConfig::new([1, 1]).init(),
            dropout: DropoutConfig::new(dropout).init(),
            fc: LinearConfig::new(widths[2], num_classes).init(device),
            relu: Relu::new(),
        }
    }

    /// Return the logits, shape `[N, K]`, of images `[N, C, H, W]`.
    pub fn forward(&self, x: Tensor<4>) -> Tensor<2> {
        self.fc.forward(self.dropout.forward(self.embed(x)))
    }

    /// Return the penultimate features: the globally average-pooled output
    /// of the last stage, `[N, w₃]`.
    pub fn embed(&self, x: Tensor<4>) -> Tensor<2> {
        let mut x = self
            .relu
            .forward(apply_norm(self.stem.forward(x), &self.stem_bn));
        for b in &self.blocks {
            x = b.forward(x);
        }
        self.pool.forward(x).flatten(1, 3)
    }
}
