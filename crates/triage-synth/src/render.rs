//! Rendering one sample: the figure's geometry and colours from the
//! sample's random stream, its coverage by signed-distance evaluation with
//! 4 × 4 supersampling, then the flat composite ([`Domain::Clean`]) or the
//! degradations of [`Domain::RealLike`].

use std::f64::consts::TAU;
use std::path::PathBuf;

use super::codec;
use super::error::SynthError;
use super::figure::{Outline, CLASS_NAMES, LETTER_TILT_DEG};
use super::real_like;
use super::rng::{SampleRng, Stream};
use triage_data::image::DecodedImage;
use triage_docs::synth::{Domain, SynthConfig};

/// Range of the figure's diameter (its circumscribed circle) as a fraction
/// of the image side.
const SCALE_RANGE: (f64, f64) = (0.45, 0.8);
/// Least luma difference (BT.601, 0..255 levels) between figure and
/// background colours.
pub(crate) const MIN_CONTRAST: f64 = 60.0;
/// Colour draws before falling back to black or white.
const COLOUR_TRIES: usize = 64;
/// Subsamples per pixel side (4 × 4 per pixel).
const SUPERSAMPLING: usize = 4;
/// Distance in pixels beyond which a pixel is wholly inside or outside:
/// the farthest subsample lies 0.375·√2 ≈ 0.53 px from the pixel centre.
const EDGE_BAND: f64 = 0.75;

/// Geometry and colours of one sample, in pixels and 0..255 levels.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Scene {
    /// Centre of the figure's circumscribed circle, (x, y) in pixels.
    pub(crate) centre: [f64; 2],
    /// Radius of that circle in pixels.
    pub(crate) radius: f64,
    /// Rotation of the figure in radians.
    pub(crate) angle: f64,
    /// Background colour, RGB.
    pub(crate) background: [f64; 3],
    /// Figure colour, RGB.
    pub(crate) foreground: [f64; 3],
}

/// Luma of an RGB colour (ITU-R BT.601).
pub(crate) fn luma(c: [f64; 3]) -> f64 {
    0.299 * c[0] + 0.587 * c[1] + 0.114 * c[2]
}

impl Scene {
    /// Draw the scene of a figure of class `class` in a `size`-pixel image:
    /// scale uniform in [0.45, 0.8) of the side, centre uniform over the
    /// positions that keep the circumscribed circle inside, rotation
    /// uniform in [0°, 360°) for shapes and [−15°, 15°) for letters,
    /// colours uniform in RGB with the figure's luma at least
    /// [`MIN_CONTRAST`] levels from the background's.
    pub(crate) fn sample(rng: &mut SampleRng, size: u32, class: usize) -> Self {
        let side = f64::from(size);
        let radius = rng.range(SCALE_RANGE.0, SCALE_RANGE.1) * side / 2.0;
        let centre = [
            rng.range(radius, side - radius),
            rng.range(radius, side - radius),
        ];
        let angle = if Outline::is_letter(class) {
            rng.range(-LETTER_TILT_DEG, LETTER_TILT_DEG).to_radians()
        } else {
            rng.range(0.0, TAU)
        };
        let mut colour = || [0; 3].map(|_: u8| rng.below(256) as f64);
        let background = colour();
        let mut foreground = None;
        for _ in 0..COLOUR_TRIES {
            let c = colour();
            if (luma(c) - luma(background)).abs() >= MIN_CONTRAST {
                foreground = Some(c);
                break;
            }
        }
        // Each try succeeds with probability about one half, so the
        // fallback is practically never taken.
        let foreground = foreground.unwrap_or(if luma(background) < 128.0 {
            [255.0; 3]
        } else {
            [0.0; 3]
        });
        Scene {
            centre,
            radius,
            angle,
            background,
            foreground,
        }
    }

    /// The point `(x, y)` of the image (pixels) in the figure's unit frame.
    fn to_unit(&self, x: f64, y: f64) -> [f64; 2] {
        let (s, c) = self.angle.sin_cos();
        let dx = (x - self.centre[0]) / self.radius;
        let dy = (y - self.centre[1]) / self.radius;
        // The figure is turned by +angle, so points are turned back.
        [c * dx + s * dy, -s * dx + c * dy]
    }

    /// The fraction of every pixel covered by the figure, row-major: 0 or 1
    /// away from the edge, else the share of a 4 × 4 grid of subsamples
    /// inside (17 levels). Only pixels within [`EDGE_BAND`] of the edge are
    /// supersampled, which gives the same result as supersampling every
    /// pixel because the outlines' distances are exact outside and lower
    /// bounds inside.
    pub(crate) fn coverage(&self, outline: &Outline, size: u32) -> Vec<f32> {
        let n = size as usize;
        let step = 1.0 / SUPERSAMPLING as f64;
        let mut out = Vec::with_capacity(n * n);
        for py in 0..n {
            for px in 0..n {
                let (x, y) = (px as f64 + 0.5, py as f64 + 0.5);
                // The figure lies within its circumscribed circle: pixels
                // well outside it are empty without evaluating the outline.
                let to_circle = ((x - self.centre[0]).powi(2) + (y - self.centre[1]).powi(2))
                    .sqrt()
                    - self.radius;
                if to_circle > EDGE_BAND {
                    out.push(0.0);
                    continue;
                }
                let d = outline.distance(self.to_unit(x, y)) * self.radius;
                let value = if d > EDGE_BAND {
                    0.0
                } else if d < -EDGE_BAND {
                    1.0
                } else {
                    let mut inside = 0usize;
                    for sy in 0..SUPERSAMPLING {
                        for sx in 0..SUPERSAMPLING {
                            let qx = px as f64 + (sx as f64 + 0.5) * step;
                            let qy = py as f64 + (sy as f64 + 0.5) * step;
                            if outline.contains(self.to_unit(qx, qy)) {
                                inside += 1;
                            }
                        }
                    }
                    inside as f32 / (SUPERSAMPLING * SUPERSAMPLING) as f32
                };
                out.push(value);
            }
        }
        out
    }
}

