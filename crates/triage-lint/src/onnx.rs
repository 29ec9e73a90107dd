//! ONNX files as `torch.onnx.export` and tf2onnx write them, decoded with
//! `prost` into the few messages of `onnx.proto` the lint needs (field
//! numbers from the ONNX IR specification; weights are skipped, never
//! decoded). Nodes become a layer graph: weight shapes come from the
//! initializers' `dims`; shape computations (`Shape`, `Gather`,
//! `Unsqueeze`, … on shape tensors) are dropped; a `Reshape` or `Squeeze`
//! of features is a flatten; an `Add` of a constant is a bias.
//!
//! What exporters hide: an eval-mode export drops Dropout and may fold
//! BatchNorm into the preceding convolution; the lint says so.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use prost::Message;

use crate::error::LintError;
use crate::graph::{Graph, Op, Padding, PoolKind, RawNode};

#[derive(Clone, PartialEq, Message)]
struct ModelProto {
    #[prost(int64, tag = "1")]
    ir_version: i64,
    #[prost(string, tag = "2")]
    producer_name: String,
    #[prost(message, optional, tag = "7")]
    graph: Option<GraphProto>,
}

#[derive(Clone, PartialEq, Message)]
struct GraphProto {
    #[prost(message, repeated, tag = "1")]
    node: Vec<NodeProto>,
    #[prost(message, repeated, tag = "5")]
    initializer: Vec<TensorProto>,
    #[prost(message, repeated, tag = "11")]
    input: Vec<ValueInfoProto>,
    #[prost(message, repeated, tag = "12")]
    output: Vec<ValueInfoProto>,
}

#[derive(Clone, PartialEq, Message)]
struct NodeProto {
    #[prost(string, repeated, tag = "1")]
    input: Vec<String>,
    #[prost(string, repeated, tag = "2")]
    output: Vec<String>,
    #[prost(string, tag = "3")]
    name: String,
    #[prost(string, tag = "4")]
    op_type: String,
    #[prost(message, repeated, tag = "5")]
    attribute: Vec<AttributeProto>,
}

#[derive(Clone, PartialEq, Message)]
struct AttributeProto {
    #[prost(string, tag = "1")]
    name: String,
    #[prost(float, tag = "2")]
    f: f32,
    #[prost(int64, tag = "3")]
    i: i64,
    #[prost(bytes = "vec", tag = "4")]
    s: Vec<u8>,
    #[prost(message, optional, tag = "5")]
    t: Option<ConstantTensor>,
    #[prost(int64, repeated, tag = "8")]
    ints: Vec<i64>,
}

/// The tensor of a `Constant` node's `value` (small: a Dropout ratio).
#[derive(Clone, PartialEq, Message)]
struct ConstantTensor {
    #[prost(int32, tag = "2")]
    data_type: i32,
    #[prost(float, repeated, tag = "4")]
    float_data: Vec<f32>,
    #[prost(bytes = "vec", tag = "9")]
    raw_data: Vec<u8>,
}

/// ONNX `TensorProto.DataType` FLOAT.
const FLOAT: i32 = 1;

impl ConstantTensor {
    /// The first value, when it is a float.
    fn scalar(&self) -> Option<f32> {
        if self.data_type != FLOAT {
            return None;
        }
        self.float_data.first().copied().or_else(|| {
            let b: [u8; 4] = self.raw_data.get(..4)?.try_into().ok()?;
            Some(f32::from_le_bytes(b))
        })
    }
}

/// Dims and name only: `raw_data` (9) and the typed data fields are
/// skipped by the decoder.
#[derive(Clone, PartialEq, Message)]
struct TensorProto {
    #[prost(int64, repeated, tag = "1")]
    dims: Vec<i64>,
    #[prost(string, tag = "8")]
    name: String,
}

#[derive(Clone, PartialEq, Message)]
struct ValueInfoProto {
    #[prost(string, tag = "1")]
    name: String,
    #[prost(message, optional, tag = "2")]
    r#type: Option<TypeProto>,
}

#[derive(Clone, PartialEq, Message)]
struct TypeProto {
    #[prost(message, optional, tag = "1")]
    tensor_type: Option<TensorTypeProto>,
}

