//! The device triage computes on.
//!
//! burn 0.22's `Device::default()` picks the first backend compiled in, in
//! the order CUDA > Metal > ROCm > Vulkan > WebGPU > wgpu > CPU > tch >
//! Flex, so enabling a GPU feature would silently move every computation.
//! triage names its device instead: [`cpu_device`] is burn's `flex`
//! backend (pure Rust, multi-threaded through rayon, SIMD).
//!
//! GPU paths (not built here; see README "GPU"): the `cuda` feature needs
//! an LLVM bundle downloaded at build time; burn's `wgpu` feature builds
//! from crates.io alone (measured: 21 min clean on 2 cores, 2.1 GB target)
//! and runs through Vulkan/Metal/DX12/GL, e.g. `Device::wgpu(DeviceKind::DefaultDevice)`.

use burn::tensor::Device;

/// burn's `flex` CPU device (use `.autodiff()` to train on it).
pub fn cpu_device() -> Device {
    Device::flex()
}
