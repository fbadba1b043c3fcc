//! `spectrum`: the eigenvalues of the (reduced) Hessian at a point, as a histogram with
//! the negative part in [`style::NEGATIVE`], the positive part in [`style::POSITIVE`],
//! the eigenvalues within the tolerance of zero as a grey bar at 0 and a line at zero;
//! or, for large d, the spectral density (stochastic Lanczos quadrature) as a curve with
//! the mass below zero filled.
//!
//! The histogram's bins have width w = (λmax − λmin)/bins (at least the tolerance) and
//! edges at integer multiples of w, so zero is an edge and no bar mixes signs. The
//! counts use the classifier's tolerance (10⁻⁶·max(1, ‖H‖) unless given): λ < −tol is
//! negative, |λ| ≤ tol zero, λ > tol positive.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::chart::{format_tick, titled_area};
use super::output::Figure;
use super::style;
use crate::classify::default_eig_tol;
use crate::error::{Error, Result};
use crate::objective::Objective;
use crate::spectrum::{
    hessian_spectrum, spectral_density, Density, DensityOptions, Method, SpectrumOptions,
};

/// The sign class of an eigenvalue or a bin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sign {
    /// λ < −tol.
    Negative,
    /// |λ| ≤ tol.
    Zero,
    /// λ > tol.
    Positive,
}

/// One bar of the histogram: eigenvalues in [low, high) (the last bar of each sign
/// includes its end).
#[derive(Clone, Debug, PartialEq)]
pub struct Bin {
    /// Left edge.
    pub low: f64,
    /// Right edge.
    pub high: f64,
    /// Eigenvalues in it.
    pub count: usize,
    /// Which side of zero it lies on.
    pub sign: Sign,
}

/// A histogram of Hessian eigenvalues with its sign counts.
#[derive(Clone, Debug)]
pub struct SpectrumHistogram {
    /// The title.
    pub title: String,
    /// Every eigenvalue, ascending.
    pub eigenvalues: Vec<f64>,
    /// The tolerance of "zero".
    pub tol: f64,
    /// The bars: negative and positive bins (non-empty ones), and one zero bar when some
    /// eigenvalue is within the tolerance.
    pub bins: Vec<Bin>,
    /// Eigenvalues < −tol.
    pub negative: usize,
    /// Eigenvalues with |λ| ≤ tol.
    pub zero: usize,
    /// Eigenvalues > tol.
    pub positive: usize,
}

impl SpectrumHistogram {
    /// Bins `eigenvalues` (any order, finite) into about `bins` bars; `tol` separates
    /// zero from the signs. Errors: no eigenvalues, a non-finite one, `bins` = 0, a
    /// non-positive tolerance.
    pub fn new(
        title: impl Into<String>,
        eigenvalues: &[f64],
        tol: f64,
        bins: usize,
    ) -> Result<Self> {
        if eigenvalues.is_empty() {
            return Err(Error::invalid("eigenvalues", "at least one", "none"));
        }
        crate::error::ensure_finite("eigenvalues", eigenvalues)?;
        if bins == 0 || bins > 100_000 {
            return Err(Error::invalid("bins", "1 to 100000 bins", bins));
        }
        if !(tol.is_finite() && tol > 0.0) {
            return Err(Error::invalid("tol", "a finite positive number", tol));
        }
        let mut sorted = eigenvalues.to_vec();
        sorted.sort_by(f64::total_cmp);
        let (low, high) = (sorted[0], sorted[sorted.len() - 1]);
        let width = ((high - low) / bins as f64).max(tol);
        let sign = |l: f64| {
            if l < -tol {
                Sign::Negative
            } else if l > tol {
                Sign::Positive
            } else {
                Sign::Zero
            }
        };
        // Bin index k ∈ ℤ: λ ∈ [k·w, (k+1)·w) for positive λ, (−(k+1)·w, −k·w] mirrored
        // for negative λ, so that zero is always an edge.
        let mut counts: std::collections::BTreeMap<(i8, i64), usize> = Default::default();
        let (mut negative, mut zero, mut positive) = (0, 0, 0);
        for &l in &sorted {
            match sign(l) {
                Sign::Negative => {
                    negative += 1;
                    let k = ((-l / width).ceil() as i64).max(1);
                    *counts.entry((-1, -k)).or_default() += 1;
                }
                Sign::Positive => {
                    positive += 1;
                    let k = (l / width).floor() as i64;
                    *counts.entry((1, k)).or_default() += 1;
                }
                Sign::Zero => zero += 1,
            }
        }
        let mut bars: Vec<Bin> = counts
            .into_iter()
            .map(|((s, k), count)| {
                let (low, high, sign) = if s < 0 {
                    (k as f64 * width, (k + 1) as f64 * width, Sign::Negative)
                } else {
                    (k as f64 * width, (k + 1) as f64 * width, Sign::Positive)
                };
                Bin {
                    low,
                    high,
                    count,
                    sign,
                }
            })
            .collect();
        if zero > 0 {
            bars.push(Bin {
                low: -width / 4.0,
                high: width / 4.0,
                count: zero,
                sign: Sign::Zero,
            });
        }
        Ok(SpectrumHistogram {
            title: title.into(),
            eigenvalues: sorted,
            tol,
            bins: bars,
            negative,
            zero,
            positive,
        })
    }

