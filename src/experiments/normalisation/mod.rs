//! Experiments on normalisation (the `mlp` kind's `norm` field): what batch
//! normalisation does to training and to the landscape, and how its relatives compare,
//! each measured and ending in a list of [`Claim`](crate::experiments::claims::Claim)s.
//!
//! Batch normalisation standardises each hidden unit's pre-activation over the samples
//! of the minibatch, ẑ = (z − μ_B)/√(σ²_B + ε), then applies u = γ ⊙ ẑ + β
//! ([`crate::problems::mlp::norm`]). During training the statistics are the
//! minibatch's; the full-batch objective, its Hessian and every evaluation use those of
//! the whole training set at θ. Training is the run loop with minibatches, as in
//! [`super::deep`], whose shared pieces (building a network from spec fields, the
//! curves of a run, SGD with momentum) these experiments reuse.
//!
//! - [`batchnorm`]: the same network with and without batch normalisation over a grid
//!   of learning rates (Ioffe & Szegedy 2015);
//! - [`smoothness`]: loss variation, gradient predictiveness, effective β-smoothness
//!   and the Hessian's extreme eigenvalues along both training paths (Santurkar et al.
//!   2018);
//! - [`noise`]: noisy batch normalisation, a distribution shift injected at every step
//!   (Santurkar et al. 2018: not internal covariate shift);
//! - [`relatives`]: batch, layer, weight, instance and group normalisation against the
//!   batch size;
//! - [`gamma_beta`]: training only γ and β of random frozen weights (Frankle et al.
//!   2020);
//! - [`exp_lr`]: exponentially increasing learning rates with batch normalisation and
//!   weight decay (Li & Arora 2019);
//! - [`spectrum`]: the Hessian's spectral density with and without batch normalisation,
//!   at initialisation and after training.

pub mod batchnorm;
pub mod exp_lr;
pub mod gamma_beta;
pub mod noise;
pub mod relatives;
pub mod smoothness;
pub mod spectrum;
