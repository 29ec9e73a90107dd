//! Small helpers that write the rules' sentences.

/// Names listed in a message before "and N more".
const NAMES_SHOWN: usize = 5;

/// `` `a`, `b`, `c` `` or `` `a`, `b` and 3 more ``.
pub(super) fn names(list: &[String]) -> String {
    let shown: Vec<String> = list
        .iter()
        .take(NAMES_SHOWN)
        .map(|n| format!("`{n}`"))
        .collect();
    let rest = list.len().saturating_sub(NAMES_SHOWN);
    if rest > 0 {
        format!("{} and {rest} more", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

/// `1 file` or `3 files`.
pub(super) fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// `one` when `n` is 1, `many` otherwise.
pub(super) fn verb<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 {
        one
    } else {
        many
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_capped() {
        let list: Vec<String> = (0..7).map(|i| format!("n{i}")).collect();
        assert_eq!(names(&list[..2]), "`n0`, `n1`");
        assert_eq!(names(&list), "`n0`, `n1`, `n2`, `n3`, `n4` and 2 more");
    }
}
