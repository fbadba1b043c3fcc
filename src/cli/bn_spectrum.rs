//! `landscape experiment bn-spectrum`: Ghorbani et al. 2019, the Hessian's spectral
//! density with and without batch normalisation, at the start and after training.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use super::kaiming::set;
use super::outputs::{check_out_dir, finish};
use super::progress::Bar;
use landscape::error::Result;
use landscape::experiments::normalisation::spectrum::{
    bn_spectrum_with_progress, BnSpectrumOptions,
};
use landscape::plot::bn_spectrum::bn_spectrum_chart;

/// Arguments of `landscape experiment bn-spectrum`.
#[derive(Debug, Args)]
pub struct BnSpectrumArgs {
    /// Hidden ReLU layers L [default: 2].
    #[arg(long)]
    depth: Option<usize>,
    /// Units per hidden layer [default: 32; --quick 12].
    #[arg(long)]
    width: Option<usize>,
    /// The seed of the start, the minibatch order and the probes.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// SGD steps of both networks [default: 1000; --quick 300].
    #[arg(long)]
    steps: Option<usize>,
    /// Learning rate η of both networks [default: 0.05].
    #[arg(long, allow_hyphen_values = true)]
    lr: Option<f64>,
    /// Momentum μ of heavy_ball [default: 0.9].
    #[arg(long, allow_hyphen_values = true)]
    momentum: Option<f64>,
    /// Minibatch size, at most the 1,438 training digits [default: 64].
    #[arg(long)]
    batch_size: Option<usize>,
    /// Full-batch training loss and test accuracy every this many steps [default: 100;
    /// --quick 50].
    #[arg(long)]
    eval_every: Option<usize>,
    /// Rademacher probes of the SLQ density [default: 8; --quick 4].
    #[arg(long)]
    probes: Option<usize>,
    /// Lanczos steps per SLQ probe (≥ 2) [default: 80; --quick 40].
    #[arg(long)]
    lanczos_steps: Option<usize>,
    /// Top eigenvalues by restarted Lanczos [default: 10; --quick 5].
    #[arg(long)]
    top: Option<usize>,
    /// Cap on that Lanczos run's Hessian-vector products [default: 600; --quick 200].
    #[arg(long)]
    max_hvps: Option<usize>,
    /// The small size of the tests (the flags above still override it).
    #[arg(long)]
    quick: bool,
    /// Print JSON (`options`, `parameters` [without, with BN], `curves` (the two
    /// trainings), `spectra`: no BN at the start, no BN trained, BN at the start, BN
    /// trained, each `batch_norm`, `trained`, `loss`, `density` {`grid`, `density`,
    /// `nodes`, `weights`, `negative_weight`, …}, `negative_mass`, `bulk_edge`, `top`,
    /// `lambda_min`, `converged`, `outliers`, `separation`; `claims`: each `claim`,
    /// `holds`, `measured`).
    #[arg(long)]
    json: bool,
    /// Also write bn-spectrum.json and the chart (bn-spectrum.png, bn-spectrum.svg) into
    /// this existing directory.
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

impl BnSpectrumArgs {
    fn options(&self) -> BnSpectrumOptions {
        let mut o = if self.quick {
            BnSpectrumOptions::quick()
        } else {
            BnSpectrumOptions::default()
        };
        o.seed = self.seed;
        set(&mut o.depth, self.depth);
        set(&mut o.width, self.width);
        set(&mut o.sgd.steps, self.steps);
        set(&mut o.sgd.lr, self.lr);
        set(&mut o.sgd.momentum, self.momentum);
        set(&mut o.sgd.batch_size, self.batch_size);
        set(&mut o.sgd.eval_every, self.eval_every);
        set(&mut o.probes, self.probes);
        set(&mut o.lanczos_steps, self.lanczos_steps);
        set(&mut o.top, self.top);
        set(&mut o.max_hvps, self.max_hvps);
        o
    }
}

/// Runs the experiment and prints it.
pub fn run(args: BnSpectrumArgs, out: &mut dyn Write) -> Result<()> {
    if let Some(dir) = &args.out {
        check_out_dir(dir)?;
    }
    let options = args.options();
    let report = bn_spectrum_with_progress(&options, &Bar::default())
        .map_err(|e| super::flag_names(e, super::kaiming::FLAGS))?;
    finish(
        out,
        &report,
        args.json,
        args.out.as_deref(),
        "bn-spectrum",
        |r| {
            let chart = bn_spectrum_chart(r);
            let size = chart.size();
            (chart, size)
        },
    )
}
