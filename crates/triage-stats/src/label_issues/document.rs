//! The `triage-label-issues` document of a confident-learning run, built
//! as [`crate::evaluation::evaluate`] builds its evaluation: from the
//! inputs and checked settings, with nothing left to the caller but where
//! the predictions came from.

use triage_docs::label_issues::{
    InSample, LabelIssue, LabelIssuesDoc, LabelIssuesUsed, LABEL_ISSUES_FORMAT,
    LABEL_ISSUES_VERSION,
};

use super::{find_label_issues, LabelIssuesSettings};
use crate::error::StatsError;
use crate::proba::ProbMatrix;

/// The predictions a label-issues document is made of.
#[derive(Debug, Clone, Copy)]
pub struct LabeledPredictions<'a> {
    /// Where they were read from (recorded as `source`).
    pub source: &'a str,
    /// Class names, in column order.
    pub classes: &'a [String],
    /// Sample ids, one per row.
    pub ids: &'a [String],
    /// Given labels (class indices), one per row.
    pub labels: &'a [usize],
    /// Out-of-sample predicted probabilities.
    pub proba: &'a ProbMatrix,
}

/// Find the label issues of `input` ([`find_label_issues`]) and build the
/// document: the counts, matrices and priors of confident learning, and
/// the `max_listed` worst issues with their ids, given and suggested
/// labels and scores (the count `issues` is never capped). `in_sample`
/// records a warning that the predictions were not out of sample.
///
/// # Errors
///
/// As [`find_label_issues`]; [`StatsError::LengthMismatch`] when `ids`
/// and `labels` differ in length.
pub fn label_issues_document(
    input: &LabeledPredictions<'_>,
    settings: &LabelIssuesSettings,
    max_listed: usize,
    in_sample: Option<InSample>,
) -> Result<LabelIssuesDoc, StatsError> {
    if input.ids.len() != input.labels.len() {
        return Err(StatsError::LengthMismatch {
            what: "ids and labels",
            expected: input.labels.len(),
            got: input.ids.len(),
        });
    }
    let found = find_label_issues(input.labels, input.proba, settings)?;
    let params = settings.params();
    Ok(LabelIssuesDoc {
        format: LABEL_ISSUES_FORMAT.into(),
        version: LABEL_ISSUES_VERSION,
        source: input.source.to_string(),
        n: input.labels.len(),
        classes: input.classes.to_vec(),
        settings: LabelIssuesUsed {
            filter_by: params.filter_by.to_string(),
            rank_by: params.rank_by.to_string(),
            frac_noise: params.frac_noise,
            min_examples_per_class: params.min_examples_per_class,
        },
        in_sample,
        issues: found.n_issues(),
        listed: found
            .ranked
            .iter()
            .take(max_listed)
            .enumerate()
            .map(|(r, &row)| LabelIssue {
                rank: r + 1,
                row,
                id: input.ids[row].clone(),
                given: input.labels[row],
                suggested: found.suggested_label[row],
                self_confidence: found.self_confidence[row],
                normalized_margin: found.normalized_margin[row],
            })
            .collect(),
        label_counts: found.label_counts,
        thresholds: found.thresholds,
        confident_joint: found.calibrated_confident_joint,
        noise_matrix: found.noise_matrix,
        inverse_noise_matrix: found.inverse_noise_matrix,
        true_label_prior: found.true_label_prior,
        num_label_issues: found.num_label_issues,
        num_label_issues_calibrated: found.num_label_issues_calibrated,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::label_issues::LabelIssuesParams;

    #[test]
    fn the_document_lists_the_found_issues_by_id_and_reads_back() {
        // 20 confident "a", 20 confident "b", and two "a" the model is sure
        // are "b".
        let mut probs = Vec::new();
        let mut labels = Vec::new();
        for i in 0..42 {
            let (label, p_a) = match i {
                0..20 => (0, 0.9),
                20..40 => (1, 0.1),
                _ => (0, 0.02),
            };
            labels.push(label);
            probs.extend([p_a, 1.0 - p_a]);
        }
        let proba = ProbMatrix::new(probs, 2, 1e-9).unwrap();
        let ids: Vec<String> = (0..42).map(|i| format!("img{i}")).collect();
        let classes = vec!["a".to_string(), "b".to_string()];
        let input = LabeledPredictions {
            source: "p.csv",
            classes: &classes,
            ids: &ids,
            labels: &labels,
            proba: &proba,
        };
        let settings = LabelIssuesParams::default().check().unwrap();
        let found = find_label_issues(&labels, &proba, &settings).unwrap();
        let doc = label_issues_document(&input, &settings, 1, None).unwrap();
        assert_eq!(doc.issues, found.n_issues());
        assert!(doc.issues >= 2, "{}", doc.issues);
        // Capped list, uncapped count; ids and labels of the ranked rows.
        assert_eq!(doc.listed.len(), 1);
        let first = &doc.listed[0];
        assert_eq!(first.row, found.ranked[0]);
        assert_eq!(first.id, ids[first.row]);
        assert_eq!((first.given, first.suggested), (0, 1));
        let back: LabelIssuesDoc =
            triage_docs::read_value(serde_json::to_value(&doc).unwrap()).unwrap();
        assert_eq!(back, doc);
        // Ids that do not match the labels are refused.
        let short = &ids[..41];
        let bad = LabeledPredictions {
            ids: short,
            ..input
        };
        assert!(label_issues_document(&bad, &settings, 1, None).is_err());
    }
}
