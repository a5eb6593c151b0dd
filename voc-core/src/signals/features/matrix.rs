//! The feature matrix: names, customer rows and one column-major block of values.

use ndarray::{Array2, ArrayView1, ArrayView2, ShapeBuilder};

use crate::error::{Result, check_len};

/// A feature matrix: one row per customer who had signed up before the cutoff, one column per signal.
///
/// The values are one column-major (Fortran-ordered) `rows × cols` array, so each column is a
/// contiguous slice ([`column`](Features::column), [`column_at`](Features::column_at)) and the whole
/// matrix can be handed to a model as it is ([`values`](Features::values)). NaN marks a signal that is
/// undefined for a customer (no answers, no orders, ...).
///
/// ```
/// use voc_core::signals::{Customers, EventLog, FeatureOptions, Ids, Orders, DAY};
/// let customers = Customers { id: Ids::Int(&[1, 2]), signup: &[0, 0] };
/// let orders = Orders { id: None, customer: Ids::Int(&[1, 1, 2]), time: &[DAY, 11 * DAY, 5 * DAY], amount: &[50.0, 20.0, 9.0] };
/// let log = EventLog::builder(customers)?.orders(orders)?.build();
/// let f = log.features(&FeatureOptions::new(21 * DAY))?;
/// assert_eq!(f.values().dim(), (f.rows(), f.cols()));
/// assert_eq!(f.column("monetary"), Some(&[70.0, 9.0][..]));
/// // Columns are contiguous: the values are stored column by column.
/// assert!(f.values().t().is_standard_layout());
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(try_from = "Parts"))]
pub struct Features {
    /// Column names.
    pub names: Vec<String>,
    /// Customer row (in the log's customer order) of each feature row.
    pub customers: Vec<u32>,
    /// `customers.len() × names.len()` values, column-major (checked by [`Features::new`]).
    values: Array2<f64>,
    /// The cutoff the features were computed at.
    pub cutoff: i64,
}

/// The fields as they are serialized, checked into [`Features`] on the way in.
#[cfg(feature = "serde")]
#[derive(serde::Deserialize)]
struct Parts {
    names: Vec<String>,
    customers: Vec<u32>,
    values: Array2<f64>,
    cutoff: i64,
}

#[cfg(feature = "serde")]
impl TryFrom<Parts> for Features {
    type Error = crate::Error;

    fn try_from(p: Parts) -> Result<Features> {
        Features::new(p.names, p.customers, p.values, p.cutoff)
    }
}

impl Features {
    /// A feature matrix from its parts: `values` has one row per customer and one column per name, in
    /// any memory layout (it is stored column-major, copied only if it is not already).
    ///
    /// ```
    /// use ndarray::array;
    /// use voc_core::signals::Features;
    /// let f = Features::new(vec!["a".into(), "b".into()], vec![0, 1], array![[1.0, 2.0], [3.0, 4.0]], 0)?;
    /// assert_eq!(f.column("b"), Some(&[2.0, 4.0][..]));
    /// assert!(Features::new(vec!["a".into()], vec![0, 1], array![[1.0, 2.0], [3.0, 4.0]], 0).is_err());
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn new(
        names: Vec<String>,
        customers: Vec<u32>,
        values: Array2<f64>,
        cutoff: i64,
    ) -> Result<Features> {
        check_len("customers", customers.len(), "values rows", values.nrows())?;
        check_len("names", names.len(), "values columns", values.ncols())?;
        let values = if values.t().is_standard_layout() {
            values
        } else {
            let mut f = Array2::zeros(values.raw_dim().f());
            f.assign(&values);
            f
        };
        Ok(Features {
            names,
            customers,
            values,
            cutoff,
        })
    }

    /// The matrix from values already laid out column by column (the kernel's output).
    pub(super) fn from_fortran(
        names: Vec<String>,
        customers: Vec<u32>,
        values: Array2<f64>,
        cutoff: i64,
    ) -> Features {
        debug_assert!(values.t().is_standard_layout());
        debug_assert_eq!(values.dim(), (customers.len(), names.len()));
        Features {
            names,
            customers,
            values,
            cutoff,
        }
    }

