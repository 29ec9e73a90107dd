//! Architecture rules on the layer graph.

use std::collections::{BTreeMap, VecDeque};

use triage_docs::lint::LintFinding;
use triage_docs::severity::Severity;

use super::{finding, listing, Context};
use crate::graph::Op;
use crate::infer::{depth, saturating_sum, Shape};

/// Weight layers on the longest path above which a plain stack (no
/// shortcut) is flagged (He et al. 2016: plain-34 trains worse than
/// plain-18; the degradation problem).
pub const PLAIN_DEPTH: u64 = 20;
/// Images at most this many pixels on a side count as small (a 7×7/2
/// stem is for ImageNet's 224).
pub const SMALL_INPUT: usize = 64;
/// Share of the parameters in dense layers above which the head
/// dominates.
const HEAD_SHARE: f64 = 0.5;
/// Weight layers above which a net without normalisation is flagged.
const NORM_DEPTH: u64 = 10;

const LI_2019: &str = "Li, Chen, Hu & Yang, Understanding the Disharmony between Dropout and Batch Normalization by Variance Shift, CVPR 2019";
const HE_2016: &str =
    "He, Zhang, Ren & Sun, Deep Residual Learning for Image Recognition, CVPR 2016 (§3.3, §4.1)";

/// Every architecture rule.
pub(super) fn check(cx: &Context<'_>) -> Vec<LintFinding> {
    let mut out = Vec::new();
    out.extend(dropout_before_batchnorm(cx));
    out.extend(dropout_every_block(cx));
    out.extend(channels_shrink(cx));
    out.extend(plain_stack(cx));
    out.extend(softmax_rules(cx));
    out.extend(dense_head(cx));
    out.extend(no_normalisation(cx));
    out.extend(bias_before_batchnorm(cx));
    out.extend(receptive_field(cx));
    out.extend(early_collapse(cx));
    out.extend(large_first_kernel(cx));
    out
}

fn name(cx: &Context<'_>, i: usize) -> String {
    format!("`{}`", cx.graph.nodes[i].name)
}

/// Dropout whose output reaches a BatchNorm with no other normalisation
/// between: the BN's running variance is learned on dropped-out
/// activations (variance ×1/(1−p) for inverted dropout of rate p) and is
/// wrong at test time.
fn dropout_before_batchnorm(cx: &Context<'_>) -> Option<LintFinding> {
    let users = cx.graph.users();
    let mut pairs = Vec::new();
    let mut worst: Option<f64> = None;
    for (d, node) in cx.graph.nodes.iter().enumerate() {
        let Op::Dropout { rate } = node.op else {
            continue;
        };
        if rate == Some(0.0) {
            continue;
        }
        let mut seen = vec![false; cx.graph.nodes.len()];
        let mut queue: VecDeque<usize> = users[d].iter().copied().collect();
        while let Some(i) = queue.pop_front() {
            if std::mem::replace(&mut seen[i], true) {
                continue;
            }
            match &cx.graph.nodes[i].op {
                Op::BatchNorm => {
                    pairs.push(format!(
                        "{} (p = {}) → {}",
                        name(cx, d),
                        rate.map_or("?".into(), |r| format!("{r}")),
                        name(cx, i)
                    ));
                    if let Some(r) = rate {
                        worst = Some(worst.map_or(r, |w: f64| w.max(r)));
                    }
                }
                Op::OtherNorm(_) => {}
                _ => queue.extend(users[i].iter().copied()),
            }
        }
    }
    if pairs.is_empty() {
        return None;
    }
    let shift = worst.map_or(String::new(), |p| {
        format!(
            "; at p = {p} the training-time variance is {:.2}× the test-time one",
            1.0 / (1.0 - p)
        )
    });
    Some(finding(
        "dropout-before-batchnorm",
        Severity::Warning,
        format!("Dropout feeds BatchNorm ({} place(s))", pairs.len()),
        "BatchNorm learns its running variance on activations that dropout has scaled up during training (inverted dropout multiplies kept values by 1/(1−p)); at test time dropout is off and BatchNorm normalises with the wrong variance, and the shift compounds layer after layer.",
        format!("{}{shift}", listing(&pairs)),
        "Move dropout after the last BatchNorm (just before the classifier), or drop it from the convolutional blocks and regularise them with data augmentation and weight decay.",
        LI_2019,
    ))
}