#[derive(Clone, PartialEq, Message)]
struct TensorTypeProto {
    #[prost(int32, tag = "1")]
    elem_type: i32,
    #[prost(message, optional, tag = "2")]
    shape: Option<TensorShapeProto>,
}

#[derive(Clone, PartialEq, Message)]
struct TensorShapeProto {
    #[prost(message, repeated, tag = "1")]
    dim: Vec<Dimension>,
}

#[derive(Clone, PartialEq, Message)]
struct Dimension {
    #[prost(int64, tag = "1")]
    dim_value: i64,
    #[prost(string, tag = "2")]
    dim_param: String,
}

/// An ONNX model as a layer graph.
#[derive(Debug, Clone)]
pub struct OnnxModel {
    /// The graph.
    pub graph: Graph,
    /// Operators not understood (listed, passed through).
    pub unknown: Vec<String>,
    /// No Dropout node, or no BatchNorm node beside convolutions: an
    /// eval-mode (inference) export may have removed them.
    pub inference_export: bool,
}

fn not_onnx(path: &Path, reason: impl Into<String>) -> LintError {
    LintError::NotAModel {
        path: path.to_path_buf(),
        expected: "an ONNX model",
        reason: reason.into(),
    }
}

impl NodeProto {
    fn ints(&self, name: &str) -> Option<&[i64]> {
        self.attribute
            .iter()
            .find(|a| a.name == name)
            .map(|a| a.ints.as_slice())
    }

    fn int(&self, name: &str) -> Option<i64> {
        self.attribute.iter().find(|a| a.name == name).map(|a| a.i)
    }

    fn float(&self, name: &str) -> Option<f32> {
        self.attribute.iter().find(|a| a.name == name).map(|a| a.f)
    }

    fn string(&self, name: &str) -> Option<String> {
        self.attribute
            .iter()
            .find(|a| a.name == name)
            .map(|a| String::from_utf8_lossy(&a.s).into_owned())
    }
}

fn pair(v: Option<&[i64]>, default: usize) -> [usize; 2] {
    match v {
        Some([a, b, ..]) => [(*a).max(0) as usize, (*b).max(0) as usize],
        Some([a]) => [(*a).max(0) as usize; 2],
        _ => [default, default],
    }
}

fn padding(n: &NodeProto) -> Padding {
    match n.string("auto_pad").as_deref() {
        Some("SAME_UPPER" | "SAME_LOWER") => Padding::Same,
        Some("VALID") => Padding::Valid,
        _ => match n.ints("pads") {
            Some([t, l, b, r]) => Padding::Explicit([*t, *l, *b, *r].map(|p| p.max(0) as usize)),
            _ => Padding::Valid,
        },
    }
}

