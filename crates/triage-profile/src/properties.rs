//! Per-image properties: brightness, contrast, colourfulness, sharpness,
//! noise, aspect ratio and entropy.
//!
//! Each property has one fixed definition, documented on its function, so
//! that profiles and shift tests computed at different times compare. Unless
//! stated otherwise a property is computed on the luma plane L in [0, 255]
//! ([`DecodedImage::luma`], ITU-R BT.601 weights) at the image's own size.

use triage_docs::profile::ImageProperties;

use triage_data::image::DecodedImage;

/// Mean and population standard deviation of `values` (0 and 0 if empty).
fn mean_std(values: &[f32]) -> (f64, f64) {
    if values.is_empty() {
        return (0.0, 0.0);
    }
    let n = values.len() as f64;
    let mean = values.iter().map(|&v| f64::from(v)).sum::<f64>() / n;
    let var = values
        .iter()
        .map(|&v| (f64::from(v) - mean).powi(2))
        .sum::<f64>()
        / n;
    (mean, var.sqrt())
}

/// Brightness: mean(L) / 255, in [0, 1]; 0 for an empty image.
///
/// The same definition as deepchecks' `Brightness` image property (mean of
/// the gray image), rescaled to [0, 1].
pub fn brightness(luma: &[f32]) -> f64 {
    mean_std(luma).0 / 255.0
}

/// RMS contrast: the population standard deviation of L, divided by 255,
/// in [0, 0.5]; 0 for a constant or empty image.
///
/// C = sqrt( (1/N) Σ (Lᵢ − mean L)² ) / 255.
///
/// # References
/// E. Peli, "Contrast in complex images", J. Opt. Soc. Am. A 7(10):2032–2040,
/// 1990 (RMS contrast; here on luma scaled to [0, 1]).
pub fn rms_contrast(luma: &[f32]) -> f64 {
    mean_std(luma).1 / 255.0
}

/// Colourfulness M of an RGB image, in 8-bit units; 0 for gray images.
///
/// With rg = R − G and yb = (R + G)/2 − B per pixel (R, G, B in [0, 255]),
/// M = sqrt(σ_rg² + σ_yb²) + 0.3 · sqrt(μ_rg² + μ_yb²), with population
/// moments over all pixels. The paper's scale: 0 not colourful, ≈15
/// slightly, ≈33 moderately, ≈45 averagely, ≈59 quite, ≈82 highly, ≈109
/// extremely colourful.
///
/// # References
/// D. Hasler and S. Süsstrunk, "Measuring colourfulness in natural images",
/// Proc. SPIE 5007, Human Vision and Electronic Imaging VIII, 2003.
pub fn colorfulness(image: &DecodedImage) -> f64 {
    if image.channels != 3 || image.pixels.is_empty() {
        return 0.0;
    }
    let (mut s_rg, mut s_yb, mut ss_rg, mut ss_yb) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
    let mut n = 0usize;
    for p in image.pixels.chunks_exact(3) {
        let (r, g, b) = (f64::from(p[0]), f64::from(p[1]), f64::from(p[2]));
        let rg = r - g;
        let yb = 0.5 * (r + g) - b;
        s_rg += rg;
        s_yb += yb;
        ss_rg += rg * rg;
        ss_yb += yb * yb;
        n += 1;
    }
    let n = n as f64;
    let (mu_rg, mu_yb) = (s_rg / n, s_yb / n);
    let var_rg = (ss_rg / n - mu_rg * mu_rg).max(0.0);
    let var_yb = (ss_yb / n - mu_yb * mu_yb).max(0.0);
    (var_rg + var_yb).sqrt() + 0.3 * (mu_rg * mu_rg + mu_yb * mu_yb).sqrt()
}

