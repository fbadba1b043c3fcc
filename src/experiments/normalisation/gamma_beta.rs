//! Frankle, Schwab & Morcos (2020), "Training BatchNorm and only BatchNorm": with every
//! weight frozen at its random initialisation, training only the normalisation's γ and
//! β reaches an accuracy far above chance, well above training only the output layer.
//!
//! # The setting
//! A batch-normalised ReLU network on the digits (cross-entropy, 10 classes, chance
//! 10%): `depth` hidden layers of `width` units, each Zₗ = Aₗ₋₁Wₗᵀ + bₗ,
//! Uₗ = γₗ ⊙ BN(Zₗ) + βₗ, Aₗ = ReLU(Uₗ), then the output layer W_{L+1}, b_{L+1}
//! (default 4 hidden layers of 64 units: 17,802 parameters, 512 of them γ and β,
//! 650 in the output layer). Kaiming-normal weights, γ = 1, β = 0 and zero biases at the
//! start. From the same start (seed i: the initial θ and the minibatch order from
//! `random::stream(seed, i)`), three trainings of the same length and settings:
//! - **all**: every parameter;
//! - **γ and β only**: the blocks `gamma{l}`, `beta{l}`;
//! - **output only**: W_{L+1}, b_{L+1} (a linear classifier on the random features).
//!
//! A subset is trained through the [`Restricted`] objective f_S(y) = f(embed(y)), the
//! frozen blocks fixed at the start, whose gradient is the restriction of the full
//! network's (minibatch statistics as in every batch-normalised run). Training is SGD
//! with momentum on minibatches ([`Sgd`]), the same η and μ for the three (chosen for
//! the full network, not per setting). Measured: the test accuracy (batch statistics of
//! the whole training set) and the full-batch training loss every `eval_every` steps,
//! and the trained-parameter count of each setting.
//!
//! Runs are independent and run in parallel (rayon), collected in order: the report is
//! the same on any thread count.

use std::fmt;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::error::Result;
use crate::experiments::check_counts;
use crate::experiments::claims::{Claim, ClaimsTable};
use crate::experiments::deep::kaiming::{run_seeds, Sgd};
use crate::experiments::deep::{network, widths, Curve};
use crate::objective::{Block, Objective};
use crate::problems::mlp::Mlp;
use crate::progress::{Progress, Silent};
use crate::restricted::Restricted;

/// Chance accuracy on the digits' ten classes.
pub const CHANCE: f64 = 0.1;

/// γ/β-only is "far above chance" at this many times chance (50%).
pub const FAR_ABOVE: f64 = 5.0;

/// Options of [`gamma_beta`]; the field names are the flags of `landscape experiment
/// gamma-beta`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GammaBetaOptions {
    /// Hidden layers L (default 4).
    pub depth: usize,
    /// Units per hidden layer (default 64).
    pub width: usize,
    /// Seeds (default 3).
    pub seeds: usize,
    /// The base seed (default 0).
    pub seed: u64,
    /// The training of every setting (default 2,000 steps of batch 64, η = 0.05,
    /// μ = 0.9, evaluated every 100 steps).
    pub sgd: Sgd,
}

impl Default for GammaBetaOptions {
    fn default() -> Self {
        GammaBetaOptions {
            depth: 4,
            width: 64,
            seeds: 3,
            seed: 0,
            sgd: Sgd {
                steps: 2000,
                lr: 0.05,
                momentum: 0.9,
                batch_size: 64,
                eval_every: 100,
            },
        }
    }
}

impl GammaBetaOptions {
    /// The `--quick` size: 2 hidden layers of 32 units, 2 seeds, 300 steps.
    pub fn quick() -> Self {
        let mut o = GammaBetaOptions {
            depth: 2,
            width: 32,
            seeds: 2,
            ..GammaBetaOptions::default()
        };
        o.sgd.steps = 300;
        o.sgd.eval_every = 50;
        o
    }

    /// Checks the options; errors name the flag (`depth`, `width`, `seeds`, and
    /// [`Sgd::validate`]'s).
    pub fn validate(&self) -> Result<()> {
        check_counts(&[
            ("depth", self.depth),
            ("width", self.width),
            ("seeds", self.seeds),
        ])?;
        self.sgd.validate()
    }
}

