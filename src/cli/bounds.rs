//! `landscape bounds`: GD with η = 1/β against the descent lemma and the convergence
//! bound. The run options are shared with `plot descent|convergence|rate`.

use std::io::Write;

use clap::Args;

use super::ProblemArgs;
use crate::error::Result;
use crate::experiments::bounds::{bounds, BoundsOptions, BoundsReport, DEFAULT_ITERS};
use crate::objective::Objective;
use crate::plot::bounds::short;
use crate::point::resolve_point;

/// The problem, start, steps and β of a GD run with η = 1/β (shared by `bounds` and
/// `plot descent|convergence|rate`).
#[derive(Debug, Args)]
pub struct GdRunArgs {
    #[command(flatten)]
    pub problem: ProblemArgs,
    /// The initial point, in any form --point takes: `zeros`, `name:<known point>`,
    /// `random:<scale>:<seed>`, an inline JSON array, a .json or .npy file.
    #[arg(long, value_name = "X", default_value = "random:1:0")]
    pub init: String,
    /// Steps T ≥ 1.
    #[arg(long, value_name = "T", default_value_t = DEFAULT_ITERS)]
    pub iters: usize,
    /// The smoothness constant β > 0 (η = 1/β). Default: ‖A‖₂ on a quadratic (exact),
    /// otherwise estimated as the largest |λ| of the Hessian along the path.
    #[arg(long, value_name = "β", allow_negative_numbers = true)]
    pub beta: Option<f64>,
}

impl GdRunArgs {
    /// Loads the problem and resolves the start.
    pub fn load(&self) -> Result<(Box<dyn Objective>, Vec<f64>)> {
        let (_, f) = self.problem.load()?;
        let x0 = resolve_point(&self.init, f.as_ref(), "init")?;
        Ok((f, x0))
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

    /// Loads, runs [`bounds`] and returns the report.
    pub fn bounds(&self, epsilon: Option<f64>) -> Result<BoundsReport> {
        let (f, x0) = self.load()?;
        bounds(f.as_ref(), &x0, &self.options(epsilon))
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
    let report = args.run.bounds(args.epsilon)?;
    if args.json {
        return super::print_json(out, &report);
    }
    print_summary(&report, out)
}

/// How many violating steps the summary names.
const SHOWN_VIOLATIONS: usize = 10;

fn print_summary(r: &BoundsReport, out: &mut dyn Write) -> Result<()> {
    let source = if r.beta_is_estimate {
        "an estimate: the largest |λ| of the Hessian along the path".to_string()
    } else {
        match r.beta_source {
            crate::experiments::bounds::BetaSource::Given => "given".to_string(),
            _ => "exact: ‖A‖₂ = max|λᵢ(A)|".to_string(),
        }
    };
    writeln!(out, "problem      {} (d = {})", r.problem, r.dim)?;
    writeln!(out, "beta         {} ({source})", short(r.beta))?;
    if let Some(e) = &r.beta_estimate {
        let rounds: Vec<String> = e
            .rounds
            .iter()
            .map(|x| format!("β = {} → path max {}", short(x.beta), short(x.path_max)))
            .collect();
        writeln!(
            out,
            "estimate     ‖∇²f(x₀)‖₂ = {}; runs: {}; {}",
            short(e.at_start),
            rounds.join(", "),
            if e.settled {
                "settled"
            } else {
                "NOT settled (a sampled iterate has |λ| above β)"
            }
        )?;
    }
    writeln!(
        out,
        "steps        {} with η = 1/β = {} ({})",
        r.steps,
        short(r.eta),
        r.termination.as_str()
    )?;
    writeln!(
        out,
        "descent      min ratio decrease/bound = {} over {} resolved steps ({} below rounding)",
        r.min_ratio.map_or("n/a".to_string(), short),
        r.steps - r.unresolved_steps,
        r.unresolved_steps
    )?;
    let shown: Vec<String> = r
        .violations
        .iter()
        .take(SHOWN_VIOLATIONS)
        .map(|t| t.to_string())
        .collect();
    let more = if r.violations.len() > SHOWN_VIOLATIONS {
        ", …"
    } else {
        ""
    };
    writeln!(
        out,
        "violations   {} (ratio < 1 − {:e}){}",
        r.violations.len(),
        r.tolerance,
        if r.violations.is_empty() {
            String::new()
        } else {
            format!(" at steps {}{more}", shown.join(", "))
        }
    )?;
    let c = &r.convergence;
    let f_star = if r.f_star_known {
        "known optimum"
    } else {
        "lowest value seen, not a known optimum"
    };
    writeln!(out, "f*           {} ({f_star})", short(r.f_star))?;
    if let (Some(m), Some(b)) = (c.min_grad_norm.last(), c.bound.last()) {
        writeln!(
            out,
            "convergence  at t = {}: min ‖∇f‖ = {} vs bound √(2β(f(x₀) − f*)/(t + 1)) = {}; \
             exceeded at {} steps",
            r.steps - 1,
            short(*m),
            short(*b),
            c.exceeded.len()
        )?;
    }
    writeln!(
        out,
        "T(ε)         ⌈2β(f(x₀) − f*)/ε²⌉ = {} for ε = {}; observed ‖∇f‖ ≤ ε first at {}",
        short(c.t_epsilon),
        short(c.epsilon),
        c.first_below_epsilon
            .map_or("no step".to_string(), |t| format!("t = {t}"))
    )?;
    Ok(())
}
