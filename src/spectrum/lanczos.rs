//! Matrix-free Lanczos for the extreme eigenpairs (in progress).

use super::{ReducedSpace, Spectrum, SpectrumOptions};
use crate::error::{Error, Result};

/// The k smallest and k largest eigenpairs.
pub(super) fn spectrum(_space: &ReducedSpace, _opts: &SpectrumOptions) -> Result<Spectrum> {
    Err(Error::invalid(
        "method",
        "dense (lanczos is being written)",
        "lanczos",
    ))
}
