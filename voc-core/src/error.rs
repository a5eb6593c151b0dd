//! The one error type of `voc-core`.
//!
//! Every variant that concerns user input names the argument, and where a single value is at fault, its
//! position and the value itself, so that a binding can report it without guessing.

use std::fmt;

/// Everything that can go wrong in `voc-core`.
///
/// ```
/// use voc_core::metrics::NpsState;
/// let mut state = NpsState::new();
/// let err = state.update(&[9_i32, 11]).unwrap_err();
/// assert_eq!(err.to_string(), "scores[1] = 11 is outside the NPS scale 0..=10");
/// ```
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A score lies outside its scale.
    #[error("{arg}[{index}] = {} is outside the {scale} scale {min}..={max}", Num(*value))]
    OutOfRange {
        /// Argument name.
        arg: &'static str,
        /// Position of the value.
        index: usize,
        /// The offending value.
        value: f64,
        /// Name of the scale ("NPS", "CSAT", ...).
        scale: &'static str,
        /// Lowest valid point.
        min: i32,
        /// Highest valid point.
        max: i32,
    },
    /// A score on an integer scale has a fractional part.
    #[error(
        "{arg}[{index}] = {value} is not a whole number (scores are points on an integer scale)"
    )]
    NotWhole {
        /// Argument name.
        arg: &'static str,
        /// Position of the value.
        index: usize,
        /// The offending value.
        value: f64,
    },
    /// NaN or an infinity where a finite number is needed.
    #[error("{arg}[{index}] = {} is not finite", Num(*value))]
    NonFinite {
        /// Argument name.
        arg: &'static str,
        /// Position of the value.
        index: usize,
        /// The offending value.
        value: f64,
    },
    /// A missing value (NaN or null) while the missing-value policy is [`MissingPolicy::Error`](crate::MissingPolicy).
    #[error(
        "{arg}[{index}] is missing (NaN or null); use MissingPolicy::Skip to leave missing rows out"
    )]
    Missing {
        /// Argument name.
        arg: &'static str,
        /// Position of the value.
        index: usize,
    },
    /// A value that is finite but not allowed, such as a negative weight.
    #[error("{arg}[{index}] = {} is invalid: {reason}", Num(*value))]
    InvalidValue {
        /// Argument name.
        arg: &'static str,
        /// Position of the value.
        index: usize,
        /// The offending value.
        value: f64,
        /// Why it is not allowed.
        reason: &'static str,
    },
    /// An id that the table it refers to does not hold (e.g. an order's customer id that is not a customer).
    #[error("{arg}[{index}] = {id:?} is not {what}")]
    UnknownId {
        /// Argument name.
        arg: &'static str,
        /// Position of the value.
        index: usize,
        /// The id, rendered.
        id: String,
        /// What it should be, e.g. "a customer id in customers.id".
        what: &'static str,
    },
    /// An id that must be unique but appears twice.
    #[error("{arg}[{index}] = {id:?} repeats an earlier id (ids must be unique)")]
    DuplicateId {
        /// Argument name.
        arg: &'static str,
        /// Position of the repeat.
        index: usize,
        /// The id, rendered.
        id: String,
    },
    /// No data where some are needed.
    #[error("{arg} is empty: {what}")]
    Empty {
        /// Argument name.
        arg: &'static str,
        /// What could not be computed.
        what: &'static str,
    },
    /// Two columns that must line up have different lengths.
    #[error("length mismatch: {arg} has {len} values but {other} has {other_len}")]
    LengthMismatch {
        /// Argument name.
        arg: &'static str,
        /// Its length.
        len: usize,
        /// The argument it must line up with.
        other: &'static str,
        /// That argument's length.
        other_len: usize,
    },
    /// An option outside its domain.
    #[error("invalid option {name} = {value}: {reason}")]
    InvalidOption {
        /// Option name.
        name: &'static str,
        /// The value given, rendered.
        value: String,
        /// What is allowed.
        reason: String,
    },
    /// Two states that cannot be merged or compared (different scales, metrics or versions).
    #[error("incompatible: {0}")]
    Incompatible(String),
    /// Bytes that are not a state of this kind and version.
    #[error("cannot decode {what}: {reason}")]
    Decode {
        /// What was being decoded.
        what: &'static str,
        /// Why it failed.
        reason: String,
    },
    /// Too little information for the requested statistic (e.g. a t-interval from one response).
    #[error("not enough data: {0}")]
    InsufficientData(String),
    /// A size, count or span beyond a documented limit (the limits are `pub const`s beside the
    /// functions that apply them), or input so large that the computation overflows.
    #[error("{arg} = {value} is too large: {reason} (limit: {limit})")]
    TooLarge {
        /// Argument name.
        arg: &'static str,
        /// The value given (or the size it implies), rendered.
        value: String,
        /// The limit, rendered.
        limit: String,
        /// What would have been too large and what to do instead.
        reason: String,
    },
    /// A bug: a panic caught at a binding's boundary (voc-core itself returns errors, never panics,
    /// on any input; a binding such as `voc-py` runs each call under `catch_unwind` and reports a panic
    /// as this variant, naming the public function).
    #[error(
        "internal error in {function}: {message} (a bug in voc, not a problem with the input; please report the call)"
    )]
    Internal {
        /// The public function that panicked, e.g. `voc.impact.rate_ratio`.
        function: String,
        /// The panic message.
        message: String,
    },
    /// An iterative method stopped before its tolerance was met.
    #[error("did not converge after {iterations} iterations (last change {last_change:e})")]
    NotConverged {
        /// Iterations run.
        iterations: usize,
        /// Size of the last update.
        last_change: f64,
    },
    /// The computation was stopped by an interrupt (see [`crate::interrupt`]); nothing it was given
    /// has changed.
    #[error("interrupted")]
    Interrupted,
}

