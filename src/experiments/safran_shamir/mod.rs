//! The experiment of Safran and Shamir, "Spurious Local Minima are Common in Two-Layer
//! ReLU Neural Networks", ICML 2018 (arXiv:1712.08968): gradient descent on the
//! population loss of a two-layer ReLU network fitting a teacher of the same shape
//! (`relu_net`, [`crate::problems::relu_net`]) often ends in a spurious local minimum,
//! and more often as the width k grows.
//!
//! # Protocol
//! For each k: teacher vⱼ = eⱼ (d = k), n = k + E students; `runs` starts with iid
//! N(0, 1/d) entries; plain gradient descent with step η = 0.1 until
//! maxᵢ‖∇_{wᵢ}F‖ ≤ 10⁻⁹/(2π); when ‖∇F‖ exceeds 10⁴ (or F is not finite) the run restarts
//! from its start with half the step. Once maxᵢ‖∇_{wᵢ}F‖ ≤ 10⁻⁴ the run tries to finish
//! by Newton steps on the exact Hessian, taken only while it is positive definite and
//! each step at least halves the gradient ([`run`]; `newton_below` = 0 turns it off): the
//! same minimum as GD's, reached in a few steps instead of GD's linear tail. A converged run whose F is ≥ 10⁻³ is a spurious
//! end point; it is *certified* as a local minimum when the gradient recomputed by the
//! independent [`ReluNet`] objective is tiny (maxᵢ‖∇_{wᵢ}F‖ ≤ 10·tol) and the smallest
//! eigenvalue of the exact dense Hessian ([`hessian`], checked in the tests against the
//! Hessian assembled from `relu_net`'s analytic HVP) is above 10⁻⁶·max(1, ‖∇²F‖): then
//! the second-order sufficient conditions hold at a point with a tiny gradient. Runs
//! that hit the iteration cap (default 10⁶ steps) are `not_converged` and never counted
//! as minima or as global; spurious end points that fail the certificate are counted as
//! `uncertified`, not as spurious minima.
//!
//! Counted per k: `spurious` (certified spurious minima), `spurious_percent` =
//! 100·spurious/runs, the smallest and mean spurious F, the mean λmin over them, and
//! `distinct_minima`: the number of different certified spurious minima up to a
//! permutation of the student neurons (rows of W; two minima are the same when some
//! permutation of rows brings them within `dedup_tol` in every entry, found by greedy
//! matching, which is exact when distinct rows are farther apart than 2·dedup_tol). The
//! identity teacher has a second symmetry, permuting the coordinates (W ↦ PWQᵀ keeps F);
//! `distinct_up_to_coordinates` also identifies minima related by it.
//!
//! # Parallelism and seeds
//! Run r at width k starts from `random::stream(seed, k·2³² + r)` (n·k normals scaled by
//! 1/√k, row-major), so results are identical on any number of threads. The gradient is
//! the allocation-free [`gradient::IdentityTeacher`].
//!
//! # Results and the paper
//! `landscape experiment safran-shamir` (k = 6…20, n = k, 1000 runs each, seed 0) gave
//! spurious percentages 0.2, 3.6, 12.6, 20.9, 35.1, 45.3, 54.4, 67.3, 72.8, 82.9, 84.4,
//! 89.0, 92.4, 93.1, 96.9 for k = 6…20; the smallest spurious F fell from 0.02508
//! (k = 6) to 0.01128 (k = 20) and the mean λmin rose from 0.0047 to ≈ 0.038; every
//! spurious end point was certified, no run hit the cap (the longest: 2.9·10⁵ steps at
//! k = 20; means ≈ 3.2·10³ at k = 6, 1.2·10⁴ at k = 20), none restarted. It took 720
//! CPU seconds (≈ 6 min on 2 idle cores) by plain GD. With the Newton finish (default) the
//! same percentages came out, in about half the GD steps.
//!
//! The paper's Table 1 (n = k = 6…20, 1000 runs each) was not at hand when this was
//! written (only its abstract): the comparison is by trend (spurious minima from a
//! fraction of a percent at k = 6 to most runs by k = 20, as above), not entry by entry
//! (README, "Known limitations").

pub mod dedup;
pub mod gradient;
pub mod hessian;
pub mod run;
mod text;

use nalgebra::DMatrix;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::classify::default_eig_tol;
use crate::error::{Error, Result};
use crate::objective::Objective;
use crate::problems::relu_net::ReluNet;
use crate::progress::{Progress, Silent};
use crate::random::{gaussian_vector, stream};
use gradient::IdentityTeacher;
use run::{gradient_descent, GdSettings, RunOutcome};

