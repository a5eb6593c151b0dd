//! The importance × performance chart: each driver's share of R² against how well it performs.

use ndarray::ArrayView2;

use super::DriverImportances;
use super::at;
use crate::error::{Error, Result, check_len};
use crate::stats::quantile_sorted;

/// How a driver's performance is measured for the importance × performance quadrants.
///
/// Spellings: `"mean"` and `"top_box"` (also `"topbox"`); the top-box threshold is
/// [`QuadrantOptions::top_box`].
///
/// ```
/// use voc_core::impact::drivers::Performance;
/// assert_eq!("mean".parse::<Performance>()?, Performance::Mean);
/// assert_eq!("top_box".parse::<Performance>()?, Performance::TopBox);
/// assert!("median".parse::<Performance>().is_err());
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Performance {
    /// The (weighted) mean of the driver, on its own scale.
    #[default]
    Mean,
    /// The (weighted) share of rows at or above [`QuadrantOptions::top_box`] (top-box share, e.g. 4
    /// on a 1–5 scale).
    TopBox,
}

crate::named_enum!(Performance, "performance", {
    Mean => "mean",
    TopBox => "top_box" | "topbox",
});

/// Where the quadrant lines are drawn: at the median or the mean of the drivers' values.
///
/// ```
/// use voc_core::impact::drivers::Split;
/// assert_eq!("median".parse::<Split>()?, Split::Median);
/// assert_eq!(Split::Mean.name(), "mean");
/// assert!("mode".parse::<Split>().is_err());
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Split {
    /// The median over drivers (the default).
    #[default]
    Median,
    /// The mean over drivers.
    Mean,
}

crate::named_enum!(Split, "split", {
    Median => "median",
    Mean => "mean",
});

/// Importance × performance quadrant of a driver.
///
/// ```
/// use voc_core::impact::drivers::Quadrant;
/// assert_eq!(Quadrant::FixFirst.name(), "fix first");
/// assert_eq!("overinvested".parse::<Quadrant>()?, Quadrant::Overinvested);
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Quadrant {
    /// High importance, low performance: improve these first.
    FixFirst,
    /// High importance, high performance: keep them up.
    Maintain,
    /// Low importance, low performance: low priority.
    LowPriority,
    /// Low importance, high performance: possible over-investment.
    Overinvested,
}

crate::named_enum!(Quadrant, "quadrant", {
    FixFirst => "fix first",
    Maintain => "maintain",
    LowPriority => "low priority",
    Overinvested => "overinvested",
});

impl Quadrant {
    /// The quadrant of a point: a value at or above its split counts as high.
    ///
    /// ```
    /// use voc_core::impact::drivers::Quadrant;
    /// assert_eq!(Quadrant::of(0.3, 2.1, 0.2, 3.0), Quadrant::FixFirst);
    /// assert_eq!(Quadrant::of(0.2, 3.0, 0.2, 3.0), Quadrant::Maintain);
    /// ```
    pub fn of(
        importance: f64,
        performance: f64,
        importance_split: f64,
        performance_split: f64,
    ) -> Self {
        match (
            importance >= importance_split,
            performance >= performance_split,
        ) {
            (true, false) => Quadrant::FixFirst,
            (true, true) => Quadrant::Maintain,
            (false, false) => Quadrant::LowPriority,
            (false, true) => Quadrant::Overinvested,
        }
    }
}

/// Options of [`driver_quadrants`]: build from `Default` with the setters; checked once by
/// [`validate`](Self::validate) at the start of [`driver_quadrants`].
///
/// ```
/// use voc_core::impact::drivers::{Performance, QuadrantOptions, Split};
/// let o = QuadrantOptions::default().performance(Performance::TopBox).top_box(4.0).split(Split::Mean);
/// o.validate()?;
/// // top-box performance needs its threshold
/// assert!(QuadrantOptions::default().performance(Performance::TopBox).validate().is_err());
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[non_exhaustive]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct QuadrantOptions {
    /// How performance is measured.
    pub performance: Performance,
    /// The top-box threshold (a value at or above it counts): required by [`Performance::TopBox`],
    /// ignored by [`Performance::Mean`].
    pub top_box: Option<f64>,
    /// Where the lines are drawn.
    pub split: Split,
}

