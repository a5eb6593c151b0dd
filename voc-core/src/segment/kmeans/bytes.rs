//! The fitted k-means model's byte form: versioned, little-endian, closed by a checksum (as the
//! states' and the other models').
//!
//! Layout of version 1: magic `VOCK`, version (u16), the centres (rows k, columns, then the k ×
//! columns values in row-major order, f64), the labels (count, then u32 each), the inertia (f64),
//! the iterations (u64), converged (u8), and the FNV-1a checksum of everything before it. Version 2 adds
//! the iteration scheme that ran (u8: 0 auto, 1 hamerly, 2 lloyd) after `converged`; a model that does
//! not know it (read from version 1) is written as version 1 again, byte for byte.
//!
//! Every count is checked against the bytes that remain before anything is allocated, and decoded
//! models are checked for consistency (at least one cluster and one column, finite centres, labels
//! below k and at least k of them, a finite non-negative inertia): anything else is an
//! [`Error::Decode`](crate::Error::Decode), never a panic.

use super::{Algorithm, KMeans};
use crate::codec::{Reader, Writer};
use crate::error::Result;

const MAGIC: &[u8; 4] = b"VOCK";
const VERSION: u16 = 2;
/// The schemes in the order of their byte code.
const ALGORITHMS: [Algorithm; 3] = [Algorithm::Auto, Algorithm::Hamerly, Algorithm::Lloyd];

/// The byte code of a scheme (its index in [`ALGORITHMS`]).
fn code(a: Algorithm) -> u8 {
    match a {
        Algorithm::Auto => 0,
        Algorithm::Hamerly => 1,
        Algorithm::Lloyd => 2,
    }
}
const WHAT: &str = "k-means model";

impl KMeans {
    /// The model as bytes (version 2, little-endian, every float bit-exact, closed by a checksum):
    /// centres, labels, inertia, iterations, convergence and the scheme that ran (version 1, without
    /// it, when [`algorithm`](Self::algorithm) is `None`). [`from_bytes`](Self::from_bytes) reads
    /// them back.
    ///
    /// ```
    /// use ndarray::array;
    /// use voc_core::{Fit, Predict};
    /// use voc_core::segment::{KMeans, KMeansOptions};
    /// let x = array![[0.0, 0.0], [0.1, 0.0], [5.0, 5.0], [5.1, 5.0]];
    /// let fit = KMeansOptions::default().k(2).fit(x.view())?;
    /// let bytes = fit.to_bytes();
    /// let back = KMeans::from_bytes(&bytes)?;
    /// assert_eq!(back, fit);
    /// assert_eq!(back.predict(x.view())?, fit.labels);
    /// let mut bad = bytes.clone();
    /// bad[10] ^= 1;
    /// assert!(matches!(KMeans::from_bytes(&bad), Err(voc_core::Error::Decode { .. })));
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn to_bytes(&self) -> Vec<u8> {
        let version = if self.algorithm.is_some() { VERSION } else { 1 };
        let mut w = Writer::with_header(MAGIC, version);
        w.matrix(self.centers.view());
        w.len(self.labels.len());
        self.labels.iter().for_each(|&l| w.bytes(&l.to_le_bytes()));
        w.f64(self.inertia);
        w.len(self.iterations);
        w.flag(self.converged);
        if let Some(a) = self.algorithm {
            w.u8(code(a));
        }
        w.seal()
    }

