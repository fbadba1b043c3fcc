//! `landscape run`: one optimizer on one problem, recording its trajectory.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use super::perturbation::PerturbationArgs;
use super::progress::Bar;
use super::ProblemArgs;
use landscape::classify::{classify, ClassifyOptions};
use landscape::error::Result;
use landscape::optim::{
    self, output, Clip, Hyperparameters, Minibatch, RunOptions, Schedule, Termination, WeightDecay,
    DEFAULT_GRAD_TOL, DEFAULT_MAX_ITERS,
};
use landscape::point::{default_start, resolve_point};

const TERMINATION_HELP: &str = "Termination: converged (‖∇f‖ ≤ grad-tol), target_reached, \
max_iters, diverged (non-finite value or iterate), stalled (x unchanged by a step while \
∇f ≠ 0: a floating-point fixed point), or an optimizer's own reason (pgd_no_decrease: pgd \
found no decrease of f_thres within t_thres steps of a perturbation and returned the point \
before it). pgd and noisy_gd are never `converged` (they perturb stationary points).";

const TRAINING_HELP: &str = "Training (gradient-step optimizers: gd, heavy_ball, nesterov, \
adagrad, rmsprop, adadelta, adam, noisy_gd): --schedule sets the learning rate η_t inside the \
update as torch's schedulers do (t counts steps from 0; η₀ = --lr or the default): constant; \
step:s:γ (η₀γ^⌊t/s⌋, StepLR); cosine:T[:η_min] (η_min + (η₀ − η_min)(1 + cos(πt/T))/2, \
CosineAnnealingLR, rising again past T); exp:γ (η₀γ^t, ExponentialLR, any γ > 0). \
--weight-decay λ adds λx to the (clipped) gradient, as torch's weight_decay; with \
--decoupled-weight-decay it shrinks x ← x(1 − η_t λ) before the update instead \
(adam then is torch.optim.AdamW). --batch-size B (problems that are finite sums over \
training samples, e.g. matrix_sensing): each step uses the gradient of one minibatch; every \
epoch reshuffles the samples (seeded by --seed) and keeps its last, partial batch. Records \
then hold the step's minibatch loss and gradient norm; every --eval-every steps (default: \
once per epoch) they add the full-batch train loss and gradient norm and the problem's test \
loss and accuracy, on which converged and target_reached are decided; the final values are \
full-batch.";

/// The run options' fields and their flags.
const RUN_FLAGS: &[(&str, &str)] = &[
    ("grad_tol", "grad-tol"),
    ("clip.norm", "clip-norm"),
    ("clip.value", "clip-value"),
    ("record_every", "record-every"),
    ("weight_decay", "weight-decay"),
    ("batch_size", "batch-size"),
    ("eval_every", "eval-every"),
    ("radius", "noise-radius"),
];

