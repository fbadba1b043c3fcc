//! placeholder during development
#[path = "du2017_gd.rs"]
pub mod gd;
