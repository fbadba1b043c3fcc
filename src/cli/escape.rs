//! `landscape escape`: from a saddle, N seeded runs of gd, noisy_gd or pgd, and how
//! many iterations each takes to leave it.

use std::io::Write;

use clap::Args;

use super::perturbation::PerturbationArgs;
use super::progress::Bar;
use super::ProblemArgs;
use landscape::error::Result;
use landscape::experiments::escape::{
    check_saddle, escape_with_progress, EscapeMethod, EscapeOptions, SaddleScale,
};
use landscape::optim::Hyperparameters;
use landscape::point::resolve_point;

const AFTER_HELP: &str = "Trial i draws its start offset and then its method's noise seed \
from the stream (seed, i); trials run in parallel and the results do not depend on the \
number of threads. A trial has escaped when some iterate within --max-iters has \
f ≤ f(X) − Δ; `iterations` is the first such t. gd started exactly at a saddle stops at once \
(converged: ∇f = 0, or stalled: a floating-point fixed point) and has not escaped. The final \
iterate is classified (null verdict when it diverged, e.g. f → −∞ on `saddle`).\n\n\
Defaults follow from the Hessian at X, so that methods compare at one threshold and one \
step: Δ = 10⁻³·max(1, |f(X)|) and η = 1/(2ℓ), ℓ = ‖∇²f(X)‖₂, for every method; pgd in \
practical mode takes f_thres = ½γr² and t_thres = ⌈ln(2·10⁴·√d)/ln(1 + ηγ)⌉ at a strict \
saddle with γ = −λmin (the steps that grow any but a 10⁻⁴-rare perturbation out of the \
saddle), so that its no-decrease rule does not fire before the perturbation has grown. \
Trials that the rule stops at a strict saddle are counted (stopped_at_strict_saddle).\n\n\
JSON: method, trials, escaped (count), iterations {median, mean, p90 (nearest rank), max} \
over the escaped trials (null when none), per_trial [{escaped, iterations, final_value, \
final_kind, termination, perturbations}], from_value, from_point, drop, max_iters, seed, \
start_radius, hyperparameters, stopped_at_strict_saddle.";

/// EscapeOptions' fields and the flags of `escape`.
const ESCAPE_FLAGS: &[(&str, &str)] = &[
    ("max_iters", "max-iters"),
    ("start_radius", "start-radius"),
    ("radius", "noise-radius"),
];

/// The library's escape options with their defaults (the method does not change them).
fn defaults() -> EscapeOptions {
    EscapeOptions::new(EscapeMethod::Gd(Default::default()))
}

/// Arguments of `landscape escape`.
#[derive(Debug, Args)]
#[command(after_help = AFTER_HELP)]
pub struct EscapeArgs {
    #[command(flatten)]
    problem: ProblemArgs,
    /// The saddle X, in any form --point takes: `name:<known point>` (see `landscape
    /// points`), an inline JSON array, a .json or .npy file, `zeros`, `random:<s>:<seed>`.
    /// It must classify as strict_saddle, non_strict_saddle or degenerate (or --force).
    #[arg(long, value_name = "X")]
    from: String,
    /// Run even when --from is not a saddle.
    #[arg(long)]
    force: bool,
    /// The method: gd, noisy_gd or pgd.
    #[arg(long, value_name = "NAME")]
    method: String,
    /// Number of trials N ≥ 1.
    #[arg(long, value_name = "N", default_value_t = defaults().trials)]
    trials: usize,
    /// The experiment's seed.
    #[arg(long, value_name = "S", default_value_t = defaults().seed)]
    seed: u64,
    /// r₀ ≥ 0: start uniformly within r₀ of X (in the tangent space on spheres);
    /// 0 starts exactly at X.
    #[arg(
        long,
        value_name = "r₀",
        default_value_t = defaults().start_radius,
        allow_negative_numbers = true
    )]
    start_radius: f64,
    /// Δ > 0: escaped once f ≤ f(X) − Δ [10⁻³·max(1, |f(X)|), the same for every
    /// method].
    #[arg(long, value_name = "Δ", allow_negative_numbers = true)]
    drop: Option<f64>,
    /// Iteration cap T ≥ 1 per trial.
    #[arg(long, value_name = "T", default_value_t = defaults().max_iters)]
    max_iters: usize,
    /// Step size η (gd, noisy_gd, pgd practical mode) [1/(2ℓ) with ℓ = ‖∇²f(X)‖₂ at
    /// the saddle, the same for every method; 1e-3 where the Hessian vanishes].
    #[arg(long, value_name = "η", allow_negative_numbers = true)]
    lr: Option<f64>,
    /// pgd's perturbation radius r (uniform in the r-ball) [1e-3]; noisy_gd's noise
    /// radius (or standard deviation with --noise gaussian) [1e-2].
    #[arg(long, value_name = "r", allow_negative_numbers = true)]
    noise_radius: Option<f64>,
    #[command(flatten)]
    perturbation: PerturbationArgs,
    /// Keep every iterate of the first K trials in the JSON (`per_trial[i].path`), to
    /// draw them with `plot slice --trajectory`.
    #[arg(long, value_name = "K", default_value_t = defaults().paths)]
    paths: usize,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

impl EscapeArgs {
    /// The method's hyperparameter flags given, by name.
    fn hyperparameters(&self) -> Hyperparameters {
        let mut hp = Hyperparameters::new();
        hp.set_if_given("lr", self.lr);
        hp.set_if_given("radius", self.noise_radius);
        self.perturbation.apply(&mut hp);
        hp
    }
}

/// Runs the experiment and prints the report.
pub fn run(args: EscapeArgs, out: &mut dyn Write) -> Result<()> {
    let (spec, f) = args.problem.load()?;
    let from = resolve_point(&args.from, f.as_ref(), "from")?;
    let from_kind = if args.force {
        None
    } else {
        Some(check_saddle(f.as_ref(), &from)?)
    };
    let scale = match &from_kind {
        Some(c) => SaddleScale::of(c, f.manifold().tangent_dim(f.dim())),
        None => SaddleScale::at(f.as_ref(), &from)?,
    };
    let method = EscapeMethod::at_saddle(&args.method, &args.hyperparameters(), scale.as_ref())
        .map_err(|e| super::flag_names(e, ESCAPE_FLAGS))?;
    let options = EscapeOptions {
        method,
        trials: args.trials,
        seed: args.seed,
        start_radius: args.start_radius,
        drop: args.drop,
        max_iters: args.max_iters,
        paths: args.paths,
    };
    options
        .validate()
        .map_err(|e| super::flag_names(e, ESCAPE_FLAGS))?;
    let report = escape_with_progress(f.as_ref(), &from, &options, &Bar::default())
        .map_err(|e| super::flag_names(e, ESCAPE_FLAGS))?;
    if args.json {
        let provenance = super::provenance()
            .problem(&spec)
            .start(&args.from)
            .seed(args.seed);
        return super::print_json_with(out, &report, provenance);
    }
    writeln!(
        out,
        "{} from {} on {} (dim {}): {}/{} trials escaped within {} iterations",
        report.method,
        args.from,
        f.kind(),
        f.dim(),
        report.escaped,
        report.trials,
        report.max_iters
    )?;
    if let Some(c) = from_kind {
        writeln!(out, "from         {} ({})", c.kind, c.reason)?;
    }
    write!(out, "{report}")?;
    Ok(())
}
