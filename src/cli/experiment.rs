//! `landscape experiment …`: reproducible experiments (one sub-subcommand each).

use std::io::Write;

use clap::{Args, Subcommand};

use super::progress::Bar;
use landscape::error::{Error, Result};
use landscape::experiments::du2017::{du2017_with_progress, Du2017Options, PgdSettings};
use landscape::experiments::safran_shamir::{safran_shamir_with_progress, SafranShamirOptions};

/// Du2017Options' fields and the flags of `experiment du2017`.
const DU2017_FLAGS: &[(&str, &str)] = &[
    ("pgd.t_thres", "t-thres"),
    ("pgd.f_thres", "f-thres"),
    ("max_iters", "max-iters"),
    ("init_radius", "init-radius"),
    ("pgd.radius", "noise-radius"),
    ("pgd.g_thres", "g-thres"),
];

/// SafranShamirOptions' fields and the flags of `experiment safran-shamir`.
const SAFRAN_SHAMIR_FLAGS: &[(&str, &str)] = &[
    ("max_iters", "max-iters"),
    ("spurious_threshold", "spurious-threshold"),
    ("blow_up", "blow-up"),
    ("dedup_tol", "dedup-tol"),
    ("newton_below", "newton-below"),
];

/// Arguments of `landscape experiment`.
#[derive(Debug, Args)]
pub struct ExperimentArgs {
    /// Which experiment.
    #[command(subcommand)]
    experiment: Experiment,
}