/// What to run, with the paper's protocol as defaults.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SafranShamirOptions {
    /// Teacher widths k (d = k), each ≥ 1, in the order reported; default 6..=20.
    pub ks: Vec<usize>,
    /// Extra student neurons E: n = k + E; default 0.
    pub n_extra: usize,
    /// Runs per k (≥ 1); default 1000.
    pub runs: usize,
    /// The seed; default 0.
    pub seed: u64,
    /// GD step η; default 0.1.
    pub lr: f64,
    /// Converged when maxᵢ‖∇_{wᵢ}F‖ ≤ tol; default 10⁻⁹/(2π).
    pub tol: f64,
    /// A converged run is spurious when F ≥ this; default 10⁻³.
    pub spurious_threshold: f64,
    /// Restart with half the step when ‖∇F‖ > this; default 10⁴.
    pub blow_up: f64,
    /// GD steps per run (over its restarts); default 10⁶.
    pub max_iters: usize,
    /// Halvings of the step before a run counts as diverged; default 30.
    pub max_restarts: usize,
    /// Two spurious minima are the same when a permutation brings every entry within
    /// this; default 10⁻⁵.
    pub dedup_tol: f64,
    /// The Newton finish ([`run`]) is tried once maxᵢ‖∇_{wᵢ}F‖ ≤ this; 0 runs plain GD to
    /// the end (the protocol as first published here); default 10⁻⁴.
    #[serde(default)]
    pub newton_below: f64,
}

impl Default for SafranShamirOptions {
    fn default() -> Self {
        SafranShamirOptions {
            ks: (6..=20).collect(),
            n_extra: 0,
            runs: 1000,
            seed: 0,
            lr: 0.1,
            tol: 1e-9 / (2.0 * std::f64::consts::PI),
            spurious_threshold: 1e-3,
            blow_up: 1e4,
            max_iters: 1_000_000,
            max_restarts: 30,
            dedup_tol: 1e-5,
            newton_below: 1e-4,
        }
    }
}

impl SafranShamirOptions {
    /// Rejects an empty k list, k = 0, runs = 0, a zero cap and non-positive or
    /// non-finite numbers; the error names the option as its flag is spelled.
    pub fn validate(&self) -> Result<()> {
        if self.ks.is_empty() {
            return Err(Error::invalid("k", "at least one width k ≥ 1", "none"));
        }
        if self.ks.contains(&0) {
            return Err(Error::invalid("k", "widths k ≥ 1", 0));
        }
        if self.runs == 0 {
            return Err(Error::invalid("runs", "an integer ≥ 1", 0));
        }
        crate::budget::check_count("runs", self.runs as u128, 1024)?;
        if self.max_iters == 0 {
            return Err(Error::invalid("max_iters", "an integer ≥ 1", 0));
        }
        let positive = [
            ("lr", self.lr),
            ("tol", self.tol),
            ("spurious_threshold", self.spurious_threshold),
            ("blow_up", self.blow_up),
            ("dedup_tol", self.dedup_tol),
        ];
        for (name, v) in positive {
            if !(v.is_finite() && v > 0.0) {
                return Err(Error::invalid(name, "a positive finite number", v));
            }
        }
        if !(self.newton_below.is_finite() && self.newton_below >= 0.0) {
            return Err(Error::invalid(
                "newton_below",
                "a finite number ≥ 0 (0: plain GD)",
                self.newton_below,
            ));
        }
        Ok(())
    }

    /// The settings of each run's descent.
    pub fn gd_settings(&self) -> GdSettings {
        GdSettings {
            lr: self.lr,
            tol: self.tol,
            blow_up: self.blow_up,
            max_iters: self.max_iters,
            max_restarts: self.max_restarts,
            newton_below: self.newton_below,
        }
    }
}

/// The second-order certificate of a spurious end point.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Certificate {
    /// Smallest eigenvalue of the exact Hessian (dense, every eigenvalue).
    pub lambda_min: f64,
    /// Largest eigenvalue.
    pub lambda_max: f64,
    /// maxᵢ‖∇_{wᵢ}F‖ recomputed by [`ReluNet`]'s gradient.
    pub max_row_gradient: f64,
    /// λmin must exceed this: 10⁻⁶·max(1, ‖∇²F‖).
    pub eig_tol: f64,
    /// Gradient ≤ 10·tol and λmin > eig_tol: a strict local minimum.
    pub certified: bool,
}

