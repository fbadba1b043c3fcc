//! Pictures: PNG and SVG in one house style, with an embedded font so they render on a
//! machine with no fonts installed.
//!
//! - [`style`]: the font, text sizes, palette, viridis colour map, verdict markers, the
//!   colour bar;
//! - [`output`]: the [`Figure`] trait and [`save`] (render in memory, write atomically;
//!   the format comes from the extension);
//! - [`chart`]: [`LineChart`], the curve chart most plots are made of;
//! - [`bounds`]: the descent lemma, the convergence bound and the linear rate of GD;
//! - [`panels`]: several line charts in a grid under one title ([`Panels`]);
//! - [`atlas`]: the atlas's stacked bars ([`atlas::AtlasChart`]).
//! - [`directions`], [`grid`], [`contour`], [`slice`](mod@slice): f on a plane (heatmap, contours,
//!   surface) with trajectories and stationary points; [`line`](mod@line): f along a line.
//! - [`spectrum`]: the Hessian's eigenvalues (histogram) or spectral density;
//!   [`escape`]: escape-time distributions and Du et al.'s chart, from reports read by
//!   [`reports`] or passed directly.
//!
//! ```
//! use landscape::plot::{render, ImageFormat, LineChart, Series, Stroke};
//!
//! let mut chart = LineChart::new("f along a line", "t", "f");
//! chart.series.push(Series::new(
//!     "x²",
//!     (0..=20).map(|i| (i as f64 / 10.0 - 1.0, (i as f64 / 10.0 - 1.0).powi(2))).collect(),
//!     Stroke::Solid,
//!     0,
//! ));
//! let svg = render(&chart, ImageFormat::Svg, (640, 480)).unwrap();
//! assert!(String::from_utf8(svg).unwrap().contains("<svg"));
//! ```

pub mod atlas;
pub mod batchnorm;
pub mod bn_noise;
pub mod bn_smoothness;
pub mod bn_spectrum;
pub mod bounds;
pub mod chart;
pub mod clipping;
pub mod contour;
pub mod depth;
pub mod directions;
pub mod escape;
pub mod exp_lr;
pub mod gamma_beta;
pub mod grid;
pub mod init;
pub mod inputs;
pub mod line;
pub mod norms;
pub mod output;
pub mod panels;
pub mod pretraining;
pub mod reports;
pub mod slice;
mod slice_draw;
pub mod spectrum;
pub mod style;
pub mod supersample;
mod surface;
pub mod trace;

pub use chart::{LineChart, Scale, Series, Stroke, VerticalLine};
pub use output::{check_out_path, check_size, render, save, Figure, ImageFormat};
pub use panels::Panels;
