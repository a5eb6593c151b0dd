//! Linking VoC to business outcomes: how scores and complaints move churn and revenue, which drivers
//! matter most, and what a fix was worth.
//!
//! The main types and functions are re-exported here, so `voc_core::impact::holdout` is the same item
//! as `voc_core::impact::effect::holdout`; the submodules stay public and hold the details.
//!
//! | Question | Entry point |
//! |----------|-------------|
//! | how do two columns move together? | [`correlate`], [`correlation_matrix`] |
//! | which drivers matter most? | [`key_drivers`], [`driver_quadrants`] |
//! | what do promoters and detractors churn and spend? | [`outcome_by_class`], [`OutcomeState`], [`class_ratio`] |
//! | which complaint themes cost the most? | [`theme_impact`] |
//! | how many score points does each theme cost? | [`theme_score_impact`] |
//! | which themes explain the change of the score? | [`score_change`] |
//! | what does a 2×2 table say? | [`two_by_two`], [`chi_square`], [`fisher_exact`] |
//! | did the fix work? | [`before_after`], [`rate_ratio`], [`holdout`], [`diff_in_diff`] |
//! | how many customers does a test need? | [`sample_size`], [`minimum_detectable_effect`] |
//! | what is the programme worth? | [`roi`](fn@roi), [`what_if`] |
//!
//! ```
//! use voc_core::impact::{EffectOptions, RoiInputs, holdout, roi};
//! // 8% of the treated churned against 12% of the holdout group.
//! let h = holdout((80.0, 1000.0), (120.0, 1000.0), &EffectOptions::default())?;
//! let value = roi(&RoiInputs::default().with_holdout(&h).customers(50_000.0).clv(300.0))?;
//! assert!((value.churn_value - 0.04 * 50_000.0 * 300.0).abs() < 1e-6);
//! # Ok::<(), voc_core::Error>(())
//! ```

pub mod contingency;
pub mod correlation;
pub mod drivers;
pub mod effect;
pub mod outcome;
pub mod roi;
pub mod score_themes;
pub mod theme;

pub use contingency::{
    ChiSquare, Fisher, Ratio, Table2x2, TableOptions, TwoByTwo, ZeroCells, chi_square,
    fisher_exact, odds_ratio, risk_ratio, two_by_two,
};
pub use correlation::{
    Alternative, Correlation, CorrelationMatrix, CorrelationMethod, CorrelationOptions,
    KendallVariant, MatrixPair, PValueMethod, correlate, correlation_matrix, kendall, pearson,
    point_biserial, spearman,
};
pub use drivers::{
    DriverImportance, DriverImportances, DriverMethod, KeyDriverOptions, KeyDrivers, Performance,
    Quadrant, QuadrantChart, QuadrantPoint, R2Decomposition, Split, driver_quadrants, key_drivers,
};
pub use effect::{
    BeforeAfter, Design, DidOptions, DidSe, EffectOptions, Holdout, PowerMethod, RateRatio,
    SampleSize, before_after, did_cells, diff_in_diff, holdout, minimum_detectable_effect,
    proportion_cell, rate_ratio, sample_size,
};
pub use outcome::{
    ClassOutcome, ClassRatio, MeanCi, Measure, NO_CLASS, NPS_CLASSES, OutcomeBatch, OutcomeByClass,
    OutcomeOptions, OutcomeState, Outcomes, class_ratio, nps_classes, nps_classes_with,
    outcome_by_class,
};
pub use roi::{ClassValue, Roi, RoiInputs, Shift, WhatIf, classes_by_label, roi, what_if};
pub use score_themes::{
    ScoreChange, ScoreMetric, ScoreThemeImpact, ScoreThemeOptions, ShapleyMethod, ThemeScore,
    score_change, theme_score_impact,
};
pub use theme::{ThemeImpact, ThemeOptions, ThemeTest, theme_impact};