    /// Reads [`to_bytes`](Self::to_bytes) output (versions 1 and 2; version 1 leaves
    /// [`algorithm`](Self::algorithm) `None`). Truncated, corrupted or foreign bytes, another
    /// version, an unknown scheme code, and models whose parts disagree (no cluster or column, non-finite centres, a label
    /// out of range, fewer rows than clusters, a negative or non-finite inertia) are an
    /// [`Error::Decode`](crate::Error::Decode), never a panic.
    ///
    /// ```
    /// use voc_core::segment::KMeans;
    /// assert!(matches!(KMeans::from_bytes(b"VOCK\x01\x00"), Err(voc_core::Error::Decode { .. })));
    /// ```
    pub fn from_bytes(bytes: &[u8]) -> Result<KMeans> {
        let (mut r, version) = Reader::open_current_or_v1(bytes, WHAT, MAGIC, VERSION)?;
        let centers = r.matrix("centres")?;
        let (k, cols) = centers.dim();
        if k == 0 || cols == 0 {
            return Err(r.fail(format!(
                "centres of shape {k} × {cols}: need at least one cluster and one column"
            )));
        }
        if u32::try_from(k).is_err() {
            return Err(r.fail(format!("{k} clusters do not fit the u32 labels")));
        }
        if centers.iter().any(|v| !v.is_finite()) {
            return Err(r.fail("centres must be finite"));
        }
        let n = r.len()?;
        r.expect_items(n, 4)?;
        let labels = (0..n)
            .map(|_| Ok(u32::from_le_bytes(r.take()?)))
            .collect::<Result<Vec<u32>>>()?;
        if let Some(&l) = labels.iter().find(|&&l| l as usize >= k) {
            return Err(r.fail(format!("label {l} is out of range for {k} clusters")));
        }
        if n < k {
            return Err(r.fail(format!("{n} labelled rows for {k} clusters")));
        }
        let inertia = r.f64()?;
        if !(inertia.is_finite() && inertia >= 0.0) {
            return Err(r.fail("the inertia must be finite and non-negative"));
        }
        let iterations = r.len()?;
        let converged = r.flag()?;
        let algorithm = if version == 1 {
            None
        } else {
            let byte = r.u8()?;
            match ALGORITHMS.get(usize::from(byte)) {
                Some(&a) => Some(a),
                None => return Err(r.fail(format!("unknown k-means algorithm code {byte}"))),
            }
        };
        r.finish()?;
        Ok(KMeans {
            centers,
            labels,
            inertia,
            iterations,
            converged,
            algorithm,
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::codec::test_util::{is_decode, sealed};
    use ndarray::{Array2, array};

    use super::*;
    use crate::traits::Fit;

    #[test]
    fn round_trip_is_exact_and_bad_content_is_a_decode_error() -> Result<()> {
        let x = array![[0.0, 1.0], [0.2, 1.1], [5.0, 5.0], [5.3, 4.9], [9.0, 0.0]];
        let m = super::super::KMeansOptions::default()
            .k(3)
            .seed(2)
            .fit(x.view())?;
        let bytes = m.to_bytes();
        assert_eq!(KMeans::from_bytes(&bytes)?, m);
        // Fortran-ordered centres write the same bytes.
        let mut f = m.clone();
        f.centers = f.centers.t().as_standard_layout().t().to_owned();
        assert!(!f.centers.is_standard_layout());
        assert_eq!(f.to_bytes(), bytes);
        let body = &bytes[..bytes.len() - 8];
        let decode = |b: Vec<u8>| KMeans::from_bytes(&sealed(&b));
        let mut v = body.to_vec();
        v[4] = 3;
        assert!(is_decode(decode(v), "version 3"));
        // The scheme that ran is the last byte of the body; every scheme round-trips, other codes fail.
        assert_eq!(m.algorithm, Some(Algorithm::Lloyd));
        assert_eq!(body.last(), Some(&2));
        for a in ALGORITHMS {
            let mut other = m.clone();
            other.algorithm = Some(a);
            assert_eq!(KMeans::from_bytes(&other.to_bytes())?, other);
        }
        let mut v = body.to_vec();
        if let Some(last) = v.last_mut() {
            *last = 3;
        }
        assert!(is_decode(decode(v), "algorithm code 3"));
        // A model that does not know its scheme is written as version 1 (no scheme byte) and read back.
        let mut old = m.clone();
        old.algorithm = None;
        let v1 = old.to_bytes();
        assert_eq!((v1[4], v1.len()), (1, bytes.len() - 1));
        assert_eq!(&v1[6..v1.len() - 8], &body[6..body.len() - 1]);
        assert_eq!(KMeans::from_bytes(&v1)?, old);
        let mut v = body.to_vec();
        v[0] = b'X';
        assert!(is_decode(decode(v), "magic"));
        // Huge counts allocate nothing.
        let mut v = body.to_vec();
        v[6..14].copy_from_slice(&u64::MAX.to_le_bytes());
        assert!(decode(v).is_err());
        let mut v = body.to_vec();
        v[14..22].copy_from_slice(&u64::MAX.to_le_bytes());
        assert!(is_decode(decode(v), "claim"));
        let mut v = body.to_vec();
        v[6..14].copy_from_slice(&(1u64 << 31).to_le_bytes());
        assert!(is_decode(decode(v), "remain"));
        let mut v = body.to_vec();
        v.push(0);
        assert!(is_decode(decode(v), "trailing"));
        // Parts that disagree.
        let mut bad = m.clone();
        bad.centers[[1, 0]] = f64::NAN;
        assert!(is_decode(KMeans::from_bytes(&bad.to_bytes()), "finite"));
        let mut bad = m.clone();
        bad.labels[0] = 3;
        assert!(is_decode(KMeans::from_bytes(&bad.to_bytes()), "label 3"));
        let mut bad = m.clone();
        bad.labels.truncate(2);
        assert!(is_decode(KMeans::from_bytes(&bad.to_bytes()), "2 labelled"));
        let mut bad = m.clone();
        bad.inertia = -1.0;
        assert!(is_decode(KMeans::from_bytes(&bad.to_bytes()), "inertia"));
        let mut bad = m.clone();
        bad.centers = Array2::zeros((0, 2));
        bad.labels.clear();
        assert!(is_decode(
            KMeans::from_bytes(&bad.to_bytes()),
            "one cluster"
        ));
        let mut bad = m;
        bad.centers = Array2::zeros((3, 0));
        assert!(is_decode(KMeans::from_bytes(&bad.to_bytes()), "one column"));
        Ok(())
    }
}
