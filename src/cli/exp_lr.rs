//! `landscape experiment exp-lr`: Li & Arora 2019, an exponentially growing learning
//! rate with weight decay, with and without batch normalisation.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use super::kaiming::set;
use super::outputs::{check_out_dir, finish};
use super::progress::Bar;
use landscape::error::Result;
use landscape::experiments::normalisation::exp_lr::{exp_lr_with_progress, ExpLrOptions};
use landscape::plot::exp_lr::exp_lr_chart;

/// Arguments of `landscape experiment exp-lr`.
#[derive(Debug, Args)]
pub struct ExpLrArgs {
    /// Hidden ReLU layers L [default: 3; --quick 2].
    #[arg(long)]
    depth: Option<usize>,
    /// Units per hidden layer [default: 64; --quick 32].
    #[arg(long)]
    width: Option<usize>,
    /// SGD steps [default: 2000; --quick 600].
    #[arg(long)]
    steps: Option<usize>,
    /// η₀, the learning rate of step 0 [default: 0.01].
    #[arg(long, allow_hyphen_values = true)]
    lr: Option<f64>,
    /// α, the learning rate's factor per step: ηₜ = η₀αᵗ; finite and > 0 (α ≤ 1 runs but
    /// is not the experiment's point) [default: 1.002; --quick 1.008].
    #[arg(long, allow_hyphen_values = true)]
    growth: Option<f64>,
    /// Weight decay λ, coupled (g ← g + λθ, torch's SGD weight_decay) [default: 0.0005].
    #[arg(long, allow_hyphen_values = true)]
    weight_decay: Option<f64>,
    /// Minibatch size, at most the 1,438 training digits [default: 64].
    #[arg(long)]
    batch_size: Option<usize>,
    /// Full-batch evaluation and weight norms every this many steps [default: 50; --quick
    /// 25].
    #[arg(long)]
    eval_every: Option<usize>,
    /// A run trains when its training loss falls below this [default: 0.1·ln 10 ≈ 0.23].
    #[arg(long, allow_hyphen_values = true)]
    trains_below: Option<f64>,
    /// Seeds (seed i: the start, the same for both networks, and the minibatch order from
    /// stream i of --seed) [default: 2; --quick 1].
    #[arg(long)]
    seeds: Option<usize>,
    /// The base seed.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// The small size of the tests (the flags above still override it).
    #[arg(long)]
    quick: bool,
    /// Print JSON (`options`, `parameters` [without, with BN], `final_lr`, `runs`: per run
    /// `batch_norm`, `seed_index`, `curve` {`steps`, `train_loss`, `test_accuracy`}, `lr`,
    /// `weight_norms` (per hidden layer, per evaluation), `total_norm`, `min_loss`,
    /// `trains`, `diverges`, `termination`; `invariance` {`pre_norm`, `output`};
    /// `claims`: each `claim`, `holds`, `measured`).
    #[arg(long)]
    json: bool,
    /// Also write exp-lr.json and the chart (exp-lr.png, exp-lr.svg) into this existing
    /// directory.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

impl ExpLrArgs {
    fn options(&self) -> ExpLrOptions {
        let mut o = if self.quick {
            ExpLrOptions::quick()
        } else {
            ExpLrOptions::default()
        };
        o.seed = self.seed;
        set(&mut o.depth, self.depth);
        set(&mut o.width, self.width);
        set(&mut o.steps, self.steps);
        set(&mut o.lr, self.lr);
        set(&mut o.growth, self.growth);
        set(&mut o.weight_decay, self.weight_decay);
        set(&mut o.batch_size, self.batch_size);
        set(&mut o.eval_every, self.eval_every);
        set(&mut o.trains_below, self.trains_below);
        set(&mut o.seeds, self.seeds);
        o
    }
}

/// Runs the experiment and prints it.
pub fn run(args: ExpLrArgs, out: &mut dyn Write) -> Result<()> {
    if let Some(dir) = &args.out {
        check_out_dir(dir)?;
    }
    let options = args.options();
    let report = exp_lr_with_progress(&options, &Bar::default())?;
    finish(
        out,
        &report,
        args.json,
        args.out.as_deref(),
        "exp-lr",
        |r| {
            let chart = exp_lr_chart(r);
            let size = chart.size();
            (chart, size)
        },
    )
}