/// One run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunResult {
    /// Run index r (its stream is k·2³² + r).
    pub run: usize,
    /// How GD ended.
    pub outcome: RunOutcome,
    /// GD steps over all restarts.
    pub iterations: usize,
    /// Newton steps of the finish (0: GD went to the end).
    #[serde(default)]
    pub newton_steps: usize,
    /// Restarts with a halved step.
    pub restarts: usize,
    /// F at the end point.
    pub value: f64,
    /// maxᵢ‖∇_{wᵢ}F‖ at the end point.
    pub max_row_gradient: f64,
    /// Converged with F ≥ spurious_threshold.
    pub spurious: bool,
    /// The certificate, for spurious end points.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub certificate: Option<Certificate>,
    /// The end point W (row-major n×k), kept for spurious end points only.
    #[serde(skip)]
    pub point: Option<Vec<f64>>,
}

/// The results at one k (the table's row).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SafranShamirRow {
    /// Teacher width k = d.
    pub k: usize,
    /// Student width n = k + E.
    pub n: usize,
    /// Runs.
    pub runs: usize,
    /// Certified spurious local minima.
    pub spurious: usize,
    /// 100·spurious/runs.
    pub spurious_percent: f64,
    /// Smallest F over the certified spurious minima (`None` when there are none).
    pub min_spurious_value: Option<f64>,
    /// Mean F over them.
    pub mean_spurious_value: Option<f64>,
    /// Mean λmin over them.
    pub mean_lambda_min: Option<f64>,
    /// Distinct certified spurious minima up to a permutation of the neurons (rows).
    pub distinct_minima: usize,
    /// Distinct ones up to permutations of the rows and of the coordinates.
    pub distinct_up_to_coordinates: usize,
    /// Converged runs with F < spurious_threshold.
    pub global: usize,
    /// Converged runs with F ≥ spurious_threshold that failed the certificate.
    pub uncertified: usize,
    /// Runs that hit the iteration cap.
    pub not_converged: usize,
    /// Runs that still blew up after max_restarts halvings.
    pub diverged: usize,
    /// Runs that restarted at least once.
    pub restarted: usize,
    /// Runs that ended by the Newton finish.
    #[serde(default)]
    pub newton_finished: usize,
    /// Mean and largest GD step count.
    pub mean_iterations: f64,
    /// See `mean_iterations`.
    pub max_iterations: usize,
    /// λmin of each certified spurious minimum, in run order.
    pub lambda_min: Vec<f64>,
    /// Every run, in run order.
    pub per_run: Vec<RunResult>,
}

/// The experiment's result (`landscape experiment safran-shamir --json`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SafranShamirReport {
    /// What ran.
    pub options: SafranShamirOptions,
    /// One row per k, in the order of `options.ks`.
    pub rows: Vec<SafranShamirRow>,
}

/// The start of run `run` at width k with n students: n·k iid N(0, 1/k) entries from
/// `random::stream(seed, k·2³² + run)`.
pub fn start(seed: u64, k: usize, n: usize, run: usize) -> Vec<f64> {
    let mut rng = stream(seed, ((k as u64) << 32) | run as u64);
    let scale = 1.0 / (k as f64).sqrt();
    let mut w = gaussian_vector(&mut rng, n * k);
    w.iter_mut().for_each(|v| *v *= scale);
    w
}

/// The certificate at `w` (row-major n×k) for the `relu_net` objective `f` with the
/// identity teacher of width k: every eigenvalue of the exact dense Hessian
/// ([`hessian::hessian`]) and the gradient recomputed by `f`.
pub fn certify(f: &ReluNet, w: &[f64], k: usize, tol: f64) -> Result<Certificate> {
    let mut g = vec![0.0; f.dim()];
    f.gradient(w, &mut g);
    let max_row_gradient = g
        .chunks_exact(k)
        .map(|r| r.iter().map(|v| v * v).sum::<f64>().sqrt())
        .fold(0.0, f64::max);
    let eigenvalues = hessian::symmetric_eigenvalues(&hessian::hessian(w, k))?;
    let lambda_min = eigenvalues[0];
    let lambda_max = *eigenvalues.last().expect("a non-empty spectrum");
    let eig_tol = default_eig_tol(lambda_min.abs().max(lambda_max.abs()));
    Ok(Certificate {
        lambda_min,
        lambda_max,
        max_row_gradient,
        eig_tol,
        certified: max_row_gradient <= 10.0 * tol && lambda_min > eig_tol,
    })
}

