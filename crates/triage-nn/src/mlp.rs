//! Fully connected classifiers on flattened images: a linear (softmax
//! regression) model and a ReLU multilayer perceptron.

use crate::model::Classifier;
use burn::module::Module;
use burn::nn::{Dropout, DropoutConfig, Linear, LinearConfig, Relu};
use burn::tensor::{Device, Tensor};

/// Softmax regression on the flattened image: `logits = W·vec(x) + b`.
#[derive(Module, Debug)]
pub struct LinearNet {
    fc: Linear,
}

impl LinearNet {
    /// Create the model for `in_features = C·H·W` inputs and `num_classes`
    /// outputs, with burn's default initialisation.
    pub fn new(in_features: usize, num_classes: usize, device: &Device) -> Self {
        Self {
            fc: LinearConfig::new(in_features, num_classes).init(device),
        }
    }
}

impl Classifier for LinearNet {
    /// Return the logits of penultimate features from [`Self::embed`].
    fn head(&self, features: Tensor<2>) -> Tensor<2> {
        self.fc.forward(features)
    }

    /// Return the penultimate features: the flattened image, `[N, C·H·W]`.
    fn embed(&self, x: Tensor<4>) -> Tensor<2> {
        x.flatten(1, 3)
    }
}

/// Multilayer perceptron: `Linear → ReLU → Dropout` per hidden width, then a
/// linear classifier.
#[derive(Module, Debug)]
pub struct Mlp {
    hidden: Vec<Linear>,
    out: Linear,
    dropout: Dropout,
    relu: Relu,
}

impl Mlp {
    /// Create the model with the given hidden widths (at least one) and
    /// dropout probability (0 disables it; active only in training mode).
    pub fn new(
        in_features: usize,
        hidden: &[usize],
        num_classes: usize,
        dropout: f64,
        device: &Device,
    ) -> Self {
        let mut layers = Vec::with_capacity(hidden.len());
        let mut d = in_features;
        for &w in hidden {
            layers.push(LinearConfig::new(d, w).init(device));
            d = w;
        }
        Self {
            hidden: layers,
            out: LinearConfig::new(d, num_classes).init(device),
            dropout: DropoutConfig::new(dropout).init(),
            relu: Relu::new(),
        }
    }
}

impl Classifier for Mlp {
    /// Return the logits of penultimate features from [`Self::embed`].
    fn head(&self, features: Tensor<2>) -> Tensor<2> {
        self.out.forward(self.dropout.forward(features))
    }

    /// Return the penultimate features: the last hidden layer's ReLU output
    /// (before dropout), `[N, last width]`.
    fn embed(&self, x: Tensor<4>) -> Tensor<2> {
        let mut h = x.flatten(1, 3);
        let last = self.hidden.len().saturating_sub(1);
        for (i, layer) in self.hidden.iter().enumerate() {
            h = self.relu.forward(layer.forward(h));
            if i < last {
                h = self.dropout.forward(h);
            }
        }
        h
    }
}
