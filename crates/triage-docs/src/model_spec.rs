//! The model description: a serde-friendly spec (TOML or JSON files,
//! `run.json`'s `model.spec`) with its family defaults and validation.
//! triage-nn builds the layers from it; `triage lint` reads it as it is.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::ConfigError;

/// The widest layer a spec may ask for (channels or units): 4096. A
/// 3×3 convolution of 4096 → 4096 channels already holds 151 M weights.
pub const MAX_WIDTH: usize = 4096;
/// The most blocks a spec may put in one stage: 256.
pub const MAX_BLOCKS: usize = 256;

/// Hidden widths of an `mlp` whose spec gives none.
pub const MLP_DEFAULT_WIDTHS: [usize; 1] = [128];
/// Stage widths of a `resnet` whose spec gives none (ResNet-20, He et al.
/// 2016).
pub const RESNET_DEFAULT_WIDTHS: [usize; 3] = [16, 32, 64];
/// Blocks per stage of a `resnet` whose spec gives none (ResNet-20).
pub const RESNET_DEFAULT_BLOCKS: [usize; 3] = [3, 3, 3];
/// Stage widths of a `vgg` whose spec gives none.
pub const VGG_DEFAULT_WIDTHS: [usize; 3] = [32, 64, 128];
/// Convolutions per stage of a `vgg` whose spec gives none.
pub const VGG_DEFAULT_BLOCKS: [usize; 3] = [2, 2, 2];
/// Stage widths of a `resnext` whose spec gives none.
pub const RESNEXT_DEFAULT_WIDTHS: [usize; 3] = [64, 128, 256];
/// Blocks per stage of a `resnext` whose spec gives none (ResNeXt-29).
pub const RESNEXT_DEFAULT_BLOCKS: [usize; 3] = [3, 3, 3];
/// Cardinality of a `resnext` whose spec gives none.
pub const RESNEXT_DEFAULT_CARDINALITY: usize = 4;
/// Bottleneck width (channels per group, first stage) of a `resnext` whose
/// spec gives none.
pub const RESNEXT_DEFAULT_BOTTLENECK_WIDTH: usize = 4;
/// Stem width of a `resnext` whose spec gives none.
pub const RESNEXT_DEFAULT_STEM: usize = 64;
/// The four widths of a `resnet9` whose spec gives none (Page 2018).
pub const RESNET9_DEFAULT_WIDTHS: [usize; 4] = [64, 128, 256, 512];

/// Architecture family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ModelKind {
    /// Softmax regression on the flattened image.
    Linear,
    /// ReLU multilayer perceptron on the flattened image.
    Mlp,
    /// VGG-style plain network (triage-nn `vgg`).
    Vgg,
    /// ResNet of basic blocks (triage-nn `resnet`): ResNet-20/32/56/18.
    Resnet,
    /// ResNeXt of grouped bottleneck blocks (triage-nn `resnext`).
    Resnext,
    /// Page's fast ResNet-9 (triage-nn `resnet9`).
    Resnet9,
}

impl ModelKind {
    /// Whether the family is convolutional (not `linear` or `mlp`).
    pub fn is_convolutional(self) -> bool {
        !matches!(self, ModelKind::Linear | ModelKind::Mlp)
    }
}

/// Normalisation layers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Norm {
    /// BatchNorm after every convolution (convolutional kinds only).
    Batch,
    /// No normalisation.
    None,
}