/// Dropout inside every convolutional stage.
fn dropout_every_block(cx: &Context<'_>) -> Option<LintFinding> {
    let mut conv_stages = BTreeMap::new();
    let mut dropout_stages = BTreeMap::new();
    for (i, node) in cx.graph.nodes.iter().enumerate() {
        if matches!(node.op, Op::Flatten | Op::GlobalPool(_)) {
            break;
        }
        let stage = cx.layers[i].stage;
        match node.op {
            Op::Conv { .. } => *conv_stages.entry(stage).or_insert(0) += 1,
            Op::Dropout { rate } if rate != Some(0.0) => {
                dropout_stages
                    .entry(stage)
                    .or_insert_with(Vec::new)
                    .push(node.name.clone());
            }
            _ => {}
        }
    }
    let every =
        conv_stages.len() >= 2 && conv_stages.keys().all(|s| dropout_stages.contains_key(s));
    if !every {
        return None;
    }
    let names: Vec<String> = dropout_stages
        .values()
        .flatten()
        .map(|n| format!("`{n}`"))
        .collect();
    Some(finding(
        "dropout-every-block",
        Severity::Info,
        format!("Dropout in every convolutional stage ({} stages)", conv_stages.len()),
        "Dropout on convolutional feature maps removes little redundancy (neighbouring activations are correlated) and slows training; modern image classifiers keep dropout, if any, before the classifier.",
        format!("dropout layers {}", listing(&names)),
        "Keep one dropout before the final dense layer; regularise the convolutions with augmentation (flips, crops) and weight decay.",
        "Srivastava et al., Dropout, JMLR 2014 (used on fully connected layers); Zagoruyko & Komodakis, Wide Residual Networks, BMVC 2016",
    ))
}

/// Per stage: the channels of its last convolution and its MACs.
fn stages(cx: &Context<'_>) -> BTreeMap<u64, (Option<usize>, u64)> {
    let mut out: BTreeMap<u64, (Option<usize>, u64)> = BTreeMap::new();
    for (i, node) in cx.graph.nodes.iter().enumerate() {
        let l = &cx.layers[i];
        let entry = out.entry(l.stage).or_insert((None, 0));
        entry.1 = entry.1.saturating_add(l.macs);
        if let Op::Conv { filters, .. } = node.op {
            entry.0 = Some(filters);
        }
    }
    out
}

