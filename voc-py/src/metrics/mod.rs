//! `voc.nps`, `voc.csat`, `voc.ces`, the state classes and the result classes.

use pyo3::prelude::*;
use pyo3::types::PyDict;
use voc_core::metrics::{
    Batch, Ces, CesOptions, Csat, CsatOptions, Metric, Nps, NpsInterval, NpsOptions, Scale,
    SurveyState, TrendRow, trend,
};
use voc_core::stats::{Interval, ShareInterval, TestResult};
use voc_core::time::{NAT, Period, TimeUnit};
use voc_core::{Error, MissingPolicy};

use crate::convert::{
    self, Buf, Codes, Column, Groups, IntKeys, Labels, Numbers, Times, compact_slice,
};
use crate::error::IntoPy;
use crate::stats::PyTestResult;
use crate::table::{Columns, Row, Table, Value, escape, row_dict};
use crate::{with_int_keys, with_numbers};

mod comparison;
mod prepare;
mod results;
mod run;
mod state;
mod tables;

pub use comparison::{compare, nps_test};
use prepare::prepare;
pub use results::{CesResult, CsatResult, GroupedResult, NpsResult};
pub use run::{ces, csat, nps};
pub use state::{CesState, CsatState, NpsState};
use tables::{grouped_result, grouped_table};

/// How a metric appears in Python: its name, its table row, its result class.
pub trait PyMetric: Metric {
    /// Lowercase name ("nps").
    const NAME: &'static str;
    /// Confidence level of the options.
    fn confidence(opts: &Self::Options) -> f64;
    /// The columns of one result in a table.
    fn row(out: &Self::Output) -> Row;
    /// The remaining fields of a result (in `to_dict`, not in tables).
    fn details(out: &Self::Output) -> Row;
    /// The result class instance.
    fn wrap(py: Python<'_>, out: Self::Output) -> PyResult<Py<PyAny>>;
    /// The response counts of a result.
    fn responses(out: &Self::Output) -> &voc_core::metrics::Responses;
}

fn label_value(labels: &Labels, code: u32) -> Value {
    labels.value(code)
}

fn check_len(py: Python<'_>, n: usize, arg: &'static str, len: usize) -> PyResult<()> {
    if n != len {
        return Err(Error::LengthMismatch {
            arg,
            len,
            other: "scores",
            other_len: n,
        })
        .py_err(py);
    }
    Ok(())
}