/// Sharpness: the population variance of the 4-neighbour Laplacian of L
/// over interior pixels, in luma² units; `None` for images smaller than
/// 3×3. Higher is sharper; 0 for a constant image (or any linear ramp).
///
/// ΔL(x, y) = L(x−1, y) + L(x+1, y) + L(x, y−1) + L(x, y+1) − 4 L(x, y),
/// for 1 ≤ x ≤ W−2 and 1 ≤ y ≤ H−2; sharpness = Var(ΔL) over those
/// (W−2)(H−2) pixels. `luma` is row-major, `width · height` long.
///
/// # References
/// J. L. Pech-Pacheco, G. Cristóbal, J. Chamorro-Martínez and
/// J. Fernández-Valdivia, "Diatom autofocusing in brightfield microscopy: a
/// comparative study", Proc. ICPR 2000, vol. 3, pp. 314–317.
pub fn laplacian_variance(luma: &[f32], width: usize, height: usize) -> Option<f64> {
    if width < 3 || height < 3 || luma.len() < width * height {
        return None;
    }
    let (mut sum, mut sum_sq) = (0.0f64, 0.0f64);
    for y in 1..height - 1 {
        let (up, row, down) = (
            &luma[(y - 1) * width..y * width],
            &luma[y * width..(y + 1) * width],
            &luma[(y + 1) * width..(y + 2) * width],
        );
        for x in 1..width - 1 {
            let lap = f64::from(row[x - 1]) + f64::from(row[x + 1]) + f64::from(up[x])
                - 4.0 * f64::from(row[x])
                + f64::from(down[x]);
            sum += lap;
            sum_sq += lap * lap;
        }
    }
    let n = ((width - 2) * (height - 2)) as f64;
    let mean = sum / n;
    Some((sum_sq / n - mean * mean).max(0.0))
}

/// Noise standard deviation estimated from L, in luma units (0–255);
/// `None` for images smaller than 3×3.
///
/// σ = sqrt(π/2) / (6 (W−2)(H−2)) · Σ |(L ∗ N)(x, y)| over interior pixels,
/// with the mask N = [[1, −2, 1], [−2, 4, −2], [1, −2, 1]] (the difference
/// of two Laplacians, which cancels image structure up to second order).
/// Accurate for additive white Gaussian noise on smooth images; texture and
/// edges bias it upwards.
///
/// # References
/// J. Immerkær, "Fast noise variance estimation", Computer Vision and Image
/// Understanding 64(2):300–302, 1996.
pub fn noise_sigma(luma: &[f32], width: usize, height: usize) -> Option<f64> {
    if width < 3 || height < 3 || luma.len() < width * height {
        return None;
    }
    let mut total = 0.0f64;
    for y in 1..height - 1 {
        let (up, row, down) = (
            &luma[(y - 1) * width..y * width],
            &luma[y * width..(y + 1) * width],
            &luma[(y + 1) * width..(y + 2) * width],
        );
        for x in 1..width - 1 {
            let corners = f64::from(up[x - 1] + up[x + 1] + down[x - 1] + down[x + 1]);
            let edges = f64::from(up[x] + down[x] + row[x - 1] + row[x + 1]);
            let v = corners - 2.0 * edges + 4.0 * f64::from(row[x]);
            total += v.abs();
        }
    }
    let n = ((width - 2) * (height - 2)) as f64;
    Some((std::f64::consts::FRAC_PI_2).sqrt() * total / (6.0 * n))
}

/// Aspect ratio: width / height (0 for a zero height).
pub fn aspect_ratio(width: u32, height: u32) -> f64 {
    if height == 0 {
        0.0
    } else {
        f64::from(width) / f64::from(height)
    }
}

/// Shannon entropy, in bits, of the 256-bin histogram of L rounded to the
/// nearest integer: H = −Σ_b p_b log₂ p_b, in [0, 8]; 0 for a constant or
/// empty image. A two-level image with equal halves has 1 bit.
///
/// # References
/// C. E. Shannon, "A mathematical theory of communication", Bell System
/// Technical Journal 27:379–423, 1948.
pub fn luma_entropy(luma: &[f32]) -> f64 {
    if luma.is_empty() {
        return 0.0;
    }
    let mut hist = [0u64; 256];
    for &v in luma {
        // Round half up without `f32::round` (a libm call on baseline
        // x86-64): the value is clamped to [0, 255] first.
        hist[(v.clamp(0.0, 255.0) + 0.5) as usize] += 1;
    }
    let n = luma.len() as f64;
    -hist
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = c as f64 / n;
            p * p.log2()
        })
        .sum::<f64>()
}

