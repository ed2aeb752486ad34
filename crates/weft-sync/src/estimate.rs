//! Knuth's estimator of the size of a search tree from random paths
//! (D. E. Knuth, "Estimating the efficiency of backtrack programs", 1975).
//!
//! A random execution that picks uniformly among the runnable threads at
//! each scheduling point is a random path from the root of the tree of
//! every interleaving (the tree shuttle's DFS walks) to a leaf. The
//! product of the branching factors along it is an unbiased estimate of
//! the tree's number of leaves; the mean over many paths converges to it.

/// The running estimate: the mean, over finished paths, of the product of
/// their branching factors (kept as a sum of logarithms along a path).
#[derive(Clone, Debug, Default)]
pub(crate) struct TreeEstimate {
    /// Sum over finished paths of their products.
    sum: f64,
    /// Finished paths.
    paths: u64,
    /// `ln` of the product of the current path's branching factors, and
    /// whether it has begun.
    current: Option<f64>,
}

impl TreeEstimate {
    /// A path begins (an execution starts); the previous one, if any,
    /// ended.
    pub(crate) fn begin_path(&mut self) {
        self.end_path();
        self.current = Some(0.0);
    }

    /// One scheduling point with `choices` equally likely branches.
    pub(crate) fn branch(&mut self, choices: usize) {
        if let Some(ln) = &mut self.current {
            if choices > 1 {
                *ln += (choices as f64).ln();
            }
        }
    }

    /// The current path, if any, ended.
    pub(crate) fn end_path(&mut self) {
        if let Some(ln) = self.current.take() {
            self.sum += ln.exp();
            self.paths += 1;
        }
    }

    /// The current path, if any, is dropped unfinished.
    pub(crate) fn discard_path(&mut self) {
        self.current = None;
    }

    /// The estimated number of leaves (executions of a complete search),
    /// once a path has finished.
    pub(crate) fn leaves(&self) -> Option<f64> {
        (self.paths > 0).then(|| self.sum / self.paths as f64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_uniform_tree_is_estimated_exactly_by_any_path() {
        // Three binary choices: 8 leaves, whatever the path.
        let mut e = TreeEstimate::default();
        for _ in 0..5 {
            e.begin_path();
            for choices in [2, 1, 2, 2] {
                e.branch(choices);
            }
        }
        e.end_path();
        let leaves = e.leaves().unwrap();
        assert!((leaves - 8.0).abs() < 1e-9, "{leaves}");
    }

    #[test]
    fn an_uneven_tree_is_estimated_on_average() {
        // Root with 2 branches: a leaf, and a node with 3 leaves (4 in
        // all). Uniform paths: the leaf gives 2, the others 6; mean 4.
        let mut e = TreeEstimate::default();
        e.begin_path();
        e.branch(2);
        e.begin_path();
        e.branch(2);
        e.branch(3);
        e.end_path();
        assert!((e.leaves().unwrap() - 4.0).abs() < 1e-9);
        assert_eq!(TreeEstimate::default().leaves(), None);
    }
}
