//! The house style of every picture: the embedded font, text sizes, the series palette,
//! the perceptual colour map (viridis), colours and markers of verdicts, and the colour
//! bar.
//!
//! The font is DejaVu Sans (Bitstream Vera licence, see `assets/fonts/LICENSE-DejaVu.txt`),
//! compiled into the binary and registered with plotters' `ab_glyph` backend as
//! `sans-serif`, so pictures render the same on a machine with no fonts installed.

use std::sync::OnceLock;

use plotters::coord::{CoordTranslate, Shift};
use plotters::prelude::*;
use plotters::style::{FontStyle, RGBColor, TextStyle};

use crate::error::{Error, Result};
use crate::verdict::Verdict;

/// The family name the embedded font is registered under.
pub const FONT: &str = "sans-serif";

static FONT_BYTES: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// Registers the embedded font (once per process). Every drawing entry point calls it.
pub fn register_font() -> Result<()> {
    static REGISTERED: OnceLock<bool> = OnceLock::new();
    let ok = *REGISTERED.get_or_init(|| {
        plotters::style::register_font(FONT, FontStyle::Normal, FONT_BYTES).is_ok()
    });
    if ok {
        Ok(())
    } else {
        Err(Error::Plot {
            message: "the embedded font (DejaVu Sans) could not be registered".into(),
        })
    }
}

/// Default picture size in pixels (width, height).
pub const DEFAULT_SIZE: (u32, u32) = (960, 680);

/// Title text.
pub fn title_font() -> TextStyle<'static> {
    (FONT, 24).into_font().into()
}

/// Axis-label text.
pub fn label_font() -> TextStyle<'static> {
    (FONT, 18).into_font().into()
}

/// Tick-label text.
pub fn tick_font() -> TextStyle<'static> {
    (FONT, 14).into_font().into()
}

/// Legend and annotation text.
pub fn legend_font() -> TextStyle<'static> {
    (FONT, 15).into_font().into()
}

/// Light grey of the fine grid lines.
pub const GRID: RGBColor = RGBColor(230, 230, 230);
/// Mid grey of the coarse grid lines and of de-emphasised marks.
pub const GREY: RGBColor = RGBColor(150, 150, 150);
/// Colour of the part of a spectrum or a bar that is "bad" (negative curvature).
pub const NEGATIVE: RGBColor = RGBColor(213, 94, 0);
/// Colour of the "good" part (positive curvature).
pub const POSITIVE: RGBColor = RGBColor(0, 114, 178);

/// The Okabe–Ito colour-blind-safe palette, reordered so the first colours are the most
/// distinct on white.
const PALETTE: [RGBColor; 8] = [
    RGBColor(0, 114, 178),   // blue
    RGBColor(213, 94, 0),    // vermillion
    RGBColor(0, 158, 115),   // bluish green
    RGBColor(204, 121, 167), // reddish purple
    RGBColor(230, 159, 0),   // orange
    RGBColor(86, 180, 233),  // sky blue
    RGBColor(0, 0, 0),       // black
    RGBColor(180, 160, 30),  // dark yellow
];

/// Colours beyond the palette, for the optimizers only (Paul Tol's muted scheme, its
/// darker members): indigo, wine, teal, olive, green.
const OPTIMIZER_EXTRA: [RGBColor; 5] = [
    RGBColor(51, 34, 136),
    RGBColor(136, 34, 85),
    RGBColor(68, 170, 153),
    RGBColor(153, 153, 51),
    RGBColor(17, 119, 51),
];

/// Every optimizer's own colour, as an index for [`series_colour`]: the same in every
/// figure that names optimizers (trace, escape, slices with runs, the gallery).
const OPTIMIZER_COLOURS: [(&str, usize); 13] = [
    ("gd", 0),
    ("pgd", 1),
    ("noisy_gd", 2),
    ("adam", 3),
    ("heavy_ball", 4),
    ("nesterov", 5),
    ("lbfgs", 6),
    ("newton", 7),
    ("rmsprop", 8),
    ("adagrad", 9),
    ("adadelta", 10),
    ("saddle_free_newton", 11),
    ("trust_region", 12),
];

