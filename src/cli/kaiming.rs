//! `landscape experiment kaiming`: He et al. 2015, Xavier against Kaiming initialisation
//! on a deep ReLU network without normalisation.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use super::outputs::{check_out_dir, finish};
use super::progress::Bar;
use landscape::error::Result;
use landscape::experiments::deep::kaiming::{kaiming_with_progress, KaimingOptions};
use landscape::plot::init::kaiming_figure;

/// KaimingOptions' fields and the flags.
pub(crate) const FLAGS: &[(&str, &str)] = &[
    ("depth", "depth"),
    ("width", "width"),
    ("seeds", "seeds"),
    ("steps", "steps"),
    ("lr", "lr"),
    ("momentum", "momentum"),
    ("batch_size", "batch-size"),
    ("eval_every", "eval-every"),
];

/// Arguments of `landscape experiment kaiming`.
#[derive(Debug, Args)]
pub struct KaimingArgs {
    /// Hidden ReLU layers L [default: 30; --quick 12].
    #[arg(long)]
    depth: Option<usize>,
    /// Units per hidden layer [default: 64; --quick 32].
    #[arg(long)]
    width: Option<usize>,
    /// Seeds per initialisation (seed i: the weights and the minibatch order from stream i
    /// of --seed) [default: 3; --quick 2].
    #[arg(long)]
    seeds: Option<usize>,
    /// The base seed.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// SGD steps [default: 1000; --quick 300].
    #[arg(long)]
    steps: Option<usize>,
    /// Learning rate η, the same for both initialisations [default: 0.01].
    #[arg(long, allow_hyphen_values = true)]
    lr: Option<f64>,
    /// Momentum μ of heavy_ball [default: 0.9].
    #[arg(long, allow_hyphen_values = true)]
    momentum: Option<f64>,
    /// Minibatch size [default: 64].
    #[arg(long)]
    batch_size: Option<usize>,
    /// Full-batch training loss and test accuracy every this many steps [default: 50;
    /// --quick 25].
    #[arg(long)]
    eval_every: Option<usize>,
    /// The small size of the tests (the flags above still override it).
    #[arg(long)]
    quick: bool,
    /// Print JSON (`options`, `parameters`, `ln_10`, `runs`: per run `initialisation`,
    /// `seed_index`, `activation_variance`, `variance_factor`, `first_layer_grad`,
    /// `last_layer_grad`, `curve` {`steps`, `train_loss`, `test_accuracy`}, `min_loss`,
    /// `trains`, `near_ln_10`, `termination`; `claims`: each `claim`, `holds`,
    /// `measured`).
    #[arg(long)]
    json: bool,
    /// Also write kaiming.json and the chart (kaiming.png, kaiming.svg) into this existing
    /// directory.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

impl KaimingArgs {
    fn options(&self) -> KaimingOptions {
        let mut o = if self.quick {
            KaimingOptions::quick()
        } else {
            KaimingOptions::default()
        };
        o.seed = self.seed;
        set(&mut o.depth, self.depth);
        set(&mut o.width, self.width);
        set(&mut o.seeds, self.seeds);
        set(&mut o.sgd.steps, self.steps);
        set(&mut o.sgd.lr, self.lr);
        set(&mut o.sgd.momentum, self.momentum);
        set(&mut o.sgd.batch_size, self.batch_size);
        set(&mut o.sgd.eval_every, self.eval_every);
        o
    }
}

/// Overrides `field` when the flag was given.
pub(crate) fn set<T>(field: &mut T, flag: Option<T>) {
    if let Some(v) = flag {
        *field = v;
    }
}

/// Runs the experiment and prints it.
pub fn run(args: KaimingArgs, out: &mut dyn Write) -> Result<()> {
    if let Some(dir) = &args.out {
        check_out_dir(dir)?;
    }
    let options = args.options();
    let report = kaiming_with_progress(&options, &Bar::default())
        .map_err(|e| super::flag_names(e, FLAGS))?;
    finish(
        out,
        &report,
        args.json,
        args.out.as_deref(),
        "kaiming",
        |r| {
            let figure = kaiming_figure(r);
            let size = figure.size();
            (figure, size)
        },
    )
}
