//! Experiments: reproducible, seeded studies built on the problems and optimizers, each
//! a library function returning a serde report (printed by `landscape experiment …`).

pub mod du2017;
