//! Group leakage: a group (patient, video, scene…) whose items sit in more
//! than one split, so a model can be tested on the groups it trained on.

use std::collections::HashMap;
use triage_docs::profile::{CrossSplitGroup, GroupLeakage, SplitKey};

use super::context::Context;

pub(crate) fn group_leakage(ctx: &Context<'_>, max_listed: usize) -> GroupLeakage {
    let mut groups: HashMap<&str, ([bool; 4], usize)> = HashMap::new();
    let mut items_with_group = 0;
    for (i, item) in ctx.dataset.items.iter().enumerate() {
        let Some(g) = item.group.as_deref() else {
            continue;
        };
        items_with_group += 1;
        let entry = groups.entry(g).or_default();
        entry.0[ctx.key(i).index()] = true;
        entry.1 += 1;
    }
    let mut cross: Vec<CrossSplitGroup> = groups
        .iter()
        .filter_map(|(name, (seen, n))| {
            let splits: Vec<SplitKey> = SplitKey::ALL
                .into_iter()
                .filter(|k| k.is_split() && seen[k.index()])
                .collect();
            (splits.len() >= 2).then(|| CrossSplitGroup {
                group: (*name).to_string(),
                splits,
                items: *n,
            })
        })
        .collect();
    cross.sort_by(|a, b| b.items.cmp(&a.items).then(a.group.cmp(&b.group)));
    let cross_split_groups = cross.len();
    cross.truncate(max_listed);
    GroupLeakage {
        items_with_group,
        groups: groups.len(),
        cross_split_groups,
        listed: cross,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{dataset, Spec};

    #[test]
    fn a_patient_in_train_and_test_is_leakage() {
        let ds = dataset(&[
            Spec::new("train", 0).group("p1"),
            Spec::new("test", 0).group("p1"),
            Spec::new("train", 1).group("p2"),
            Spec::new("train", 1).group("p2"),
            Spec::new("test", 1),
        ]);
        let g = group_leakage(&Context::new(&ds), 10);
        assert_eq!(
            (g.items_with_group, g.groups, g.cross_split_groups),
            (4, 2, 1)
        );
        assert_eq!(g.listed[0].group, "p1");
        assert_eq!(g.listed[0].splits, [SplitKey::Train, SplitKey::Test]);
    }
}
