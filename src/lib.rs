//! # landscape
//!
//! Landscapes of non-convex objectives: a library of problems with exact gradients and
//! Hessian-vector products, and the classification of their stationary points, Hessian
//! spectra, optimizers, saddle-escape experiments and plots. `use landscape::prelude::*`
//! brings the [`Objective`] contract and the main analyses; implement [`Objective`] for
//! your own function and every analysis takes it (see its example). DESIGN.md in the
//! repository is the map of the code.
//!
//! ```
//! use landscape::problems;
//!
//! // The shipped strict-saddle quadratic, built from its spec.
//! let (_spec, f) = problems::load("quadratic", &[]).unwrap();
//! let x = vec![0.5; f.dim()];
//! let mut g = vec![0.0; f.dim()];
//! f.gradient(&x, &mut g);
//! // Compare with a central finite difference.
//! let fd = landscape::finite_difference::gradient_fd(f.as_ref(), &x);
//! assert!(landscape::finite_difference::relative_error(&g, &fd) < 1e-8);
//! ```
//!
//! Reports print themselves: their [`Display`](std::fmt::Display) is the text the
//! `landscape` command prints, and their `Serialize` its `--json`. Long computations
//! report progress to an observer ([`progress`]).
//!
//! Cargo features: `cli` (clap, indicatif: the `landscape` command) and `plot`
//! (plotters, image: the `plot` and `demo` modules), both default. Without them
//! (`default-features = false`) the library computes everything else.
#![warn(missing_docs)]

pub mod argmin_interop;
pub mod atomic_file;
pub mod budget;
pub mod census;
pub mod classify;
#[cfg(feature = "plot")]
pub mod demo;
pub mod display;
pub mod error;
pub mod evaluate;
pub mod experiments;
pub mod export;
pub mod finite_difference;
pub mod linalg;
pub mod manifold;
pub mod npy;
pub mod objective;
pub mod optim;
#[cfg(feature = "plot")]
pub mod plot;
pub mod point;
pub mod prelude;
pub mod problems;
pub mod progress;
pub mod provenance;
pub mod random;
pub mod restricted;
pub mod spectrum;
pub mod verbose;
pub mod verdict;

pub use error::{Error, Result};

/// The README's Rust snippets, compiled and run as doc tests so they cannot go stale.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
pub use manifold::Manifold;
pub use objective::{
    Block, DataArray, FiniteSum, KnownPoint, Layout, Objective, SymmetryStructure, TestMetrics,
};
pub use verdict::Verdict;
