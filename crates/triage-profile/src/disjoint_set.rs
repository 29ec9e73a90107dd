//! Union–find over `0..n`, for connected components (near-duplicate
//! clusters).

/// A disjoint-set forest with union by size and path halving.
#[derive(Debug, Clone)]
pub(crate) struct DisjointSet {
    parent: Vec<u32>,
    size: Vec<u32>,
}

impl DisjointSet {
    /// `n` singletons.
    pub(crate) fn new(n: usize) -> Self {
        Self {
            parent: (0..n as u32).collect(),
            size: vec![1; n],
        }
    }

    /// The representative of `x`'s set.
    pub(crate) fn find(&mut self, x: usize) -> usize {
        let mut x = x as u32;
        while self.parent[x as usize] != x {
            let grand = self.parent[self.parent[x as usize] as usize];
            self.parent[x as usize] = grand;
            x = grand;
        }
        x as usize
    }

    /// Merge the sets of `a` and `b`.
    pub(crate) fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return;
        }
        let (big, small) = if self.size[ra] >= self.size[rb] {
            (ra, rb)
        } else {
            (rb, ra)
        };
        self.parent[small] = big as u32;
        self.size[big] += self.size[small];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unions_give_components() {
        let mut a = DisjointSet::new(6);
        a.union(0, 1);
        a.union(1, 2);
        a.union(4, 5);
        assert_eq!(a.find(0), a.find(2));
        assert_eq!(a.find(4), a.find(5));
        assert_ne!(a.find(0), a.find(3));
        assert_ne!(a.find(0), a.find(4));
    }
}