/// The colour of the `i`-th series: indices 0–7 the eight colour-blind-safe colours,
/// cycling; 8–12 (reached only through [`run_colours`]) the optimizers' extra ones.
pub fn series_colour(i: usize) -> RGBColor {
    match i {
        8..=12 => OPTIMIZER_EXTRA[i - 8],
        _ => PALETTE[i % PALETTE.len()],
    }
}

/// The colour index of a legend name that starts with an optimizer's name (`adam`,
/// `pgd: 20/20 escaped`), if it does.
pub fn optimizer_colour(name: &str) -> Option<usize> {
    let head = name
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-'))
        .next()?
        .replace('-', "_");
    OPTIMIZER_COLOURS
        .iter()
        .find(|(optimizer, _)| *optimizer == head)
        .map(|(_, i)| *i)
}

/// Colour indices of the runs of one figure: each optimizer's own colour when every
/// name starts with a different optimizer, otherwise `first`, `first + 1`, … in order
/// (two runs of one optimizer must not share a colour).
pub fn run_colours(names: &[&str], first: usize) -> Vec<usize> {
    let own: Option<Vec<usize>> = names.iter().map(|n| optimizer_colour(n)).collect();
    match own {
        Some(own) if (1..own.len()).all(|i| !own[..i].contains(&own[i])) => own,
        _ => (0..names.len())
            .map(|i| (first + i) % PALETTE.len())
            .collect(),
    }
}

/// Viridis at ten evenly spaced stops (van der Walt & Smith's perceptually uniform map).
const VIRIDIS: [(u8, u8, u8); 10] = [
    (0x44, 0x01, 0x54),
    (0x48, 0x28, 0x78),
    (0x3e, 0x49, 0x89),
    (0x31, 0x68, 0x8e),
    (0x26, 0x82, 0x8e),
    (0x1f, 0x9e, 0x89),
    (0x35, 0xb7, 0x79),
    (0x6e, 0xce, 0x58),
    (0xb5, 0xde, 0x2b),
    (0xfd, 0xe7, 0x25),
];

/// The viridis colour of `t ∈ [0, 1]` (clamped; NaN maps to the low end), linearly
/// interpolated between the stops.
pub fn viridis(t: f64) -> RGBColor {
    let t = if t.is_nan() { 0.0 } else { t.clamp(0.0, 1.0) };
    let scaled = t * (VIRIDIS.len() - 1) as f64;
    let i = (scaled.floor() as usize).min(VIRIDIS.len() - 2);
    let s = scaled - i as f64;
    let (a, b) = (VIRIDIS[i], VIRIDIS[i + 1]);
    let mix = |p: u8, q: u8| (p as f64 + s * (q as f64 - p as f64)).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// The colour of a verdict's marker.
pub fn verdict_colour(verdict: Verdict) -> RGBColor {
    match verdict {
        Verdict::GlobalMin => RGBColor(0, 158, 115),
        Verdict::LocalMin => RGBColor(86, 180, 233),
        Verdict::SpuriousLocalMin => RGBColor(230, 159, 0),
        Verdict::StrictSaddle => RGBColor(213, 94, 0),
        Verdict::NonStrictSaddle => RGBColor(204, 121, 167),
        Verdict::LocalMax => RGBColor(0, 114, 178),
        Verdict::Degenerate => GREY,
        Verdict::NotStationary => BLACK,
    }
}

/// The marker shape of a verdict: minima are circles, saddles triangles, maxima squares,
/// anything else a cross.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MarkerShape {
    /// A filled circle.
    Circle,
    /// A filled triangle.
    Triangle,
    /// A filled square.
    Square,
    /// A cross.
    Cross,
}

/// The marker shape of a verdict.
pub fn verdict_marker(verdict: Verdict) -> MarkerShape {
    match verdict {
        Verdict::GlobalMin | Verdict::LocalMin | Verdict::SpuriousLocalMin => MarkerShape::Circle,
        Verdict::StrictSaddle | Verdict::NonStrictSaddle => MarkerShape::Triangle,
        Verdict::LocalMax => MarkerShape::Square,
        Verdict::Degenerate | Verdict::NotStationary => MarkerShape::Cross,
    }
}