/// Decode and convert.
///
/// # Errors
/// [`LintError::NotAModel`] for bytes that are not an ONNX model with a
/// graph; [`LintError::Graph`] for a dangling edge or a cycle.
pub fn read(path: &Path, bytes: &[u8]) -> Result<OnnxModel, LintError> {
    let model = ModelProto::decode(bytes)
        .map_err(|e| not_onnx(path, format!("not a protobuf ONNX model ({e})")))?;
    let graph = model
        .graph
        .ok_or_else(|| not_onnx(path, "no graph (field 7 of ModelProto)"))?;
    if graph.node.is_empty() {
        return Err(not_onnx(path, "a graph without nodes"));
    }
    let weights: HashMap<&str, &[i64]> = graph
        .initializer
        .iter()
        .map(|t| (t.name.as_str(), t.dims.as_slice()))
        .collect();
    let mut raw = Vec::new();
    let mut unknown = Vec::new();
    // Feature tensors: name → the node producing it.
    let mut producer: HashMap<String, String> = HashMap::new();
    let mut input_shape = None;
    for v in graph
        .input
        .iter()
        .filter(|v| !weights.contains_key(v.name.as_str()))
    {
        raw.push(RawNode {
            name: v.name.clone(),
            op: Op::Input,
            inputs: Vec::new(),
        });
        producer.insert(v.name.clone(), v.name.clone());
        if input_shape.is_none() {
            input_shape = shape_of(v);
        }
    }
    let mut constants: HashSet<&str> = weights.keys().copied().collect();
    let mut scalars: HashMap<&str, f32> = HashMap::new();
    // Index in `raw` of each node, by name.
    let mut position: HashMap<String, usize> = HashMap::new();
    for (i, n) in graph.node.iter().enumerate() {
        let features: Vec<&String> = n
            .input
            .iter()
            .filter(|t| !t.is_empty() && producer.contains_key(t.as_str()))
            .collect();
        let name = if n.name.is_empty() {
            n.output
                .first()
                .cloned()
                .unwrap_or_else(|| format!("{}_{i}", n.op_type))
        } else {
            n.name.clone()
        };
        // Shape computations and constants carry no features.
        if n.op_type == "Shape" || features.is_empty() {
            for o in &n.output {
                constants.insert(o.as_str());
            }
            if let (Some(o), Some(v)) = (
                n.output.first(),
                n.attribute
                    .iter()
                    .find(|a| a.name == "value")
                    .and_then(|a| a.t.as_ref()?.scalar()),
            ) {
                scalars.insert(o.as_str(), v);
            }
            continue;
        }
        let mut op = node_op(n, &weights, &constants);
        // A constant added to a MatMul's output is that dense layer's bias.
        if let (Op::Passthrough(_), "Add", [input]) = (&op, n.op_type.as_str(), features.as_slice())
        {
            let producer_name = &producer[input.as_str()];
            if let Some(&k) = position.get(producer_name.as_str()) {
                if let Op::Dense { bias, .. } = &mut raw[k].op {
                    *bias = true;
                }
            }
        }
        if let Op::Dropout { rate: rate @ None } = &mut op {
            // Opset 12+: the ratio is the second input.
            *rate = n
                .input
                .get(1)
                .and_then(|t| scalars.get(t.as_str()))
                .map(|&v| (f64::from(v) * 1e6).round() / 1e6);
        }
        if let Op::Unknown(op) = &op {
            unknown.push(op.clone());
        }
        position.insert(name.clone(), raw.len());
        raw.push(RawNode {
            name: name.clone(),
            op,
            inputs: features
                .iter()
                .map(|t| producer[t.as_str()].clone())
                .collect(),
        });
        for o in &n.output {
            producer.insert(o.clone(), name.clone());
        }
    }
    let has = |op: &str| graph.node.iter().any(|n| n.op_type == op);
    let mut notes = Vec::new();
    let mut inference_export = false;
    if !has("Dropout") {
        inference_export = true;
        notes.push("no Dropout nodes: exported in eval mode? torch.onnx.export drops Dropout unless given training=torch.onnx.TrainingMode.PRESERVE (or TRAINING); the Dropout rules cannot see it".to_owned());
    }
    if !has("BatchNormalization") && has("Conv") {
        inference_export = true;
        notes.push("no BatchNormalization nodes: folded into the convolutions by an eval-mode export with constant folding? Export with do_constant_folding=False and training=torch.onnx.TrainingMode.PRESERVE to keep them".to_owned());
    }
    if input_shape.is_none() {
        notes.push("the graph input has no fixed shape: give --input C,H,W for shapes, MACs and receptive fields".to_owned());
    }
    let mut g = Graph::from_raw(path, raw, input_shape)?;
    g.notes = notes;
    Ok(OnnxModel {
        graph: g,
        unknown,
        inference_export,
    })
}

/// `[N, C, H, W]` (or NHWC with 1 or 3 trailing channels) as `[C, H, W]`.
fn shape_of(v: &ValueInfoProto) -> Option<[usize; 3]> {
    let dims: Vec<i64> = v
        .r#type
        .as_ref()?
        .tensor_type
        .as_ref()?
        .shape
        .as_ref()?
        .dim
        .iter()
        .map(|d| d.dim_value)
        .collect();
    let ok = |d: i64| (d > 0).then_some(d as usize);
    match dims.as_slice() {
        [_, a, b, c] if matches!(c, 1 | 3) && *a > 4 && *b > 4 => Some([ok(*c)?, ok(*a)?, ok(*b)?]),
        [_, c, h, w] => Some([ok(*c)?, ok(*h)?, ok(*w)?]),
        _ => None,
    }
}

