//! Building blocks shared by the convolutional models: 3×3 convolutions
//! with "same" padding, optional BatchNorm, and conv–norm–ReLU units.

use burn::module::Module;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{BatchNorm, BatchNormConfig, PaddingConfig2d, Relu};
use burn::tensor::{Device, Tensor};

/// A 3×3 convolution without bias, padding 1 (`groups` = 1 for a dense
/// convolution).
pub(crate) fn conv3x3(
    cin: usize,
    cout: usize,
    stride: usize,
    groups: usize,
    device: &Device,
) -> Conv2d {
    Conv2dConfig::new([cin, cout], [3, 3])
        .with_stride([stride, stride])
        .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
        .with_groups(groups)
        .with_bias(false)
        .init(device)
}

/// A 1×1 convolution without bias.
pub(crate) fn conv1x1(cin: usize, cout: usize, stride: usize, device: &Device) -> Conv2d {
    Conv2dConfig::new([cin, cout], [1, 1])
        .with_stride([stride, stride])
        .with_bias(false)
        .init(device)
}

/// BatchNorm over `channels` (momentum 0.1, ε 1e-5, PyTorch's defaults)
/// when `norm` is set.
pub(crate) fn batch_norm(channels: usize, norm: bool, device: &Device) -> Option<BatchNorm> {
    norm.then(|| BatchNormConfig::new(channels).init(device))
}

/// Apply the optional BatchNorm.
pub(crate) fn apply_norm(x: Tensor<4>, bn: &Option<BatchNorm>) -> Tensor<4> {
    match bn {
        Some(bn) => bn.forward(x),
        None => x,
    }
}

/// `conv3x3 → BatchNorm (optional) → ReLU`.
#[derive(Module, Debug)]
pub struct ConvUnit {
    conv: Conv2d,
    bn: Option<BatchNorm>,
    relu: Relu,
}

impl ConvUnit {
    /// Create the unit `cin → cout` with stride 1.
    pub(crate) fn new(cin: usize, cout: usize, norm: bool, device: &Device) -> Self {
        Self {
            conv: conv3x3(cin, cout, 1, 1, device),
            bn: batch_norm(cout, norm, device),
            relu: Relu::new(),
        }
    }

    /// Apply the unit to `[N, cin, H, W]`, giving `[N, cout, H, W]`.
    pub fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        self.relu
            .forward(apply_norm(self.conv.forward(x), &self.bn))
    }
}
