//! The gallery's pictures of the landscape itself (slices with trajectories and
//! census markers) and of the bounds (descent lemma, convergence).

use std::path::Path;

use super::gallery::{
    run_lineup, run_optimizer, ILL_CONDITIONED, QUADRATIC_LINEUP, ROSENBROCK_LINEUP,
};
use super::{Job, Picture, Settings, SIZE};
use crate::census::{census, CensusOptions};
use crate::classify::{classify, ClassifyOptions};
use crate::error::Result;
use crate::experiments::bounds::{bounds, BoundsOptions, BoundsReport};
use crate::objective::Objective;
use crate::optim::{Hyperparameters, RunOptions};
use crate::plot::bounds::{convergence_figure, descent_figure};
use crate::plot::directions::{coordinate_plane, hessian_plane, EigenPick};
use crate::plot::inputs::TrajectoryFile;
use crate::plot::slice::{SliceFigure, SliceOptions};
use crate::problems;
use crate::verdict::Verdict;

/// These pictures, in index order.
pub(crate) fn jobs() -> Vec<Job> {
    vec![
        saddle_gd_pgd,
        himmelblau_census,
        matrix_factorization_saddle,
        descent_quadratic,
        convergence_quadratic,
        descent_himmelblau,
        convergence_himmelblau,
        optimizers_rosenbrock_slice,
        optimizers_quadratic_slice,
    ]
}

fn save<F: crate::plot::Figure>(figure: &F, dir: &Path, file: &str) -> Result<()> {
    crate::plot::save(figure, &dir.join(file), SIZE)
}

fn iterates(run: &TrajectoryFile) -> Vec<Vec<f64>> {
    run.records.iter().filter_map(|r| r.x.clone()).collect()
}

/// x² − y² from (1, 0), on the stable manifold of the saddle: GD converges to the
/// saddle, PGD's perturbation sends it down the y direction.
fn saddle_gd_pgd(settings: &Settings, dir: &Path) -> Result<Picture> {
    let (_, f) = problems::load("saddle", &[])?;
    let x0 = [1.0, 0.0];
    let iters = 40;
    let gd = run_optimizer(f.as_ref(), "gd", Some(0.1), None, &x0, iters)?;
    let hp = Hyperparameters::new()
        .with("lr", 0.1)
        .with("radius", 0.05)
        .with("g_thres", 0.05)
        .with("t_thres", 10usize)
        .with("seed", 1u64);
    let mut pgd_optimizer = crate::optim::build("pgd", &hp)?;
    let options = RunOptions {
        max_iters: iters,
        record_iterates: true,
        ..RunOptions::default()
    };
    let pgd = crate::optim::run(f.as_ref(), pgd_optimizer.as_mut(), &x0, &options)?;
    let gd = super::gallery::trajectory_file("gd η=0.1", &gd);
    let first_perturbation = pgd.events.first().map(|e| e.iter);
    let pgd = super::gallery::trajectory_file("pgd η=0.1, r=0.05", &pgd);
    let figure = SliceFigure::builder(coordinate_plane(&[0.0, 0.0])?)
        .with_trajectory(&gd.name, &iterates(&gd))
        .with_trajectory(&pgd.name, &iterates(&pgd))
        .with_point(Verdict::StrictSaddle, vec![0.0, 0.0])
        .options(SliceOptions {
            alpha: Some((-1.2, 1.2)),
            beta: Some((-0.8, 0.8)),
            resolution: settings.pick(161, 61),
            title: Some("x² − y² from (1, 0): GD stays, PGD escapes".into()),
            ..SliceOptions::default()
        })
        .build(f.as_ref())?;
    let file = "saddle_gd_pgd.png";
    save(&figure, dir, file)?;
    let last = |t: &TrajectoryFile| t.records.last().expect("records").clone();
    let (g, p) = (last(&gd), last(&pgd));
    Ok(Picture {
        file: file.into(),
        title: "x² − y²: gradient descent and perturbed gradient descent".into(),
        caption: format!(
            "From (1, 0), on the saddle's stable manifold: after {} steps GD is at f = {:.1e} \
             (‖∇f‖ = {:.1e}, still at the saddle); PGD, perturbed first at t = {}, is at f = {:.3}.",
            g.iter,
            g.value,
            g.grad_norm,
            first_perturbation.map_or("never".into(), |t| t.to_string()),
            p.value
        ),
    })
}

