//! `landscape bounds`: GD with η = 1/β against the descent lemma and the convergence
//! bound. The run options are shared with `plot descent|convergence|rate`.

use std::io::Write;

use clap::Args;

use super::ProblemArgs;
use landscape::error::{Error, Result};
use landscape::experiments::bounds::{bounds, BoundsOptions, BoundsReport, DEFAULT_ITERS};
use landscape::objective::Objective;
use landscape::point::{default_start, resolve_point};
use landscape::provenance::Provenance;

/// The problem, start, steps and β of a GD run with η = 1/β (shared by `bounds` and
/// `plot descent|convergence|rate`).
#[derive(Debug, Args)]
pub struct GdRunArgs {
    #[command(flatten)]
    pub problem: ProblemArgs,
    /// The initial point, in any form --point takes: `zeros`, `name:<known point>`,
    /// `random:<scale>:<seed>`, `init:<scheme>[:<seed>]` (networks), an inline JSON array,
    /// a .json or .npy file [default: random:1:0; init:kaiming_normal:0 on a network].
    #[arg(long, value_name = "X")]
    pub init: Option<String>,
    /// Steps T ≥ 1.
    #[arg(long, value_name = "T", default_value_t = DEFAULT_ITERS)]
    pub iters: usize,
    /// The smoothness constant β > 0 (η = 1/β). Default: ‖A‖₂ on a quadratic (exact),
    /// otherwise estimated as the largest |λ| of the Hessian along the path.
    #[arg(long, value_name = "β", allow_negative_numbers = true)]
    pub beta: Option<f64>,
}

impl GdRunArgs {
    /// Loads the problem and resolves the start; with what a report of the run records
    /// (the problem and the start).
    pub fn load(&self) -> Result<(Box<dyn Objective>, Vec<f64>, Provenance)> {
        let (spec, f) = self.problem.load()?;
        let start = self.init.as_deref().unwrap_or(default_start(f.as_ref()));
        let x0 = resolve_point(start, f.as_ref(), "init")?;
        let provenance = super::provenance().problem(&spec).start(start);
        Ok((f, x0, provenance))
    }

    /// The options of [`bounds`] with ε.
    pub fn options(&self, epsilon: Option<f64>) -> BoundsOptions {
        BoundsOptions {
            iters: self.iters,
            beta: self.beta,
            epsilon,
            ..BoundsOptions::default()
        }
    }

    /// Loads, runs [`bounds`] and returns the report and its provenance.
    pub fn bounds(&self, epsilon: Option<f64>) -> Result<(BoundsReport, Provenance)> {
        let (f, x0, provenance) = self.load()?;
        Ok((bounds(f.as_ref(), &x0, &self.options(epsilon))?, provenance))
    }
}

/// Arguments of `landscape bounds`.
#[derive(Debug, Args)]
pub struct BoundsArgs {
    #[command(flatten)]
    run: GdRunArgs,
    /// ε of T(ε) = ⌈2β(f(x₀) − f*)/ε²⌉ (> 0). Default: ‖∇f(x₀)‖/10.
    #[arg(long, value_name = "ε", allow_negative_numbers = true)]
    epsilon: Option<f64>,
    /// Print the report as JSON (`beta`, `beta_is_estimate`, `min_ratio`, `violations`,
    /// `steps`, `per_step` with each step's `ratio`, `convergence`, `f_star`, …).
    #[arg(long)]
    json: bool,
}

/// Runs `landscape bounds`.
pub fn run(args: BoundsArgs, out: &mut dyn Write) -> Result<()> {
    let (report, provenance) = args.run.bounds(args.epsilon)?;
    if args.json {
        return super::print_json_with(out, &report, provenance);
    }
    write!(out, "{report}").map_err(Error::Output)
}
