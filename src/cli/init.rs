//! `landscape experiment init`: zero, small and large initialisation of a deep network.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use super::kaiming::set;
use super::outputs::{check_out_dir, finish};
use super::progress::Bar;
use landscape::error::{Error, Result};
use landscape::experiments::deep::init::{init_with_progress, InitOptions};
use landscape::plot::init::init_figure;

/// InitOptions' fields and the flags.
const FLAGS: &[(&str, &str)] = &[
    ("depth", "depth"),
    ("width", "width"),
    ("steps", "steps"),
    ("lr", "lr"),
    ("momentum", "momentum"),
    ("batch_size", "batch-size"),
    ("eval_every", "eval-every"),
    ("small_scales", "small-scales"),
    ("large_scales", "large-scales"),
    ("classify_width", "classify-width"),
    ("classify_depths", "classify-depths"),
    ("plateau_drop", "plateau-drop"),
];

/// Arguments of `landscape experiment init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Hidden layers L of the trained networks [default: 3].
    #[arg(long)]
    depth: Option<usize>,
    /// Units per hidden layer [default: 64; --quick 32].
    #[arg(long)]
    width: Option<usize>,
    /// The seed of the weights and minibatches.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// SGD steps [default: 400; --quick 300].
    #[arg(long)]
    steps: Option<usize>,
    /// Learning rate η of every run [default: 0.05].
    #[arg(long, allow_hyphen_values = true)]
    lr: Option<f64>,
    /// Momentum μ of heavy_ball [default: 0.9].
    #[arg(long, allow_hyphen_values = true)]
    momentum: Option<f64>,
    /// Minibatch size [default: 64].
    #[arg(long)]
    batch_size: Option<usize>,
    /// Full-batch evaluation every this many steps (the plateau's resolution) [default: 10].
    #[arg(long)]
    eval_every: Option<usize>,
    /// Scales s of the small initialisation, × Kaiming normal (comma-separated)
    /// [default: 1,0.5,0.3,0.2,0.1; --quick 1,0.5,0.25].
    #[arg(long, value_name = "LIST")]
    small_scales: Option<String>,
    /// Scales s of the large initialisation, × Kaiming normal (comma-separated; 1 is the
    /// reference) [default: 1,4,16; --quick 1,16].
    #[arg(long, value_name = "LIST")]
    large_scales: Option<String>,
    /// Hidden width of the bias-free networks whose origin is classified [default: 4;
    /// --quick 3].
    #[arg(long)]
    classify_width: Option<usize>,
    /// Hidden layers of the networks whose origin is classified (a list like 1,2,3 or 1-3;
    /// H = L + 1 weight matrices) [default: 1-3; --quick 1,2].
    #[arg(long, value_name = "LIST")]
    classify_depths: Option<String>,
    /// The plateau ends at a training loss (1 − this)·f(θ₀) [default: 0.1].
    #[arg(long, allow_hyphen_values = true)]
    plateau_drop: Option<f64>,
    /// The small size of the tests (the flags above still override it).
    #[arg(long)]
    quick: bool,
    /// Print JSON (`options`; `zero`: per run `activation`, `initialisation`, `layers`
    /// {`layer`, `weight_moved`, `bias_moved`, `rank`, `full_rank`,
    /// `second_singular_ratio`, `unit_spread`}, `curve`, `singular_values`; `origin`: per
    /// network `activation`, `hidden_layers`, `weight_matrices`, `expected`, `verdict`,
    /// `value`, `grad_norm`, `lambda_min`, `lambda_max`, `reason`; `small`: per scale
    /// `scale`, `start_loss`, `plateau`, `start_grad_norm`, `curve`; `plateau_exponent`,
    /// `predicted_exponent`; `large`: per run `activation`, `scale`,
    /// `activation_variance`, `saturated_fraction`, `start_grad_norm`, `start_loss`,
    /// `curve`, `min_loss`, `diverged`, `trains`, `termination`; `claims`).
    #[arg(long)]
    json: bool,
    /// Also write init.json and the chart (init.png, init.svg) into this existing
    /// directory.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

/// A comma-separated list of positive numbers.
fn scales(text: &str, flag: &str) -> Result<Vec<f64>> {
    text.split(',')
        .map(|s| {
            s.trim()
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite() && *v > 0.0)
                .ok_or_else(|| {
                    Error::invalid(
                        flag,
                        "a comma-separated list of positive numbers, e.g. 1,0.5,0.25",
                        format!("`{text}`"),
                    )
                })
        })
        .collect()
}

impl InitArgs {
    fn options(&self) -> Result<InitOptions> {
        let mut o = if self.quick {
            InitOptions::quick()
        } else {
            InitOptions::default()
        };
        o.seed = self.seed;
        set(&mut o.depth, self.depth);
        set(&mut o.width, self.width);
        set(&mut o.sgd.steps, self.steps);
        set(&mut o.sgd.lr, self.lr);
        set(&mut o.sgd.momentum, self.momentum);
        set(&mut o.sgd.batch_size, self.batch_size);
        set(&mut o.sgd.eval_every, self.eval_every);
        set(&mut o.classify_width, self.classify_width);
        set(&mut o.plateau_drop, self.plateau_drop);
        if let Some(s) = &self.small_scales {
            o.small_scales = scales(s, "small-scales")?;
        }
        if let Some(s) = &self.large_scales {
            o.large_scales = scales(s, "large-scales")?;
        }
        if let Some(d) = &self.classify_depths {
            o.classify_depths =
                landscape::experiments::parse_list(d, "classify-depths", "hidden layers")?;
        }
        Ok(o)
    }
}

/// Runs the experiment and prints it.
pub fn run(args: InitArgs, out: &mut dyn Write) -> Result<()> {
    if let Some(dir) = &args.out {
        check_out_dir(dir)?;
    }
    let options = args.options()?;
    let report =
        init_with_progress(&options, &Bar::default()).map_err(|e| super::flag_names(e, FLAGS))?;
    finish(out, &report, args.json, args.out.as_deref(), "init", |r| {
        let figure = init_figure(r);
        let size = figure.size();
        (figure, size)
    })
}