fn himmelblau_census(settings: &Settings, dir: &Path) -> Result<Picture> {
    let (_, f) = problems::load("himmelblau", &[])?;
    let starts = settings.pick(400, 100);
    let found = census(
        f.as_ref(),
        &CensusOptions {
            starts,
            scale: Some(3.0),
            ..CensusOptions::default()
        },
    )?;
    let mut builder = SliceFigure::builder(coordinate_plane(&[0.0, 0.0])?);
    for p in &found.points {
        builder = builder.with_point(p.kind, p.x.clone());
    }
    let figure = builder
        .options(SliceOptions {
            alpha: Some((-5.5, 5.5)),
            beta: Some((-5.5, 5.5)),
            resolution: settings.pick(201, 81),
            log_color: true,
            levels: 18,
            title: Some("Himmelblau's function and its census".into()),
            ..SliceOptions::default()
        })
        .build(f.as_ref())?;
    let file = "himmelblau_census.png";
    save(&figure, dir, file)?;
    let counts: Vec<String> = found
        .counts
        .iter()
        .map(|(kind, n)| format!("{n} {}", kind.name()))
        .collect();
    Ok(Picture {
        file: file.into(),
        title: "Himmelblau's function with its census".into(),
        caption: format!(
            "Every stationary point that {starts} seeded starts lead to, marked by verdict: {} \
             (f on a log colour scale).",
            counts.join(", ")
        ),
    })
}

fn matrix_factorization_saddle(settings: &Settings, dir: &Path) -> Result<Picture> {
    let (_, f) = problems::load("matrix_factorization", &[])?;
    let saddle = f
        .known_point("eig:2")
        .expect("matrix_factorization has the saddle eig:2")
        .x;
    let verdict = classify(f.as_ref(), &saddle, &ClassifyOptions::default())?;
    let plane = hessian_plane(f.as_ref(), &saddle, EigenPick::Extremes)?;
    let figure = SliceFigure::builder(plane)
        .with_point(verdict.kind, saddle.clone())
        .options(SliceOptions {
            alpha: Some((-2.0, 2.0)),
            beta: Some((-1.0, 1.0)),
            resolution: settings.pick(151, 61),
            title: Some("¼‖UUᵀ − M‖² around the saddle eig:2, Hessian eigenvectors".into()),
            centre: Some("name:eig:2".into()),
            ..SliceOptions::default()
        })
        .build(f.as_ref())?;
    let file = "matrix_factorization_saddle.png";
    save(&figure, dir, file)?;
    let l = |v: Option<f64>| v.map_or("?".into(), |v| format!("{v:.3}"));
    Ok(Picture {
        file: file.into(),
        title: "A saddle of matrix factorization on its eigenvector plane".into(),
        caption: format!(
            "U from the 2nd eigenpair of M (known point eig:2), verdict {} (λmin = {}, λmax = {}): f falls \
             along v(λmin) on both sides and rises along v(λmax).",
            verdict.kind.name(),
            l(verdict.lambda_min),
            l(verdict.lambda_max)
        ),
    })
}

fn beta_text(report: &BoundsReport) -> String {
    format!(
        "β = {:.4}{}",
        report.beta,
        if report.beta_is_estimate {
            " (estimated along the path)"
        } else {
            " (exact: λmax)"
        }
    )
}

fn descent_caption(report: &BoundsReport) -> String {
    format!(
        "{}, {} GD steps with η = 1/β: each decrease f(xₜ) − f(xₜ₊₁) against ‖∇f(xₜ)‖²/(2β); \
         smallest ratio {}, {} violations.",
        beta_text(report),
        report.steps,
        report
            .min_ratio
            .map_or("n/a".to_string(), |r| format!("{r:.4}")),
        report.violations.len(),
    )
}

fn convergence_caption(report: &BoundsReport) -> String {
    let c = &report.convergence;
    format!(
        "{}: min_{{s≤t}} ‖∇f(xₛ)‖ against √(2β(f(x₀) − f*)/(t+1)), above it at {} of {} steps; \
         ε = {:.2e} is reached at t = {}, the bound promises it by T(ε) = {:.0}.",
        beta_text(report),
        c.exceeded.len(),
        c.min_grad_norm.len(),
        c.epsilon,
        c.first_below_epsilon
            .map_or("never".to_string(), |t| t.to_string()),
        c.t_epsilon
    )
}

/// GD with η = 1/β from (2, 1) on the ill-conditioned quadratic (β exact).
fn quadratic_report(settings: &Settings) -> Result<BoundsReport> {
    let overrides: Vec<String> = ILL_CONDITIONED.iter().map(|s| s.to_string()).collect();
    let (_, f) = problems::load("quadratic", &overrides)?;
    let options = BoundsOptions {
        iters: settings.pick(300, 100),
        ..BoundsOptions::default()
    };
    bounds(f.as_ref(), &[2.0, 1.0], &options)
}

/// GD with η = 1/β from (0.5, −0.5) on Himmelblau (β estimated along the path).
fn himmelblau_report(settings: &Settings) -> Result<BoundsReport> {
    let (_, f) = problems::load("himmelblau", &[])?;
    let options = BoundsOptions {
        iters: settings.pick(300, 100),
        ..BoundsOptions::default()
    };
    bounds(f.as_ref(), &[0.5, -0.5], &options)
}