impl QuadrantOptions {
    /// Sets [`top_box`](Self::top_box).
    ///
    /// ```
    /// assert_eq!(voc_core::impact::drivers::QuadrantOptions::default().top_box(4.0).top_box, Some(4.0));
    /// ```
    pub fn top_box(mut self, top_box: f64) -> Self {
        self.top_box = Some(top_box);
        self
    }

    /// Checks the options: [`Performance::TopBox`] needs a finite `top_box`.
    ///
    /// ```
    /// use voc_core::impact::drivers::{Performance, QuadrantOptions};
    /// let o = QuadrantOptions::default().performance(Performance::TopBox).top_box(f64::NAN);
    /// assert!(o.validate().is_err());
    /// assert!(QuadrantOptions::default().validate().is_ok());
    /// assert!(QuadrantOptions::default().top_box(f64::NAN).validate().is_err());
    /// ```
    pub fn validate(&self) -> crate::Result<()> {
        match (self.performance, self.top_box) {
            (Performance::TopBox, Some(t)) if t.is_finite() => Ok(()),
            (Performance::TopBox, t) => Err(Error::option(
                "top_box",
                format!("{t:?}"),
                "performance TopBox needs a finite top_box threshold (e.g. 4 on a 1-5 scale)",
            )),
            (Performance::Mean, Some(t)) if !t.is_finite() => Err(Error::option(
                "top_box",
                t,
                "must be a finite threshold (it is not used with performance \"mean\")",
            )),
            (Performance::Mean, _) => Ok(()),
        }
    }
}

crate::setters!(QuadrantOptions {
    performance: Performance,
    split: Split
});

/// One driver in the importance × performance chart.
///
/// ```
/// use ndarray::array;
/// use voc_core::impact::drivers::{driver_quadrants, key_drivers, DriverImportances, DriverMethod, QuadrantOptions};
/// let y = [6.0, 9.0, 3.0, 8.0, 10.0, 2.0, 7.0, 9.0, 5.0, 4.0];
/// let x = array![[3.0, 4.0], [5.0, 4.0], [2.0, 2.0], [4.0, 3.0], [5.0, 5.0],
///                [1.0, 2.0], [3.0, 4.0], [4.0, 5.0], [3.0, 2.0], [2.0, 3.0]];
/// let kd = key_drivers(&y, x.view(), &["a", "b"], None, &Default::default())?;
/// let imp = kd.lmg.clone().unwrap_or(DriverImportances { method: DriverMethod::Lmg, drivers: vec![] });
/// let q = driver_quadrants(&imp, x.view(), &["a", "b"], None, &QuadrantOptions::default())?;
/// assert_eq!(q.drivers[0].performance, 3.2);
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct QuadrantPoint {
    /// Driver name.
    pub driver: String,
    /// Importance (share of R²).
    pub importance: f64,
    /// Performance (mean or top-box share).
    pub performance: f64,
    /// The quadrant.
    pub quadrant: Quadrant,
}

/// Importance × performance quadrant data for all drivers.
///
/// ```
/// use voc_core::impact::drivers::{QuadrantChart, Split};
/// let c = QuadrantChart { drivers: vec![], importance_split: 0.2, performance_split: 3.5, split: Split::Median };
/// assert!(c.drivers.is_empty());
/// ```
#[derive(Debug, Clone, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct QuadrantChart {
    /// One point per driver, in the order of the importances.
    pub drivers: Vec<QuadrantPoint>,
    /// The importance line (median or mean of the shares).
    pub importance_split: f64,
    /// The performance line (median or mean of the performances).
    pub performance_split: f64,
    /// How the lines were placed.
    pub split: Split,
}

