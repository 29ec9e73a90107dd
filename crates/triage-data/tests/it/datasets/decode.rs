//! Decoding image files: conversion policy, sniffing, and failures.

use std::fs;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

use image::{ImageBuffer, ImageFormat, Luma, LumaA, Rgba, RgbaImage};
use tempfile::tempdir;
use triage_data::decode::{
    decode_all, decode_file, decode_item, ChannelPolicy, DecodeFailure, DecodeOptions, ResizeFilter,
};
use triage_data::image::{ColorMode, DEFAULT_MAX_PIXELS};

use super::{open, write_bytes, write_jpeg, write_png};

fn decode(path: &Path) -> Result<triage_data::decode::Decoded, DecodeFailure> {
    decode_file(path, &DecodeOptions::default())
}

/// A PNG of noise, large enough that cutting it loses image data.
fn noise_png(path: &Path) {
    let mut state = 12345u32;
    let image = ImageBuffer::from_fn(64, 64, |_, _| {
        state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
        image::Rgb([(state >> 24) as u8, (state >> 16) as u8, (state >> 8) as u8])
    });
    image.save_with_format(path, ImageFormat::Png).unwrap();
}

#[test]
fn gray_rgb_and_alpha_follow_the_policy() {
    let dir = tempdir().unwrap();
    let gray = dir.path().join("gray.png");
    write_png(&gray, 3, 2);
    let decoded = decode(&gray).unwrap();
    assert_eq!(decoded.mode, ColorMode::Gray);
    assert_eq!(decoded.format, Some("png"));
    assert_eq!(decoded.image.channels, 1);
    assert_eq!(decoded.image.pixels, [0, 1, 2, 1, 2, 3]);
    assert_eq!(decoded.original_size, (3, 2));
    assert_eq!(decoded.file_bytes, fs::metadata(&gray).unwrap().len());
    assert_eq!(decoded.extension_mismatch, None);

    let rgba = dir.path().join("rgba.png");
    RgbaImage::from_pixel(2, 1, Rgba([200, 100, 50, 128]))
        .save(&rgba)
        .unwrap();
    let decoded = decode(&rgba).unwrap();
    assert_eq!(decoded.mode, ColorMode::Rgba);
    assert_eq!(decoded.image.channels, 3);
    assert_eq!(decoded.image.pixels, [100, 50, 25, 100, 50, 25]);

    let la = dir.path().join("la.png");
    ImageBuffer::from_pixel(1, 1, LumaA([255u8, 0]))
        .save(&la)
        .unwrap();
    let decoded = decode(&la).unwrap();
    assert_eq!(decoded.mode, ColorMode::GrayAlpha);
    assert_eq!(decoded.image.pixels, [0]);

    let deep = dir.path().join("deep.png");
    ImageBuffer::<Luma<u16>, _>::from_raw(2, 1, vec![65535u16, 25700])
        .unwrap()
        .save(&deep)
        .unwrap();
    let decoded = decode(&deep).unwrap();
    assert_eq!(decoded.mode, ColorMode::Other);
    assert_eq!(decoded.image.pixels, [255, 100]);

    let red = dir.path().join("red.bmp");
    image::RgbImage::from_pixel(1, 1, image::Rgb([255, 0, 0]))
        .save(&red)
        .unwrap();
    let as_gray = DecodeOptions {
        channels: ChannelPolicy::Gray,
        ..DecodeOptions::default()
    };
    let decoded = decode_file(&red, &as_gray).unwrap();
    assert_eq!(decoded.format, Some("bmp"));
    assert_eq!(
        (decoded.image.channels, decoded.image.pixels.clone()),
        (1, vec![76])
    );
    let as_rgb = DecodeOptions {
        channels: ChannelPolicy::Rgb,
        ..DecodeOptions::default()
    };
    let decoded = decode_file(&gray, &as_rgb).unwrap();
    assert_eq!(decoded.image.channels, 3);
    assert_eq!(decoded.image.pixels[..6], [0, 0, 0, 1, 1, 1]);
}

#[test]
fn resizing_only_when_asked() {
    let dir = tempdir().unwrap();
    let path = dir.path().join("a.jpg");
    write_jpeg(&path, 16, 8);
    let decoded = decode(&path).unwrap();
    assert_eq!(
        (
            decoded.image.width,
            decoded.image.height,
            decoded.image.channels
        ),
        (16, 8, 3)
    );
    assert_eq!(decoded.mode, ColorMode::Rgb);
    assert_eq!(decoded.format, Some("jpeg"));
    for filter in [ResizeFilter::Triangle, ResizeFilter::Lanczos3] {
        let options = DecodeOptions {
            resize: Some((4, 6)),
            filter,
            ..DecodeOptions::default()
        };
        let decoded = decode_file(&path, &options).unwrap();
        assert_eq!((decoded.image.width, decoded.image.height), (4, 6));
        assert_eq!(decoded.image.pixels.len(), 4 * 6 * 3);
        assert_eq!(decoded.original_size, (16, 8));
    }
}

#[test]
fn jpeg_data_in_a_png_file_decodes_with_a_mismatch() {
    let dir = tempdir().unwrap();
    let jpeg = dir.path().join("a.jpg");
    write_jpeg(&jpeg, 8, 8);
    let disguised = dir.path().join("disguised.PNG");
    fs::copy(&jpeg, &disguised).unwrap();
    let decoded = decode(&disguised).unwrap();
    assert_eq!(decoded.format, Some("jpeg"));
    assert_eq!(decoded.extension_mismatch, Some(("png".to_owned(), "jpeg")));
    assert_eq!((decoded.image.width, decoded.image.height), (8, 8));
    // `.jpg` and `.jpeg` both name JPEG.
    assert_eq!(decode(&jpeg).unwrap().extension_mismatch, None);
}