    /// The note under the title: λmin, λmax and the sign counts with the tolerance.
    pub fn note(&self) -> String {
        let n = self.eigenvalues.len();
        format!(
            "d = {n}: λmin = {:.4}, λmax = {:.4}; {} negative, {} zero, {} positive (|λ| ≤ {:.1e} counts as zero)",
            self.eigenvalues[0],
            self.eigenvalues[n - 1],
            self.negative,
            self.zero,
            self.positive,
            self.tol
        )
    }
}

/// Computes every eigenvalue of the reduced Hessian of f at x (dense) and bins it; the
/// tolerance is the classifier's default 10⁻⁶·max(1, ‖H‖).
pub fn spectrum_histogram(
    f: &dyn Objective,
    x: &[f64],
    bins: usize,
    title: impl Into<String>,
) -> Result<SpectrumHistogram> {
    let opts = SpectrumOptions {
        method: Method::Dense,
        k: 1,
        ..SpectrumOptions::default()
    };
    let spectrum = hessian_spectrum(f, x, &opts)?;
    let tol = default_eig_tol(spectrum.hessian_norm);
    SpectrumHistogram::new(title, &spectrum.eigenvalues, tol, bins)
}

/// A smoothed spectral density with its mass below zero.
#[derive(Clone, Debug)]
pub struct SpectrumDensity {
    /// The title.
    pub title: String,
    /// The density (SLQ).
    pub density: Density,
}

impl SpectrumDensity {
    /// The estimated fraction of negative eigenvalues: the quadrature weight of the Ritz
    /// nodes below zero ([`Density::negative_weight`]), which is also the area of φ below
    /// zero, since the smoothing keeps each node's mass on its side of zero.
    pub fn negative_mass(&self) -> f64 {
        self.density.negative_weight
    }

    /// The note under the title.
    pub fn note(&self) -> String {
        let d = &self.density;
        let mass = self.negative_mass();
        format!(
            "SLQ, d = {}: {} probes × {} Lanczos steps, σ = {:.2e}; mass below 0 ≈ {:.3} (≈ {:.0} eigenvalues: the weight of the Ritz values below 0)",
            d.reduced_dim,
            d.probes,
            d.steps,
            d.sigma,
            mass,
            mass * d.reduced_dim as f64
        )
    }
}

/// The SLQ spectral density of the reduced Hessian of f at x.
pub fn spectrum_density(
    f: &dyn Objective,
    x: &[f64],
    opts: &DensityOptions,
    title: impl Into<String>,
) -> Result<SpectrumDensity> {
    Ok(SpectrumDensity {
        title: title.into(),
        density: spectral_density(f, x, opts)?,
    })
}

/// Configures the mesh the same way for both figures.
macro_rules! mesh {
    ($chart:expr, $x:expr, $y:expr, $y_labels:expr) => {
        $chart
            .configure_mesh()
            .y_labels($y_labels)
            .light_line_style(style::GRID)
            .bold_line_style(style::GRID.mix(1.0).stroke_width(1))
            .x_desc($x)
            .y_desc($y)
            .axis_desc_style(style::label_font())
            .label_style(style::tick_font())
            .x_label_formatter(&|v| format_tick(*v))
            .y_label_formatter(&|v| format_tick(*v))
            .draw()?
    };
}

/// The legend goes to the side away from the zero line.
fn legend_position(low: f64, high: f64) -> SeriesLabelPosition {
    if -low > high {
        SeriesLabelPosition::UpperLeft
    } else {
        SeriesLabelPosition::UpperRight
    }
}

fn legend_box(colour: RGBColor) -> impl Fn((i32, i32)) -> Rectangle<(i32, i32)> {
    move |(x, y)| Rectangle::new([(x, y - 6), (x + 16, y + 6)], colour.filled())
}

