//! Shapes, parameters, multiply-accumulates and receptive fields of a
//! layer graph, in one pass in topological order.
//!
//! Output size of a convolution or pooling (per axis, kernel k, stride s):
//! `same` ⌈n / s⌉; `valid` ⌊(n − k) / s⌋ + 1; explicit padding p₀ + p₁:
//! ⌊(n + p₀ + p₁ − k) / s⌋ + 1. Parameters of a convolution: filters ·
//! (in / groups) · kh · kw (+ filters for a bias); its MACs: that weight
//! count times the output's height · width. Dense: in · out (+ out).
//! BatchNorm: 2 · channels (scale and shift; the running statistics are
//! not trained). Receptive field (Araujo et al., Distill 2019): r ← r + (k
//! − 1) · j, j ← j · s along the height axis, r = j = 1 at the input; at a
//! join, the largest.

use crate::graph::{Graph, Op, Padding};

/// A tensor's shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Channels × height × width.
    Map {
        /// Channels.
        c: usize,
        /// Height.
        h: usize,
        /// Width.
        w: usize,
    },
    /// A feature vector.
    Vector(usize),
    /// Not inferred.
    Unknown,
}

impl Shape {
    /// Channels of a map, length of a vector.
    pub fn channels(self) -> Option<usize> {
        match self {
            Shape::Map { c, .. } => Some(c),
            Shape::Vector(n) => Some(n),
            Shape::Unknown => None,
        }
    }
}

/// What the pass found for one node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layer {
    /// Output shape.
    pub shape: Shape,
    /// Trainable parameters.
    pub params: u64,
    /// Multiply-accumulates per image.
    pub macs: u64,
    /// Receptive field and jump (input pixels per output step), for
    /// spatial outputs.
    pub rf: Option<(u64, u64)>,
    /// Spatial down-samplings before and at this node.
    pub stage: u64,
}

fn out_size(n: usize, k: usize, s: usize, padding: Padding, axis: usize) -> usize {
    let s = s.max(1);
    match padding {
        Padding::Same => n.div_ceil(s),
        Padding::Valid => {
            if n >= k {
                (n - k) / s + 1
            } else {
                0
            }
        }
        Padding::Explicit(p) => {
            let total = n.saturating_add(p[axis]).saturating_add(p[axis + 2]);
            if total >= k {
                (total - k) / s + 1
            } else {
                0
            }
        }
    }
}

/// The receptive field and jump after a window of `k` at stride `s`.
fn grow(r: u64, j: u64, k: usize, s: usize) -> (u64, u64) {
    (
        r.saturating_add((k as u64).saturating_sub(1).saturating_mul(j)),
        j.saturating_mul(s.max(1) as u64),
    )
}

/// Channels of concatenated inputs (`None` if one is unknown).
fn total(shapes: &[Shape]) -> Option<usize> {
    shapes
        .iter()
        .try_fold(0usize, |acc, s| Some(acc.saturating_add(s.channels()?)))
}