/// The experiments.
#[derive(Debug, Subcommand)]
enum Experiment {
    /// Du et al. 2017: GD takes exponential time on the octopus, PGD polynomial. For
    /// each d, GD and PGD (Jin et al. 2017) from the same seeded starts uniform in
    /// [−a, a]^d, iterations until f − f* ≤ tol; prints d | GD median | PGD median |
    /// GD(d)/GD(d−1). GD runs in an exact log-domain reformulation that does not
    /// underflow (--plain-gd: plain f64 GD, whose underflowed runs are reported as
    /// censored). Censored runs count as +∞ in the median, never as hitting times.
    Du2017(Du2017Args),
    /// Safran & Shamir 2018: GD on a two-layer ReLU network fitting the teacher vⱼ = eⱼ
    /// (d = k) with n = k + E students, from N(0, 1/d) starts, step 0.1 (halved on
    /// blow-up), until maxᵢ‖∇_{wᵢ}F‖ ≤ 10⁻⁹/(2π); end points with F ≥ 10⁻³ are spurious
    /// and certified as local minima by the exact Hessian's λmin > 0. Prints per k the
    /// spurious count and percentage, min/mean spurious F, mean λmin and the number of
    /// distinct minima up to permutation of the neurons.
    SafranShamir(SafranShamirArgs),
    /// Kawaguchi 2016 on deep linear nets: for H = 2 and H = 3 weight matrices, the
    /// census and the known points classified; every minimum global, every saddle strict
    /// for H = 2, a non-strict saddle (W = 0) for H = 3.
    Kawaguchi(super::kawaguchi::KawaguchiArgs),
    /// Depth and gradients at initialisation: per layer Var[Aₗ], ‖∂f/∂Aₗ‖ and ‖∂f/∂Wₗ‖
    /// for each activation × initialisation (small, large, xavier, kaiming) on the
    /// digits, the fitted factor per layer beside mean-field theory's, and the claims.
    Depth(super::depth::DepthArgs),
    /// Activations at equal depth (10): per-layer gradients at the suited
    /// initialisation and SGD-with-momentum training curves on the digits.
    Activations(super::depth::ActivationsArgs),
    /// He et al. 2015: a deep ReLU network without normalisation (30 layers of 64 on the
    /// digits), SGD with momentum at one learning rate, several seeds: Xavier
    /// initialisation stalls near ln 10, Kaiming trains. Prints per run the per-layer
    /// variance factor, the first and last layer's gradient, the losses and accuracy,
    /// then the claims. About 1 min on 2 cores (--quick: seconds).
    Kaiming(super::kaiming::KaimingArgs),
    /// Zero, small and large initialisation: from zeros the units of a layer stay
    /// identical (rank-1 weights; ReLU's hidden layers never move); from a small scale a
    /// plateau at the origin (classified: a non-strict saddle for H ≥ 3) whose length
    /// grows as the scale shrinks; from a large scale exploding (ReLU) or saturated
    /// (tanh) units and training that diverges or stalls. Ends with the claims.
    Init(super::init::InitArgs),
    /// Gradient clipping against cliffs (Pascanu et al. 2013): seeded gradient-descent
    /// runs on the deep scalar chain ½(w₁⋯w_L·x − y)² and on a deep network with a large
    /// step, without clipping and clipped by norm at several thresholds; counts the runs
    /// that diverge or jump (one step multiplies the loss by > 10) and shows f around
    /// the cliff.
    Clipping(super::clipping::ClippingArgs),
    /// Pre-training as initialisation: pre-train on digits 0–4, re-initialise the output
    /// layer, fine-tune on digits 5–9; steps to a target training loss and final test
    /// accuracy against the same network trained from its random start, several seeds.
    Pretraining(super::pretraining::PretrainingArgs),
    /// Ioffe & Szegedy 2015: the same deep network (8 hidden ReLU layers of 64 on the
    /// digits) with and without batch normalisation, from the same weights, plain SGD over
    /// a grid of learning rates, several seeds: per (network, η) whether it trains, the
    /// steps to a target loss, the final loss and test accuracy; the largest trainable η
    /// and the best η of each network, then the claims.
    Batchnorm(super::batchnorm::BatchnormArgs),
    /// Santurkar et al. 2018: along the training paths of both networks (same start, η
    /// and minibatches), every k-th step, the loss variation, gradient predictiveness and
    /// effective β-smoothness along the gradient on the step's minibatch, and λmax, λmin
    /// of the exact full-batch Hessian by Lanczos; the medians' ratios plain/BN and the
    /// claims.
    BnSmoothness(super::bn_smoothness::SmoothnessArgs),
    /// Not internal covariate shift (Santurkar et al. 2018): the same network without
    /// normalisation, with batch normalisation, and with noise of non-zero mean and
    /// non-unit variance (resampled at every step) after each batch normalisation,
    /// trained by SGD with momentum on the digits; the training curves, and how far each
    /// layer's output distribution moves between probes. Ends with the claims.
    BnNoise(super::bn_noise::BnNoiseArgs),
    /// Frankle et al. 2020: a batch-normalised ReLU network on the digits, weights frozen
    /// at their random start, trained three ways from the same start: all parameters,
    /// only γ and β, only the output layer; test accuracy against chance (10%) per
    /// setting and seed, the trained-parameter counts, then the claims.
    GammaBeta(super::gamma_beta::GammaBetaArgs),
    /// Li & Arora 2019: SGD with weight decay and an exponentially growing learning rate
    /// ηₜ = η₀αᵗ (α > 1) on the same network with and without batch normalisation; the
    /// training loss, the weight norms, the effective rate η/‖W‖², the scale invariance
    /// of f in each pre-norm W, then the claims.
    ExpLr(super::exp_lr::ExpLrArgs),
    /// Batch normalisation's relatives against the batch size: the same network with
    /// none, batch, layer, weight, instance and group normalisation, trained at batch
    /// sizes 2…128 with the same samples seen; final loss, epochs to a target, and each
    /// sample's outputs alone against inside a batch. Ends with the claims.
    Norms(super::norms::NormsArgs),
    /// Ghorbani et al. 2019: the SLQ spectral density of the full-batch Hessian with and
    /// without batch normalisation, at the start and after the same training; negative
    /// mass, λmin, λmax, the top eigenvalues by Lanczos and the outliers above the bulk,
    /// the four densities on one chart, then the claims.
    BnSpectrum(super::bn_spectrum::BnSpectrumArgs),
}