fn node_op(n: &NodeProto, weights: &HashMap<&str, &[i64]>, constants: &HashSet<&str>) -> Op {
    let dims = |k: usize| {
        n.input
            .get(k)
            .and_then(|t| weights.get(t.as_str()))
            .copied()
    };
    let d = |v: &[i64], i: usize| v.get(i).map(|&x| x.max(0) as usize);
    match n.op_type.as_str() {
        "Conv" => {
            let w = dims(1).unwrap_or(&[]);
            let groups = n.int("group").unwrap_or(1).max(1) as usize;
            Op::Conv {
                filters: d(w, 0).unwrap_or(0),
                in_channels: d(w, 1).map(|c| c * groups),
                kernel: n
                    .ints("kernel_shape")
                    .map_or([d(w, 2).unwrap_or(1), d(w, 3).unwrap_or(1)], |k| {
                        pair(Some(k), 1)
                    }),
                stride: pair(n.ints("strides"), 1),
                padding: padding(n),
                groups,
                bias: n.input.len() >= 3 && !n.input[2].is_empty(),
            }
        }
        "Gemm" | "MatMul" => {
            let w = dims(1).unwrap_or(&[]);
            let trans = n.int("transB") == Some(1);
            let (k, units) = if trans {
                (d(w, 1), d(w, 0))
            } else {
                (d(w, 0), d(w, 1))
            };
            Op::Dense {
                units: units.unwrap_or(0),
                in_features: k,
                bias: n.op_type == "Gemm" && n.input.len() >= 3,
            }
        }
        "Add" | "Sub" | "Mul" | "Div" if n.input.iter().any(|t| constants.contains(t.as_str())) => {
            Op::Passthrough(format!("{} constant", n.op_type))
        }
        "Add" | "Sum" => Op::Add,
        "Concat" => Op::Concat,
        "BatchNormalization" => Op::BatchNorm,
        "InstanceNormalization" | "LayerNormalization" | "GroupNormalization" => {
            Op::OtherNorm(n.op_type.clone())
        }
        "Dropout" => Op::Dropout {
            rate: n.float("ratio").map(f64::from),
        },
        "Relu" | "LeakyRelu" | "Sigmoid" | "Tanh" | "Elu" | "Selu" | "HardSigmoid"
        | "HardSwish" | "Gelu" | "Clip" | "Mish" | "Softplus" | "PRelu" | "Swish" => {
            Op::Activation(n.op_type.to_lowercase())
        }
        "MaxPool" | "AveragePool" => {
            let kernel = pair(n.ints("kernel_shape"), 1);
            Op::Pool {
                kind: if n.op_type == "MaxPool" {
                    PoolKind::Max
                } else {
                    PoolKind::Avg
                },
                kernel,
                stride: pair(n.ints("strides"), 1),
                padding: padding(n),
            }
        }
        "GlobalAveragePool" => Op::GlobalPool(PoolKind::Avg),
        "GlobalMaxPool" => Op::GlobalPool(PoolKind::Max),
        // Global pooling as exporters write it: two reduced axes (NCHW
        // [2, 3], or NHWC [1, 2] behind tf2onnx's transposes), or axes
        // given as an input (opset 18).
        "ReduceMean" | "ReduceMax" if n.ints("axes").is_none_or(|a| a.len() == 2) => {
            Op::GlobalPool(if n.op_type == "ReduceMean" {
                PoolKind::Avg
            } else {
                PoolKind::Max
            })
        }
        "Flatten" | "Reshape" | "Squeeze" => Op::Flatten,
        "Softmax" => Op::Softmax,
        "LogSoftmax" => Op::LogSoftmax,
        "Log" => Op::Log,
        "Identity" | "Cast" | "Transpose" => Op::Passthrough(n.op_type.clone()),
        other => Op::Unknown(other.to_owned()),
    }
}
