//! The names most programs need, in one import: `use landscape::prelude::*;`.
//!
//! The [`Objective`] contract and its parts, loading a shipped or spec-file problem, and
//! the main analyses with their options: [`classify`], [`hessian_spectrum`],
//! [`spectral_density`], [`census`] and the run loop [`run`].

pub use crate::census::{census, Census, CensusOptions};
pub use crate::classify::{classify, Classification, ClassifyOptions};
pub use crate::error::{Error, Result};
pub use crate::manifold::Manifold;
pub use crate::objective::{Block, KnownPoint, Layout, Objective};
pub use crate::optim::{run, RunOptions, Termination, Trajectory};
pub use crate::problems::{self, ProblemSpec};
pub use crate::spectrum::{hessian_spectrum, Spectrum, SpectrumOptions};
pub use crate::spectrum::{spectral_density, Density, DensityOptions};
pub use crate::verdict::Verdict;
