//! The layer graph every reader builds: nodes with a small set of operators
//! triage understands (anything else is kept as `Unknown`, listed and
//! passed through), in topological order.

use std::collections::HashMap;

use crate::error::LintError;

/// Max or average pooling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PoolKind {
    /// Max pooling.
    Max,
    /// Average pooling.
    Avg,
}

/// Spatial padding of a convolution or pooling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Padding {
    /// Output size = ceil(input / stride).
    Same,
    /// No padding.
    Valid,
    /// Explicit pixels: top, left, bottom, right.
    Explicit([usize; 4]),
}

/// What a node does.
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// The model's input.
    Input,
    /// 2-D convolution.
    Conv {
        /// Output channels.
        filters: usize,
        /// Input channels, when the file states them (ONNX weights).
        in_channels: Option<usize>,
        /// Kernel height, width.
        kernel: [usize; 2],
        /// Stride height, width.
        stride: [usize; 2],
        /// Padding.
        padding: Padding,
        /// Groups (1: dense convolution).
        groups: usize,
        /// A bias term.
        bias: bool,
    },
    /// Fully connected layer.
    Dense {
        /// Output features.
        units: usize,
        /// Input features, when the file states them.
        in_features: Option<usize>,
        /// A bias term.
        bias: bool,
    },
    /// Batch normalisation.
    BatchNorm,
    /// Another normalisation (layer, group, instance).
    OtherNorm(String),
    /// Dropout (rate unknown when the file does not say).
    Dropout {
        /// Drop probability.
        rate: Option<f64>,
    },
    /// An element-wise activation (`relu`, `gelu`, …).
    Activation(String),
    /// Spatial pooling.
    Pool {
        /// Max or average.
        kind: PoolKind,
        /// Window height, width.
        kernel: [usize; 2],
        /// Stride height, width.
        stride: [usize; 2],
        /// Padding.
        padding: Padding,
    },
    /// Global pooling to one value per channel.
    GlobalPool(PoolKind),
    /// Flatten a map to a vector.
    Flatten,
    /// Element-wise sum of the inputs (a shortcut joins here).
    Add,
    /// Concatenation along channels.
    Concat,
    /// Softmax.
    Softmax,
    /// Log-softmax.
    LogSoftmax,
    /// Element-wise logarithm.
    Log,
    /// Shape-preserving operators with nothing to lint (identity, casts).
    Passthrough(String),
    /// An operator triage does not understand (listed, passed through).
    Unknown(String),
}

impl Op {
    /// A convolution or dense layer (it holds weights).
    pub fn is_weight_layer(&self) -> bool {
        matches!(self, Op::Conv { .. } | Op::Dense { .. })
    }

    /// A normalisation layer.
    pub fn is_norm(&self) -> bool {
        matches!(self, Op::BatchNorm | Op::OtherNorm(_))
    }
}

/// A node and the nodes it reads.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Its name in the model file.
    pub name: String,
    /// What it does.
    pub op: Op,
    /// Indices of the nodes it reads (earlier in the order).
    pub inputs: Vec<usize>,
}

/// A model's layer graph.
#[derive(Debug, Clone, PartialEq)]
pub struct Graph {
    /// The nodes, in topological order (inputs first).
    pub nodes: Vec<Node>,
    /// Input shape: channels, height, width.
    pub input: Option<[usize; 3]>,
    /// What the reader could not see, and why.
    pub notes: Vec<String>,
}

/// A node as a reader finds it: inputs by name, any order.
#[derive(Debug, Clone, PartialEq)]
pub struct RawNode {
    /// Name.
    pub name: String,
    /// Operator.
    pub op: Op,
    /// Names of the nodes it reads.
    pub inputs: Vec<String>,
}

