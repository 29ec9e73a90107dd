//! Heatmaps: a square matrix of cells shaded by value (white → blue), with
//! optional text in each cell and the labels on both axes.

use schemars::JsonSchema;
use serde::Serialize;

use super::{truncate, Anchor, Svg};

/// Largest matrix side whose cells carry their value as text.
pub const MAX_ANNOTATED: usize = 20;

/// A heatmap (rows top to bottom, columns left to right).
#[derive(Debug, Clone, Serialize, PartialEq, Default, JsonSchema)]
pub struct Heatmap {
    /// Row labels (y axis).
    pub rows: Vec<String>,
    /// Column labels (x axis).
    pub columns: Vec<String>,
    /// Shading values, in [0, `max`]; `None` for an empty cell.
    pub values: Vec<Vec<Option<f64>>>,
    /// Value at which the colour is darkest.
    pub max: f64,
    /// Text of each cell (empty: none).
    pub annotations: Vec<Vec<String>>,
    /// Title of the rows.
    pub row_label: String,
    /// Title of the columns.
    pub column_label: String,
}

impl Heatmap {
    /// Draw into `svg`; returns the (width, height) used.
    pub fn render(&self, svg: &mut Svg) -> (f64, f64) {
        let n = self.rows.len().max(1);
        let m = self.columns.len().max(1);
        // Room for the longest (truncated) label, about 6.5 px a character.
        let longest = self
            .rows
            .iter()
            .chain(&self.columns)
            .map(|l| truncate(l, 14).chars().count())
            .max()
            .unwrap_or(1);
        let label_space = (longest as f64 * 6.5).clamp(24.0, 100.0);
        let cell = (420.0 / n.max(m) as f64).clamp(6.0, 48.0);
        let left = label_space + 20.0;
        let top = 20.0;
        let width = left + cell * m as f64 + 20.0;
        let height = top + cell * n as f64 + label_space * 0.75 + 30.0;
        let annotate = n <= MAX_ANNOTATED && m <= MAX_ANNOTATED;
        let font = (cell * 0.32).clamp(8.0, 12.0);
        for (i, row) in self.values.iter().enumerate() {
            for (j, v) in row.iter().enumerate() {
                let t = match v {
                    Some(v) if self.max > 0.0 => (v / self.max).clamp(0.0, 1.0),
                    _ => 0.0,
                };
                let x = left + j as f64 * cell;
                let y = top + i as f64 * cell;
                let fill = shade(t);
                let text = self
                    .annotations
                    .get(i)
                    .and_then(|r| r.get(j))
                    .map(String::as_str)
                    .unwrap_or("");
                let tip = format!(
                    "{} → {}: {}",
                    self.rows.get(i).map_or("", String::as_str),
                    self.columns.get(j).map_or("", String::as_str),
                    text
                );
                svg.rect_titled(
                    x,
                    y,
                    cell,
                    cell,
                    &fill,
                    " stroke=\"#fff\" stroke-width=\"0.5\"",
                    &tip,
                );
                if annotate && !text.is_empty() {
                    let ink = if t > 0.55 { "#fff" } else { "#222" };
                    svg.text(
                        x + cell / 2.0,
                        y + cell / 2.0 + font * 0.35,
                        Anchor::Middle,
                        text,
                        &format!(" fill=\"{ink}\" font-size=\"{font:.0}\""),
                    );
                }
            }
        }
        let label_font = cell.clamp(7.0, 11.0);
        let small = format!(" font-size=\"{label_font:.0}\"");
        for (i, r) in self.rows.iter().enumerate() {
            let y = top + (i as f64 + 0.5) * cell + label_font * 0.35;
            svg.text(left - 4.0, y, Anchor::End, &truncate(r, 14), &small);
        }
        let bottom = top + cell * n as f64;
        for (j, c) in self.columns.iter().enumerate() {
            let x = left + (j as f64 + 0.5) * cell;
            let y = bottom + 6.0;
            svg.text(
                x,
                y,
                Anchor::End,
                &truncate(c, 14),
                &format!("{small} transform=\"rotate(-45 {x:.1} {y:.1})\""),
            );
        }
        svg.text(
            left + cell * m as f64 / 2.0,
            height - 6.0,
            Anchor::Middle,
            &self.column_label,
            "",
        );
        let cy = top + cell * n as f64 / 2.0;
        svg.text(
            12.0,
            cy,
            Anchor::Middle,
            &self.row_label,
            &format!(" transform=\"rotate(-90 12 {cy:.1})\""),
        );
        (width.max(300.0), height)
    }
}

/// White (t = 0) to dark blue (t = 1).
fn shade(t: f64) -> String {
    let lerp = |a: f64, b: f64| (a + (b - a) * t).round() as u8;
    format!(
        "#{:02x}{:02x}{:02x}",
        lerp(255.0, 8.0),
        lerp(255.0, 48.0),
        lerp(255.0, 107.0)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_annotated_and_labels_escaped() {
        let h = Heatmap {
            rows: vec!["a".into(), "<b>".into()],
            columns: vec!["a".into(), "<b>".into()],
            values: vec![vec![Some(3.0), Some(1.0)], vec![None, Some(4.0)]],
            max: 4.0,
            annotations: vec![vec!["3".into(), "1".into()], vec!["0".into(), "4".into()]],
            row_label: "true".into(),
            column_label: "predicted".into(),
        };
        let mut svg = Svg::default();
        h.render(&mut svg);
        assert_eq!(svg.body.matches("<rect").count(), 4);
        assert!(svg.body.contains(">4</text>"));
        assert!(svg.body.contains("&lt;b&gt;") && !svg.body.contains("<b>"));
        assert_eq!(shade(0.0), "#ffffff");
        assert_eq!(shade(1.0), "#08306b");
    }
}