/// What to build, e.g. `{"kind": "resnet", "widths": [16, 32, 64],
/// "blocks": [5, 5, 5]}` (ResNet-32) or, in TOML, `kind = "vgg"`,
/// `widths = [64, 128]`, `block_dropout = 0.3`, `halve_after_pool = true`.
/// Every field but `kind` is optional and takes the family default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ModelSpec {
    /// Architecture family.
    pub kind: ModelKind,
    /// Hidden widths (`mlp`, default `[128]`) or stage widths (`vgg`
    /// `[32, 64, 128]`, `resnet` `[16, 32, 64]`, `resnext` `[64, 128, 256]`,
    /// `resnet9` exactly four, `[64, 128, 256, 512]`); absent for `linear`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub widths: Option<Vec<usize>>,
    /// Blocks per stage, one per width (`vgg`: convolutions, default 2
    /// each; `resnet`/`resnext`: residual blocks, default 3 each).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub blocks: Option<Vec<usize>>,
    /// Normalisation: default `batch` for the convolutional kinds, `none`
    /// for `linear` and `mlp` (which cannot have `batch`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub norm: Option<Norm>,
    /// Dropout probability in [0, 1) before the classifier (and after
    /// every hidden layer of an `mlp`); default 0.
    #[serde(default)]
    pub dropout: f64,
    /// `vgg` only: dropout after every convolution block; default 0.
    #[serde(default)]
    pub block_dropout: f64,
    /// `vgg` only: every stage after the first gets half the channels of
    /// the one before (overriding `widths[1..]`), as in the seed's model;
    /// default false.
    #[serde(default)]
    pub halve_after_pool: bool,
    /// `resnext` only: groups of the 3×3 convolutions (default 4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cardinality: Option<usize>,
    /// `resnext` only: channels per group in the first stage (default 4).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bottleneck_width: Option<usize>,
    /// `resnext` only: width of the stem convolution (default 64).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stem: Option<usize>,
}

/// [`ModelSpec::size_estimate`]: how large a model will be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SizeEstimate {
    /// Trainable parameters.
    pub parameters: u64,
    /// Values of every layer's output for one image.
    pub activations_per_image: u64,
}

impl SizeEstimate {
    /// Bytes to train with batches of `batch`: f32 weights, gradients and
    /// two optimizer moments (4 × 4 bytes a parameter), and each
    /// activation kept for the backward pass with its gradient and a
    /// temporary (3 × 4 bytes a value).
    pub fn training_bytes(&self, batch: usize) -> u64 {
        self.parameters.saturating_mul(16).saturating_add(
            self.activations_per_image
                .saturating_mul(batch as u64)
                .saturating_mul(12),
        )
    }
}

/// Shape of one input image.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct InputShape {
    /// Channels C.
    pub channels: usize,
    /// Height H in pixels.
    pub height: usize,
    /// Width W in pixels.
    pub width: usize,
}

impl InputShape {
    /// Values per image, C·H·W.
    pub fn len(&self) -> usize {
        self.channels * self.height * self.width
    }

    /// Whether an image of this shape holds no values (a side or the
    /// channel count is 0; computed without the product, which a hostile
    /// document could make overflow).
    pub fn is_empty(&self) -> bool {
        self.channels == 0 || self.height == 0 || self.width == 0
    }
}

impl ModelSpec {
    /// Create a spec with the family's defaults.
    pub fn new(kind: ModelKind) -> Self {
        Self {
            kind,
            widths: None,
            blocks: None,
            norm: None,
            dropout: 0.0,
            block_dropout: 0.0,
            halve_after_pool: false,
            cardinality: None,
            bottleneck_width: None,
            stem: None,
        }
    }

    /// Return the normalisation in effect (the explicit one or the family
    /// default).
    pub fn effective_norm(&self) -> Norm {
        self.norm.unwrap_or(if self.kind.is_convolutional() {
            Norm::Batch
        } else {
            Norm::None
        })
    }

    /// Return the widths in effect: the explicit or default ones, halved
    /// after every pooling for a `vgg` with `halve_after_pool`.
    pub fn effective_widths(&self) -> Vec<usize> {
        let default: &[usize] = match self.kind {
            ModelKind::Linear => &[],
            ModelKind::Mlp => &MLP_DEFAULT_WIDTHS,
            ModelKind::Vgg => &VGG_DEFAULT_WIDTHS,
            ModelKind::Resnet => &RESNET_DEFAULT_WIDTHS,
            ModelKind::Resnext => &RESNEXT_DEFAULT_WIDTHS,
            ModelKind::Resnet9 => &RESNET9_DEFAULT_WIDTHS,
        };
        let mut widths = self.widths.clone().unwrap_or_else(|| default.to_vec());
        if self.kind == ModelKind::Vgg && self.halve_after_pool {
            for i in 1..widths.len() {
                widths[i] = (widths[i - 1] / 2).max(1);
            }
        }
        widths
    }