impl Graph {
    /// Order `raw` topologically (Kahn's algorithm, ties in file order).
    /// An input that names no node is an error; so is a cycle.
    ///
    /// # Errors
    /// [`LintError::Graph`] naming the node.
    pub fn from_raw(
        file: &std::path::Path,
        raw: Vec<RawNode>,
        input: Option<[usize; 3]>,
    ) -> Result<Self, LintError> {
        let bad = |reason: String| LintError::Graph {
            path: file.to_path_buf(),
            reason,
        };
        let mut index: HashMap<&str, usize> = HashMap::new();
        for (i, n) in raw.iter().enumerate() {
            if index.insert(n.name.as_str(), i).is_some() {
                return Err(bad(format!("two layers are named `{}`", n.name)));
            }
        }
        let mut preds: Vec<Vec<usize>> = Vec::with_capacity(raw.len());
        for n in &raw {
            let mut p = Vec::with_capacity(n.inputs.len());
            for name in &n.inputs {
                let i = *index.get(name.as_str()).ok_or_else(|| {
                    bad(format!("`{}` reads `{name}`, which is not a layer", n.name))
                })?;
                p.push(i);
            }
            preds.push(p);
        }
        let mut pending: Vec<usize> = preds.iter().map(Vec::len).collect();
        let mut users: Vec<Vec<usize>> = vec![Vec::new(); raw.len()];
        for (i, p) in preds.iter().enumerate() {
            for &j in p {
                users[j].push(i);
            }
        }
        let mut ready: std::collections::BTreeSet<usize> =
            (0..raw.len()).filter(|&i| pending[i] == 0).collect();
        let mut order = Vec::with_capacity(raw.len());
        while let Some(i) = ready.pop_first() {
            order.push(i);
            for &u in &users[i] {
                pending[u] -= 1;
                if pending[u] == 0 {
                    ready.insert(u);
                }
            }
        }
        if order.len() < raw.len() {
            let stuck = (0..raw.len()).find(|&i| pending[i] > 0).unwrap_or(0);
            return Err(bad(format!(
                "the layers form a cycle (through `{}`): not a feed-forward model",
                raw[stuck].name
            )));
        }
        let mut position = vec![0; raw.len()];
        for (k, &i) in order.iter().enumerate() {
            position[i] = k;
        }
        let mut slots: Vec<Option<RawNode>> = raw.into_iter().map(Some).collect();
        let nodes = order
            .iter()
            .map(|&i| {
                let n = slots[i].take().unwrap_or_else(|| RawNode {
                    name: String::new(),
                    op: Op::Unknown(String::new()),
                    inputs: Vec::new(),
                });
                Node {
                    name: n.name,
                    op: n.op,
                    inputs: preds[i].iter().map(|&j| position[j]).collect(),
                }
            })
            .collect();
        Ok(Self {
            nodes,
            input,
            notes: Vec::new(),
        })
    }

    /// For each node, the nodes that read it.
    pub fn users(&self) -> Vec<Vec<usize>> {
        let mut users = vec![Vec::new(); self.nodes.len()];
        for (i, n) in self.nodes.iter().enumerate() {
            for &j in &n.inputs {
                users[j].push(i);
            }
        }
        users
    }

    /// The nodes no other node reads (the outputs).
    pub fn outputs(&self) -> Vec<usize> {
        let users = self.users();
        (0..self.nodes.len())
            .filter(|&i| users[i].is_empty())
            .collect()
    }
}

/// A chain of nodes, each reading the one before (for tests and the
/// triage-spec reader): `(name, op)` pairs after an `input` node.
pub fn chain(ops: Vec<(&str, Op)>, input: Option<[usize; 3]>) -> Graph {
    let mut nodes = vec![Node {
        name: "input".into(),
        op: Op::Input,
        inputs: Vec::new(),
    }];
    for (name, op) in ops {
        let prev = nodes.len() - 1;
        nodes.push(Node {
            name: name.into(),
            op,
            inputs: vec![prev],
        });
    }
    Graph {
        nodes,
        input,
        notes: Vec::new(),
    }
}
