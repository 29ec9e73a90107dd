//! HTML escaping. Every user-provided string (class, file, run and
//! evaluation names, paths, titles) passes through [`escape`] before it
//! reaches the page, in text and in attribute values alike.

/// Escape `&`, `<`, `>`, `"` and `'`: safe in text, in quoted attribute
/// values and in SVG `<text>`.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Escape `s`, then show `` `code` `` spans as `<code>` (backticks are not
/// special in HTML, so this cannot undo the escaping).
pub fn inline(s: &str) -> String {
    let escaped = escape(s);
    let mut out = String::with_capacity(escaped.len() + 16);
    let mut parts = escaped.split('`').peekable();
    let mut in_code = false;
    while let Some(part) = parts.next() {
        out.push_str(part);
        if parts.peek().is_some() {
            out.push_str(if in_code { "</code>" } else { "<code>" });
            in_code = !in_code;
        }
    }
    if in_code {
        out.push_str("</code>");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape(r#"<script>alert("x")</script> & 'y'"#),
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
        );
    }

    #[test]
    fn code_spans_stay_escaped() {
        assert_eq!(inline("run `a<b>` now"), "run <code>a&lt;b&gt;</code> now");
        assert_eq!(inline("odd `x"), "odd <code>x</code>");
    }
}