#[test]
fn truncated_empty_and_non_images_fail_plainly() {
    let dir = tempdir().unwrap();
    let full = dir.path().join("full.png");
    noise_png(&full);
    let bytes = fs::read(&full).unwrap();
    let cut = dir.path().join("cut.png");
    write_bytes(&cut, &bytes[..bytes.len() / 2]);
    let failure = decode(&cut).unwrap_err();
    assert!(
        matches!(failure, DecodeFailure::Truncated { .. }),
        "{failure:?}"
    );
    assert!(
        failure.to_string().starts_with("truncated image"),
        "{failure}"
    );
    assert_eq!(failure.kind(), "truncated");

    let empty = dir.path().join("empty.png");
    write_bytes(&empty, b"");
    assert_eq!(decode(&empty), Err(DecodeFailure::ZeroByte));

    let text = dir.path().join("text.png");
    write_bytes(&text, b"hello, this is not an image at all");
    let failure = decode(&text).unwrap_err();
    assert_eq!(failure, DecodeFailure::NotAnImage);
    assert_eq!(
        serde_json::to_string(&failure).unwrap(),
        format!("\"{failure}\"")
    );

    let missing = decode(&dir.path().join("missing.png")).unwrap_err();
    assert!(matches!(missing, DecodeFailure::Io { .. }), "{missing:?}");

    // A valid PNG signature and header, then garbage.
    let mut corrupt = bytes[..33].to_vec();
    corrupt.extend_from_slice(&[
        0, 0, 0, 10, b'I', b'D', b'A', b'T', 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0, 0, 0, 0,
    ]);
    let garbage = dir.path().join("garbage.png");
    write_bytes(&garbage, &corrupt);
    let failure = decode(&garbage).unwrap_err();
    assert!(
        matches!(
            failure,
            DecodeFailure::Corrupt { .. } | DecodeFailure::Truncated { .. }
        ),
        "{failure:?}"
    );
}

/// A PNG (signature and chunks) whose IHDR claims `width`×`height`, with a
/// correct CRC, followed by a tiny IDAT and IEND.
fn png_claiming(width: u32, height: u32) -> Vec<u8> {
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut crc = flate2::Crc::new();
        crc.update(kind);
        crc.update(data);
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        out.extend_from_slice(&crc.sum().to_be_bytes());
    }
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = width.to_be_bytes().to_vec();
    ihdr.extend_from_slice(&height.to_be_bytes());
    ihdr.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(
        &mut out,
        b"IDAT",
        &[0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01],
    );
    chunk(&mut out, b"IEND", &[]);
    out
}

#[test]
fn decompression_bomb_is_refused_from_the_header() {
    let dir = tempdir().unwrap();
    let bomb = dir.path().join("bomb.png");
    write_bytes(&bomb, &png_claiming(100_000, 100_000));
    let failure = decode(&bomb).unwrap_err();
    assert_eq!(
        failure,
        DecodeFailure::TooLarge {
            width: 100_000,
            height: 100_000,
            limit: DEFAULT_MAX_PIXELS
        }
    );
    assert!(failure.to_string().contains("100000×100000"), "{failure}");

    // The limit is the option's.
    let small = dir.path().join("small.png");
    write_png(&small, 8, 8);
    let tight = DecodeOptions {
        max_pixels: 63,
        ..DecodeOptions::default()
    };
    let failure = decode_file(&small, &tight).unwrap_err();
    assert_eq!(failure.kind(), "too-large");
    assert!(decode_file(
        &small,
        &DecodeOptions {
            max_pixels: 64,
            ..tight
        }
    )
    .is_ok());

    // One side beyond u32-sized limits of the second guard is still
    // reported with its size.
    let wide = dir.path().join("wide.png");
    write_bytes(&wide, &png_claiming(2_000_000_000, 1));
    let failure = decode(&wide);
    assert!(
        matches!(
            failure,
            Err(DecodeFailure::TooLarge {
                width: 2_000_000_000,
                height: 1,
                ..
            })
        ),
        "{failure:?}"
    );
}

#[test]
fn decode_all_keeps_item_order_and_counts() {
    let dir = tempdir().unwrap();
    let root = dir.path();
    for i in 0..20 {
        write_png(&root.join(format!("cat/{i:02}.png")), 4 + i, 4);
    }
    fs::create_dir_all(root.join("dog")).unwrap();
    noise_png(&root.join("dog/full.png"));
    let bytes = fs::read(root.join("dog/full.png")).unwrap();
    write_bytes(&root.join("dog/cut.png"), &bytes[..bytes.len() / 2]);
    let ds = open(root);
    let count = AtomicUsize::new(0);
    let results = decode_all(&ds, &DecodeOptions::default(), &|| {
        count.fetch_add(1, Ordering::Relaxed);
    });
    assert_eq!(count.into_inner(), 22);
    assert_eq!(results.len(), 22);
    for (i, result) in results.iter().take(20).enumerate() {
        assert_eq!(result.as_ref().unwrap().image.width, 4 + i as u32);
    }
    assert!(results[20].is_err(), "dog/cut.png sorts first");
    assert_eq!(results[21].as_ref().unwrap().image.width, 64);

    assert_eq!(
        decode_item(&ds, 22, &DecodeOptions::default()),
        Err(DecodeFailure::NoSuchItem { index: 22, len: 22 })
    );
}