/// Compute every property of `image`; `luma` must be `image.luma()`.
pub fn image_properties(image: &DecodedImage, luma: &[f32]) -> ImageProperties {
    let (w, h) = (image.width as usize, image.height as usize);
    ImageProperties {
        brightness: brightness(luma),
        contrast: rms_contrast(luma),
        colorfulness: colorfulness(image),
        sharpness: laplacian_variance(luma, w, h),
        noise: noise_sigma(luma, w, h),
        aspect_ratio: aspect_ratio(image.width, image.height),
        entropy: luma_entropy(luma),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_xoshiro::Xoshiro256PlusPlus;
    use triage_docs::profile::Property;

    fn gray(width: u32, height: u32, pixels: Vec<u8>) -> DecodedImage {
        DecodedImage {
            width,
            height,
            channels: 1,
            pixels,
        }
    }

    /// A standard normal draw (Box–Muller).
    fn normal(rng: &mut impl Rng) -> f64 {
        let u1: f64 = rng.random::<f64>().max(1e-300);
        let u2: f64 = rng.random();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }

    #[test]
    fn two_level_image_has_one_bit_of_entropy() {
        let img = gray(4, 2, vec![0, 0, 0, 0, 255, 255, 255, 255]);
        let luma = img.luma();
        assert!((luma_entropy(&luma) - 1.0).abs() < 1e-12);
        assert!((brightness(&luma) - 0.5).abs() < 1e-12);
        assert!((rms_contrast(&luma) - 0.5).abs() < 1e-12);
        assert_eq!(luma_entropy(&[7.0; 10]), 0.0);
        // Four equally likely levels: 2 bits.
        assert!((luma_entropy(&[0.0, 1.0, 2.0, 3.0]) - 2.0).abs() < 1e-12);
    }

    #[test]
    fn constant_image_is_flat() {
        let img = gray(5, 4, vec![90; 20]);
        let p = image_properties(&img, &img.luma());
        assert_eq!(p.sharpness, Some(0.0));
        assert_eq!(p.noise, Some(0.0));
        assert_eq!(p.contrast, 0.0);
        assert_eq!(p.colorfulness, 0.0);
        assert!((p.brightness - 90.0 / 255.0).abs() < 1e-12);
        assert!((p.aspect_ratio - 1.25).abs() < 1e-12);
    }

    #[test]
    fn laplacian_variance_by_hand() {
        // One bright pixel in the centre of a 3×3 image: one interior pixel,
        // Laplacian −4·10 → variance over one value is 0.
        let img = gray(3, 3, vec![0, 0, 0, 0, 10, 0, 0, 0, 0]);
        assert_eq!(laplacian_variance(&img.luma(), 3, 3), Some(0.0));
        // 4×3: interior pixels (1,1) = 10 and (2,1) = 0 →
        // Laplacians −40 and +10, mean −15, variance 625.
        let img = gray(4, 3, vec![0, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0, 0]);
        let v = laplacian_variance(&img.luma(), 4, 3).unwrap();
        assert!((v - 625.0).abs() < 1e-9, "{v}");
    }

    #[test]
    fn small_images_have_no_sharpness_or_noise() {
        let img = gray(2, 5, vec![1; 10]);
        let p = image_properties(&img, &img.luma());
        assert_eq!(p.sharpness, None);
        assert_eq!(p.noise, None);
    }

    #[test]
    fn immerkaer_recovers_gaussian_noise_sigma() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
        for sigma in [3.0, 10.0] {
            let (w, h) = (128u32, 128u32);
            let pixels = (0..w * h)
                .map(|_| (128.0 + sigma * normal(&mut rng)).round().clamp(0.0, 255.0) as u8)
                .collect();
            let img = gray(w, h, pixels);
            let est = noise_sigma(&img.luma(), w as usize, h as usize).unwrap();
            assert!(
                (est - sigma).abs() < 0.1 * sigma,
                "sigma {sigma}: estimated {est}"
            );
        }
    }

    #[test]
    fn gray_is_not_colourful_and_red_is() {
        let rgb_gray = DecodedImage {
            width: 2,
            height: 1,
            channels: 3,
            pixels: vec![10, 10, 10, 200, 200, 200],
        };
        assert_eq!(colorfulness(&rgb_gray), 0.0);
        // Pure red everywhere: rg = 255, yb = 127.5, no spread →
        // M = 0.3 · sqrt(255² + 127.5²).
        let red = DecodedImage {
            width: 2,
            height: 2,
            channels: 3,
            pixels: [255, 0, 0].repeat(4),
        };
        let expected = 0.3 * (255.0f64.powi(2) + 127.5f64.powi(2)).sqrt();
        assert!((colorfulness(&red) - expected).abs() < 1e-9);
        assert_eq!(colorfulness(&gray(1, 1, vec![3])), 0.0);
    }

    #[test]
    fn property_lookup_matches_fields() {
        let img = gray(3, 3, (0..9).map(|v| v * 20).collect());
        let p = image_properties(&img, &img.luma());
        assert_eq!(p.get(Property::Entropy), Some(p.entropy));
        assert_eq!(p.get(Property::Sharpness), p.sharpness);
        assert_eq!(Property::ALL.len(), 7);
        assert_eq!(Property::AspectRatio.name(), "aspect_ratio");
    }
}