/// An image before the last, fallible step.
struct Drawn {
    image: DecodedImage,
    /// JPEG quality of the artefact round trip still to apply.
    jpeg_quality: Option<u8>,
}

/// Draw sample `index` of class `class` up to the JPEG round trip.
fn draw(config: &SynthConfig, class: usize, index: u64) -> Drawn {
    let size = config.size;
    let mut rng = SampleRng::new(config.seed, Stream::Render, class, index);
    let scene = Scene::sample(&mut rng, size, class);
    let coverage = scene.coverage(&Outline::of_class(class), size);
    let (pixels, jpeg_quality) = match config.domain {
        Domain::Clean => {
            let (bg, fg) = (scene.background, scene.foreground);
            let pixels = coverage
                .iter()
                .flat_map(|&c| {
                    let c = f64::from(c);
                    [0, 1, 2]
                        .map(|ch| (bg[ch] + (fg[ch] - bg[ch]) * c).round().clamp(0.0, 255.0) as u8)
                })
                .collect();
            (pixels, None)
        }
        Domain::RealLike => {
            let degraded = real_like::degrade(&mut rng, &scene, &coverage, size);
            (degraded.pixels, Some(degraded.jpeg_quality))
        }
    };
    let image = DecodedImage {
        width: size,
        height: size,
        channels: 3,
        pixels,
    };
    Drawn {
        image,
        jpeg_quality,
    }
}

/// Render sample `index` of class `class`: a `size × size` RGB image that
/// depends only on `(seed, size, domain, class, index)` — not on the number
/// of classes, the counts, label noise, splits or format — so the same
/// sample looks the same in every dataset that contains it, and its
/// [`Domain::Clean`] and [`Domain::RealLike`] renders share figure, pose
/// and colours.
///
/// The config is not validated (see [`SynthConfig::validate`]). The
/// in-memory JPEG round trip of [`Domain::RealLike`] cannot fail for valid
/// sizes; if the codec ever did fail, that one step is skipped here, while
/// [`crate::generate`] reports the error instead.
///
/// # Panics
///
/// If `class >= 26` ([`crate::MAX_CLASSES`]).
///
/// # Example
///
/// ```
/// use triage_synth::{render, SynthConfig};
///
/// let config = SynthConfig::default();
/// let image = render(&config, 3, 0);
/// assert_eq!((image.width, image.height, image.channels), (32, 32, 3));
/// assert_eq!(image, render(&config, 3, 0));
/// ```
pub fn render(config: &SynthConfig, class: usize, index: u64) -> DecodedImage {
    let Drawn {
        mut image,
        jpeg_quality,
    } = draw(config, class, index);
    if let Some(quality) = jpeg_quality {
        if let Ok(pixels) =
            codec::jpeg_round_trip(&image.pixels, image.width, image.height, quality)
        {
            image.pixels = pixels;
        }
    }
    image
}

/// As [`render`], with codec errors reported.
pub(crate) fn try_render(
    config: &SynthConfig,
    class: usize,
    index: u64,
) -> Result<DecodedImage, SynthError> {
    let Drawn {
        mut image,
        jpeg_quality,
    } = draw(config, class, index);
    if let Some(quality) = jpeg_quality {
        image.pixels = codec::jpeg_round_trip(&image.pixels, image.width, image.height, quality)
            .map_err(|error| SynthError::Encode {
                path: PathBuf::from(format!("{}#{index}", CLASS_NAMES[class])),
                error,
            })?;
    }
    Ok(image)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn early_exit_matches_full_supersampling() {
        for class in 0..26 {
            let mut rng = SampleRng::new(3, Stream::Render, class, 0);
            let scene = Scene::sample(&mut rng, 24, class);
            let outline = Outline::of_class(class);
            let fast = scene.coverage(&outline, 24);
            for (i, &c) in fast.iter().enumerate() {
                let (px, py) = ((i % 24) as f64, (i / 24) as f64);
                let mut inside = 0;
                for s in 0..16 {
                    let q = scene.to_unit(
                        px + (f64::from(s % 4) + 0.5) / 4.0,
                        py + (f64::from(s / 4) + 0.5) / 4.0,
                    );
                    inside += usize::from(outline.distance(q) < 0.0);
                }
                assert_eq!(c, inside as f32 / 16.0, "class {class} pixel {i}");
            }
        }
    }

    #[test]
    fn scenes_keep_the_figure_inside_with_contrast() {
        for index in 0..500 {
            let class = (index % 26) as usize;
            let mut rng = SampleRng::new(1, Stream::Render, class, index);
            let s = Scene::sample(&mut rng, 32, class);
            assert!((0.45 * 16.0..0.8 * 16.0).contains(&s.radius));
            for c in s.centre {
                assert!(c - s.radius >= 0.0 && c + s.radius <= 32.0);
            }
            assert!((luma(s.foreground) - luma(s.background)).abs() >= MIN_CONTRAST);
        }
    }

    #[test]
    fn clean_renders_are_two_coloured_with_soft_edges() {
        let config = SynthConfig::default();
        let image = render(&config, 1, 5);
        let corner = &image.pixels[..3];
        let n_bg = image.pixels.chunks(3).filter(|p| *p == corner).count();
        assert!(n_bg > 32 * 32 / 4 && n_bg < 32 * 32);
        assert_eq!(try_render(&config, 1, 5).unwrap(), image);
    }
}
