//! The degradations of [`super::Domain::RealLike`]: a rough model of a
//! photograph of the figure, applied in the order light takes.
//!
//! 1. **Texture**: value noise (random lattice values, smoothstep
//!    interpolation) at 2–3 octaves, base lattice 2–4 cells across, each
//!    octave twice as fine and half as strong; amplitude 12–30 levels on
//!    the background and a quarter of that on the figure (a print on
//!    textured paper).
//! 2. **Lighting**: a linear ramp in a random direction, brightness
//!    × (1 ± a) from one side to the other, a ∈ [0.10, 0.25).
//! 3. **Colour cast**: a gain per channel in [0.9, 1.1) (white balance).
//! 4. **Optics**: separable Gaussian blur, σ ∈ [0.5, 1.2) px, kernel radius
//!    ⌈3σ⌉, edges clamped.
//! 5. **Sensor**: Gaussian noise per channel, σ ∈ [3, 8) levels, then
//!    rounding to 8 bits and salt-and-pepper on 0.1 % of the pixels.
//! 6. **Compression**: a JPEG round trip at quality 40–80 (done by the
//!    caller, which can report codec errors).
//!
//! Every parameter and every noise value comes from the sample's random
//! stream, so the bytes are reproducible.

use std::f64::consts::TAU;

use super::render::Scene;
use super::rng::SampleRng;

/// Texture amplitude range on the background, in levels.
const TEXTURE_AMPLITUDE: (f64, f64) = (12.0, 30.0);
/// Texture amplitude on the figure relative to the background's.
const FIGURE_TEXTURE: f64 = 0.25;
/// Range of the lighting ramp's relative amplitude.
const LIGHTING: (f64, f64) = (0.10, 0.25);
/// Range of the per-channel gains.
const CAST: (f64, f64) = (0.9, 1.1);
/// Range of the blur's standard deviation in pixels.
const BLUR_SIGMA: (f64, f64) = (0.5, 1.2);
/// Range of the sensor noise's standard deviation in levels.
const NOISE_SIGMA: (f64, f64) = (3.0, 8.0);
/// Probability that a pixel is replaced by black or white.
const SALT_AND_PEPPER: f64 = 0.001;
/// Range of the JPEG quality, inclusive.
const JPEG_QUALITY: (u8, u8) = (40, 80);

/// A degraded image before its JPEG round trip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Degraded {
    /// Interleaved RGB samples, row-major.
    pub(crate) pixels: Vec<u8>,
    /// Quality of the JPEG round trip still to apply.
    pub(crate) jpeg_quality: u8,
}

/// Degrade the figure of `scene`, given its `coverage`, into a `size`-pixel
/// RGB image (steps 1–5 of the module docs).
pub(crate) fn degrade(rng: &mut SampleRng, scene: &Scene, coverage: &[f32], size: u32) -> Degraded {
    let n = size as usize;
    let side = f64::from(size);
    // Parameters first, in a fixed order.
    let octaves = 2 + rng.below(2);
    let base_cells = 2 + rng.below(3);
    let texture_amplitude = rng.range(TEXTURE_AMPLITUDE.0, TEXTURE_AMPLITUDE.1);
    let light_angle = rng.range(0.0, TAU);
    let light = rng.range(LIGHTING.0, LIGHTING.1);
    let cast = [0; 3].map(|_: u8| rng.range(CAST.0, CAST.1));
    let blur_sigma = rng.range(BLUR_SIGMA.0, BLUR_SIGMA.1);
    let noise_sigma = rng.range(NOISE_SIGMA.0, NOISE_SIGMA.1);
    let span = usize::from(JPEG_QUALITY.1 - JPEG_QUALITY.0) + 1;
    let jpeg_quality = JPEG_QUALITY.0 + rng.below(span) as u8;

    let texture = value_noise(rng, n, base_cells, octaves);

    // Texture, composite, lighting and cast.
    let (dir_x, dir_y) = (light_angle.cos(), light_angle.sin());
    let half_extent = side / 2.0 * (dir_x.abs() + dir_y.abs());
    let mut image = Vec::with_capacity(n * n * 3);
    for (i, (&c, &t)) in coverage.iter().zip(&texture).enumerate() {
        let (x, y) = (
            (i % n) as f64 + 0.5 - side / 2.0,
            (i / n) as f64 + 0.5 - side / 2.0,
        );
        let ramp = (x * dir_x + y * dir_y) / half_extent;
        let gain = 1.0 + light * ramp;
        let c = f64::from(c);
        let bg_shift = texture_amplitude * t;
        for ((&bg, &fg), &cast) in scene.background.iter().zip(&scene.foreground).zip(&cast) {
            let bg = bg + bg_shift;
            let fg = fg + FIGURE_TEXTURE * bg_shift;
            image.push((bg + (fg - bg) * c) * gain * cast);
        }
    }

    let blurred = gaussian_blur(&image, n, blur_sigma);

    let mut pixels: Vec<u8> = blurred
        .iter()
        .map(|&v| (v + noise_sigma * rng.normal()).round().clamp(0.0, 255.0) as u8)
        .collect();
    for pixel in pixels.chunks_exact_mut(3) {
        if rng.uniform() < SALT_AND_PEPPER {
            let v = if rng.uniform() < 0.5 { 0 } else { 255 };
            pixel.fill(v);
        }
    }
    Degraded {
        pixels,
        jpeg_quality,
    }
}

