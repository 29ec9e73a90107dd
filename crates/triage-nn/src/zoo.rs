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
    /// The architecture family; widths, norm and dropout take the family
    /// defaults.
    pub kind: ModelKind,
}

/// All presets, in display order.
pub const PRESETS: &[Preset] = &[
    Preset {
        name: "linear",
        summary: "softmax regression on the flattened image",
        kind: ModelKind::Linear,
    },
    Preset {
        name: "mlp",
        summary: "ReLU perceptron on the flattened image, one hidden layer of 128",
        kind: ModelKind::Mlp,
    },
    Preset {
        name: "resnet20",
        summary:
            "CIFAR ResNet-20 (He et al. 2016), widths 16/32/64, BatchNorm, global average pool",
        kind: ModelKind::Resnet20,
    },
];

/// Return the spec of the preset called `name`, if there is one.
pub fn preset(name: &str) -> Option<ModelSpec> {
    PRESETS
        .iter()
        .find(|p| p.name == name)
        .map(|p| ModelSpec::new(p.kind))
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
        assert!(preset("resnet18").is_none());
    }
}
