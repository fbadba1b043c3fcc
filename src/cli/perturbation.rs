//! The flags of the saddle-escaping methods (pgd, noisy_gd) shared by `landscape run`
//! and `landscape escape`. The perturbation radius (`--noise-radius` in both) and the
//! seed are not here: each command states its own defaults for them, and `escape`'s
//! `--seed` is the experiment's (its start offset is `--start-radius`).

use clap::Args;

use landscape::optim::{noise::Noise, Hyperparameters};

/// pgd's thresholds and paper-mode constants, and noisy_gd's noise kind.
#[derive(Debug, Args)]
pub struct PerturbationArgs {
    /// pgd: perturb when ‖∇f‖ ≤ g_thres (practical mode) [1e-3].
    #[arg(long, value_name = "g", allow_negative_numbers = true)]
    g_thres: Option<f64>,
    /// pgd: at most one perturbation per t_thres steps; the decrease test's window
    /// (practical mode) [1000].
    #[arg(long, value_name = "T")]
    t_thres: Option<usize>,
    /// pgd: stop (pgd_no_decrease) when f fell by less than f_thres over the t_thres
    /// steps after a perturbation, returning the point before it (practical mode) [1e-6].
    #[arg(long, value_name = "Δ", allow_negative_numbers = true)]
    f_thres: Option<f64>,
    /// pgd paper mode: ℓ, the Lipschitz constant of ∇f (giving any paper-mode constant
    /// selects paper mode: η, r, g_thres, f_thres, t_thres are then derived; Jin et al.
    /// 2017).
    #[arg(long, value_name = "ℓ", allow_negative_numbers = true)]
    ell: Option<f64>,
    /// pgd paper mode: ρ, the Lipschitz constant of ∇²f (--rho is Adadelta's decay).
    #[arg(long, value_name = "ρ", allow_negative_numbers = true)]
    rho_hessian: Option<f64>,
    /// pgd paper mode: the target ε of an ε-second-order stationary point (--eps is a
    /// denominator's ε).
    #[arg(long, value_name = "ε", allow_negative_numbers = true)]
    epsilon: Option<f64>,
    /// pgd paper mode: the absolute constant c [1].
    #[arg(long, value_name = "c", allow_negative_numbers = true)]
    c: Option<f64>,
    /// pgd paper mode: the failure probability δ ∈ (0, 1] [0.1].
    #[arg(long, value_name = "δ", allow_negative_numbers = true)]
    delta: Option<f64>,
    /// pgd paper mode: Δf ≥ f(x₀) − f*.
    #[arg(long, value_name = "Δf", allow_negative_numbers = true)]
    delta_f: Option<f64>,
    /// noisy_gd's noise: `sphere` (uniform on the sphere of radius r) or `gaussian`
    /// (N(0, r²I)) [sphere].
    #[arg(long, value_name = "KIND")]
    noise: Option<Noise>,
}

impl PerturbationArgs {
    /// Adds the flags given to `hp`.
    pub fn apply(&self, hp: &mut Hyperparameters) {
        hp.set_if_given("g_thres", self.g_thres);
        hp.set_if_given("t_thres", self.t_thres);
        hp.set_if_given("f_thres", self.f_thres);
        hp.set_if_given("ell", self.ell);
        hp.set_if_given("rho_hessian", self.rho_hessian);
        hp.set_if_given("epsilon", self.epsilon);
        hp.set_if_given("c", self.c);
        hp.set_if_given("delta", self.delta);
        hp.set_if_given("delta_f", self.delta_f);
        hp.set_if_given("noise", self.noise);
    }
}