/// Smooth value noise on an `n × n` grid, in [−1, 1]: octave `o` has
/// `base_cells · 2^o` lattice cells across the image and weight `2^−o`;
/// lattice values are uniform in [−1, 1) and interpolated with
/// smoothstep-weighted bilinear interpolation; the sum is divided by the
/// total weight.
fn value_noise(rng: &mut SampleRng, n: usize, base_cells: usize, octaves: usize) -> Vec<f64> {
    let mut out = vec![0.0; n * n];
    let mut total = 0.0;
    for octave in 0..octaves {
        let cells = base_cells << octave;
        let weight = 0.5f64.powi(octave as i32);
        total += weight;
        let stride = cells + 1;
        let lattice: Vec<f64> = (0..stride * stride).map(|_| rng.range(-1.0, 1.0)).collect();
        for (i, value) in out.iter_mut().enumerate() {
            let u = ((i % n) as f64 + 0.5) / n as f64 * cells as f64;
            let v = ((i / n) as f64 + 0.5) / n as f64 * cells as f64;
            let (x0, y0) = (u.floor() as usize, v.floor() as usize);
            let (x0, y0) = (x0.min(cells - 1), y0.min(cells - 1));
            let smooth = |t: f64| t * t * (3.0 - 2.0 * t);
            let (fx, fy) = (smooth(u - x0 as f64), smooth(v - y0 as f64));
            let at = |x: usize, y: usize| lattice[y * stride + x];
            let top = at(x0, y0) + (at(x0 + 1, y0) - at(x0, y0)) * fx;
            let bottom = at(x0, y0 + 1) + (at(x0 + 1, y0 + 1) - at(x0, y0 + 1)) * fx;
            *value += weight * (top + (bottom - top) * fy);
        }
    }
    out.iter_mut().for_each(|v| *v /= total);
    out
}

/// Separable Gaussian blur of an `n × n` interleaved RGB image: kernel
/// exp(−d²/2σ²) for |d| ≤ ⌈3σ⌉, normalised to sum 1, edges clamped.
fn gaussian_blur(image: &[f64], n: usize, sigma: f64) -> Vec<f64> {
    let radius = (3.0 * sigma).ceil() as isize;
    let mut kernel: Vec<f64> = (-radius..=radius)
        .map(|d| (-((d * d) as f64) / (2.0 * sigma * sigma)).exp())
        .collect();
    let sum: f64 = kernel.iter().sum();
    kernel.iter_mut().for_each(|k| *k /= sum);
    let last = n as isize - 1;
    let pass = |src: &[f64], horizontal: bool| -> Vec<f64> {
        let mut dst = vec![0.0; src.len()];
        for y in 0..n {
            for x in 0..n {
                let mut acc = [0.0; 3];
                for (k, d) in kernel.iter().zip(-radius..=radius) {
                    let (sx, sy) = if horizontal {
                        ((x as isize + d).clamp(0, last) as usize, y)
                    } else {
                        (x, (y as isize + d).clamp(0, last) as usize)
                    };
                    let at = (sy * n + sx) * 3;
                    for (a, &v) in acc.iter_mut().zip(&src[at..at + 3]) {
                        *a += k * v;
                    }
                }
                dst[(y * n + x) * 3..(y * n + x) * 3 + 3].copy_from_slice(&acc);
            }
        }
        dst
    };
    pass(&pass(image, true), false)
}

#[cfg(test)]
mod tests {
    use super::super::rng::Stream;
    use super::*;

    #[test]
    fn value_noise_is_bounded_and_smooth() {
        let mut rng = SampleRng::new(0, Stream::Render, 0, 0);
        let noise = value_noise(&mut rng, 32, 3, 3);
        assert!(noise.iter().all(|v| (-1.0..=1.0).contains(v)));
        let max_step = noise
            .chunks(32)
            .flat_map(|row| row.windows(2).map(|w| (w[1] - w[0]).abs()))
            .fold(0.0, f64::max);
        assert!(max_step < 0.5, "{max_step}");
        assert!(noise.iter().any(|&v| v.abs() > 0.1));
    }

    #[test]
    fn blur_preserves_flat_images_and_the_mean() {
        let flat = vec![100.0; 8 * 8 * 3];
        assert!(gaussian_blur(&flat, 8, 1.0)
            .iter()
            .all(|v| (v - 100.0).abs() < 1e-9));
        let mut dot = vec![0.0; 9 * 9 * 3];
        dot[(4 * 9 + 4) * 3] = 90.0;
        let blurred = gaussian_blur(&dot, 9, 0.8);
        let total: f64 = blurred.iter().sum();
        assert!((total - 90.0).abs() < 1e-9);
        assert!(blurred[(4 * 9 + 4) * 3] < 90.0 && blurred[(4 * 9 + 5) * 3] > 0.0);
    }
}
