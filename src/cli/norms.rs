//! `landscape experiment norms`: none, batch, layer, weight, instance and group
//! normalisation against the batch size, and the per-sample norms' batch independence.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use super::kaiming::set;
use super::outputs::{check_out_dir, finish};
use super::progress::Bar;
use landscape::error::{Error, Result};
use landscape::experiments::normalisation::relatives::{norms_with_progress, NormsOptions};
use landscape::plot::norms::norms_chart;

/// Arguments of `landscape experiment norms`.
#[derive(Debug, Args)]
pub struct NormsArgs {
    /// The normalisations, comma-separated (none, batch, layer, group, instance, weight)
    /// [default: none,batch,layer,weight,instance,group].
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    norms: Option<Vec<String>>,
    /// The batch sizes, comma-separated (each between 1 and the 1,438 training digits)
    /// [default: 2,4,8,32,128; --quick 2,8,128].
    #[arg(
        long,
        value_name = "LIST",
        value_delimiter = ',',
        allow_negative_numbers = true
    )]
    batch_sizes: Option<Vec<i64>>,
    /// Hidden ReLU layers [default: 3; --quick 2].
    #[arg(long)]
    depth: Option<usize>,
    /// Units per hidden layer (divisible by --groups and --channels) [default: 32;
    /// --quick 16].
    #[arg(long)]
    width: Option<usize>,
    /// Groups of group normalisation [default: 4; --quick 2].
    #[arg(long)]
    groups: Option<usize>,
    /// Channels of instance normalisation [default: 8; --quick 4].
    #[arg(long)]
    channels: Option<usize>,
    /// Passes over the training set at every batch size (the same samples seen)
    /// [default: 10; --quick 3].
    #[arg(long)]
    epochs: Option<usize>,
    /// Learning rate η at batch size 32; at batch size B, η·B/32 [default: 0.02].
    #[arg(long, allow_hyphen_values = true)]
    lr: Option<f64>,
    /// Momentum μ of heavy_ball [default: 0.9].
    #[arg(long, allow_hyphen_values = true)]
    momentum: Option<f64>,
    /// Seeds per (norm, batch size) (seed i: the weights and the minibatch order from
    /// stream i of --seed) [default: 2; --quick 1].
    #[arg(long)]
    seeds: Option<usize>,
    /// The base seed.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Count the epochs until the training loss first reaches this [default: 0.1].
    #[arg(long, allow_hyphen_values = true)]
    target: Option<f64>,
    /// Samples of the batch-independence check (each alone against all in one batch)
    /// [default: 32].
    #[arg(long)]
    probe: Option<usize>,
    /// The small size of the tests (the flags above still override it).
    #[arg(long)]
    quick: bool,
    /// Print JSON (`options`, `network`, `samples`, `cells`: per (norm, batch size)
    /// `norm`, `batch_size`, `lr`, `steps`, `steps_per_epoch`, `final_loss`,
    /// `mean_final_loss`, `mean_final_accuracy`, `steps_to_target`, `epochs_to_target`,
    /// `curve`; `degradation`: per norm `small_batch_loss`, `large_batch_loss`, `ratio`;
    /// `independence`: per norm `samples`, `max_difference`; `claims`).
    #[arg(long)]
    json: bool,
    /// Also write norms.json and the chart (norms.png, norms.svg) into this existing
    /// directory.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

impl NormsArgs {
    fn options(&self) -> Result<NormsOptions> {
        let mut o = if self.quick {
            NormsOptions::quick()
        } else {
            NormsOptions::default()
        };
        o.seed = self.seed;
        if let Some(norms) = &self.norms {
            o.norms = norms.iter().map(|n| n.trim().to_string()).collect();
        }
        if let Some(sizes) = &self.batch_sizes {
            o.batch_sizes = sizes
                .iter()
                .map(|&b| {
                    usize::try_from(b)
                        .ok()
                        .filter(|&b| b >= 1)
                        .ok_or_else(|| Error::invalid("batch-sizes", "sizes ≥ 1", b))
                })
                .collect::<Result<_>>()?;
        }
        set(&mut o.depth, self.depth);
        set(&mut o.width, self.width);
        set(&mut o.groups, self.groups);
        set(&mut o.channels, self.channels);
        set(&mut o.epochs, self.epochs);
        set(&mut o.lr, self.lr);
        set(&mut o.momentum, self.momentum);
        set(&mut o.seeds, self.seeds);
        set(&mut o.target, self.target);
        set(&mut o.probe, self.probe);
        Ok(o)
    }
}

/// Runs the experiment and prints it.
pub fn run(args: NormsArgs, out: &mut dyn Write) -> Result<()> {
    if let Some(dir) = &args.out {
        check_out_dir(dir)?;
    }
    let options = args.options()?;
    let report = norms_with_progress(&options, &Bar::default())?;
    finish(out, &report, args.json, args.out.as_deref(), "norms", |r| {
        let figure = norms_chart(r);
        let size = figure.size();
        (figure, size)
    })
}