fn descent_quadratic(settings: &Settings, dir: &Path) -> Result<Picture> {
    let report = quadratic_report(settings)?;
    let file = "descent_quadratic.png";
    save(&descent_figure(&report), dir, file)?;
    Ok(Picture {
        file: file.into(),
        title: "Descent lemma on an ill-conditioned quadratic".into(),
        caption: descent_caption(&report),
    })
}

fn convergence_quadratic(settings: &Settings, dir: &Path) -> Result<Picture> {
    let report = quadratic_report(settings)?;
    let file = "convergence_quadratic.png";
    save(&convergence_figure(&report), dir, file)?;
    Ok(Picture {
        file: file.into(),
        title: "Convergence bound on an ill-conditioned quadratic".into(),
        caption: convergence_caption(&report),
    })
}

fn descent_himmelblau(settings: &Settings, dir: &Path) -> Result<Picture> {
    let report = himmelblau_report(settings)?;
    let file = "descent_himmelblau.png";
    save(&descent_figure(&report), dir, file)?;
    Ok(Picture {
        file: file.into(),
        title: "Descent lemma on a non-convex function (Himmelblau)".into(),
        caption: descent_caption(&report),
    })
}

fn convergence_himmelblau(settings: &Settings, dir: &Path) -> Result<Picture> {
    let report = himmelblau_report(settings)?;
    let file = "convergence_himmelblau.png";
    save(&convergence_figure(&report), dir, file)?;
    Ok(Picture {
        file: file.into(),
        title: "Convergence bound on a non-convex function (Himmelblau)".into(),
        caption: convergence_caption(&report),
    })
}

/// The coordinate plane with the runs' paths and the marked points.
fn lineup_slice(
    f: &dyn Objective,
    runs: &[TrajectoryFile],
    points: &[(Verdict, Vec<f64>)],
    options: SliceOptions,
) -> Result<SliceFigure> {
    let mut builder = SliceFigure::builder(coordinate_plane(&[0.0, 0.0])?);
    for run in runs {
        builder = builder.with_trajectory(&run.name, &iterates(run));
    }
    for (verdict, x) in points {
        builder = builder.with_point(*verdict, x.clone());
    }
    builder.options(options).build(f)
}

fn optimizers_rosenbrock_slice(settings: &Settings, dir: &Path) -> Result<Picture> {
    let (_, f) = problems::load("rosenbrock", &[])?;
    let iters = settings.pick(3000, 600);
    let (runs, summary) = run_lineup(f.as_ref(), ROSENBROCK_LINEUP, &[-1.2, 1.0], iters)?;
    let figure = lineup_slice(
        f.as_ref(),
        &runs,
        &[(Verdict::GlobalMin, vec![1.0, 1.0])],
        SliceOptions {
            alpha: Some((-2.0, 2.0)),
            beta: Some((-1.0, 3.0)),
            resolution: settings.pick(201, 81),
            log_color: true,
            levels: 20,
            title: Some("Optimizers on Rosenbrock from (−1.2, 1)".into()),
            ..SliceOptions::default()
        },
    )?;
    let file = "optimizers_rosenbrock.png";
    save(&figure, dir, file)?;
    Ok(Picture {
        file: file.into(),
        title: "Optimizers on Rosenbrock".into(),
        caption: format!(
            "Paths on log₁₀ f, minimum at (1, 1): {} (traces: trace_rosenbrock.png).",
            summary.join("; ")
        ),
    })
}

fn optimizers_quadratic_slice(settings: &Settings, dir: &Path) -> Result<Picture> {
    let overrides: Vec<String> = ILL_CONDITIONED.iter().map(|s| s.to_string()).collect();
    let (_, f) = problems::load("quadratic", &overrides)?;
    let iters = settings.pick(400, 200);
    let (runs, summary) = run_lineup(f.as_ref(), QUADRATIC_LINEUP, &[2.0, 1.0], iters)?;
    let figure = lineup_slice(
        f.as_ref(),
        &runs,
        &[(Verdict::GlobalMin, vec![0.0, 0.0])],
        SliceOptions {
            alpha: Some((-2.5, 2.5)),
            beta: Some((-2.5, 2.5)),
            resolution: settings.pick(161, 61),
            log_color: true,
            levels: 16,
            title: Some("Optimizers on an ill-conditioned quadratic (κ = 50)".into()),
            ..SliceOptions::default()
        },
    )?;
    let file = "optimizers_ill_conditioned.png";
    save(&figure, dir, file)?;
    Ok(Picture {
        file: file.into(),
        title: "Optimizers on an ill-conditioned quadratic".into(),
        caption: format!(
            "½xᵀAx with eigenvalues 1 and 50 from (2, 1): GD zig-zags across the valley, \
             momentum cuts along it: {}.",
            summary.join("; ")
        ),
    })
}