/// Infer every node's layer facts.
pub fn infer(g: &Graph) -> Vec<Layer> {
    let mut out: Vec<Layer> = Vec::with_capacity(g.nodes.len());
    for node in &g.nodes {
        let first = node.inputs.first().map(|&i| out[i]);
        let input_shape = first.map_or(Shape::Unknown, |l| l.shape);
        let rf_in = node
            .inputs
            .iter()
            .filter_map(|&i| out[i].rf)
            .max_by_key(|&(r, _)| r);
        let stage_in = node.inputs.iter().map(|&i| out[i].stage).max().unwrap_or(0);
        let same = Layer {
            shape: input_shape,
            params: 0,
            macs: 0,
            rf: rf_in,
            stage: stage_in,
        };
        let layer = match &node.op {
            Op::Input => Layer {
                shape: g
                    .input
                    .map_or(Shape::Unknown, |[c, h, w]| Shape::Map { c, h, w }),
                params: 0,
                macs: 0,
                rf: Some((1, 1)),
                stage: 0,
            },
            Op::Conv {
                filters,
                in_channels,
                kernel,
                stride,
                padding,
                groups,
                bias,
            } => {
                let c_in = in_channels.or_else(|| input_shape.channels());
                let weights = c_in.map_or(0, |c| {
                    [c / (*groups).max(1), kernel[0], kernel[1]]
                        .iter()
                        .fold(*filters as u64, |acc, &x| acc.saturating_mul(x as u64))
                });
                let params = weights.saturating_add(if *bias { *filters as u64 } else { 0 });
                let (shape, macs) = match input_shape {
                    Shape::Map { h, w, .. } => {
                        let oh = out_size(h, kernel[0], stride[0], *padding, 0);
                        let ow = out_size(w, kernel[1], stride[1], *padding, 1);
                        (
                            Shape::Map {
                                c: *filters,
                                h: oh,
                                w: ow,
                            },
                            weights.saturating_mul((oh as u64).saturating_mul(ow as u64)),
                        )
                    }
                    _ => (Shape::Unknown, 0),
                };
                Layer {
                    shape,
                    params,
                    macs,
                    rf: rf_in.map(|(r, j)| grow(r, j, kernel[0], stride[0])),
                    stage: stage_in + u64::from(stride[0] > 1 || stride[1] > 1),
                }
            }
            Op::Dense {
                units,
                in_features,
                bias,
            } => {
                let (n_in, shape) = match input_shape {
                    Shape::Vector(n) => (in_features.or(Some(n)), Shape::Vector(*units)),
                    // Keras applies Dense to the last axis of a map.
                    Shape::Map { c, h, w } => {
                        (in_features.or(Some(c)), Shape::Map { c: *units, h, w })
                    }
                    Shape::Unknown => (*in_features, Shape::Unknown),
                };
                let weights = n_in.map_or(0, |n| (n as u64).saturating_mul(*units as u64));
                let positions = match shape {
                    Shape::Map { h, w, .. } => (h as u64).saturating_mul(w as u64),
                    _ => 1,
                };
                Layer {
                    shape,
                    params: weights.saturating_add(if *bias { *units as u64 } else { 0 }),
                    macs: weights.saturating_mul(positions),
                    rf: None,
                    stage: stage_in,
                }
            }
            Op::BatchNorm | Op::OtherNorm(_) => Layer {
                params: input_shape
                    .channels()
                    .map_or(0, |c| (c as u64).saturating_mul(2)),
                ..same
            },
            Op::Pool {
                kernel,
                stride,
                padding,
                ..
            } => {
                let shape = match input_shape {
                    Shape::Map { c, h, w } => Shape::Map {
                        c,
                        h: out_size(h, kernel[0], stride[0], *padding, 0),
                        w: out_size(w, kernel[1], stride[1], *padding, 1),
                    },
                    other => other,
                };
                Layer {
                    shape,
                    rf: rf_in.map(|(r, j)| grow(r, j, kernel[0], stride[0])),
                    stage: stage_in + u64::from(stride[0] > 1 || stride[1] > 1),
                    ..same
                }
            }
            Op::GlobalPool(_) => Layer {
                shape: input_shape.channels().map_or(Shape::Unknown, Shape::Vector),
                ..same
            },
            Op::Flatten => Layer {
                shape: match input_shape {
                    Shape::Map { c, h, w } => Shape::Vector(c.saturating_mul(h).saturating_mul(w)),
                    other => other,
                },
                ..same
            },
            Op::Concat => {
                let shapes: Vec<Shape> = node.inputs.iter().map(|&i| out[i].shape).collect();
                let shape = match shapes.first() {
                    Some(Shape::Map { h, w, .. }) => {
                        let c = total(&shapes);
                        c.map_or(Shape::Unknown, |c| Shape::Map { c, h: *h, w: *w })
                    }
                    Some(Shape::Vector(_)) => {
                        let n = total(&shapes);
                        n.map_or(Shape::Unknown, Shape::Vector)
                    }
                    _ => Shape::Unknown,
                };
                Layer { shape, ..same }
            }
            Op::Dropout { .. }
            | Op::Activation(_)
            | Op::Add
            | Op::Softmax
            | Op::LogSoftmax
            | Op::Log
            | Op::Passthrough(_)
            | Op::Unknown(_) => same,
        };
        out.push(layer);
    }
    out
}

/// Weight layers on the longest input-to-output path.
pub fn depth(g: &Graph) -> u64 {
    let mut d = vec![0u64; g.nodes.len()];
    for (i, n) in g.nodes.iter().enumerate() {
        let before = n.inputs.iter().map(|&j| d[j]).max().unwrap_or(0);
        d[i] = before.saturating_add(u64::from(n.op.is_weight_layer()));
    }
    d.into_iter().max().unwrap_or(0)
}

/// A sum that stops at `u64::MAX` (hostile files can state any sizes).
pub fn saturating_sum(values: impl IntoIterator<Item = u64>) -> u64 {
    values.into_iter().fold(0, u64::saturating_add)
}