/// Arguments of `landscape run`.
#[derive(Debug, Args)]
#[command(after_help = format!("{}\n\n{}\n\n{}", optim::help_text(), TERMINATION_HELP, TRAINING_HELP))]
pub struct RunArgs {
    #[command(flatten)]
    problem: ProblemArgs,
    /// The optimizer (see the list below; an unknown name lists the known ones).
    #[arg(long, value_name = "NAME")]
    optimizer: String,
    /// Learning rate η.
    #[arg(long, value_name = "η", allow_negative_numbers = true)]
    lr: Option<f64>,
    /// Momentum μ ∈ [0, 1) (heavy_ball, nesterov).
    #[arg(long, value_name = "β", allow_negative_numbers = true)]
    momentum: Option<f64>,
    /// Adam's β₁ ∈ [0, 1).
    #[arg(long, value_name = "β₁", allow_negative_numbers = true)]
    beta1: Option<f64>,
    /// Adam's β₂ ∈ [0, 1).
    #[arg(long, value_name = "β₂", allow_negative_numbers = true)]
    beta2: Option<f64>,
    /// The ε added to a denominator (adagrad, rmsprop, adadelta, adam).
    #[arg(long, value_name = "ε", allow_negative_numbers = true)]
    eps: Option<f64>,
    /// RMSprop's smoothing constant α ∈ [0, 1).
    #[arg(long, value_name = "α", allow_negative_numbers = true)]
    alpha: Option<f64>,
    /// Adadelta's decay ρ ∈ [0, 1).
    #[arg(long, value_name = "ρ", allow_negative_numbers = true)]
    rho: Option<f64>,
    /// Saddle-free Newton's floor δ > 0 on |λ| (saddle_free_newton).
    #[arg(long, value_name = "δ", allow_negative_numbers = true)]
    damping: Option<f64>,
    /// L-BFGS's memory m ≥ 1, the number of stored (s, y) pairs (lbfgs).
    #[arg(long, value_name = "m")]
    memory: Option<usize>,
    /// pgd's perturbation radius r > 0 (uniform in the r-ball); noisy_gd's noise radius
    /// (or standard deviation with --noise gaussian).
    #[arg(long, value_name = "r", allow_negative_numbers = true)]
    noise_radius: Option<f64>,
    #[command(flatten)]
    perturbation: PerturbationArgs,
    /// Seed of the random perturbations (pgd, noisy_gd) and of the minibatch shuffling
    /// (--batch-size) [0].
    #[arg(long, value_name = "S")]
    seed: Option<u64>,
    /// Learning-rate schedule: `constant`, `step:s:γ` (×γ every s steps), `cosine:T` or
    /// `cosine:T:η_min`, `exp:γ` (×γ every step, γ > 1 grows); formulas below.
    #[arg(long, value_name = "SCHEDULE")]
    schedule: Option<String>,
    /// Weight decay λ ≥ 0: g ← g + λx after clipping (torch's coupled weight_decay).
    #[arg(long, value_name = "λ", allow_negative_numbers = true)]
    weight_decay: Option<f64>,
    /// Decoupled weight decay: x ← x(1 − ηλ) before each update (torch.optim.AdamW with
    /// adam) instead of adding λx to the gradient.
    #[arg(long, requires = "weight_decay")]
    decoupled_weight_decay: bool,
    /// Minibatch size B ≥ 1 (finite-sum problems): each step's gradient is one minibatch's.
    #[arg(long, value_name = "B")]
    batch_size: Option<usize>,
    /// Record full-batch train loss and gradient norm, and test loss and accuracy when the
    /// problem has test data, every k steps [one epoch with --batch-size, else never].
    #[arg(long, value_name = "k")]
    eval_every: Option<usize>,
    /// Adam without bias correction (the slides' form x ← x − η m/(√v + ε)).
    #[arg(long)]
    no_bias_correction: bool,
    /// Clip the gradient handed to the optimizer to global norm ≤ c (recorded grad_norm
    /// stays the unclipped one).
    #[arg(long, value_name = "c", allow_negative_numbers = true)]
    clip_norm: Option<f64>,
    /// Clip each gradient entry to [−c, c] (applied before --clip-norm).
    #[arg(long, value_name = "c", allow_negative_numbers = true)]
    clip_value: Option<f64>,
    /// Iteration cap.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_ITERS)]
    iters: usize,
    /// Stop as `converged` when ‖∇f‖ ≤ g.
    #[arg(long, value_name = "g", default_value_t = DEFAULT_GRAD_TOL, allow_negative_numbers = true)]
    grad_tol: f64,
    /// Stop as `target_reached` when f ≤ this value.
    #[arg(long, value_name = "VALUE", allow_negative_numbers = true)]
    target: Option<f64>,
    /// The initial point, in any form --point takes: `zeros`, `name:<known point>`,
    /// `random:<scale>:<seed>`, `init:<scheme>[:<seed>]` (networks), an inline JSON array,
    /// a .json or .npy file [default: random:1:0; init:kaiming_normal:0 on a network].
    #[arg(long, value_name = "X")]
    init: Option<String>,
    /// Record every k-th iterate (the start and the last one are always recorded).
    #[arg(long, value_name = "k", default_value_t = RunOptions::default().record_every)]
    record_every: usize,
    /// Store the iterate x in every record.
    #[arg(long)]
    record_iterates: bool,
    /// Write the trajectory to FILE.json or FILE.csv (one row per record), atomically.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Classify the last iterate (as `landscape classify` does, default tolerances) and
    /// add the verdict to the output as `final.classification` (absent when the run
    /// diverged: a diverged run is never classified).
    #[arg(long)]
    classify_final: bool,
    /// Print the trajectory as JSON (`optimizer`, `hyperparameters`, `records`, `final`,
    /// `termination`).
    #[arg(long)]
    json: bool,
}

