//! `escape`: how long methods take to leave a saddle.
//!
//! - [`EscapeDistribution`]: per method (one `landscape escape` report each), the
//!   empirical distribution function "fraction of the N trials escaped by iteration t".
//!   Censored trials (never escaped within T) count in N and never in the numerator,
//!   so the curve of a method with censored runs stays below 1; the legend says how
//!   many.
//! - [`Du2017Chart`]: Du et al. (2017)'s chart, iterations to reach f − f* ≤ tol against
//!   the dimension d on a log axis, GD and PGD: the median with the fastest and slowest
//!   runs; a median that is censored (half the runs or more did not arrive) is drawn as
//!   a hollow marker at the largest censoring iteration, a lower bound.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::chart::{LineChart, Scale, Series, Stroke};
use super::output::Figure;
use super::style;
use crate::error::{Error, Result};
use crate::experiments::du2017::{Du2017Report, MethodSummary, Outcome};
use crate::experiments::escape::EscapeReport;

/// The escape times of one method's trials.
#[derive(Clone, Debug, PartialEq)]
pub struct EscapeTimes {
    /// The method (`gd`, `noisy_gd`, `pgd`).
    pub method: String,
    /// N, escaped or not.
    pub trials: usize,
    /// The escape iteration of every escaped trial, in trial order.
    pub times: Vec<usize>,
    /// T, the iteration cap of every trial.
    pub max_iters: usize,
    /// Δ: escaped once f ≤ f(X) − Δ.
    pub drop: f64,
    /// f(X).
    pub from_value: f64,
    /// X (empty when the report did not record it).
    pub from_point: Vec<f64>,
    /// The problem that produced the report (kind and spec, from its provenance), when
    /// recorded.
    pub problem: Option<serde_json::Value>,
}

impl From<&EscapeReport> for EscapeTimes {
    fn from(report: &EscapeReport) -> Self {
        EscapeTimes {
            drop: report.drop,
            from_value: report.from_value,
            from_point: report.from_point.clone(),
            problem: None,
            method: report.method.clone(),
            trials: report.trials,
            times: report
                .per_trial
                .iter()
                .filter_map(|t| t.iterations)
                .collect(),
            max_iters: report.max_iters,
        }
    }
}

/// Whether two reals are the same up to rounding (relative 10⁻¹²).
fn same(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= 1e-12 * a.abs().max(b.abs())
}

/// Checks that escape reports can share a chart: one problem, one start point, one Δ.
/// `names` name the reports in the error (file names, or methods).
pub fn check_comparable(reports: &[EscapeTimes], names: &[String]) -> Result<()> {
    let Some(first) = reports.first() else {
        return Ok(());
    };
    for (r, name) in reports.iter().zip(names).skip(1) {
        let differ = |what: &str, a: String, b: String| {
            Err(Error::invalid(
                "reports",
                format!(
                    "escape reports of one problem, one start point and one Δ (rerun with \
                     the same --problem, --from and --drop); {what} differs: {} has {a}, \
                     {name} has {b}",
                    names[0]
                ),
                name,
            ))
        };
        if let (Some(a), Some(b)) = (&first.problem, &r.problem) {
            if a != b {
                return differ("the problem", a.to_string(), b.to_string());
            }
        }
        if !same(first.drop, r.drop) {
            return differ(
                "Δ",
                format!("Δ = {}", first.drop),
                format!("Δ = {}", r.drop),
            );
        }
        let points_differ = !first.from_point.is_empty()
            && !r.from_point.is_empty()
            && (first.from_point.len() != r.from_point.len()
                || first
                    .from_point
                    .iter()
                    .zip(&r.from_point)
                    .any(|(a, b)| !same(*a, *b)));
        if points_differ || !same(first.from_value, r.from_value) {
            return differ(
                "the start point",
                format!("f(X) = {}", first.from_value),
                format!("f(X) = {}", r.from_value),
            );
        }
    }
    Ok(())
}

impl EscapeTimes {
    /// Trials that never escaped.
    pub fn censored(&self) -> usize {
        self.trials - self.times.len()
    }

    /// The empirical distribution F(t) = #{escaped by t}/N as the corners of a step
    /// curve from t = `start` to T.
    pub fn ecdf(&self, start: f64) -> Vec<(f64, f64)> {
        let n = self.trials.max(1) as f64;
        let mut sorted = self.times.clone();
        sorted.sort_unstable();
        let mut points = vec![(start, 0.0)];
        let mut done = 0;
        for (i, &t) in sorted.iter().enumerate() {
            if i + 1 < sorted.len() && sorted[i + 1] == t {
                continue;
            }
            let t = (t as f64).max(start);
            points.push((t, done as f64 / n));
            done = i + 1;
            points.push((t, done as f64 / n));
        }
        let end = (self.max_iters as f64).max(start);
        points.push((end, done as f64 / n));
        points
    }
}

