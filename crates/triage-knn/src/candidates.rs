//! The candidate list of one query: every point whose approximate
//! distance is within a margin of the running k-th smallest.

/// Candidates of one query.
pub(crate) struct Candidates {
    k: usize,
    cap: usize,
    margin: f32,
    /// Running k-th smallest approximate distance (∞ until k are seen).
    kth: f32,
    items: Vec<(f32, u32)>,
}

impl Candidates {
    pub(crate) fn new(k: usize, margin: f32) -> Self {
        let cap = (4 * k).max(k + 64);
        Self {
            k,
            cap,
            margin,
            kth: f32::INFINITY,
            items: Vec::with_capacity(cap),
        }
    }

    /// Offer the points `offset + j` with approximate distances
    /// `approx(j, row[j])`, skipping `skip` (the query itself).
    #[inline]
    pub(crate) fn scan(
        &mut self,
        row: &[f32],
        offset: usize,
        skip: Option<usize>,
        approx: impl Fn(usize, f32) -> f32,
    ) {
        let mut limit = self.kth + self.margin;
        for (j, &dot) in row.iter().enumerate() {
            let a = approx(j, dot);
            if a <= limit && Some(j) != skip {
                self.items.push((a, (offset + j) as u32));
                if self.items.len() >= self.cap {
                    self.prune();
                    limit = self.kth + self.margin;
                }
            }
        }
    }

    /// Tighten the running k-th distance and drop what lies beyond it plus
    /// the margin.
    fn prune(&mut self) {
        let k = self.k;
        if self.items.len() < k {
            return;
        }
        let (_, kth, _) = self
            .items
            .select_nth_unstable_by(k - 1, |a, b| a.0.total_cmp(&b.0));
        self.kth = kth.0;
        let limit = self.kth + self.margin;
        self.items.retain(|c| c.0 <= limit);
        // When many points tie within the margin the list stays long; let
        // it grow rather than prune in a loop.
        if self.items.len() * 2 > self.cap {
            self.cap = self.items.len() * 2;
        }
    }

    /// The k nearest by exact distance, ties by index.
    pub(crate) fn finish(mut self, exact: impl Fn(u32) -> f64) -> (Vec<u32>, Vec<f64>) {
        self.prune();
        let mut scored: Vec<(f64, u32)> = self.items.iter().map(|&(_, j)| (exact(j), j)).collect();
        scored.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        scored.truncate(self.k);
        scored.into_iter().map(|(d, j)| (j, d)).unzip()
    }
}