/// Arguments of `landscape experiment safran-shamir`.
#[derive(Debug, Args)]
struct SafranShamirArgs {
    /// Teacher widths k: a comma-separated list, entries a single k or an inclusive
    /// range a-b, e.g. `6,8,10` or `6-20`.
    #[arg(long = "k", value_name = "LIST", default_value = "6-20")]
    ks: String,
    /// Extra student neurons E ≥ 0 (n = k + E).
    #[arg(
        long,
        value_name = "E",
        default_value_t = 0,
        allow_negative_numbers = true
    )]
    n_extra: i64,
    /// Runs per k (run r uses stream k·2³² + r of the seed).
    #[arg(
        long,
        value_name = "N",
        default_value_t = SafranShamirOptions::default().runs as i64,
        allow_negative_numbers = true
    )]
    runs: i64,
    /// The seed of the starts.
    #[arg(long, value_name = "S", default_value_t = SafranShamirOptions::default().seed)]
    seed: u64,
    /// Iteration cap per run; runs that hit it are reported as not converged.
    #[arg(long, default_value_t = SafranShamirOptions::default().max_iters)]
    max_iters: usize,
    /// Finish by Newton steps on the exact Hessian once maxᵢ‖∇_{wᵢ}F‖ ≤ G (taken only
    /// while it is positive definite and each step halves the gradient; the same minimum
    /// in a few steps instead of GD's linear tail); 0: plain GD to the end
    #[arg(
        long,
        value_name = "G",
        default_value_t = SafranShamirOptions::default().newton_below
    )]
    newton_below: f64,
    /// Print JSON (`rows`: per k `k`, `n`, `runs`, `spurious`, `spurious_percent`,
    /// `min_spurious_value`, `mean_spurious_value`, `mean_lambda_min`,
    /// `distinct_minima`, `distinct_up_to_coordinates`, `global`, `uncertified`,
    /// `not_converged`, `diverged`, `lambda_min`, `per_run`; `options`).
    #[arg(long)]
    json: bool,
}

/// Arguments of `landscape experiment du2017`.
#[derive(Debug, Args)]
struct Du2017Args {
    /// Dimensions: a comma-separated list, entries a single d or an inclusive range
    /// a-b, e.g. `2,3,4` or `2-8`.
    #[arg(long, value_name = "LIST", default_value = "2-8")]
    dims: String,
    /// Random starts per dimension (trial i uses stream i of the seed).
    #[arg(long, default_value_t = Du2017Options::default().trials)]
    trials: usize,
    /// Seed of the starts and of PGD's perturbations.
    #[arg(long, default_value_t = Du2017Options::default().seed)]
    seed: u64,
    /// A run has reached the minimum when f − f* ≤ this.
    #[arg(
        long,
        value_name = "TOL",
        default_value_t = Du2017Options::default().tolerance,
        allow_hyphen_values = true
    )]
    tolerance: f64,
    /// Iteration cap per run; runs that hit it are censored.
    #[arg(long, default_value_t = Du2017Options::default().max_iters)]
    max_iters: usize,
    /// Step size η of GD and PGD. Default 1/(4L).
    #[arg(long, allow_hyphen_values = true)]
    lr: Option<f64>,
    /// Starts uniform in [−a, a]^d with this a.
    #[arg(
        long,
        value_name = "A",
        default_value_t = Du2017Options::default().init_radius,
        allow_hyphen_values = true
    )]
    init_radius: f64,
    /// The octopus's τ.
    #[arg(long, default_value_t = Du2017Options::default().tau, allow_hyphen_values = true)]
    tau: f64,
    /// The octopus's L.
    #[arg(long, default_value_t = Du2017Options::default().l, allow_hyphen_values = true)]
    l: f64,
    /// The octopus's γ.
    #[arg(long, default_value_t = Du2017Options::default().gamma, allow_hyphen_values = true)]
    gamma: f64,
    /// PGD's perturbation radius r. Default e/100.
    #[arg(long, allow_hyphen_values = true)]
    noise_radius: Option<f64>,
    /// PGD perturbs when ‖∇f‖ ≤ this. Default γe/100.
    #[arg(long, allow_hyphen_values = true)]
    g_thres: Option<f64>,
    /// …and it has not perturbed in the last t_thres steps.
    #[arg(long, default_value_t = PgdSettings::default().t_thres)]
    t_thres: usize,
    /// PGD stops (the run is censored) when f fell by less than f_thres in the t_thres
    /// steps after a perturbation; 0: only when f did not fall at all.
    #[arg(long, default_value_t = PgdSettings::default().f_thres, allow_hyphen_values = true)]
    f_thres: f64,
    /// Plain f64 GD instead of the log-domain reformulation (shows the underflow: such
    /// runs are reported as censored).
    #[arg(long)]
    plain_gd: bool,
    /// Print JSON (`rows`: per d, `gd` and `pgd` with `median`, `mean`, `reached`,
    /// `censored`, `per_trial`; `options`, `lr`, `predicted_gd_ratio`).
    #[arg(long)]
    json: bool,
}

