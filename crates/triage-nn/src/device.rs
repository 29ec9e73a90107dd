//! The device triage computes on.
//!
//! burn 0.22's `Device::default()` picks the first backend compiled in, in
//! the order CUDA > Metal > ROCm > Vulkan > WebGPU > wgpu > CPU > tch >
//! Flex, so enabling a GPU feature would silently move every computation.
//! triage names its device instead ([`device_for`]): [`Backend::Cpu`] is
//! burn's `flex` backend (pure Rust, multi-threaded through rayon, SIMD);
//! [`Backend::Wgpu`] (cargo feature `wgpu`) runs through Vulkan, Metal,
//! DX12 or OpenGL on the best adapter found.
//!
//! The `wgpu` feature builds from crates.io alone (no build-script
//! download; ~15–20 min clean on 2 cores); `cuda` needs an LLVM bundle
//! downloaded at build time. See README "GPU".

use burn::tensor::Device;

use crate::error::NnError;

/// Which backend to compute on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Backend {
    /// burn's `flex` CPU backend (the default).
    #[default]
    Cpu,
    /// burn's `wgpu` backend (needs the `wgpu` cargo feature).
    Wgpu,
}

/// burn's `flex` CPU device (use `.autodiff()` to train on it).
pub fn cpu_device() -> Device {
    Device::flex()
}

/// The device of `backend`, initialised now so that a missing adapter is an
/// error here rather than a panic later.
///
/// # Errors
///
/// [`NnError::InvalidConfig`] when the backend was not compiled in or no
/// adapter is found.
pub fn device_for(backend: Backend) -> Result<Device, NnError> {
    match backend {
        Backend::Cpu => Ok(cpu_device()),
        Backend::Wgpu => wgpu_device(),
    }
}

#[cfg(feature = "wgpu")]
fn wgpu_device() -> Result<Device, NnError> {
    Device::wgpu_options()
        .device_kind(burn::tensor::DeviceKind::DefaultDevice)
        .init()
        .map_err(|e| NnError::invalid("device", format!("no wgpu adapter: {e:?}")))
}

#[cfg(not(feature = "wgpu"))]
fn wgpu_device() -> Result<Device, NnError> {
    Err(NnError::invalid(
        "device",
        "this triage was built without the `wgpu` feature; rebuild with `cargo build --release --features wgpu`",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_is_always_available() {
        assert!(device_for(Backend::Cpu).is_ok());
        #[cfg(not(feature = "wgpu"))]
        assert!(device_for(Backend::Wgpu)
            .unwrap_err()
            .to_string()
            .contains("--features wgpu"));
    }
}