/// Escape-time distributions of several methods on one chart.
#[derive(Clone, Debug)]
pub struct EscapeDistribution {
    /// The title.
    pub title: String,
    /// One entry per method.
    pub methods: Vec<EscapeTimes>,
    /// Iterations on a log axis (the curves then start at t = 1).
    pub log_iters: bool,
}

impl EscapeDistribution {
    /// The distribution of the given reports.
    pub fn from_reports(title: impl Into<String>, reports: &[EscapeReport]) -> Self {
        EscapeDistribution {
            title: title.into(),
            methods: reports.iter().map(EscapeTimes::from).collect(),
            log_iters: false,
        }
    }

    /// The chart.
    pub fn chart(&self) -> LineChart {
        let mut chart = LineChart::new(&self.title, "iteration t", "fraction escaped by t");
        chart.x_scale = if self.log_iters {
            Scale::Log
        } else {
            Scale::Linear
        };
        let start = if self.log_iters { 1.0 } else { 0.0 };
        chart.series = self
            .methods
            .iter()
            .zip(style::run_colours(
                &self
                    .methods
                    .iter()
                    .map(|m| m.method.as_str())
                    .collect::<Vec<_>>(),
                0,
            ))
            .map(|(m, i)| {
                let median = crate::experiments::escape::IterationStats::from_counts(&m.times)
                    .map(|s| format!(", median {}", s.median))
                    .unwrap_or_default();
                let name = format!(
                    "{}: {}/{} escaped{median}, {} censored at T = {}",
                    m.method,
                    m.times.len(),
                    m.trials,
                    m.censored(),
                    m.max_iters
                );
                Series::new(name, m.ecdf(start), Stroke::Solid, i)
            })
            .collect();
        // F = 1 (every trial escaped), which also keeps the y axis at [0, 1].
        let end = self
            .methods
            .iter()
            .map(|m| m.max_iters as f64)
            .fold(start, f64::max);
        chart.series.push(Series::new(
            "",
            vec![(start.max(1.0), 1.0), (end, 1.0)],
            Stroke::Dashed,
            6,
        ));
        let drop = self
            .methods
            .first()
            .map(|m| {
                format!(
                    "escaped once f ≤ f(X) − Δ, Δ = {}; ",
                    crate::display::short(m.drop)
                )
            })
            .unwrap_or_default();
        chart.note = format!(
            "{drop}censored runs (no escape within T) count in N: a curve below 1 at T is \
             their share"
        );
        chart
    }
}

impl Figure for EscapeDistribution {
    /// Refuses reports of different problems, start points or Δ ([`check_comparable`]).
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let names: Vec<String> = self.methods.iter().map(|m| m.method.clone()).collect();
        check_comparable(&self.methods, &names)?;
        self.chart().draw(root)
    }
}

/// One method's summary at one d, for the chart.
#[derive(Clone, Debug, PartialEq)]
pub struct DuMethodPoint {
    /// Median hitting time (`None`: censored, half the runs or more did not arrive).
    pub median: Option<f64>,
    /// Fastest run that arrived.
    pub min: Option<usize>,
    /// Slowest run that arrived.
    pub max: Option<usize>,
    /// Runs that did not arrive.
    pub censored: usize,
    /// The largest iteration at which a run was censored (a lower bound of the censored
    /// median); `None` without censored runs.
    pub censored_at: Option<usize>,
}

impl From<&MethodSummary> for DuMethodPoint {
    fn from(s: &MethodSummary) -> Self {
        DuMethodPoint {
            median: s.median,
            min: s.min,
            max: s.max,
            censored: s.censored,
            censored_at: s
                .per_trial
                .iter()
                .filter(|r| r.outcome != Outcome::Reached)
                .map(|r| r.iterations)
                .max(),
        }
    }
}

/// One dimension of the chart.
#[derive(Clone, Debug, PartialEq)]
pub struct DuRow {
    /// d.
    pub d: usize,
    /// Gradient descent.
    pub gd: DuMethodPoint,
    /// Perturbed gradient descent.
    pub pgd: DuMethodPoint,
}