    /// Number of rows.
    ///
    /// ```
    /// use ndarray::Array2;
    /// use voc_core::signals::Features;
    /// let f = Features::new(vec!["a".into()], vec![4, 7, 9], Array2::zeros((3, 1)), 0)?;
    /// assert_eq!((f.rows(), f.cols()), (3, 1));
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn rows(&self) -> usize {
        self.values.nrows()
    }

    /// Number of columns.
    pub fn cols(&self) -> usize {
        self.values.ncols()
    }

    /// All values, `rows × cols`, column-major (a view: no copy).
    ///
    /// ```
    /// use ndarray::array;
    /// use voc_core::signals::Features;
    /// let f = Features::new(vec!["a".into(), "b".into()], vec![0, 1], array![[1.0, 2.0], [3.0, 4.0]], 0)?;
    /// assert_eq!(f.values(), array![[1.0, 2.0], [3.0, 4.0]]);
    /// assert_eq!(f.values().t().as_slice(), Some(&[1.0, 3.0, 2.0, 4.0][..]));
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn values(&self) -> ArrayView2<'_, f64> {
        self.values.view()
    }

    /// The values, moved out (column-major).
    ///
    /// ```
    /// use ndarray::array;
    /// use voc_core::signals::Features;
    /// let f = Features::new(vec!["a".into()], vec![0, 1], array![[1.0], [3.0]], 0)?;
    /// assert_eq!(f.into_values().as_slice_memory_order(), Some(&[1.0, 3.0][..]));
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn into_values(self) -> Array2<f64> {
        self.values
    }

    /// One row (a strided view into the column-major values), or `None` past the last row.
    ///
    /// ```
    /// use ndarray::array;
    /// use voc_core::signals::Features;
    /// let f = Features::new(vec!["a".into(), "b".into()], vec![0, 1], array![[1.0, 2.0], [3.0, 4.0]], 0)?;
    /// assert_eq!(f.row(1).map(|r| r.to_vec()), Some(vec![3.0, 4.0]));
    /// assert!(f.row(2).is_none());
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn row(&self, i: usize) -> Option<ArrayView1<'_, f64>> {
        (i < self.rows()).then(|| self.values.row(i))
    }

    /// Column `j` as a contiguous slice, or `None` past the last column.
    ///
    /// ```
    /// use ndarray::array;
    /// use voc_core::signals::Features;
    /// let f = Features::new(vec!["a".into(), "b".into()], vec![0, 1], array![[1.0, 2.0], [3.0, 4.0]], 0)?;
    /// assert_eq!(f.column_at(1), Some(&[2.0, 4.0][..]));
    /// assert_eq!(f.column_at(2), None);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn column_at(&self, j: usize) -> Option<&[f64]> {
        if j >= self.cols() {
            return None;
        }
        // Column-major storage: every column is contiguous.
        self.values.column(j).to_slice()
    }

    /// One column by name, as a contiguous slice (no copy).
    ///
    /// ```
    /// use voc_core::signals::{Customers, EventLog, FeatureOptions, Ids, Orders, DAY};
    /// let customers = Customers { id: Ids::Int(&[1]), signup: &[0] };
    /// let orders = Orders { id: None, customer: Ids::Int(&[1, 1]), time: &[DAY, 11 * DAY], amount: &[50.0, 20.0] };
    /// let log = EventLog::builder(customers)?.orders(orders)?.build();
    /// let f = log.features(&FeatureOptions::new(21 * DAY))?;
    /// assert_eq!(f.column("monetary"), Some(&[70.0][..]));
    /// assert_eq!(f.column("recency_days"), Some(&[10.0][..]));
    /// assert_eq!(f.column("no such signal"), None);
    /// # Ok::<(), voc_core::Error>(())
    /// ```
    pub fn column(&self, name: &str) -> Option<&[f64]> {
        let j = self.names.iter().position(|n| n == name)?;
        self.column_at(j)
    }
}