    /// Return the blocks per stage in effect (empty for the kinds without
    /// stages).
    pub fn effective_blocks(&self) -> Vec<usize> {
        let stages = self.effective_widths().len();
        match self.kind {
            ModelKind::Vgg => self
                .blocks
                .clone()
                .unwrap_or_else(|| vec![VGG_DEFAULT_BLOCKS[0]; stages]),
            ModelKind::Resnet => self
                .blocks
                .clone()
                .unwrap_or_else(|| vec![RESNET_DEFAULT_BLOCKS[0]; stages]),
            ModelKind::Resnext => self
                .blocks
                .clone()
                .unwrap_or_else(|| vec![RESNEXT_DEFAULT_BLOCKS[0]; stages]),
            ModelKind::Linear | ModelKind::Mlp | ModelKind::Resnet9 => Vec::new(),
        }
    }

    /// Check the spec against itself (widths and blocks, norm, dropout,
    /// family-specific fields).
    ///
    /// # Errors
    ///
    /// [`ConfigError`] naming the first bad field.
    pub fn validate(&self) -> Result<(), ConfigError> {
        for (name, p) in [
            ("dropout", self.dropout),
            ("block_dropout", self.block_dropout),
        ] {
            if !(0.0..1.0).contains(&p) {
                return Err(ConfigError::new(
                    name,
                    format!("must be in [0, 1), got {p}"),
                ));
            }
        }
        for (name, v, max) in [
            ("widths", &self.widths, MAX_WIDTH),
            ("blocks", &self.blocks, MAX_BLOCKS),
        ] {
            if let Some(w) = v {
                if w.contains(&0) {
                    return Err(ConfigError::new(name, format!("must be > 0, got {w:?}")));
                }
                if let Some(big) = w.iter().find(|&&x| x > max) {
                    return Err(ConfigError::new(
                        name,
                        format!("each must be at most {max}, got {big} in {w:?}"),
                    ));
                }
            }
        }
        let kind = self.kind;
        let only = |set: bool, field: &'static str, allowed: ModelKind| {
            if set && kind != allowed {
                Err(ConfigError::new(
                    field,
                    format!("only applies to kind {allowed:?}, not {kind:?}"),
                ))
            } else {
                Ok(())
            }
        };
        only(self.block_dropout > 0.0, "block_dropout", ModelKind::Vgg)?;
        only(self.halve_after_pool, "halve_after_pool", ModelKind::Vgg)?;
        only(
            self.cardinality.is_some(),
            "cardinality",
            ModelKind::Resnext,
        )?;
        only(
            self.bottleneck_width.is_some(),
            "bottleneck_width",
            ModelKind::Resnext,
        )?;
        only(self.stem.is_some(), "stem", ModelKind::Resnext)?;
        for (name, v) in [
            ("cardinality", self.cardinality),
            ("bottleneck_width", self.bottleneck_width),
            ("stem", self.stem),
        ] {
            if v == Some(0) {
                return Err(ConfigError::new(name, "must be > 0, got 0"));
            }
        }
        if !kind.is_convolutional() && self.effective_norm() == Norm::Batch {
            return Err(ConfigError::new(
                "norm",
                "batch norm is only available in the convolutional kinds",
            ));
        }
        let widths = self.effective_widths();
        match kind {
            ModelKind::Linear if self.widths.is_some() || self.blocks.is_some() => {
                return Err(ConfigError::new(
                    "widths",
                    "a linear model has no hidden widths or blocks",
                ))
            }
            ModelKind::Mlp | ModelKind::Resnet9 if self.blocks.is_some() => {
                return Err(ConfigError::new(
                    "blocks",
                    format!("kind {kind:?} has no blocks per stage"),
                ))
            }
            ModelKind::Resnet9 if widths.len() != 4 => {
                return Err(ConfigError::new(
                    "widths",
                    format!("resnet9 needs exactly 4 widths, got {}", widths.len()),
                ))
            }
            _ => {}
        }
        if kind != ModelKind::Linear && widths.is_empty() {
            return Err(ConfigError::new(
                "widths",
                format!("kind {kind:?} needs at least one width"),
            ));
        }
        let blocks = self.effective_blocks();
        if !blocks.is_empty() && blocks.len() != widths.len() {
            return Err(ConfigError::new(
                "blocks",
                format!(
                    "needs one entry per width: {} widths, {} blocks",
                    widths.len(),
                    blocks.len()
                ),
            ));
        }
        Ok(())
    }

    /// Smallest height and width an input must have (pooling halves it).
    pub fn min_input_side(&self) -> usize {
        match self.kind {
            ModelKind::Vgg => 1 << self.effective_widths().len().min(16),
            ModelKind::Resnet9 => 8,
            _ => 1,
        }
    }

    /// An estimate of the model's size before it is built, for the memory
    /// check that precedes allocation: the parameters (weights and biases
    /// of every convolution and linear layer, 3×3 kernels, BatchNorm's two
    /// per channel) and the activation values one image produces (every
    /// layer's output; stages after the first halve the height and width).
    /// Within a few per cent for `linear`, `mlp`, `vgg` and `resnet`; an
    /// upper estimate for `resnext` (bottlenecks counted at full width) and
    /// `resnet9`. Saturating arithmetic: never overflows.
    pub fn size_estimate(&self, input: InputShape, num_classes: usize) -> SizeEstimate {
        let k = num_classes as u64;
        let (c, h0, w0) = (
            input.channels as u64,
            input.height as u64,
            input.width as u64,
        );
        let mut params: u64 = 0;
        let mut acts: u64 = 0;
        let add = |total: &mut u64, v: u64| *total = total.saturating_add(v);
        let widths: Vec<u64> = self.effective_widths().iter().map(|&w| w as u64).collect();
        let norm = u64::from(self.effective_norm() == Norm::Batch);
        match self.kind {
            ModelKind::Linear => {
                add(
                    &mut params,
                    c.saturating_mul(h0).saturating_mul(w0).saturating_mul(k) + k,
                );
                add(&mut acts, k);
            }
            ModelKind::Mlp => {
                let mut prev = c.saturating_mul(h0).saturating_mul(w0);
                for &w in &widths {
                    add(&mut params, prev.saturating_mul(w).saturating_add(w));
                    add(&mut acts, w);
                    prev = w;
                }
                add(&mut params, prev.saturating_mul(k).saturating_add(k));
                add(&mut acts, k);
            }
            _ => {
                let blocks: Vec<u64> = match self.kind {
                    ModelKind::Resnet9 => vec![1; widths.len()],
                    _ => self.effective_blocks().iter().map(|&b| b as u64).collect(),
                };
                let convs_per_block: u64 = match self.kind {
                    ModelKind::Vgg => 1,
                    ModelKind::Resnext => 3,
                    _ => 2,
                };
                let (mut h, mut w) = (h0, w0);
                let mut prev = c;
                for (s, (&width, &n)) in widths.iter().zip(&blocks).enumerate() {
                    if s > 0 {
                        h = (h / 2).max(1);
                        w = (w / 2).max(1);
                    }
                    for b in 0..n {
                        for conv in 0..convs_per_block {
                            let fan_in = if b == 0 && conv == 0 { prev } else { width };
                            let weights = 9u64.saturating_mul(fan_in).saturating_mul(width);
                            add(&mut params, weights.saturating_add((1 + 2 * norm) * width));
                            let out = width.saturating_mul(h).saturating_mul(w);
                            add(&mut acts, out.saturating_mul(1 + norm));
                        }
                    }
                    prev = width;
                }
                add(&mut params, prev.saturating_mul(k).saturating_add(k));
                add(&mut acts, k);
            }
        }
        SizeEstimate {
            parameters: params,
            activations_per_image: acts,
        }
    }

    /// Check that the spec can be built for images of `input` shape and
    /// `num_classes` classes.
    ///
    /// # Errors
    ///
    /// As [`ModelSpec::validate`], plus [`ConfigError`] for an empty input
    /// shape, an input smaller than [`ModelSpec::min_input_side`] or fewer
    /// than 2 classes.
    pub fn check_input(&self, input: InputShape, num_classes: usize) -> Result<(), ConfigError> {
        self.validate()?;
        if input.is_empty() {
            return Err(ConfigError::new(
                "input shape",
                format!("is empty: {input:?}"),
            ));
        }
        let side = self.min_input_side();
        if input.height < side || input.width < side {
            return Err(ConfigError::new(
                "input shape",
                format!(
                    "{}×{} is too small for kind {:?}: it needs at least {side}×{side} pixels (each pooling halves the size); use fewer stages or larger images",
                    input.height, input.width, self.kind
                ),
            ));
        }
        if num_classes < 2 {
            return Err(ConfigError::new(
                "num_classes",
                format!("must be >= 2, got {num_classes}"),
            ));
        }
        Ok(())
    }
}