impl RunArgs {
    /// The hyperparameter flags given, by name.
    fn hyperparameters(&self) -> Hyperparameters {
        let mut hp = Hyperparameters::new();
        hp.set_if_given("lr", self.lr);
        hp.set_if_given("momentum", self.momentum);
        hp.set_if_given("beta1", self.beta1);
        hp.set_if_given("beta2", self.beta2);
        hp.set_if_given("eps", self.eps);
        hp.set_if_given("alpha", self.alpha);
        hp.set_if_given("rho", self.rho);
        hp.set_if_given("damping", self.damping);
        hp.set_if_given("radius", self.noise_radius);
        self.perturbation.apply(&mut hp);
        hp.set_if_given("bias_correction", self.no_bias_correction.then_some(false));
        hp.set_if_given("memory", self.memory);
        // With minibatches the seed also (or only) seeds the shuffling.
        let takes_seed =
            optim::find(&self.optimizer).is_some_and(|e| e.accepts().contains(&"seed"));
        hp.set_if_given(
            "seed",
            self.seed
                .filter(|_| takes_seed || self.batch_size.is_none()),
        );
        hp
    }

    fn options(&self) -> Result<RunOptions> {
        let schedule = self
            .schedule
            .as_deref()
            .map(str::parse::<Schedule>)
            .transpose()?;
        let weight_decay = self.weight_decay.map(|lambda| {
            if self.decoupled_weight_decay {
                WeightDecay::decoupled(lambda)
            } else {
                WeightDecay::coupled(lambda)
            }
        });
        Ok(RunOptions {
            max_iters: self.iters,
            grad_tol: self.grad_tol,
            target: self.target,
            record_every: self.record_every,
            record_iterates: self.record_iterates,
            clip: Clip {
                norm: self.clip_norm,
                value: self.clip_value,
            },
            schedule,
            weight_decay,
            minibatch: self.batch_size.map(|batch_size| Minibatch {
                batch_size,
                seed: self.seed.unwrap_or(0),
            }),
            eval_every: self.eval_every,
        })
    }
}

/// Runs the optimizer and prints or writes the trajectory.
pub fn run(args: RunArgs, out: &mut dyn Write) -> Result<()> {
    let (spec, f) = args.problem.load()?;
    let mut optimizer = optim::build(&args.optimizer, &args.hyperparameters())
        .map_err(|e| super::flag_names(e, RUN_FLAGS))?;
    let options = args
        .options()
        .and_then(|options| options.validate().map(|()| options))
        .map_err(|e| super::flag_names(e, RUN_FLAGS))?;
    if let Some(path) = &args.out {
        output::check_output_path(path)?;
    }
    let start = args.init.as_deref().unwrap_or(default_start(f.as_ref()));
    let x0 = resolve_point(start, f.as_ref(), "init")?;
    let mut trajectory = optim::run_with_progress(
        f.as_ref(),
        optimizer.as_mut(),
        &x0,
        &options,
        &Bar::default(),
    )
    .map_err(|e| super::flag_names(e, RUN_FLAGS))?;
    // A diverged run is reported as diverged, never classified.
    let diverged = trajectory.termination == Termination::Diverged
        || !trajectory.final_state.value.is_finite()
        || !trajectory.final_state.grad_norm.is_finite()
        || trajectory.final_state.x.iter().any(|v| !v.is_finite());
    if args.classify_final && !diverged {
        let last = &trajectory.final_state.x;
        let verdict = classify(f.as_ref(), last, &ClassifyOptions::default())?;
        trajectory.final_state.classification = Some(verdict);
    }
    let mut provenance = super::provenance().problem(&spec).start(start);
    if let Some(seed) = args.seed {
        provenance = provenance.seed(seed);
    }
    trajectory.provenance = Some(provenance);
    if let Some(path) = &args.out {
        output::write_trajectory(&trajectory, path)?;
    }
    if args.json {
        return super::print_json(out, &trajectory);
    }
    let last = &trajectory.final_state;
    writeln!(
        out,
        "{} on {} (dim {}): {} after {} iterations",
        trajectory.optimizer,
        f.kind(),
        f.dim(),
        trajectory.termination,
        last.iter
    )?;
    write!(out, "{trajectory}")?;
    if args.classify_final && diverged {
        writeln!(out, "verdict      none: the run diverged")?;
    }
    if let Some(path) = &args.out {
        writeln!(
            out,
            "wrote {} records to {}",
            trajectory.records.len(),
            path.display()
        )?;
    }
    Ok(())
}
