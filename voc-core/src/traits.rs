//! The two kinds of thing the crate has, as traits: models ([`Fit`] → [`Predict`]) and mergeable
//! aggregates ([`State`]).
//!
//! Options structs are the parameters of a model: they are validated once, inside [`Fit::fit`], so a
//! fitted model always holds valid parameters. Every aggregate that can be split is a [`State`], which is
//! what lets the same code run streaming, in threads and on Dask or Spark workers: `update` per batch,
//! `merge` partial states in any order, `finish` once.

use crate::error::Result;

/// Fits a model from data: implemented by the options (parameters) of each model.
///
/// `D` is the training data, usually a borrowed view such as an [`ndarray::ArrayView2`] of features
/// (any memory layout) or a small struct of columns.
///
/// ```
/// use ndarray::{Array1, ArrayView2, array};
/// use voc_core::{Fit, Predict};
///
/// /// Parameters of a toy model that predicts the column means.
/// struct MeanOptions;
/// struct Means(Array1<f64>);
///
/// impl Fit<ArrayView2<'_, f64>> for MeanOptions {
///     type Model = Means;
///     fn fit(&self, x: ArrayView2<'_, f64>) -> voc_core::Result<Means> {
///         x.mean_axis(ndarray::Axis(0)).map(Means).ok_or(voc_core::Error::Empty { arg: "x", what: "no rows" })
///     }
/// }
/// impl Predict<ArrayView2<'_, f64>> for Means {
///     type Output = Vec<f64>;
///     fn predict(&self, x: ArrayView2<'_, f64>) -> voc_core::Result<Vec<f64>> {
///         Ok(x.rows().into_iter().map(|_| self.0.sum()).collect())
///     }
/// }
///
/// let x = array![[1.0, 2.0], [3.0, 4.0]];
/// let model = MeanOptions.fit(x.view())?;
/// assert_eq!(model.predict(x.t())?, vec![5.0, 5.0]); // any layout: here a transposed view
/// # Ok::<(), voc_core::Error>(())
/// ```
pub trait Fit<D> {
    /// The fitted model.
    type Model;
    /// Validates the options and fits the model to `data`.
    fn fit(&self, data: D) -> Result<Self::Model>;
}

/// Predicts from a fitted model.
///
/// `X` is the input (for most models an [`ndarray::ArrayView2`] with the training columns, any layout).
pub trait Predict<X> {
    /// What a prediction is (labels, probabilities, log hazards, expected purchases, ...).
    type Output;
    /// Predicts for every row of `x`.
    fn predict(&self, x: X) -> Result<Self::Output>;
}

/// A mergeable aggregate: `update` with batches, `merge` (associative and commutative), `finish` into a
/// result, and a versioned, checksummed byte form.
///
/// [`empty_like`](State::empty_like) is the identity of `merge`: merging it into a state changes nothing.
///
/// ```
/// use voc_core::State;
/// use voc_core::metrics::{Batch, NpsOptions, NpsState};
/// fn total<S: State>(parts: &[S]) -> voc_core::Result<Option<S>> {
///     let Some(first) = parts.first() else { return Ok(None) };
///     let mut acc = first.empty_like();
///     for p in parts {
///         acc.merge(p)?;
///     }
///     Ok(Some(acc))
/// }
/// let (mut a, mut b) = (NpsState::new(), NpsState::new());
/// State::update(&mut a, Batch::new(&[10.0, 9.0, 3.0]))?;
/// State::update(&mut b, Batch::new(&[7.0]))?;
/// let all = total(&[a, b])?.expect("two parts");
/// let bytes = all.to_bytes();
/// let back = NpsState::from_bytes(&bytes)?;
/// assert_eq!(back.finish(&NpsOptions::default())?.responses.n, 4);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub trait State: Sized + Clone + Send + Sync {
    /// One batch of input rows.
    type Batch<'a>;
    /// Options read by [`finish`](State::finish) (confidence level, method, ...).
    type Options;
    /// The frozen result.
    type Output;
    /// An empty state of the same shape (scale, themes, classes): the identity of [`merge`](State::merge).
    fn empty_like(&self) -> Self;
    /// Adds one batch; on error the state is unchanged.
    fn update(&mut self, batch: Self::Batch<'_>) -> Result<()>;
    /// Adds another state of the same shape.
    fn merge(&mut self, other: &Self) -> Result<()>;
    /// The result of everything seen so far.
    fn finish(&self, options: &Self::Options) -> Result<Self::Output>;
    /// The versioned byte form (little-endian, closed by a checksum).
    fn to_bytes(&self) -> Vec<u8>;
    /// Reads [`to_bytes`](State::to_bytes) output; corrupted or truncated bytes are an
    /// [`Error::Decode`](crate::Error::Decode).
    fn from_bytes(bytes: &[u8]) -> Result<Self>;
}