/// Which parameters a run trains.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trained {
    /// Every parameter.
    All,
    /// Only the blocks `gamma{l}` and `beta{l}`.
    GammaBeta,
    /// Only the output layer W_{L+1}, b_{L+1}.
    Output,
}

impl Trained {
    /// The three settings, in report order.
    pub const ALL: [Trained; 3] = [Trained::All, Trained::GammaBeta, Trained::Output];

    /// The setting's name in the table.
    pub fn name(self) -> &'static str {
        match self {
            Trained::All => "all",
            Trained::GammaBeta => "γ and β only",
            Trained::Output => "output only",
        }
    }

    /// True for the blocks this setting trains, in a network of `depth` hidden layers.
    pub fn selects(self, block: &Block, depth: usize) -> bool {
        let out = depth + 1;
        match self {
            Trained::All => true,
            Trained::GammaBeta => block.name.starts_with("gamma") || block.name.starts_with("beta"),
            Trained::Output => block.name == format!("W{out}") || block.name == format!("b{out}"),
        }
    }
}

/// One training run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GammaBetaRun {
    /// What was trained.
    pub trained: Trained,
    /// The seed index i (stream i of the seed).
    pub seed_index: usize,
    /// Parameters trained.
    pub trained_parameters: usize,
    /// Training loss and test accuracy along the run (step 0: the common start).
    pub curve: Curve,
    /// The last test accuracy.
    pub test_accuracy: f64,
    /// How the run ended (`max_iters`, or a numerical failure).
    pub termination: String,
}

/// The report (the JSON of `landscape experiment gamma-beta`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GammaBetaReport {
    /// The options.
    pub options: GammaBetaOptions,
    /// Parameters of the network.
    pub parameters: usize,
    /// Chance accuracy (0.1).
    pub chance: f64,
    /// Every run: per setting (all, γ and β, output) its seeds.
    pub runs: Vec<GammaBetaRun>,
    /// The course's statements, checked.
    pub claims: Vec<Claim>,
}

impl GammaBetaReport {
    /// The runs of one setting, by seed.
    pub fn of(&self, trained: Trained) -> Vec<&GammaBetaRun> {
        self.runs.iter().filter(|r| r.trained == trained).collect()
    }
}

/// The batch-normalised network of the experiment.
pub fn bn_network(depth: usize, width: usize) -> Result<Mlp> {
    network(&[
        ("data", "digits".into()),
        ("widths", widths(depth, width)),
        ("activation", "relu".into()),
        ("norm", "batch".into()),
        ("loss", "cross_entropy".into()),
    ])
}

/// Runs the comparison.
///
/// Errors: invalid options (naming the flag).
pub fn gamma_beta(options: &GammaBetaOptions) -> Result<GammaBetaReport> {
    gamma_beta_with_progress(options, &Silent)
}

/// [`gamma_beta`], telling `progress` of each finished run (task `gamma-beta`).
pub fn gamma_beta_with_progress(
    options: &GammaBetaOptions,
    progress: &dyn Progress,
) -> Result<GammaBetaReport> {
    options.validate()?;
    let f = bn_network(options.depth, options.width)?;
    options.sgd.check_batch_size(f.train().samples)?;
    let jobs: Vec<(Trained, usize)> = Trained::ALL
        .iter()
        .flat_map(|&t| (0..options.seeds).map(move |i| (t, i)))
        .collect();
    progress.start("gamma-beta", jobs.len() as u64);
    let runs = jobs
        .par_iter()
        .map(|&(t, i)| {
            let r = one_run(&f, t, i, options);
            progress.advance(1);
            r
        })
        .collect::<Result<Vec<_>>>()?;
    progress.finish();
    let claims = claims(&runs);
    Ok(GammaBetaReport {
        options: options.clone(),
        parameters: f.dim(),
        chance: CHANCE,
        runs,
        claims,
    })
}

