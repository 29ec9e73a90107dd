//! Text from outside (file names, class names, ids, decoder messages) made
//! safe to print on a terminal.
//!
//! A file named `evil\nwarning[fake]: all good.png` would otherwise forge a
//! line of a summary, and one holding `\x1b[2J` would clear the screen.
//! [`terminal_safe`] writes every control character as a visible escape:
//! the C0 controls (`\n`, `\r`, `\t` by name, the others as `\x1b`), DEL,
//! the C1 controls (U+0080–U+009F), and the Unicode bidirectional controls
//! (U+200E/F, U+202A–U+202E, U+2066–U+2069) that reorder what is shown
//! (`\u{202e}`). A backslash is left as it is: the result is for people to
//! read, not to be parsed back.

use std::borrow::Cow;

/// Whether `c` changes what a terminal shows rather than showing itself.
fn is_control(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every control character written as an escape (see the
/// module documentation); borrowed when there is none.
pub fn terminal_safe(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x100 && is_control(c) => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if is_control(c) => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn forged_lines_and_escapes_become_visible() {
        assert_eq!(
            terminal_safe("evil\nwarning[fake]: all good.png"),
            "evil\\nwarning[fake]: all good.png"
        );
        assert_eq!(terminal_safe("a\x1b[2Jb\r"), "a\\x1b[2Jb\\r");
        assert_eq!(
            terminal_safe("x\u{9b}y\u{202e}gpj.exe"),
            "x\\x9by\\u{202e}gpj.exe"
        );
        assert!(matches!(terminal_safe("chat_été.png"), Cow::Borrowed(_)));
    }

    proptest! {
        #[test]
        fn no_control_character_survives(s in any::<String>()) {
            let safe = terminal_safe(&s);
            prop_assert!(!safe.chars().any(is_control));
            // Text without controls is unchanged.
            if !s.chars().any(is_control) {
                prop_assert_eq!(safe.as_ref(), s.as_str());
            }
        }
    }
}