impl Error {
    /// Whether the error is due to the caller's input (as opposed to a numerical failure).
    ///
    /// ```
    /// use voc_core::Error;
    /// assert!(Error::Empty { arg: "scores", what: "no responses" }.is_input_error());
    /// assert!(!Error::NotConverged { iterations: 50, last_change: 1e-3 }.is_input_error());
    /// assert!(!Error::Interrupted.is_input_error());
    /// ```
    pub fn is_input_error(&self) -> bool {
        !matches!(
            self,
            Error::NotConverged { .. } | Error::Interrupted | Error::Internal { .. }
        )
    }

    /// The same error with the argument `from` called `to`: for callers (such as a language binding)
    /// whose name for an argument differs from the core's field name.
    ///
    /// ```
    /// use voc_core::Error;
    /// let e = Error::Missing { arg: "groups", index: 3 }.renamed("groups", "by");
    /// assert!(e.to_string().starts_with("by[3]"));
    /// ```
    pub fn renamed(mut self, from: &str, to: &'static str) -> Self {
        let arg = match &mut self {
            Error::OutOfRange { arg, .. }
            | Error::NotWhole { arg, .. }
            | Error::NonFinite { arg, .. }
            | Error::Missing { arg, .. }
            | Error::InvalidValue { arg, .. }
            | Error::UnknownId { arg, .. }
            | Error::DuplicateId { arg, .. }
            | Error::Empty { arg, .. } => Some(arg),
            Error::LengthMismatch { arg, other, .. } => {
                if *other == from {
                    *other = to;
                }
                Some(arg)
            }
            Error::InvalidOption { name, .. } => Some(name),
            Error::TooLarge { arg, .. } => Some(arg),
            _ => None,
        };
        if let Some(arg) = arg
            && *arg == from
        {
            *arg = to;
        }
        self
    }

    /// Builds an [`Error::InvalidOption`].
    ///
    /// ```
    /// let e = voc_core::Error::option("windows", "[]", "give 1 to 10 window lengths");
    /// assert_eq!(e.to_string(), "invalid option windows = []: give 1 to 10 window lengths");
    /// ```
    pub fn option(name: &'static str, value: impl fmt::Display, reason: impl Into<String>) -> Self {
        Error::InvalidOption {
            name,
            value: value.to_string(),
            reason: reason.into(),
        }
    }
}

/// A number as a message shows it: whole numbers plainly, very large or small ones in exponent form.
struct Num(f64);

impl fmt::Display for Num {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let v = self.0;
        let a = v.abs();
        if !v.is_finite() || (a < 1e15 && (a >= 1e-4 || v == 0.0)) {
            write!(f, "{v}")
        } else {
            write!(f, "{v:e}")
        }
    }
}

impl Error {
    /// Builds an [`Error::TooLarge`].
    ///
    /// ```
    /// let e = voc_core::Error::too_large("n_init", 10_000_000, 100_000, "k-means restarts");
    /// assert_eq!(e.to_string(), "n_init = 10000000 is too large: k-means restarts (limit: 100000)");
    /// ```
    pub fn too_large(
        arg: &'static str,
        value: impl fmt::Display,
        limit: impl fmt::Display,
        reason: impl Into<String>,
    ) -> Self {
        Error::TooLarge {
            arg,
            value: value.to_string(),
            limit: limit.to_string(),
            reason: reason.into(),
        }
    }
}

/// `Result` with [`Error`].
///
/// ```
/// fn parse(x: &str) -> voc_core::Result<voc_core::time::Period> {
///     x.parse::<voc_core::time::Period>()
/// }
/// assert!(parse("month").is_ok());
/// ```
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Checks that `other` has the same length as the primary column `arg`.
pub(crate) fn check_len(
    arg: &'static str,
    len: usize,
    other: &'static str,
    other_len: usize,
) -> Result<()> {
    if len == other_len {
        Ok(())
    } else {
        Err(Error::LengthMismatch {
            arg: other,
            len: other_len,
            other: arg,
            other_len: len,
        })
    }
}