fn one_run(
    f: &Mlp,
    trained: Trained,
    i: usize,
    options: &GammaBetaOptions,
) -> Result<GammaBetaRun> {
    let (init_seed, batch_seed) = run_seeds(options.seed, i);
    let x0 = f.initialise("kaiming_normal", init_seed)?;
    let restricted = Restricted::new(f, &x0, |b| trained.selects(b, options.depth))?;
    let y0 = restricted.restrict(&x0);
    let t = options.sgd.train(&restricted, &y0, batch_seed)?;
    let curve = Curve::of(&t);
    Ok(GammaBetaRun {
        trained,
        seed_index: i,
        trained_parameters: restricted.dim(),
        test_accuracy: curve.final_accuracy().unwrap_or(f64::NAN),
        termination: t.termination.as_str().to_string(),
        curve,
    })
}

fn claims(runs: &[GammaBetaRun]) -> Vec<Claim> {
    let of = |t: Trained| -> Vec<f64> {
        runs.iter()
            .filter(|r| r.trained == t)
            .map(|r| r.test_accuracy)
            .collect()
    };
    let (all, gb, out) = (
        of(Trained::All),
        of(Trained::GammaBeta),
        of(Trained::Output),
    );
    let start: Vec<Option<f64>> = runs
        .iter()
        .filter(|r| r.trained == Trained::All)
        .map(|r| r.curve.test_accuracy.first().copied())
        .collect();
    let above = |a: &[f64], b: &[f64]| a.iter().zip(b).all(|(x, y)| x > y);
    vec![
        Claim::new(
            format!(
                "Training only γ and β, every weight frozen at its random initialisation, \
                 reaches a test accuracy far above chance ({:.0}%): at least {FAR_ABOVE}× \
                 chance on every seed",
                100.0 * CHANCE
            ),
            gb.iter().all(|&a| a >= FAR_ABOVE * CHANCE),
            json!({
                "gamma_beta_accuracy": gb,
                "accuracy_at_start": start,
                "chance": CHANCE,
                "threshold": FAR_ABOVE * CHANCE,
            }),
        ),
        Claim::new(
            "Training only γ and β beats training only the output layer on the same \
             frozen random features (Frankle et al. 2020, at their depths), on every seed",
            above(&gb, &out),
            json!({ "gamma_beta_accuracy": gb, "output_only_accuracy": out }),
        ),
        Claim::new(
            "Training every parameter beats training only γ and β, on every seed",
            above(&all, &gb),
            json!({ "all_accuracy": all, "gamma_beta_accuracy": gb }),
        ),
    ]
}

impl fmt::Display for GammaBetaReport {
    fn fmt(&self, out: &mut fmt::Formatter<'_>) -> fmt::Result {
        let o = &self.options;
        writeln!(
            out,
            "Frankle et al. 2020: {} hidden ReLU layers of {} units with batch normalisation \
             ({} parameters), digits (chance {:.0}%); heavy_ball η = {}, μ = {}, batch {}, \
             {} steps; {} seeds",
            o.depth,
            o.width,
            self.parameters,
            100.0 * self.chance,
            o.sgd.lr,
            o.sgd.momentum,
            o.sgd.batch_size,
            o.sgd.steps,
            o.seeds
        )?;
        writeln!(
            out,
            "{:<14} {:>4} {:>8} {:>10} {:>8} {:>10}  end",
            "trained", "seed", "params", "acc₀", "loss_T", "test acc"
        )?;
        for r in &self.runs {
            writeln!(
                out,
                "{:<14} {:>4} {:>8} {:>10} {:>8.4} {:>10}  {}",
                r.trained.name(),
                r.seed_index,
                r.trained_parameters,
                r.curve
                    .test_accuracy
                    .first()
                    .map_or("–".into(), |a| format!("{:.1}%", 100.0 * a)),
                r.curve.final_loss(),
                format!("{:.1}%", 100.0 * r.test_accuracy),
                r.termination
            )?;
        }
        write!(out, "{}", ClaimsTable(&self.claims))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_settings_select_their_blocks() {
        let f = bn_network(2, 4).unwrap();
        let count = |t: Trained| -> usize {
            f.layout()
                .blocks
                .iter()
                .filter(|b| t.selects(b, 2))
                .map(Block::len)
                .sum()
        };
        assert_eq!(count(Trained::All), f.dim());
        assert_eq!(count(Trained::GammaBeta), 4 * 4);
        assert_eq!(count(Trained::Output), 10 * 4 + 10);
    }
}