/// Importance × performance quadrants ("fix first" = important and below the performance line).
///
/// `importances` comes from [`key_drivers`](super::key_drivers); `drivers` (`n × p`, any layout)
/// and `names` hold the drivers' values, found by name (the rows used for the performance are those
/// with a finite value and, with `weights`, a positive weight). Importance is the share of R². The
/// lines are the median (or mean) over drivers; a value on a line counts as high.
///
/// ```
/// use ndarray::array;
/// use voc_core::impact::drivers::{driver_quadrants, key_drivers, Performance, Quadrant, QuadrantOptions};
/// let y = [6.0, 9.0, 3.0, 8.0, 10.0, 2.0, 7.0, 9.0, 5.0, 4.0];
/// let x = array![[3.0, 4.0], [5.0, 4.0], [2.0, 2.0], [4.0, 3.0], [5.0, 5.0],
///                [1.0, 2.0], [3.0, 4.0], [4.0, 5.0], [3.0, 2.0], [2.0, 3.0]];
/// let names = ["a", "b"];
/// let kd = key_drivers(&y, x.view(), &names, None, &Default::default())?;
/// let lmg = kd.lmg.as_ref().ok_or(voc_core::Error::InsufficientData("no lmg".into()))?;
/// let opts = QuadrantOptions::default().performance(Performance::TopBox).top_box(4.0);
/// let q = driver_quadrants(lmg, x.view(), &names, None, &opts)?;
/// assert_eq!(q.drivers[0].quadrant, Quadrant::FixFirst); // a matters more and has fewer 4s and 5s
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn driver_quadrants<S: AsRef<str>>(
    importances: &DriverImportances,
    drivers: ArrayView2<'_, f64>,
    names: &[S],
    weights: Option<&[f64]>,
    options: &QuadrantOptions,
) -> Result<QuadrantChart> {
    options.validate()?;
    check_len("drivers", drivers.ncols(), "names", names.len())?;
    if let Some(w) = weights {
        check_len("drivers", drivers.nrows(), "weights", w.len())?;
    }
    let threshold = options.top_box.unwrap_or(f64::NAN);
    let mut perf = Vec::with_capacity(importances.drivers.len());
    for d in &importances.drivers {
        let j = names
            .iter()
            .position(|n| n.as_ref() == d.driver)
            .ok_or_else(|| {
                Error::option("names", &d.driver, "no column with this driver's name")
            })?;
        let (mut num, mut den) = (0.0, 0.0);
        for (i, &v) in drivers.column(j).iter().enumerate() {
            let w = weights.map_or(1.0, |w| at(w, i));
            if !v.is_finite() || !(w > 0.0) {
                continue;
            }
            let x = match options.performance {
                Performance::Mean => v,
                Performance::TopBox => f64::from(u8::from(v >= threshold)),
            };
            num += w * x;
            den += w;
        }
        if !(den > 0.0) {
            return Err(Error::Empty {
                arg: "drivers",
                what: "a driver has no finite value with a positive weight",
            });
        }
        perf.push(num / den);
    }
    let shares: Vec<f64> = importances.drivers.iter().map(|d| d.share).collect();
    let split = options.split;
    let center = |v: &[f64]| -> f64 {
        match split {
            Split::Mean => v.iter().sum::<f64>() / v.len().max(1) as f64,
            Split::Median => {
                let mut s = v.to_vec();
                s.sort_unstable_by(f64::total_cmp);
                quantile_sorted(&s, 0.5)
            }
        }
    };
    let (si, sp) = (center(&shares), center(&perf));
    let drivers = importances
        .drivers
        .iter()
        .zip(&perf)
        .map(|(d, &pf)| QuadrantPoint {
            driver: d.driver.clone(),
            importance: d.share,
            performance: pf,
            quadrant: Quadrant::of(d.share, pf, si, sp),
        })
        .collect();
    Ok(QuadrantChart {
        drivers,
        importance_split: si,
        performance_split: sp,
        split,
    })
}
