//! Every shipped problem: its known stationary points, their values, and a check that
//! the exact gradient vanishes there and agrees with central differences nearby.
//!
//! `cargo run --release --example known_points`

use landscape::finite_difference::{gradient_fd, relative_error};
use landscape::problems::{self, KINDS};

fn main() -> landscape::Result<()> {
    for kind in KINDS {
        let (_, f) = problems::load(kind.name, &[])?;
        println!("{} (dim {}, {})", kind.name, f.dim(), f.layout().describe());
        for p in f.known_points() {
            let mut g = vec![0.0; f.dim()];
            f.riemannian_gradient(&p.x, &mut g);
            let grad_norm = g.iter().map(|v| v * v).sum::<f64>().sqrt();
            // Nearby (off the stationary point), the gradient must match differences.
            let nearby: Vec<f64> = p.x.iter().map(|v| v + 0.1).collect();
            let mut exact = vec![0.0; f.dim()];
            f.gradient(&nearby, &mut exact);
            let err = relative_error(&exact, &gradient_fd(f.as_ref(), &nearby));
            assert!(
                grad_norm < 1e-6 * (1.0 + f.value(&p.x).abs()),
                "{}: not stationary",
                p.name
            );
            assert!(
                err < 1e-6,
                "{}: gradient disagrees with differences ({err:e})",
                p.name
            );
            println!(
                "  {:<20} {:<18} f = {:>14.6e}  ‖∇f‖ = {:.1e}",
                p.name,
                p.kind.name(),
                f.value(&p.x),
                grad_norm
            );
        }
    }
    Ok(())
}
