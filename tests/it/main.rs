//! The integration tests, one binary (one link step in CI): a module per topic, shared
//! helpers in `common`.

mod atlas;
mod bn_noise;
mod bounds;
mod census;
mod classical;
mod classify;
mod cli;
mod clipping;
mod common;
mod completion_and_tensors;
mod demo;
mod depth;
mod derivatives;
mod du2017;
mod escape;
mod expression;
mod golden;
mod init;
mod matrix_problems;
mod mlp;
mod networks;
mod newton_argmin;
mod norms;
mod octopus;
mod optimizers;
mod plot_slice;
mod plot_spectrum_escape;
mod plot_trace;
mod pretraining;
mod reports;
mod safran_shamir;
mod spectrum;
mod training;