/// Runs an experiment and prints it.
pub fn run(args: ExperimentArgs, out: &mut dyn Write) -> Result<()> {
    match args.experiment {
        Experiment::Du2017(args) => run_du2017(args, out),
        Experiment::Clipping(args) => super::clipping::run(args, out),
        Experiment::Kawaguchi(args) => super::kawaguchi::run(args, out),
        Experiment::Kaiming(args) => super::kaiming::run(args, out),
        Experiment::Init(args) => super::init::run(args, out),
        Experiment::SafranShamir(args) => run_safran_shamir(args, out),
        Experiment::Pretraining(args) => super::pretraining::run(args, out),
        Experiment::Depth(args) => super::depth::run_depth(args, out),
        Experiment::Activations(args) => super::depth::run_activations(args, out),
        Experiment::GammaBeta(args) => super::gamma_beta::run(args, out),
        Experiment::ExpLr(args) => super::exp_lr::run(args, out),
        Experiment::BnSpectrum(args) => super::bn_spectrum::run(args, out),
        Experiment::Batchnorm(args) => super::batchnorm::run(args, out),
        Experiment::BnSmoothness(args) => super::bn_smoothness::run(args, out),
        Experiment::BnNoise(args) => super::bn_noise::run(args, out),
        Experiment::Norms(args) => super::norms::run(args, out),
    }
}

/// Parses `2,3,4` or `2-8` (inclusive) or a mix.
pub fn parse_dims(list: &str) -> Result<Vec<usize>> {
    landscape::experiments::parse_list(list, "dims", "dimensions")
}

fn run_du2017(args: Du2017Args, out: &mut dyn Write) -> Result<()> {
    let defaults = PgdSettings::default();
    let options = Du2017Options {
        dims: parse_dims(&args.dims)?,
        trials: args.trials,
        seed: args.seed,
        tolerance: args.tolerance,
        max_iters: args.max_iters,
        tau: args.tau,
        l: args.l,
        gamma: args.gamma,
        lr: args.lr,
        init_radius: args.init_radius,
        log_domain: !args.plain_gd,
        pgd: PgdSettings {
            radius: args.noise_radius.unwrap_or(defaults.radius),
            g_thres: args
                .g_thres
                .unwrap_or_else(|| PgdSettings::default_g_thres(args.gamma)),
            t_thres: args.t_thres,
            f_thres: args.f_thres,
        },
    };
    let report = du2017_with_progress(&options, &Bar::default())
        .map_err(|e| super::flag_names(e, DU2017_FLAGS))?;
    if args.json {
        return super::print_json(out, &report);
    }
    write!(out, "{report}").map_err(Error::Output)
}

fn run_safran_shamir(args: SafranShamirArgs, out: &mut dyn Write) -> Result<()> {
    let ks = landscape::experiments::parse_list(&args.ks, "k", "widths")?;
    let n_extra = usize::try_from(args.n_extra)
        .map_err(|_| Error::invalid("n-extra", "an integer E ≥ 0", args.n_extra))?;
    let runs = usize::try_from(args.runs)
        .ok()
        .filter(|&r| r > 0)
        .ok_or_else(|| Error::invalid("runs", "an integer N ≥ 1", args.runs))?;
    let options = SafranShamirOptions {
        ks,
        n_extra,
        runs,
        seed: args.seed,
        max_iters: args.max_iters,
        newton_below: args.newton_below,
        ..SafranShamirOptions::default()
    };
    let report = safran_shamir_with_progress(&options, &Bar::default())
        .map_err(|e| super::flag_names(e, SAFRAN_SHAMIR_FLAGS))?;
    if args.json {
        return super::print_json(out, &report);
    }
    write!(out, "{report}").map_err(Error::Output)
}