/// One run of the protocol at width k with n students.
pub fn run_one(
    options: &SafranShamirOptions,
    k: usize,
    n: usize,
    run: usize,
    workspace: &mut IdentityTeacher,
    objective: &ReluNet,
) -> Result<RunResult> {
    let w0 = start(options.seed, k, n, run);
    let end = gradient_descent(workspace, &w0, &options.gd_settings());
    let spurious = end.outcome == RunOutcome::Converged && end.value >= options.spurious_threshold;
    let certificate = if spurious {
        Some(certify(objective, &end.point, k, options.tol)?)
    } else {
        None
    };
    Ok(RunResult {
        run,
        outcome: end.outcome,
        iterations: end.iterations,
        newton_steps: end.newton_steps,
        restarts: end.restarts,
        value: end.value,
        max_row_gradient: end.max_row_gradient,
        spurious,
        certificate,
        point: spurious.then_some(end.point),
    })
}

/// Runs the experiment: for each k, `runs` GD runs in parallel (identical results on
/// any number of threads), then the summary row.
pub fn safran_shamir(options: &SafranShamirOptions) -> Result<SafranShamirReport> {
    safran_shamir_with_progress(options, &Silent)
}

/// [`safran_shamir`], telling `progress` of each run done (task `safran_shamir`, one
/// unit per run of each k; the message names the k being run).
pub fn safran_shamir_with_progress(
    options: &SafranShamirOptions,
    progress: &dyn Progress,
) -> Result<SafranShamirReport> {
    options.validate()?;
    let total = (options.ks.len() * options.runs) as u64;
    progress.start("safran_shamir", total);
    let mut rows = Vec::with_capacity(options.ks.len());
    for &k in &options.ks {
        let n = k + options.n_extra;
        progress.message(&format!("k = {k}"));
        let objective = ReluNet::new(n, &DMatrix::identity(k, k))?;
        let runs: Vec<RunResult> = (0..options.runs)
            .into_par_iter()
            .map_init(
                || IdentityTeacher::new(n, k),
                |workspace, r| {
                    let result = run_one(options, k, n, r, workspace, &objective);
                    progress.advance(1);
                    result
                },
            )
            .collect::<Result<_>>()?;
        rows.push(summarise(options, k, n, runs));
    }
    progress.finish();
    Ok(SafranShamirReport {
        options: options.clone(),
        rows,
    })
}

/// The row of width k from its runs (in run order).
pub fn summarise(
    options: &SafranShamirOptions,
    k: usize,
    n: usize,
    runs: Vec<RunResult>,
) -> SafranShamirRow {
    let certified: Vec<&RunResult> = runs
        .iter()
        .filter(|r| r.certificate.as_ref().is_some_and(|c| c.certified))
        .collect();
    let count = |o: RunOutcome| runs.iter().filter(|r| r.outcome == o).count();
    let mean = |v: &[f64]| (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64);
    let values: Vec<f64> = certified.iter().map(|r| r.value).collect();
    let lambda_min: Vec<f64> = certified
        .iter()
        .map(|r| r.certificate.as_ref().expect("certified").lambda_min)
        .collect();
    let points: Vec<&[f64]> = certified
        .iter()
        .map(|r| r.point.as_deref().expect("spurious runs keep their point"))
        .collect();
    let spurious = certified.len();
    let uncertified = runs.iter().filter(|r| r.spurious).count() - spurious;
    let converged = count(RunOutcome::Converged);
    SafranShamirRow {
        k,
        n,
        runs: runs.len(),
        spurious,
        spurious_percent: 100.0 * spurious as f64 / runs.len() as f64,
        min_spurious_value: values.iter().copied().reduce(f64::min),
        mean_spurious_value: mean(&values),
        mean_lambda_min: mean(&lambda_min),
        distinct_minima: dedup::count_distinct(&points, k, options.dedup_tol, false),
        distinct_up_to_coordinates: dedup::count_distinct(&points, k, options.dedup_tol, true),
        global: converged - spurious - uncertified,
        uncertified,
        not_converged: count(RunOutcome::NotConverged),
        diverged: count(RunOutcome::Diverged),
        restarted: runs.iter().filter(|r| r.restarts > 0).count(),
        newton_finished: runs.iter().filter(|r| r.newton_steps > 0).count(),
        mean_iterations: runs.iter().map(|r| r.iterations as f64).sum::<f64>() / runs.len() as f64,
        max_iterations: runs.iter().map(|r| r.iterations).max().unwrap_or(0),
        lambda_min,
        per_run: runs,
    }
}
