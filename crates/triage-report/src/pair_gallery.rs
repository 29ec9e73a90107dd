//! The gallery of copies shared between splits: each exact-duplicate group
//! and near-duplicate pair of a profile that spans two splits, shown as
//! one picture (the two images side by side) with its score and splits.
//!
//! The images are read back from the dataset the profile names (its
//! `root`, as given to `triage profile`, tried as written and then
//! relative to the profile's folder), by item id, through the same readers
//! (files, IDX and CIFAR records). Nothing is recomputed: the pairs,
//! scores and alignments are the profile's.
//!
//! Size budget: at most [`ReportOptions::leak_pairs`] pictures (12 by
//! default) of at most 2 × `thumbnail_px` + 4 by `thumbnail_px` pixels.

use std::collections::HashMap;

use image::{imageops, DynamicImage, GrayImage, RgbImage};
use triage_data::dataset::Dataset;
use triage_data::decode::{decode_item, DecodeOptions};
use triage_docs::profile::{ItemRef, NearPair, PairKind};
use triage_profile::files::reopen_profiled;

use crate::assemble::ReportOptions;
use crate::gallery::png_data_uri;
use crate::inputs::NamedProfile;
use crate::model::{Block, Gallery, Tile};

/// Gap between the two images of a pair, pixels.
const GAP: u32 = 4;

/// One pair to show.
struct Shown<'a> {
    a: &'a ItemRef,
    b: &'a ItemRef,
    lines: Vec<String>,
}

fn near_lines(p: &NearPair) -> Vec<String> {
    let how = match p.kind {
        PairKind::Exact => "same picture".to_string(),
        PairKind::Near => format!(
            "altered copy: shift ({}, {}) px of 32, scale ×{:.2}",
            p.dx, p.dy, p.scale
        ),
    };
    vec![
        format!("score {:.3} (neighbours {:.2})", p.score, p.reference_score),
        how,
    ]
}

fn pairs(p: &NamedProfile, limit: usize) -> Vec<Shown<'_>> {
    let mut out: Vec<Shown<'_>> = Vec::new();
    for g in p.doc.duplicates.listed.iter().filter(|g| g.cross_split) {
        let Some(a) = g.items.first() else { continue };
        if let Some(b) = g.items.iter().find(|i| i.split != a.split) {
            out.push(Shown {
                a,
                b,
                lines: vec![format!("identical pixels ({} copies)", g.size)],
            });
        }
    }
    for n in p
        .doc
        .near_duplicates
        .listed
        .iter()
        .filter(|n| n.cross_split)
    {
        out.push(Shown {
            a: &n.a,
            b: &n.b,
            lines: near_lines(n),
        });
    }
    out.truncate(limit);
    out
}

/// The dataset of a profile, if it can be opened from here.
fn reopen(p: &NamedProfile) -> Option<Dataset> {
    reopen_profiled(&p.doc, &p.path)
}

fn small(ds: &Dataset, index: Option<&usize>, px: u32) -> Option<DynamicImage> {
    let d = decode_item(ds, *index?, &DecodeOptions::default()).ok()?;
    let img = d.image;
    let dynamic = match img.channels {
        1 => DynamicImage::ImageLuma8(GrayImage::from_raw(img.width, img.height, img.pixels)?),
        _ => DynamicImage::ImageRgb8(RgbImage::from_raw(img.width, img.height, img.pixels)?),
    };
    // Small images are enlarged (nearest neighbour, so pixels stay
    // visible) as well as large ones shrunk: a 28-pixel digit is
    // unreadable at its own size.
    Some(dynamic.resize(px, px, imageops::FilterType::Nearest))
}

fn side_by_side(a: &DynamicImage, b: &DynamicImage) -> Option<String> {
    let (a, b) = (a.to_rgb8(), b.to_rgb8());
    let w = a.width() + GAP + b.width();
    let h = a.height().max(b.height());
    let mut canvas = RgbImage::from_pixel(w, h, image::Rgb([255, 255, 255]));
    imageops::replace(&mut canvas, &a, 0, 0);
    imageops::replace(&mut canvas, &b, i64::from(a.width() + GAP), 0);
    png_data_uri(&DynamicImage::ImageRgb8(canvas))
}

