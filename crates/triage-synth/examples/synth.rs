//! Generate a synthetic dataset and time it, or draw a contact sheet.
//!
//! ```text
//! cargo run --release -p triage-data --example synth -- OUT [CLASSES] [PER_CLASS] [SIZE] [clean|real-like]
//! cargo run --release -p triage-data --example synth -- --sheet SHEET.png [SIZE]
//! cargo run --release -p triage-data --example synth -- --bench
//! ```
//!
//! `--bench` times rendering alone (10 000 images of 32 px, one thread).
//! The sheet shows samples 0..8 of all 26 classes, one class per row,
//! clean on the left and real-like on the right.

use std::error::Error;
use std::path::Path;
use std::time::Instant;

use triage_synth::{generate, render, Domain, SynthConfig, MAX_CLASSES};

fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| args.get(i).map(String::as_str);
    if arg(0) == Some("--bench") {
        for domain in [Domain::Clean, Domain::RealLike] {
            let config = SynthConfig {
                domain,
                ..Default::default()
            };
            let start = Instant::now();
            let mut total = 0usize;
            for i in 0..10_000u64 {
                total += render(&config, (i % 10) as usize, i).pixels.len();
            }
            println!(
                "{domain:?} render only: {:.2} s ({total})",
                start.elapsed().as_secs_f64()
            );
        }
        return Ok(());
    }
    if arg(0) == Some("--sheet") {
        let path = arg(1).ok_or("usage: --sheet SHEET.png [SIZE]")?;
        let size: u32 = arg(2).unwrap_or("48").parse()?;
        return sheet(Path::new(path), size);
    }
    let out = arg(0).ok_or("usage: OUT [CLASSES] [PER_CLASS] [SIZE] [clean|real-like]")?;
    let config = SynthConfig {
        classes: arg(1).unwrap_or("10").parse()?,
        per_class: arg(2).unwrap_or("1000").parse()?,
        size: arg(3).unwrap_or("32").parse()?,
        domain: if arg(4) == Some("real-like") {
            Domain::RealLike
        } else {
            Domain::Clean
        },
        ..Default::default()
    };
    let start = Instant::now();
    let summary = generate(&config, Path::new(out))?;
    let seconds = start.elapsed().as_secs_f64();
    println!(
        "{} images ({} classes, {} px, {:?}) in {seconds:.2} s: {:.0} images/s on {} threads",
        summary.files,
        config.classes,
        config.size,
        config.domain,
        summary.files as f64 / seconds,
        rayon::current_num_threads()
    );
    Ok(())
}

/// Write a contact sheet of every class, clean and real-like.
fn sheet(path: &Path, size: u32) -> Result<(), Box<dyn Error>> {
    const SAMPLES: u32 = 8;
    let gap = 2;
    let cell = size + gap;
    let width = cell * SAMPLES * 2 + gap * 4;
    let height = cell * MAX_CLASSES as u32;
    let mut canvas = image::RgbImage::from_pixel(width, height, image::Rgb([255, 255, 255]));
    for (side, domain) in [Domain::Clean, Domain::RealLike].into_iter().enumerate() {
        let config = SynthConfig {
            size,
            domain,
            ..Default::default()
        };
        for class in 0..MAX_CLASSES {
            for index in 0..SAMPLES {
                let sample = render(&config, class, u64::from(index));
                let x0 = side as u32 * (cell * SAMPLES + gap * 4) + index * cell;
                let y0 = class as u32 * cell;
                for (i, p) in sample.pixels.chunks_exact(3).enumerate() {
                    let (x, y) = (i as u32 % size, i as u32 / size);
                    canvas.put_pixel(x0 + x, y0 + y, image::Rgb([p[0], p[1], p[2]]));
                }
            }
        }
    }
    canvas.save(path)?;
    Ok(())
}