/// The stage profile in words: channels and MACs per stage.
pub(crate) fn profile(cx: &Context<'_>) -> String {
    stages(cx)
        .iter()
        .filter(|(_, (c, _))| c.is_some())
        .map(|(s, (c, m))| {
            format!(
                "stage {s}: {} ch, {:.1} M MACs",
                c.unwrap_or(0),
                *m as f64 / 1e6
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Channels decreasing after a spatial down-sampling.
fn channels_shrink(cx: &Context<'_>) -> Option<LintFinding> {
    let st = stages(cx);
    let convs: Vec<(u64, usize)> = st
        .iter()
        .filter_map(|(s, (c, _))| c.map(|c| (*s, c)))
        .collect();
    let shrinks: Vec<String> = convs
        .windows(2)
        .filter(|w| w[1].1 < w[0].1)
        .map(|w| {
            format!(
                "{} → {} channels after down-sampling {}",
                w[0].1, w[1].1, w[1].0
            )
        })
        .collect();
    if shrinks.is_empty() {
        return None;
    }
    Some(finding(
        "channels-shrink-after-downsampling",
        Severity::Warning,
        "Channels decrease after spatial down-sampling".to_owned(),
        "When the feature map halves, the number of filters is usually doubled (or kept) so that each stage keeps its capacity and compute; shrinking the channels as the map shrinks starves the deep layers, where the class information is formed.",
        format!("{}. Profile: {}", shrinks.join("; "), profile(cx)),
        "Double the filters at every down-sampling (e.g. 32 → 64 → 128), or at least keep them constant.",
        "Simonyan & Zisserman, VGG, ICLR 2015; He et al. 2016 §3.3: \"if the feature map size is halved, the number of filters is doubled\"",
    ))
}

/// A deep stack without shortcuts.
fn plain_stack(cx: &Context<'_>) -> Option<LintFinding> {
    let d = depth(cx.graph);
    let joins = cx
        .graph
        .nodes
        .iter()
        .any(|n| matches!(n.op, Op::Add | Op::Concat));
    (d > PLAIN_DEPTH && !joins).then(|| {
        finding(
            "deep-plain-stack",
            Severity::Warning,
            format!("{d} weight layers in a plain stack, no shortcut"),
            "Plain networks deeper than about 20 layers train worse than shallower ones (the degradation problem: plain-34 has higher training error than plain-18); identity or projection shortcuts fix it.",
            format!("longest path: {d} convolutional and dense layers; no Add or Concat node"),
            "Use a residual network (ResNet-20/32/56 for 32 px images, `--model resnet` in triage), or fewer layers.",
            HE_2016,
        )
    })
}

/// Softmax twice, log of a softmax, a softmax output with a from-logits
/// loss.
fn softmax_rules(cx: &Context<'_>) -> Vec<LintFinding> {
    let mut out = Vec::new();
    let nodes = &cx.graph.nodes;
    let users = cx.graph.users();
    // The softmax nodes that are (or lead only through shape-preserving
    // nodes to) an output.
    let mut output_softmax = Vec::new();
    for (i, n) in nodes.iter().enumerate() {
        if !matches!(n.op, Op::Softmax) {
            continue;
        }
        let mut j = i;
        loop {
            match users[j].as_slice() {
                [] => {
                    output_softmax.push(i);
                    break;
                }
                [u] if matches!(nodes[*u].op, Op::Passthrough(_) | Op::Unknown(_)) => j = *u,
                _ => break,
            }
        }
        for &u in &users[i] {
            match nodes[u].op {
                Op::Log => out.push(finding(
                    "log-of-softmax",
                    Severity::Warning,
                    "A logarithm of a softmax".to_owned(),
                    "log(softmax(x)) underflows to −∞ for confident wrong classes and loses precision; log-softmax computes the same value stably.",
                    format!("{} → {}", name(cx, i), name(cx, u)),
                    "Use LogSoftmax (or a cross-entropy loss that takes logits) instead of Softmax then Log.",
                    "Goodfellow, Bengio & Courville, Deep Learning, §6.2.2.3 (2016)",
                )),
                Op::Softmax | Op::LogSoftmax => out.push(finding(
                    "double-softmax",
                    Severity::Critical,
                    "Softmax applied twice".to_owned(),
                    "A softmax of probabilities flattens them towards uniform: the gradients vanish and the model learns slowly or not at all.",
                    format!("{} → {}", name(cx, i), name(cx, u)),
                    "Keep one softmax.",
                    "Goodfellow, Bengio & Courville, Deep Learning, §6.2.2.3 (2016)",
                )),
                _ => {}
            }
        }
    }
    if let Some(&s) = output_softmax.first() {
        match cx.setup.and_then(|s| s.loss_from_logits) {
            Some(true) => out.push(finding(
                "double-softmax",
                Severity::Critical,
                "The model ends in a softmax but the loss takes logits".to_owned(),
                "A from-logits cross-entropy applies its own softmax: the probabilities are squashed a second time, the gradients shrink and training stalls well short of what the model can do.",
                format!("output {} is a softmax; the loss is declared from_logits", name(cx, s)),
                "Remove the final softmax (apply it only at prediction time), or use the loss on probabilities (Keras from_logits=False).",
                "Keras CategoricalCrossentropy(from_logits) and PyTorch CrossEntropyLoss documentation",
            )),
            Some(false) => {}
            None => out.push(finding(
                "softmax-output",
                Severity::Info,
                "The model ends in a softmax".to_owned(),
                "Fine with a loss on probabilities (Keras from_logits=False); PyTorch's CrossEntropyLoss and Keras from_logits=True apply their own softmax, which would then be applied twice.",
                format!("output {} is a softmax", name(cx, s)),
                "Train on logits with a from-logits loss and apply the softmax at prediction time; or say how the model is trained (--loss-from-logits true|false).",
                "PyTorch CrossEntropyLoss documentation (\"the input is expected to contain the unnormalized logits\")",
            )),
        }
    }
    out
}

/// A dense head holding most of the parameters on a flattened map.
fn dense_head(cx: &Context<'_>) -> Option<LintFinding> {
    let total = saturating_sum(cx.layers.iter().map(|l| l.params));
    let dense = saturating_sum(
        cx.graph
            .nodes
            .iter()
            .zip(cx.layers)
            .filter(|(n, _)| matches!(n.op, Op::Dense { .. }))
            .map(|(_, l)| l.params),
    );
    let flatten = cx.graph.nodes.iter().enumerate().find_map(|(i, n)| {
        let input = n.inputs.first().map(|&j| cx.layers[j].shape);
        match (&n.op, input) {
            (Op::Flatten, Some(Shape::Map { c, h, w })) if h.saturating_mul(w) > 1 => {
                Some((i, c, h, w))
            }
            _ => None,
        }
    })?;
    let share = dense as f64 / total.max(1) as f64;
    (share > HEAD_SHARE).then(|| {
        let (i, c, h, w) = flatten;
        finding(
            "dense-head-dominates",
            Severity::Warning,
            format!("The dense head holds {:.0} % of the parameters", 100.0 * share),
            "Flattening a feature map into large dense layers (VGG's head) spends most parameters where they over-fit most easily; global average pooling before one linear layer does as well with a fraction of them.",
            format!(
                "{} flattens a {c}×{h}×{w} map; dense layers hold {dense} of {total} parameters",
                name(cx, i)
            ),
            "Replace Flatten + dense layers with global average pooling and one dense layer to the classes.",
            "Lin, Chen & Yan, Network in Network, ICLR 2014; He et al. 2016",
        )
    })
}

/// A deep net with no normalisation layer.
fn no_normalisation(cx: &Context<'_>) -> Option<LintFinding> {
    let d = depth(cx.graph);
    let norms = cx.graph.nodes.iter().any(|n| n.op.is_norm());
    if d < NORM_DEPTH || norms {
        return None;
    }
    let (severity, note) = if cx.inference_export {
        (
            Severity::Info,
            " — but an inference export folds BatchNorm into the convolutions, so it may be there",
        )
    } else {
        (Severity::Warning, "")
    };
    Some(finding(
        "no-normalisation",
        severity,
        format!("{d} weight layers and no normalisation layer"),
        "Without normalisation, deep nets need careful initialisation and small learning rates to train at all; BatchNorm (or GroupNorm for small batches) makes them train fast and reliably.",
        format!("no BatchNorm, LayerNorm or GroupNorm node{note}"),
        "Add BatchNorm after each convolution (before the activation).",
        "Ioffe & Szegedy, Batch Normalization, ICML 2015",
    ))
}

/// A convolution with a bias feeding a BatchNorm.
fn bias_before_batchnorm(cx: &Context<'_>) -> Option<LintFinding> {
    let users = cx.graph.users();
    let convs: Vec<String> = cx
        .graph
        .nodes
        .iter()
        .enumerate()
        .filter(|(i, n)| {
            matches!(n.op, Op::Conv { bias: true, .. })
                && users[*i].len() == 1
                && matches!(cx.graph.nodes[users[*i][0]].op, Op::BatchNorm)
        })
        .map(|(i, _)| name(cx, i))
        .collect();
    (!convs.is_empty()).then(|| {
        finding(
            "bias-before-batchnorm",
            Severity::Info,
            format!("{} convolution(s) with a bias feed BatchNorm", convs.len()),
            "BatchNorm subtracts the batch mean, which removes any constant bias: the bias parameters do nothing.",
            listing(&convs),
            "Create those convolutions without bias (use_bias=False, bias=False).",
            "Ioffe & Szegedy, Batch Normalization, ICML 2015 §3.2",
        )
    })
}

/// The receptive field at a global-pooling head smaller than the image.
fn receptive_field(cx: &Context<'_>) -> Option<LintFinding> {
    let [_, h, w] = cx.graph.input?;
    let (i, n) = cx
        .graph
        .nodes
        .iter()
        .enumerate()
        .find(|(_, n)| matches!(n.op, Op::GlobalPool(_)))?;
    let (rf, _) = cx.layers[*n.inputs.first()?].rf?;
    let side = h.min(w) as u64;
    (rf < side).then(|| {
        finding(
            "receptive-field-small",
            Severity::Warning,
            format!("Each feature at the head sees {rf} of {side} pixels"),
            "Global pooling averages features that each see only part of the image: the classifier cannot use the arrangement of parts larger than the receptive field.",
            format!("receptive field {rf} px at {} for a {h}×{w} input", name(cx, i)),
            "Add a stage (or strided convolutions) so that the receptive field covers the image.",
            "Araujo, Norris & Sim, Computing Receptive Fields of Convolutional Neural Networks, Distill 2019",
        )
    })
}

/// Convolutions running on 1×1 maps.
fn early_collapse(cx: &Context<'_>) -> Option<LintFinding> {
    let at_one: Vec<String> = cx
        .graph
        .nodes
        .iter()
        .enumerate()
        .filter(|(i, n)| {
            matches!(n.op, Op::Conv { .. })
                && n.inputs
                    .first()
                    .is_some_and(|&j| matches!(cx.layers[j].shape, Shape::Map { h: 1, w: 1, .. }))
                && cx.layers[*i].macs > 0
        })
        .map(|(i, _)| name(cx, i))
        .collect();
    (at_one.len() >= 2).then(|| {
        finding(
            "spatial-collapse",
            Severity::Warning,
            format!("{} convolutions run on a 1×1 map", at_one.len()),
            "Once the map is 1×1, convolutions are dense layers on one position: the down-sampling came too early for the input size, and the spatial layers are wasted.",
            listing(&at_one),
            "Down-sample less (fewer pooling layers or strides) for this input size, or remove the layers after the collapse.",
            "Simonyan & Zisserman, VGG, ICLR 2015 (five poolings for 224 px inputs)",
        )
    })
}

/// A large stride-2 stem on small images.
fn large_first_kernel(cx: &Context<'_>) -> Option<LintFinding> {
    let [_, h, w] = cx.graph.input?;
    let (i, n) = cx
        .graph
        .nodes
        .iter()
        .enumerate()
        .find(|(_, n)| matches!(n.op, Op::Conv { .. }))?;
    let Op::Conv { kernel, stride, .. } = n.op else {
        return None;
    };
    let big = kernel[0].max(kernel[1]) >= 7 || (kernel[0] >= 5 && stride[0] >= 2);
    (big && h.max(w) <= SMALL_INPUT).then(|| {
        finding(
            "large-first-kernel",
            Severity::Info,
            format!(
                "A {}×{}/{} first convolution on {h}×{w} images",
                kernel[0], kernel[1], stride[0]
            ),
            "Large strided stems are made for 224 px ImageNet images; on small images they throw away detail in the first layer.",
            format!("first convolution {}", name(cx, i)),
            "Use a 3×3 stride-1 first convolution on small images (as CIFAR ResNets do).",
            "He et al. 2016 §4.2 (CIFAR-10 networks start with a 3×3 convolution)",
        )
    })
}