/// The gallery block of one profile, if it has copies across splits.
pub fn block(p: &NamedProfile, id: &str, options: &ReportOptions) -> Option<Block> {
    let shown = pairs(p, options.leak_pairs);
    if shown.is_empty() {
        return None;
    }
    let dataset = reopen(p);
    let index: HashMap<&str, usize> = dataset
        .as_ref()
        .map(|ds| {
            ds.items
                .iter()
                .enumerate()
                .map(|(i, it)| (it.id.as_str(), i))
                .collect()
        })
        .unwrap_or_default();
    let px = options.thumbnail_px;
    let tiles = shown
        .iter()
        .map(|s| {
            let image = dataset.as_ref().and_then(|ds| {
                let a = small(ds, index.get(s.a.id.as_str()), px)?;
                let b = small(ds, index.get(s.b.id.as_str()), px)?;
                side_by_side(&a, &b)
            });
            let mut lines = vec![
                format!("{} ↔ {}", s.a.split.name(), s.b.split.name()),
                if s.a.label == s.b.label {
                    format!("label {}", s.a.label)
                } else {
                    format!("labels differ: {} / {}", s.a.label, s.b.label)
                },
            ];
            lines.extend(s.lines.iter().cloned());
            Tile {
                image,
                label: format!("{} ↔ {}", s.a.id, s.b.id),
                lines,
            }
        })
        .collect();
    let total =
        p.doc.duplicates.cross_split_groups as u64 + p.doc.near_duplicates.cross_split_pairs;
    let mut caption = format!(
        "Copies across splits in `{}`: {} of {} (exact-duplicate groups, then near-duplicate pairs by score), left image first in file order.",
        p.name,
        shown.len(),
        total
    );
    if dataset.is_none() {
        caption.push_str(&format!(
            " The images could not be read: the dataset `{}` was not found from here.",
            p.doc.root
        ));
    }
    Some(Block::Gallery(Gallery {
        id: id.to_string(),
        caption,
        tiles,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    #[test]
    fn two_images_side_by_side_make_one_picture() {
        let a = DynamicImage::ImageRgb8(RgbImage::from_pixel(8, 8, image::Rgb([255, 0, 0])));
        let b = DynamicImage::ImageLuma8(GrayImage::from_pixel(8, 6, image::Luma([0])));
        let uri = side_by_side(&a, &b).unwrap();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(uri.strip_prefix("data:image/png;base64,").unwrap())
            .unwrap();
        let img = image::load_from_memory(&bytes).unwrap().to_rgb8();
        assert_eq!((img.width(), img.height()), (8 + GAP + 8, 8));
        assert_eq!(img.get_pixel(0, 0).0, [255, 0, 0]);
        assert_eq!(img.get_pixel(8 + GAP, 0).0, [0, 0, 0]);
        assert_eq!(img.get_pixel(8, 0).0, [255, 255, 255]);
    }

    #[test]
    fn a_copy_across_splits_is_shown_from_the_dataset() {
        use triage_data::progress::Silent;
        use triage_profile::files::{profile_files, ProfileRun};
        let dir = tempfile::tempdir().unwrap();
        let mut state = 7u32;
        let mut noise = |_: u32, _: u32| {
            state = state.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
            image::Rgb([(state >> 24) as u8, (state >> 16) as u8, (state >> 8) as u8])
        };
        for (split, class, n) in [
            ("train", "a", 4),
            ("train", "b", 4),
            ("test", "a", 2),
            ("test", "b", 2),
        ] {
            std::fs::create_dir_all(dir.path().join(split).join(class)).unwrap();
            for i in 0..n {
                let img = RgbImage::from_fn(16, 16, &mut noise);
                img.save(dir.path().join(format!("{split}/{class}/{i}.png")))
                    .unwrap();
            }
        }
        // test/b/0.png is train/a/0.png: leakage with a label conflict.
        std::fs::copy(
            dir.path().join("train/a/0.png"),
            dir.path().join("test/b/0.png"),
        )
        .unwrap();
        let run = ProfileRun {
            cache_dir: None,
            ..ProfileRun::with_cache()
        };
        let doc = profile_files(dir.path(), &run, &Silent).unwrap();
        assert_eq!(doc.duplicates.cross_split_groups, 1);
        let p = NamedProfile {
            name: "p".into(),
            path: dir.path().join("p.json"),
            doc,
        };
        let Some(Block::Gallery(g)) = block(&p, "leaks", &ReportOptions::default()) else {
            panic!("no gallery");
        };
        assert_eq!(g.tiles.len(), 1);
        let tile = &g.tiles[0];
        assert!(tile.image.is_some(), "{tile:?}");
        assert_eq!(tile.label, "train/a/0.png ↔ test/b/0.png");
        assert_eq!(tile.lines[0], "train ↔ test");
        assert!(tile.lines[1].contains("labels differ"), "{tile:?}");
        // No copy across splits, no gallery.
        let mut clean = p;
        clean.doc.duplicates.listed.clear();
        clean.doc.near_duplicates.listed.clear();
        assert!(block(&clean, "leaks", &ReportOptions::default()).is_none());
    }
}
