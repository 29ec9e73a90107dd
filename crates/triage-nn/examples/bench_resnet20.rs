//! ResNet-20 training and inference throughput on the default backend
//! (burn `flex`), the same workload as `tools/bench/bench_resnet20.py`
//! (PyTorch) and the backend bake-off: a fixed random batch of
//! `B×3×32×32`, labels `(i·7 + 3) mod 10`, cross-entropy, SGD lr 0.05,
//! Nesterov momentum 0.9, dampening 0, weight decay 5e-4.
//!
//! Train step = forward + backward + optimizer step + reading the loss;
//! 3 warm-up steps, then the median of `STEPS` (default 10). Inference =
//! eval mode, 2 warm-up + median of `STEPS`, logits read back.
//!
//! Run: `cargo run --release -p triage-nn --example bench_resnet20 [batch] [steps]`
//! (threads: all cores, via rayon; set `RAYON_NUM_THREADS` to pin).

use std::time::Instant;

use burn::module::Module;
use burn::optim::GradientsParams;
use burn::tensor::{Distribution, Int, Tensor, TensorData};
use triage_nn::zoo::preset;
use triage_nn::{BuildOptimizer as _, InitModel as _};
use triage_nn::{InputShape, OptimizerSpec};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let batch: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(128);
    let steps: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(10);
    let device = triage_nn::cpu_device().autodiff();
    device.seed(0);
    let input = InputShape {
        channels: 3,
        height: 32,
        width: 32,
    };
    let mut model = preset("resnet20")
        .expect("preset")
        .init(input, 10, &device)
        .expect("model");
    let mut optim = OptimizerSpec::Sgd {
        momentum: 0.9,
        nesterov: true,
        weight_decay: 5e-4,
    }
    .build()
    .expect("optimizer");
    let x = Tensor::<4>::random([batch, 3, 32, 32], Distribution::Normal(0.0, 1.0), &device);
    let labels: Vec<i64> = (0..batch).map(|i| ((i * 7 + 3) % 10) as i64).collect();
    let y = Tensor::<1, Int>::from_data(TensorData::new(labels, [batch]), &device);
    let loss_fn = burn::nn::loss::CrossEntropyLossConfig::new().init(&device);
    let mut times = Vec::new();
    let mut last = 0.0f32;
    for s in 0..3 + steps {
        let t0 = Instant::now();
        let loss = loss_fn.forward(model.forward(x.clone()), y.clone());
        last = loss.clone().into_scalar();
        let grads = GradientsParams::from_grads(loss.backward(), &model);
        model = optim.step(0.05, model, grads);
        if s >= 3 {
            times.push(t0.elapsed().as_secs_f64());
        }
    }
    let train = median(times);
    let eval = model.valid();
    let inner = device.clone().inner();
    let xi = Tensor::<4>::random([batch, 3, 32, 32], Distribution::Normal(0.0, 1.0), &inner);
    let mut itimes = Vec::new();
    for s in 0..2 + steps {
        let t0 = Instant::now();
        let out = eval.forward(xi.clone());
        let _: f32 = out.sum().into_scalar();
        if s >= 2 {
            itimes.push(t0.elapsed().as_secs_f64());
        }
    }
    let infer = median(itimes);
    println!(
        "RESULT framework=burn-0.22.1-flex threads={} params={} batch={batch} train_step_s={train:.4} train_img_s={:.1} infer_step_s={infer:.4} infer_img_s={:.1} last_loss={last:.4}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        model.num_params(),
        batch as f64 / train,
        batch as f64 / infer,
    );
}