impl Figure for SpectrumHistogram {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let area = titled_area(root, &self.title, &self.note())?;
        let low = self.bins.iter().map(|b| b.low).fold(0.0, f64::min);
        let high = self.bins.iter().map(|b| b.high).fold(0.0, f64::max);
        let margin = 0.05 * (high - low).max(self.tol);
        let top = self.bins.iter().map(|b| b.count).max().unwrap_or(1) as f64 * 1.15;
        let mut chart = ChartBuilder::on(&area)
            .margin(16)
            .x_label_area_size(56)
            .y_label_area_size(70)
            .build_cartesian_2d(low - margin..high + margin, 0.0..top)?;
        mesh!(
            chart,
            "eigenvalue λ",
            "count",
            (top.floor() as usize + 1).clamp(2, 11)
        );
        for (sign, colour, name) in [
            (Sign::Negative, style::NEGATIVE, "λ < 0"),
            (Sign::Positive, style::POSITIVE, "λ > 0"),
            (Sign::Zero, style::GREY, "λ ≈ 0"),
        ] {
            let bars: Vec<&Bin> = self.bins.iter().filter(|b| b.sign == sign).collect();
            if bars.is_empty() {
                continue;
            }
            let count: usize = bars.iter().map(|b| b.count).sum();
            chart
                .draw_series(bars.into_iter().map(|b| {
                    // A small gap between neighbouring bars.
                    let gap = 0.04 * (b.high - b.low);
                    Rectangle::new(
                        [(b.low + gap, 0.0), (b.high - gap, b.count as f64)],
                        colour.filled(),
                    )
                }))?
                .label(format!("{name}: {count}"))
                .legend(legend_box(colour));
        }
        chart.draw_series(LineSeries::new(
            [(0.0, 0.0), (0.0, top)],
            BLACK.stroke_width(2),
        ))?;
        style::draw_legend(&mut chart, legend_position(low, high))?;
        Ok(())
    }
}

impl Figure for SpectrumDensity {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let area = titled_area(root, &self.title, &self.note())?;
        let (t, phi) = (&self.density.grid, &self.density.density);
        let low = t.first().copied().unwrap_or(-1.0).min(0.0);
        let high = t.last().copied().unwrap_or(1.0).max(0.0);
        let margin = 0.03 * (high - low).max(f64::MIN_POSITIVE);
        let top = phi
            .iter()
            .copied()
            .fold(0.0, f64::max)
            .max(f64::MIN_POSITIVE)
            * 1.1;
        let mut chart = ChartBuilder::on(&area)
            .margin(16)
            .x_label_area_size(56)
            .y_label_area_size(86)
            .build_cartesian_2d(low - margin..high + margin, 0.0..top)?;
        mesh!(chart, "eigenvalue λ", "density φ(λ)", 10);
        let points: Vec<(f64, f64)> = t.iter().copied().zip(phi.iter().copied()).collect();
        let negative: Vec<(f64, f64)> = points.iter().copied().filter(|p| p.0 <= 0.0).collect();
        let positive: Vec<(f64, f64)> = points.iter().copied().filter(|p| p.0 >= 0.0).collect();
        if negative.len() > 1 {
            chart
                .draw_series(AreaSeries::new(negative, 0.0, style::NEGATIVE.mix(0.45)))?
                .label(format!("λ < 0: mass {:.3}", self.negative_mass()))
                .legend(legend_box(style::NEGATIVE));
        }
        if positive.len() > 1 {
            chart.draw_series(AreaSeries::new(positive, 0.0, style::POSITIVE.mix(0.2)))?;
        }
        chart
            .draw_series(LineSeries::new(points, style::POSITIVE.stroke_width(2)))?
            .label("φ(λ)")
            .legend(|(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], style::POSITIVE.stroke_width(2))
            });
        chart.draw_series(LineSeries::new(
            [(0.0, 0.0), (0.0, top)],
            BLACK.stroke_width(2),
        ))?;
        style::draw_legend(&mut chart, legend_position(low, high))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_never_mix_signs_and_counts_add_up() {
        let eigenvalues = [-2.0, -1.5, -0.1, 0.0, 1e-9, 0.3, 0.35, 4.0];
        let h = SpectrumHistogram::new("t", &eigenvalues, 1e-6, 4).unwrap();
        assert_eq!((h.negative, h.zero, h.positive), (3, 2, 3));
        let total: usize = h.bins.iter().map(|b| b.count).sum();
        assert_eq!(total, eigenvalues.len());
        for b in &h.bins {
            match b.sign {
                Sign::Negative => assert!(b.high <= 0.0),
                Sign::Positive => assert!(b.low >= 0.0),
                Sign::Zero => assert_eq!(b.count, 2),
            }
        }
        // Each eigenvalue lies in its bar.
        for &l in &eigenvalues {
            if l.abs() > 1e-6 {
                assert!(h
                    .bins
                    .iter()
                    .any(|b| b.sign != Sign::Zero && b.low <= l && l <= b.high));
            }
        }
    }

    #[test]
    fn the_negative_mass_is_the_weight_of_the_negative_nodes() {
        let d = SpectrumDensity {
            title: String::new(),
            density: Density {
                grid: vec![-1.0, 1.0],
                density: vec![0.0, 0.0],
                sigma: 1.0,
                nodes: vec![-1.0, 1e-9, 2.0],
                weights: vec![0.25, 0.5, 0.25],
                negative_weight: 0.25,
                zero_tol: 1e-6,
                probes: 1,
                steps: 3,
                reduced_dim: 12,
                hvp_count: 3,
            },
        };
        assert_eq!(d.negative_mass(), 0.25);
        assert!(
            d.note().contains("mass below 0 ≈ 0.250 (≈ 3 eigenvalues"),
            "{}",
            d.note()
        );
    }
}