/// Du et al.'s chart: iterations against d, log axis, GD and PGD.
#[derive(Clone, Debug)]
pub struct Du2017Chart {
    /// The title.
    pub title: String,
    /// One row per d.
    pub rows: Vec<DuRow>,
    /// Runs per d.
    pub trials: usize,
    /// The step η.
    pub lr: f64,
    /// The theoretical GD growth factor per dimension.
    pub predicted_gd_ratio: f64,
}

impl Du2017Chart {
    /// The chart of a report.
    pub fn from_report(title: impl Into<String>, report: &Du2017Report) -> Self {
        Du2017Chart {
            title: title.into(),
            rows: report
                .rows
                .iter()
                .map(|r| DuRow {
                    d: r.d,
                    gd: (&r.gd).into(),
                    pgd: (&r.pgd).into(),
                })
                .collect(),
            trials: report.options.trials,
            lr: report.lr,
            predicted_gd_ratio: report.predicted_gd_ratio,
        }
    }

    /// The line chart.
    pub fn chart(&self) -> LineChart {
        let mut chart = LineChart::new(&self.title, "dimension d", "iterations to f − f* ≤ tol");
        chart.y_scale = Scale::Log;
        chart.note = format!(
            "{} runs per d, η = {:.4}; median with the fastest and slowest run; censored median: a lower bound at the largest censoring iteration",
            self.trials, self.lr
        );
        for (colour, name, pick) in [
            (0, "GD", (|r: &DuRow| &r.gd) as fn(&DuRow) -> &DuMethodPoint),
            (1, "PGD", |r: &DuRow| &r.pgd),
        ] {
            let xy = |v: Option<f64>, d: usize| v.map(|v| (d as f64, v));
            let medians: Vec<(f64, f64)> = self
                .rows
                .iter()
                .filter_map(|r| xy(pick(r).median, r.d))
                .collect();
            let slowest: Vec<(f64, f64)> = self
                .rows
                .iter()
                .filter_map(|r| xy(pick(r).max.map(|m| m as f64), r.d))
                .collect();
            let fastest: Vec<(f64, f64)> = self
                .rows
                .iter()
                .filter_map(|r| xy(pick(r).min.map(|m| m as f64), r.d))
                .collect();
            let censored: Vec<(f64, f64)> = self
                .rows
                .iter()
                .filter(|r| pick(r).median.is_none())
                .filter_map(|r| xy(pick(r).censored_at.map(|c| c as f64), r.d))
                .collect();
            chart.series.push(Series::new(
                format!("{name} median"),
                medians,
                Stroke::LinePoints,
                colour,
            ));
            chart.series.push(Series::new(
                format!("{name} fastest / slowest"),
                slowest,
                Stroke::Dashed,
                colour,
            ));
            chart
                .series
                .push(Series::new("", fastest, Stroke::Dashed, colour));
            if !censored.is_empty() {
                chart.series.push(Series::new(
                    format!("{name} median censored (≥ mark)"),
                    censored,
                    Stroke::Points,
                    colour + 4,
                ));
            }
        }
        // The predicted GD growth, anchored at the first GD median.
        if let Some(first) = self.rows.iter().find_map(|r| r.gd.median.map(|m| (r.d, m))) {
            let last = self.rows.iter().map(|r| r.d).max().unwrap_or(first.0);
            let points = (first.0..=last)
                .map(|d| {
                    (
                        d as f64,
                        first.1 * self.predicted_gd_ratio.powi((d - first.0) as i32),
                    )
                })
                .collect();
            chart.series.push(Series::new(
                format!("predicted GD growth ×{:.2} per d", self.predicted_gd_ratio),
                points,
                Stroke::Dashed,
                6,
            ));
        }
        chart
    }
}

impl Figure for Du2017Chart {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        self.chart().draw(root)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecdf_counts_censored_runs_in_the_denominator() {
        let m = EscapeTimes {
            method: "pgd".into(),
            trials: 4,
            times: vec![5, 3, 5],
            max_iters: 10,
            drop: 1e-3,
            from_value: 0.0,
            from_point: vec![0.0, 0.0],
            problem: None,
        };
        let ecdf = m.ecdf(0.0);
        assert_eq!(
            ecdf,
            vec![
                (0.0, 0.0),
                (3.0, 0.0),
                (3.0, 0.25),
                (5.0, 0.25),
                (5.0, 0.75),
                (10.0, 0.75)
            ]
        );
        assert_eq!(m.censored(), 1);
    }
}
