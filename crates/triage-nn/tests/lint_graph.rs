//! `triage lint` reads a triage run's model from its spec, without burn:
//! for every preset, the layer graph it builds must hold exactly the
//! parameters of the model triage-nn builds (burn counts BatchNorm's
//! running mean and variance too: two per channel, as many as its
//! trainable scale and shift).

use burn::module::Module;
use burn::tensor::Device;
use triage_lint::graph::Op;
use triage_lint::infer::infer;
use triage_nn::zoo::preset;
use triage_nn::{InitModel, InputShape};

#[test]
fn the_lint_graph_of_every_preset_has_the_built_model_s_parameters() {
    let input = InputShape {
        channels: 3,
        height: 32,
        width: 32,
    };
    let dev = Device::default();
    for name in [
        "linear",
        "mlp",
        "vgg-like",
        "resnet20",
        "resnet32",
        "resnext29",
        "resnet9-fast",
    ] {
        let spec = preset(name).unwrap();
        let built = spec.init(input, 10, &dev).unwrap().num_params() as u64;
        let graph = triage_lint::spec::graph_of(&spec, [3, 32, 32], 10).unwrap();
        let layers = infer(&graph);
        let trainable: u64 = layers.iter().map(|l| l.params).sum();
        let running: u64 = graph
            .nodes
            .iter()
            .zip(&layers)
            .filter(|(n, _)| matches!(n.op, Op::BatchNorm))
            .map(|(_, l)| l.params)
            .sum();
        assert_eq!(trainable + running, built, "{name}");
    }
}
