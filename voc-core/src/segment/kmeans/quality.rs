//! Quality and preparation: standardisation (z-scores) and the silhouette score.

use super::lloyd::{column_means, column_variances};
use ndarray::{Array2, ArrayView2};

use super::{blocks, check_finite, for_rows, sq_dist, to_matrix};
use crate::error::{Error, Result};
use crate::stats::NeumaierSum;

/// Column means and scales of a standardisation.
///
/// ```
/// use ndarray::array;
/// use voc_core::segment::standardize;
/// let (z, s) = standardize(array![[1.0, 5.0], [3.0, 5.0]].view())?;
/// assert_eq!(z, array![[-1.0, 0.0], [1.0, 0.0]]); // constant column: scale 1, as scikit-learn
/// assert_eq!((s.means, s.scales), (vec![2.0, 5.0], vec![1.0, 1.0]));
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Scaling {
    /// Column means.
    pub means: Vec<f64>,
    /// Column standard deviations (population, ddof = 0); 1 for a constant column.
    pub scales: Vec<f64>,
}

impl Scaling {
    /// Applies the scaling to other rows with the same columns (`x` of any layout; the output is
    /// row-major).
    ///
    /// ```
    /// use ndarray::array;
    /// use voc_core::segment::standardize;
    /// let (_, s) = standardize(array![[0.0], [2.0]].view())?;
    /// assert_eq!(s.transform(array![[4.0]].view())?, array![[3.0]]);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn transform(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        if x.ncols() != self.means.len() {
            return Err(Error::LengthMismatch {
                arg: "x columns",
                len: x.ncols(),
                other: "scaling columns",
                other_len: self.means.len(),
            });
        }
        check_finite("x", x)?;
        self.apply(x)
    }

    /// The z-scores of rows already checked (finite, with the scaling's columns).
    fn apply(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        let mut out = Vec::with_capacity(x.len());
        for_rows(x, 0, x.nrows(), |_, row| {
            out.extend(
                row.iter()
                    .zip(&self.means)
                    .zip(&self.scales)
                    .map(|((v, m), s)| (v - m) / s),
            );
        });
        to_matrix(x.nrows(), x.ncols(), out)
    }
}

/// z-scores per column, as scikit-learn's `StandardScaler`: (x − mean) / std with the population
/// standard deviation; a column whose std is 0 (or below 10·ε·|mean|) keeps scale 1.
///
/// `x` may have any layout; the z-scores are row-major.
///
/// ```
/// use voc_core::segment::standardize;
/// assert!(standardize(ndarray::Array2::<f64>::zeros((0, 2)).view()).is_err());
/// assert!(standardize(ndarray::array![[1.0, f64::NAN]].view()).is_err());
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn standardize(x: ArrayView2<'_, f64>) -> Result<(Array2<f64>, Scaling)> {
    if x.nrows() == 0 {
        return Err(Error::Empty {
            arg: "x",
            what: "standardisation needs at least one row",
        });
    }
    if x.ncols() == 0 {
        return Err(Error::Empty {
            arg: "x",
            what: "standardisation needs at least one column",
        });
    }
    let means = column_means(x);
    if means.iter().any(|m| !m.is_finite()) {
        check_finite("x", x)?;
    }
    let variances = column_variances(x, &means);
    let scales: Vec<f64> = variances
        .iter()
        .zip(&means)
        .map(|(v, m)| {
            let sd = v.sqrt();
            if sd < 10.0 * f64::EPSILON * m.abs().max(f64::MIN_POSITIVE) || sd == 0.0 {
                1.0
            } else {
                sd
            }
        })
        .collect();
    let scaling = Scaling { means, scales };
    Ok((scaling.apply(x)?, scaling))
}

/// Mean silhouette coefficient (Rousseeuw 1987) with Euclidean distances, as scikit-learn's
/// `silhouette_score`: for each row, a = mean distance to the other rows of its cluster, b = the lowest
/// mean distance to the rows of another cluster, s = (b − a) / max(a, b); s = 0 for a row alone in its
/// cluster (and when a = b = 0). Exact, O(n²): pass a sample for large data.
///
/// `x` may have any layout: a C-ordered view is read in place, any other layout is copied once into a
/// row-major buffer (every row is compared with every other row).
///
/// ```
/// use ndarray::array;
/// use voc_core::segment::silhouette_score;
/// let x = array![[0.0], [1.0], [10.0], [11.0]];
/// let s = silhouette_score(x.view(), &[0, 0, 1, 1])?;
/// assert!((s - (9.5 / 10.5 + 8.5 / 9.5) / 2.0).abs() < 1e-12);
/// assert!(silhouette_score(x.view(), &[0, 0, 0, 0]).is_err()); // one cluster
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn silhouette_score(x: ArrayView2<'_, f64>, labels: &[u32]) -> Result<f64> {
    let n = x.nrows();
    crate::error::check_len("x", n, "labels", labels.len())?;
    // Dense cluster codes, whatever the label values (a label of 4e9 must not size a table).
    let mut distinct = labels.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    let labels: Vec<u32> = labels
        .iter()
        .map(|l| distinct.binary_search(l).unwrap_or(0) as u32)
        .collect();
    let labels = labels.as_slice();
    let k = distinct.len();
    let mut sizes = vec![0_usize; k];
    for &l in labels {
        sizes[l as usize] += 1;
    }
    let present = sizes.iter().filter(|&&s| s > 0).count();
    if present < 2 || present > n.saturating_sub(1) {
        return Err(Error::InsufficientData(format!(
            "the silhouette needs 2 to n − 1 clusters, got {present} clusters in {n} rows"
        )));
    }
    if x.ncols() == 0 {
        return Err(Error::Empty {
            arg: "x",
            what: "the silhouette needs at least one column",
        });
    }
    check_finite("x", x)?;
    let cols = x.ncols();
    let rows = x.as_standard_layout();
    let data = rows.as_slice().unwrap_or(&[]);
    let parts = blocks(n, true, |start, end| {
        let mut total = 0.0;
        let mut dist = vec![0.0; k];
        for i in start..end {
            dist.iter_mut().for_each(|d| *d = 0.0);
            let row = &data[i * cols..(i + 1) * cols];
            for (other, &l) in data.chunks_exact(cols).zip(labels) {
                dist[l as usize] += sq_dist(row, other).sqrt();
            }
            let own = labels[i] as usize;
            if sizes[own] <= 1 {
                continue;
            }
            let a = dist[own] / (sizes[own] - 1) as f64;
            let b = (0..k)
                .filter(|&j| j != own && sizes[j] > 0)
                .map(|j| dist[j] / sizes[j] as f64)
                .fold(f64::INFINITY, f64::min);
            let m = a.max(b);
            if m > 0.0 {
                total += (b - a) / m;
            }
        }
        total
    });
    let mut total = NeumaierSum::default();
    for p in parts {
        total.add(p);
    }
    Ok(total.value() / n as f64)
}
