//! Named model presets, listed in a static table (no registration at link
//! time).

use crate::model::{ModelKind, ModelSpec};

/// A named preset.
#[derive(Debug, Clone, Copy)]
pub struct Preset {
    /// The name used in configs and on the command line.
    pub name: &'static str,
    /// One-line description.
    pub summary: &'static str,
    /// The architecture family.
    pub kind: ModelKind,
    /// Stage (or hidden) widths; empty for the family default.
    pub widths: &'static [usize],
    /// Blocks per stage; empty for the family default.
    pub blocks: &'static [usize],
    /// `vgg` only: dropout after every convolution.
    pub block_dropout: f64,
    /// Dropout before the classifier.
    pub dropout: f64,
}

const fn preset_of(name: &'static str, summary: &'static str, kind: ModelKind) -> Preset {
    Preset {
        name,
        summary,
        kind,
        widths: &[],
        blocks: &[],
        block_dropout: 0.0,
        dropout: 0.0,
    }
}

/// All presets, in display order.
pub const PRESETS: &[Preset] = &[
    preset_of("linear", "softmax regression on the flattened image (a dummy baseline)", ModelKind::Linear),
    preset_of("mlp", "ReLU perceptron on the flattened image, one hidden layer of 128", ModelKind::Mlp),
    Preset {
        block_dropout: 0.2,
        dropout: 0.5,
        ..preset_of(
            "vgg-like",
            "VGG-style plain net, widths 32/64/128 × 2 convs, BatchNorm + Dropout 0.2 per block, Dropout 0.5 before the classifier",
            ModelKind::Vgg,
        )
    },
    Preset {
        widths: &[16, 32, 64],
        blocks: &[3, 3, 3],
        ..preset_of("resnet20", "CIFAR ResNet-20 (He et al. 2016), widths 16/32/64, 3 blocks per stage", ModelKind::Resnet)
    },
    Preset {
        widths: &[16, 32, 64],
        blocks: &[5, 5, 5],
        ..preset_of("resnet32", "CIFAR ResNet-32, widths 16/32/64, 5 blocks per stage", ModelKind::Resnet)
    },
    Preset {
        widths: &[16, 32, 64],
        blocks: &[9, 9, 9],
        ..preset_of("resnet56", "CIFAR ResNet-56, widths 16/32/64, 9 blocks per stage", ModelKind::Resnet)
    },
    Preset {
        widths: &[64, 128, 256, 512],
        blocks: &[2, 2, 2, 2],
        ..preset_of("resnet18", "ResNet-18 for small images: 3×3 stem, no max-pool, widths 64-512, 2 blocks per stage", ModelKind::Resnet)
    },
    Preset {
        widths: &[64, 128, 256],
        blocks: &[3, 3, 3],
        ..preset_of("resnext29", "ResNeXt-29 4×4d (Xie et al. 2017, CPU-sized): grouped bottlenecks, widths 64/128/256", ModelKind::Resnext)
    },
    Preset {
        widths: &[64, 128, 256, 512],
        ..preset_of("resnet9-fast", "Page's fast ResNet-9 (airbench's ancestor), widths 64/128/256/512", ModelKind::Resnet9)
    },
];

/// Return the spec of the preset called `name`, if there is one.
pub fn preset(name: &str) -> Option<ModelSpec> {
    PRESETS.iter().find(|p| p.name == name).map(|p| {
        let mut spec = ModelSpec::new(p.kind);
        if !p.widths.is_empty() {
            spec.widths = Some(p.widths.to_vec());
        }
        if !p.blocks.is_empty() {
            spec.blocks = Some(p.blocks.to_vec());
        }
        spec.block_dropout = p.block_dropout;
        spec.dropout = p.dropout;
        spec
    })
}

/// The names of all presets, comma-separated (for help and error texts).
pub fn preset_names() -> String {
    PRESETS
        .iter()
        .map(|p| p.name)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_preset_resolves_and_validates() {
        for p in PRESETS {
            let spec = preset(p.name).unwrap();
            assert_eq!(spec.kind, p.kind);
            spec.validate().unwrap();
        }
        assert!(preset("resnet1000").is_none());
        assert!(preset_names().contains("resnext29"));
    }
}
