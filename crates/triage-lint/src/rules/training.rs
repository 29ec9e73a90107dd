//! Training-setup rules: optimizer, schedule, selection, shuffling, batch
//! size with BatchNorm, L2 with Adam, a tail validation split.

use triage_docs::lint::{LintFinding, SetupDoc};
use triage_docs::severity::Severity;

use super::{finding, Context};
use crate::graph::Op;

/// Batch size below which BatchNorm's batch statistics are too noisy.
pub const MIN_BN_BATCH: u64 = 16;

const RECIPE: &str = "SGD with Nesterov momentum 0.9, learning rate 0.1 for batch 128 (scaled linearly), weight decay 5e-4, cosine or one-cycle schedule; or AdamW (lr 1e-3, weight decay 0.05) with a cosine schedule";

/// Every training rule.
pub(super) fn check(cx: &Context<'_>, s: &SetupDoc) -> Vec<LintFinding> {
    let from = s.from.join(", ");
    let mut out = Vec::new();
    let opt = s.optimizer.as_deref().unwrap_or("");
    if opt == "adadelta" || opt == "adagrad" {
        out.push(finding(
            "adaptive-optimizer",
            Severity::Warning,
            format!("Trained with {opt}"),
            "Adadelta and Adagrad shrink every weight's step as gradients accumulate; on image classification they trail SGD with momentum and a schedule, and AdamW, by a wide margin at equal epochs.",
            format!("optimizer {opt} ({from})"),
            RECIPE,
            "Wilson et al., The Marginal Value of Adaptive Gradient Methods, NeurIPS 2017",
        ));
    }
    if opt == "sgd" && s.momentum.is_none_or(|m| m == 0.0) {
        out.push(finding(
            "sgd-without-momentum",
            Severity::Warning,
            "SGD without momentum".to_owned(),
            "Plain SGD zig-zags across narrow valleys; momentum (0.9, Nesterov) is what makes SGD competitive on image classifiers.",
            format!("optimizer sgd, momentum {} ({from})", s.momentum.unwrap_or(0.0)),
            RECIPE,
            "Sutskever, Martens, Dahl & Hinton, On the importance of initialization and momentum in deep learning, ICML 2013",
        ));
    }
    if matches!(s.schedule.as_deref(), Some("constant" | "none")) {
        out.push(finding(
            "no-schedule",
            Severity::Warning,
            "A constant learning rate".to_owned(),
            "Without decay the weights keep bouncing at the noise level of the last learning rate; annealing it (cosine, step, one-cycle) typically gains several points of accuracy.",
            format!("schedule constant ({from})"),
            "Use a cosine or one-cycle schedule over the training (triage: --schedule cosine or onecycle).",
            "Loshchilov & Hutter, SGDR, ICLR 2017; Smith & Topin, Super-Convergence, 2019",
        ));
    }
    if s.select.as_deref() == Some("accuracy") {
        out.push(finding(
            "select-on-accuracy",
            Severity::Warning,
            "The best epoch is chosen on validation accuracy".to_owned(),
            "Accuracy is a step function of the predictions and noisy on a small validation set: picking the epoch where it peaks selects noise (and an over-confident model). The validation loss is smooth and proper.",
            format!("select on accuracy ({from})"),
            "Keep the checkpoint with the lowest validation loss (Keras ModelCheckpoint(monitor=\"val_loss\"); triage: --select loss).",
            "Gneiting & Raftery, Strictly Proper Scoring Rules, JASA 2007",
        ));
    }
    if s.shuffle == Some(false) {
        out.push(finding(
            "no-shuffle",
            Severity::Warning,
            "Training data not shuffled".to_owned(),
            "Batches in a fixed order (worse: sorted by class) give biased gradients and BatchNorm statistics; every epoch should see a new random order.",
            format!("shuffle off ({from})"),
            "Shuffle every epoch (DataLoader(shuffle=True); Keras fit(shuffle=True)).",
            "Bottou, Stochastic Gradient Descent Tricks, 2012",
        ));
    }
    let batchnorm = cx.graph.nodes.iter().any(|n| matches!(n.op, Op::BatchNorm));
    if let Some(b) = s.batch_size.filter(|&b| b < MIN_BN_BATCH && batchnorm) {
        out.push(finding(
            "small-batch-batchnorm",
            Severity::Warning,
            format!("BatchNorm with batches of {b}"),
            "BatchNorm estimates its statistics from the batch; below about 16 images they are so noisy that training and test behaviour diverge.",
            format!("batch size {b} ({from}); the model has BatchNorm layers"),
            "Use batches of 32 or more, or GroupNorm instead of BatchNorm.",
            "Wu & He, Group Normalization, ECCV 2018 (Fig. 1)",
        ));
    }
    let adam = matches!(opt, "adam" | "adamax" | "nadam" | "rmsprop");
    let coupled = s.weight_decay.is_some_and(|w| w > 0.0) && s.decoupled_decay != Some(true);
    if adam && (coupled || s.l2_in_loss == Some(true)) {
        out.push(finding(
            "adam-l2",
            Severity::Warning,
            format!("L2 regularisation with {opt}"),
            "Adaptive optimizers divide each gradient, the L2 term's included, by its running magnitude, so weights with large gradients are barely decayed: L2 is not weight decay under Adam.",
            format!(
                "optimizer {opt} with {} ({from})",
                if coupled { "coupled weight decay" } else { "an L2 kernel regularizer" }
            ),
            "Use AdamW (decoupled weight decay), e.g. lr 1e-3, weight decay 0.05.",
            "Loshchilov & Hutter, Decoupled Weight Decay Regularization, ICLR 2019",
        ));
    }
    if s.validation_split.as_deref() == Some("tail") {
        let sorted = cx.order.map(|o| &o.all);
        let (severity, evidence) = match sorted {
            Some(o) if o.sorted => {
                let tail = o.tail_splits.last();
                (
                    Severity::Critical,
                    format!(
                        "the data is sorted by class ({} label runs, {:.0} expected at random){}",
                        o.runs,
                        o.expected_runs,
                        tail.map_or(String::new(), |t| format!(
                            "; the last {:.0} % holds {} of {} classes",
                            100.0 * t.fraction,
                            t.classes.len(),
                            o.classes_present
                        ))
                    ),
                )
            }
            Some(o) => (
                Severity::Info,
                format!("the data is not sorted ({} label runs)", o.runs),
            ),
            None => (
                Severity::Warning,
                "no profile given: the order of the data is unknown".to_owned(),
            ),
        };
        out.push(finding(
            "tail-validation-split",
            severity,
            "The validation set is the tail of the data".to_owned(),
            "Keras validation_split takes the last fraction of the arrays before any shuffling: on data sorted by class, validation holds only the last classes, and the training set lacks them.",
            format!("{evidence} ({from})"),
            "Shuffle the arrays once before fit, or cut validation with a shuffled, stratified split (`triage split` writes one as a manifest).",
            "Keras Model.fit documentation (validation_split: \"the validation data is selected from the last samples\")",
        ));
    }
    out
}