/// Draws the legend of the labelled series of `chart` at `position` in the house style
/// (translucent white box, grey border, legend font).
pub fn draw_legend<'a, DB: DrawingBackend + 'a, CT: CoordTranslate>(
    chart: &mut ChartContext<'a, DB, CT>,
    position: SeriesLabelPosition,
) -> Result<()> {
    chart
        .configure_series_labels()
        .position(position)
        .background_style(WHITE.mix(0.85))
        .border_style(GREY)
        .label_font(legend_font())
        .draw()?;
    Ok(())
}

/// Draws a vertical colour bar for values in `[low, high]` mapped through [`viridis`]
/// (linearly), with tick labels and `label`, filling `area`.
pub fn draw_colorbar<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    low: f64,
    high: f64,
    label: &str,
) -> Result<()> {
    let (low, high) = if high > low {
        (low, high)
    } else {
        (low - 0.5, low + 0.5)
    };
    let mut chart = ChartBuilder::on(area)
        .margin_top(40)
        .margin_bottom(60)
        .margin_right(10)
        .y_label_area_size(70)
        .build_cartesian_2d(0.0..1.0, low..high)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .disable_y_mesh()
        .disable_x_axis()
        .y_labels(8)
        .y_label_style(tick_font())
        .y_label_formatter(&|v| super::chart::format_tick_within(*v, high - low))
        .y_desc(label)
        .axis_desc_style(label_font())
        .draw()?;
    const BANDS: usize = 128;
    let step = (high - low) / BANDS as f64;
    chart.draw_series((0..BANDS).map(|i| {
        let y0 = low + i as f64 * step;
        let colour = viridis((i as f64 + 0.5) / BANDS as f64);
        Rectangle::new([(0.0, y0), (1.0, y0 + step)], colour.filled())
    }))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viridis_hits_its_stops_and_clamps() {
        assert_eq!(viridis(0.0), RGBColor(0x44, 0x01, 0x54));
        assert_eq!(viridis(1.0), RGBColor(0xfd, 0xe7, 0x25));
        assert_eq!(viridis(-3.0), viridis(0.0));
        assert_eq!(viridis(7.0), viridis(1.0));
        assert_eq!(viridis(f64::NAN), viridis(0.0));
        assert_eq!(viridis(4.0 / 9.0), RGBColor(0x26, 0x82, 0x8e));
    }

    #[test]
    fn viridis_lightness_increases() {
        // Perceptual maps are monotone in lightness; a rough proxy is the channel sum
        // weighted as luma.
        let luma = |c: RGBColor| 0.299 * c.0 as f64 + 0.587 * c.1 as f64 + 0.114 * c.2 as f64;
        let mut last = -1.0;
        for i in 0..=100 {
            let l = luma(viridis(i as f64 / 100.0));
            assert!(l >= last - 0.5, "luma drops at t = {}", i as f64 / 100.0);
            last = l;
        }
    }

    #[test]
    fn the_embedded_font_registers() {
        register_font().unwrap();
    }

    #[test]
    fn an_optimizer_keeps_its_colour_unless_it_appears_twice() {
        let adam = optimizer_colour("adam").unwrap();
        assert_eq!(run_colours(&["gd", "adam"], 0)[1], adam);
        assert_eq!(run_colours(&["adam", "gd"], 0)[0], adam);
        assert_eq!(
            optimizer_colour("pgd: 20/20 escaped"),
            optimizer_colour("pgd")
        );
        assert_eq!(
            optimizer_colour("trust-region"),
            optimizer_colour("trust_region")
        );
        // Two adam runs, or a name that is no optimizer: colours in order.
        assert_eq!(run_colours(&["adam", "adam (η 0.1)"], 1), vec![1, 2]);
        assert_eq!(run_colours(&["adam", "mine"], 0), vec![0, 1]);
        // Thirteen optimizers, thirteen different colours.
        let all: Vec<RGBColor> = OPTIMIZER_COLOURS
            .iter()
            .map(|(_, i)| series_colour(*i))
            .collect();
        for (i, c) in all.iter().enumerate() {
            assert!(!all[..i].contains(c), "{i}");
        }
    }
}
