//! The outcome of a review queue: per item (or pair), the answers per
//! class and "not sure", and a verdict from the unique plurality answer —
//! label issues: `label_error` (people chose another class than the given
//! label; `corrected` names it) or `label_confirmed`; pairs: `same` or
//! `different`; `undecided` on a tie or "not sure" only.

use std::collections::HashMap;

use triage_docs::human::{Review, ReviewItem, Verdict};

use crate::queue::QueueKind;
use crate::store::{StoredAnswer, StoredItem};

/// An item of a queue: its id and a pair's other id.
type Key<'a> = (&'a str, Option<&'a str>);
/// Answers per class, and "not sure" answers.
type Tally = (Vec<u64>, u64);

/// What the review is about.
#[derive(Debug, Clone)]
pub struct QueueInputs<'a> {
    /// Which queue.
    pub kind: QueueKind,
    /// The document it was made from.
    pub file: String,
    /// Its items, in queue order.
    pub items: &'a [StoredItem],
}

/// The review of `answers` (pass the counted ones: no repeat, no excluded
/// annotator).
pub fn review(q: &QueueInputs<'_>, answers: &[StoredAnswer], classes: &[String]) -> Review {
    let k = classes.len();
    let mut tally: HashMap<Key<'_>, Tally> = HashMap::new();
    for a in answers.iter().filter(|a| !a.repeat) {
        let entry = tally
            .entry((a.item_id.as_str(), a.other.as_deref()))
            .or_insert_with(|| (vec![0; k], 0));
        match a.class {
            Some(c) => entry.0[c as usize] += 1,
            None => entry.1 += 1,
        }
    }
    let mut out = Review {
        kind: q.kind.name().to_owned(),
        file: q.file.clone(),
        reviewed: 0,
        unreviewed: 0,
        confirmed: 0,
        rejected: 0,
        undecided: 0,
        items: Vec::new(),
    };
    for item in q.items {
        let Some((votes, unsure)) = tally.get(&(item.item_id.as_str(), item.other.as_deref()))
        else {
            out.unreviewed += 1;
            continue;
        };
        out.reviewed += 1;
        let top = votes.iter().copied().max().unwrap_or(0);
        let winners: Vec<usize> = (0..k).filter(|&c| top > 0 && votes[c] == top).collect();
        let plurality = (winners.len() == 1).then(|| winners[0]);
        let verdict = match (q.kind, plurality) {
            (_, None) => Verdict::Undecided,
            (QueueKind::LabelIssues, Some(c)) if c == item.label as usize => {
                Verdict::LabelConfirmed
            }
            (QueueKind::LabelIssues, Some(_)) => Verdict::LabelError,
            (QueueKind::Pairs, Some(1)) => Verdict::Same,
            (QueueKind::Pairs, Some(_)) => Verdict::Different,
        };
        match verdict {
            Verdict::LabelError | Verdict::Same => out.confirmed += 1,
            Verdict::LabelConfirmed | Verdict::Different => out.rejected += 1,
            Verdict::Undecided => out.undecided += 1,
        }
        let is_issue = q.kind == QueueKind::LabelIssues;
        out.items.push(ReviewItem {
            id: item.item_id.clone(),
            other: item.other.clone(),
            given: is_issue.then(|| classes[item.label as usize].clone()),
            votes: votes.clone(),
            unsure: *unsure,
            verdict,
            corrected: match (verdict, plurality) {
                (Verdict::LabelError, Some(c)) => Some(classes[c].clone()),
                _ => None,
            },
        });
    }
    out
}
