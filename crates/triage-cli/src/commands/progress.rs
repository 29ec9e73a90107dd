//! Progress bars on stderr (indicatif hides them when stderr is not a
//! terminal).

use indicatif::{ProgressBar, ProgressStyle};

/// A bar of `len` steps labelled `what`, or a hidden one when `show` is off.
pub fn bar(len: u64, what: &str, show: bool) -> ProgressBar {
    if !show {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(len);
    let template =
        format!("{what:<10} {{bar:30}} {{pos}}/{{len}} [{{elapsed}} < {{eta}}, {{per_sec}}]");
    bar.set_style(
        ProgressStyle::with_template(&template).unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar
}
