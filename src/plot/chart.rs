//! The line chart every curve plot is made of: series of (x, y) points, each solid,
//! dashed or as markers, on linear or logarithmic axes, with vertical reference lines,
//! a title, axis labels and a legend. `descent`, `convergence`, `rate`, `trace` and the
//! Du et al. chart are [`LineChart`]s.

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::output::Figure;
use super::style;
use crate::error::Result;

/// An axis scale.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Scale {
    /// Linear.
    #[default]
    Linear,
    /// Base-10 logarithmic; points with a non-positive coordinate on this axis are not
    /// drawn.
    Log,
}

/// How a series is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Stroke {
    /// A solid line.
    #[default]
    Solid,
    /// A dashed line (bounds and reference curves).
    Dashed,
    /// Filled circles, no line.
    Points,
    /// A solid line with a filled circle on each point.
    LinePoints,
}

/// One named curve.
#[derive(Clone, Debug)]
pub struct Series {
    /// The legend entry (empty: not in the legend).
    pub name: String,
    /// The points, in drawing order.
    pub points: Vec<(f64, f64)>,
    /// How it is drawn.
    pub stroke: Stroke,
    /// Index into [`style::series_colour`].
    pub colour: usize,
}

impl Series {
    /// A series with the given name, points, stroke and palette index.
    pub fn new(
        name: impl Into<String>,
        points: Vec<(f64, f64)>,
        stroke: Stroke,
        colour: usize,
    ) -> Self {
        Series {
            name: name.into(),
            points,
            stroke,
            colour,
        }
    }
}

/// A vertical reference line at `x` with a label drawn at its foot (e.g. the
/// T = O(β/ε²) count).
#[derive(Clone, Debug, PartialEq)]
pub struct VerticalLine {
    /// Where.
    pub x: f64,
    /// Its label, drawn next to it.
    pub label: String,
}

/// A chart of curves.
#[derive(Clone, Debug, Default)]
pub struct LineChart {
    /// The title.
    pub title: String,
    /// The x-axis label.
    pub x_label: String,
    /// The y-axis label.
    pub y_label: String,
    /// The x-axis scale.
    pub x_scale: Scale,
    /// The y-axis scale.
    pub y_scale: Scale,
    /// The curves.
    pub series: Vec<Series>,
    /// Vertical reference lines.
    pub vertical_lines: Vec<VerticalLine>,
    /// A note drawn under the title (e.g. what a bound assumes); empty for none.
    pub note: String,
}

impl LineChart {
    /// An empty chart with a title and axis labels.
    pub fn new(
        title: impl Into<String>,
        x_label: impl Into<String>,
        y_label: impl Into<String>,
    ) -> Self {
        LineChart {
            title: title.into(),
            x_label: x_label.into(),
            y_label: y_label.into(),
            ..LineChart::default()
        }
    }

    /// The data range of the drawable points on each axis, padded: ((x0, x1), (y0, y1)).
    fn ranges(&self) -> ((f64, f64), (f64, f64)) {
        let drawable = |p: &&(f64, f64)| {
            p.0.is_finite()
                && p.1.is_finite()
                && (self.x_scale == Scale::Linear || p.0 > 0.0)
                && (self.y_scale == Scale::Linear || p.1 > 0.0)
        };
        let points = self.series.iter().flat_map(|s| s.points.iter());
        let (mut x, mut y) = (
            (f64::INFINITY, f64::NEG_INFINITY),
            (f64::INFINITY, f64::NEG_INFINITY),
        );
        for p in points.filter(drawable) {
            x = (x.0.min(p.0), x.1.max(p.0));
            y = (y.0.min(p.1), y.1.max(p.1));
        }
        for line in &self.vertical_lines {
            if line.x.is_finite() && (self.x_scale == Scale::Linear || line.x > 0.0) {
                x = (x.0.min(line.x), x.1.max(line.x));
            }
        }
        (pad(x, self.x_scale), pad(y, self.y_scale))
    }
}

impl LineChart {
    /// The place for the legend: of the corners and the middles of the sides (upper
    /// right first, then upper left, lower right, lower left, middle right, middle left),
    /// the one the drawn data crosses least, with how many samples of the data cross it
    /// (more than none: the legend goes beside the chart instead). `plot` is the
    /// plotting area's size in pixels, which with the legend's own size (its names and
    /// rows) gives the share of the area the box covers.
    fn legend_corner(
        &self,
        x: (f64, f64),
        y: (f64, f64),
        plot: (u32, u32),
    ) -> (SeriesLabelPosition, usize) {
        let unit = |v: f64, (low, high): (f64, f64), scale: Scale| match scale {
            Scale::Linear => (v - low) / (high - low),
            Scale::Log => (v.log10() - low.log10()) / (high.log10() - low.log10()),
        };
        let named: Vec<&Series> = self.series.iter().filter(|s| !s.name.is_empty()).collect();
        let (box_w, box_h) = legend_box(&named);
        // The box's share of the plot, with plotters' 10-pixel inset from the edges.
        let fw = f64::from(box_w + 10) / f64::from(plot.0.max(1));
        let fh = f64::from(box_h + 10) / f64::from(plot.1.max(1));
        let (top, bottom, middle) = ((1.0 - fh, 1.0), (0.0, fh), (0.5 - fh / 2.0, 0.5 + fh / 2.0));
        // (position, right side?, vertical band in [0, 1] from the bottom).
        let places = [
            (SeriesLabelPosition::UpperRight, true, top),
            (SeriesLabelPosition::UpperLeft, false, top),
            (SeriesLabelPosition::LowerRight, true, bottom),
            (SeriesLabelPosition::LowerLeft, false, bottom),
            (SeriesLabelPosition::MiddleRight, true, middle),
            (SeriesLabelPosition::MiddleLeft, false, middle),
        ];
        if fw >= 0.9 || fh >= 0.9 {
            // No room inside at all.
            return (places[0].0.clone(), usize::MAX);
        }
        let mut counts = [0usize; 6];
        let mut tally = |u: f64, v: f64| {
            for (count, &(_, right, (low, high))) in counts.iter_mut().zip(&places) {
                let in_x = if right { u >= 1.0 - fw } else { u <= fw };
                *count += usize::from(in_x && (low..=high).contains(&v));
            }
        };
        // Lines are sampled along their segments (in the drawn coordinates), so a long
        // straight segment counts where it runs, not only at its ends.
        const SAMPLES_PER_SEGMENT: usize = 16;
        for series in &self.series {
            let drawn: Vec<(f64, f64)> = series
                .points
                .iter()
                .map(|p| (unit(p.0, x, self.x_scale), unit(p.1, y, self.y_scale)))
                .filter(|(u, v)| u.is_finite() && v.is_finite())
                .collect();
            if series.stroke == Stroke::Points || drawn.len() < 2 {
                drawn.iter().for_each(|&(u, v)| tally(u, v));
                continue;
            }
            for pair in drawn.windows(2) {
                let ((u0, v0), (u1, v1)) = (pair[0], pair[1]);
                for k in 0..SAMPLES_PER_SEGMENT {
                    let s = k as f64 / SAMPLES_PER_SEGMENT as f64;
                    tally(u0 + s * (u1 - u0), v0 + s * (v1 - v0));
                }
            }
        }
        // The labels of the vertical lines sit at the bottom, right of their line.
        for line in &self.vertical_lines {
            let u = unit(line.x, x, self.x_scale);
            let width = (line.label.chars().count() as u32 * LEGEND_CHAR_WIDTH) as f64;
            let share = width / f64::from(plot.0.max(1));
            for k in 0..=4 {
                tally(u + share * f64::from(k) / 4.0, 0.03);
            }
        }
        let best = (0..places.len()).min_by_key(|&i| counts[i]).unwrap_or(0);
        (places[best].0.clone(), counts[best])
    }
}

/// Pads a range by 5% (in log space for log axes) and makes empty or degenerate ranges
/// drawable.
fn pad((low, high): (f64, f64), scale: Scale) -> (f64, f64) {
    match scale {
        Scale::Linear => {
            if !(low.is_finite() && high.is_finite()) {
                return (0.0, 1.0);
            }
            // An axis wider than f64 can hold (−1e308 to 1e308) is drawn as ±f64::MAX/4:
            // its width and every tick step stay finite.
            const WIDEST: f64 = f64::MAX / 4.0;
            let (low, high) = (low.clamp(-WIDEST, WIDEST), high.clamp(-WIDEST, WIDEST));
            let span = high - low;
            let margin = if span > 0.0 {
                0.05 * span
            } else {
                0.5 * low.abs().max(1.0)
            };
            (low - margin, high + margin)
        }
        Scale::Log => {
            if !(low.is_finite() && high.is_finite()) {
                return (0.1, 10.0);
            }
            let (l, h) = (low.log10(), high.log10());
            let margin = if h > l { 0.05 * (h - l) } else { 0.5 };
            let finite = |v: f64| v.clamp(f64::MIN_POSITIVE, f64::MAX);
            (
                finite(10f64.powf(l - margin)),
                finite(10f64.powf(h + margin)),
            )
        }
    }
}

impl Figure for LineChart {
    /// A log axis is drawn as a linear axis of log₁₀ of the values, its ticks labelled
    /// with the values (1e-30 … 1e3): every decade of the range is labelled however
    /// many it spans.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let (x_log, y_log) = (self.x_scale == Scale::Log, self.y_scale == Scale::Log);
        if !(x_log || y_log) {
            return self.draw_linear(root, (false, false));
        }
        let ((x0, x1), (y0, y1)) = self.ranges();
        let to = |v: f64, log: bool| if log { v.log10() } else { v };
        let mut flat = self.clone();
        flat.x_scale = Scale::Linear;
        flat.y_scale = Scale::Linear;
        for s in &mut flat.series {
            s.points = s
                .points
                .iter()
                .filter(|p| (!x_log || p.0 > 0.0) && (!y_log || p.1 > 0.0))
                .map(|&(x, y)| (to(x, x_log), to(y, y_log)))
                .collect();
        }
        flat.vertical_lines.retain(|l| !x_log || l.x > 0.0);
        flat.vertical_lines
            .iter_mut()
            .for_each(|l| l.x = to(l.x, x_log));
        flat.draw_within(
            root,
            (
                (to(x0, x_log), to(x1, x_log)),
                (to(y0, y_log), to(y1, y_log)),
            ),
            (x_log, y_log),
        )
    }
}

/// A linear axis with the tick positions it is given (`bold` labelled, `light` grid
/// lines only).
struct Ticked {
    linear: RangedCoordf64,
    bold: Vec<f64>,
    light: Vec<f64>,
}

impl Ranged for Ticked {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.linear.map(value, limit)
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        if hint.weight().allow_light_points() {
            self.light.clone()
        } else {
            self.bold.clone()
        }
    }

    fn range(&self) -> std::ops::Range<f64> {
        self.linear.range()
    }
}

/// Tick positions of a log axis over [l, h] (in log₁₀ units), at most about a dozen:
/// every k-th decade when the range spans three decades or more, 1, 2 and 5 times the
/// decades when it spans about one, and round values of the data when it spans less.
fn log_key_points(l: f64, h: f64) -> Vec<f64> {
    const MAX: usize = 16;
    let span = h - l;
    if !(l.is_finite() && h.is_finite() && span > 0.0) {
        return Vec::new();
    }
    let mut keys: Vec<f64> = if span >= 3.0 {
        let step = (span / 8.0).ceil();
        let first = (l / step).ceil();
        (0..MAX)
            .map(|k| (first + k as f64) * step)
            .take_while(|&e| e <= h)
            .collect()
    } else if span >= 0.8 {
        let first = l.floor();
        (0..MAX)
            .flat_map(|k| [1.0f64, 2.0, 5.0].map(|m| first + k as f64 + m.log10()))
            .filter(|&e| e >= l)
            .take_while(|&e| e <= h)
            .collect()
    } else {
        let (a, b) = (10f64.powf(l), 10f64.powf(h));
        let step = nice_step((b - a) / 5.0);
        let first = (a / step).ceil();
        (0..MAX)
            .map(|k| (first + k as f64) * step)
            .take_while(|&v| v <= b)
            .filter(|&v| v > 0.0)
            .map(f64::log10)
            .collect()
    };
    keys.truncate(MAX);
    keys
}

/// The smallest of 1, 2, 5 × 10ᵏ at least `x` (> 0).
fn nice_step(x: f64) -> f64 {
    let decade = 10f64.powf(x.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * decade)
        .find(|&s| s >= x)
        .unwrap_or(10.0 * decade)
}

/// The label of a tick at log₁₀ value `e` of a log axis: the value 10ᵉ.
fn log_tick(e: f64) -> String {
    let rounded = e.round();
    if (e - rounded).abs() < 1e-9 && !(-3.0..5.0).contains(&rounded) {
        format!("1e{}", rounded as i64)
    } else {
        format_tick(10f64.powf(e))
    }
}

impl LineChart {
    /// Draws a chart whose axes are both linear; `log_labels` says which of them hold
    /// log₁₀ values to be labelled as powers of ten.
    fn draw_linear<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        log_labels: (bool, bool),
    ) -> Result<()> {
        let ranges = self.ranges();
        self.draw_within(root, ranges, log_labels)
    }

    fn draw_within<DB: DrawingBackend>(
        &self,
        root: &DrawingArea<DB, Shift>,
        ((x0, x1), (y0, y1)): ((f64, f64), (f64, f64)),
        (x_log, y_log): (bool, bool),
    ) -> Result<()> {
        // Linear axes: ticks that are rounding noise (−6e-17 for 0) print as 0.
        let label = |log: bool, span: f64| {
            move |v: &f64| {
                if log {
                    log_tick(*v)
                } else {
                    format_tick_within(*v, span)
                }
            }
        };
        let (x_label, y_label) = (label(x_log, x1 - x0), label(y_log, y1 - y0));
        // Ticks: plotters' own on a linear axis, ours on a log axis (`log_key_points`).
        let axis = |low: f64, high: f64, log: bool| {
            let linear: RangedCoordf64 = (low..high).into();
            let (bold, light) = if log {
                (log_key_points(low, high), Vec::new())
            } else {
                (linear.key_points(10usize), linear.key_points(50usize))
            };
            Ticked {
                linear,
                bold,
                light,
            }
        };
        let area = titled_area(root, &self.title, &self.note)?;
        // The legend inside the chart where no data runs, else in a strip beside it.
        let labelled: Vec<&Series> = self.series.iter().filter(|s| !s.name.is_empty()).collect();
        // The plotting area: less the margins (16 each side) and the label areas.
        let plot_size = {
            let (w, h) = area.dim_in_pixel();
            (w.saturating_sub(86 + 32), h.saturating_sub(56 + 32))
        };
        let corner =
            (!labelled.is_empty()).then(|| self.legend_corner((x0, x1), (y0, y1), plot_size));
        let beside = matches!(corner, Some((_, crossings)) if crossings > 0);
        let (area, strip) = if beside {
            let (width, height) = area.dim_in_pixel();
            let (box_w, box_h) = legend_box(&labelled);
            if box_w + 8 <= width * 2 / 5 {
                let (plot, strip) = area.split_horizontally(width - box_w - 8);
                (plot, Some(strip))
            } else {
                // Too wide to stand beside the chart: under it, across the width.
                let (plot, strip) = area.split_vertically(height.saturating_sub(box_h + 8));
                (plot, Some(strip))
            }
        } else {
            (area, None)
        };
        let mut chart = ChartBuilder::on(&area)
            .margin(16)
            .x_label_area_size(56)
            .y_label_area_size(86)
            .build_cartesian_2d(axis(x0, x1, x_log), axis(y0, y1, y_log))?;
        chart
            .configure_mesh()
            .light_line_style(style::GRID)
            .bold_line_style(style::GRID.mix(1.0).stroke_width(1))
            .x_desc(self.x_label.as_str())
            .y_desc(self.y_label.as_str())
            .axis_desc_style(style::label_font())
            .label_style(style::tick_font())
            .x_label_formatter(&x_label)
            .y_label_formatter(&y_label)
            .draw()?;

        let (y_low, y_high) = {
            let r = chart.plotting_area().get_y_range();
            (r.start, r.end)
        };
        for line in &self.vertical_lines {
            if !line.x.is_finite() || (self.x_scale == Scale::Log && line.x <= 0.0) {
                continue;
            }
            chart.draw_series(DashedLineSeries::new(
                [(line.x, y_low), (line.x, y_high)],
                6,
                4,
                style::GREY.stroke_width(2),
            ))?;
            chart.draw_series(std::iter::once(Text::new(
                line.label.clone(),
                (line.x, y_low),
                style::legend_font().pos(plotters::style::text_anchor::Pos::new(
                    plotters::style::text_anchor::HPos::Left,
                    plotters::style::text_anchor::VPos::Bottom,
                )),
            )))?;
        }

        let drawable = |p: &(f64, f64)| {
            p.0.is_finite()
                && p.1.is_finite()
                && (self.x_scale == Scale::Linear || p.0 > 0.0)
                && (self.y_scale == Scale::Linear || p.1 > 0.0)
        };
        for series in &self.series {
            let colour = style::series_colour(series.colour);
            let points: Vec<(f64, f64)> = series.points.iter().copied().filter(drawable).collect();
            let line_style = colour.stroke_width(2);
            let annotation = match series.stroke {
                Stroke::Solid => chart.draw_series(LineSeries::new(points, line_style))?,
                Stroke::Dashed => {
                    chart.draw_series(DashedLineSeries::new(points, 8, 5, line_style))?
                }
                Stroke::Points => chart.draw_series(
                    points
                        .into_iter()
                        .map(|p| Circle::new(p, 3, colour.filled())),
                )?,
                Stroke::LinePoints => {
                    chart.draw_series(LineSeries::new(points, line_style).point_size(3))?
                }
            };
            if !series.name.is_empty() {
                let dashed = series.stroke == Stroke::Dashed;
                annotation
                    .label(series.name.as_str())
                    .legend(move |(x, y)| {
                        if dashed {
                            PathElement::new(vec![(x, y), (x + 8, y)], colour.stroke_width(2))
                        } else {
                            PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(2))
                        }
                    });
            }
        }
        match (strip, corner) {
            (Some(strip), _) => draw_legend_beside(&strip, &labelled)?,
            (None, Some((corner, _))) => style::draw_legend(&mut chart, corner)?,
            _ => {}
        }
        Ok(())
    }
}

/// Pixels per character of the legend font, for sizing the strip (DejaVu Sans at 15 px
/// averages about 8).
const LEGEND_CHAR_WIDTH: u32 = 8;

/// The size in pixels of plotters' legend box for these series: the longest name after
/// a line sample, one row each.
fn legend_box(labelled: &[&Series]) -> (u32, u32) {
    let chars = labelled
        .iter()
        .map(|s| s.name.chars().count())
        .max()
        .unwrap_or(0) as u32;
    (
        chars * LEGEND_CHAR_WIDTH + 40,
        labelled.len() as u32 * 20 + 12,
    )
}

/// A legend in its own strip (right of the chart, or under it when its names are too
/// long for 40% of the width): a line sample and the name per series, one per row.
fn draw_legend_beside<DB: DrawingBackend>(
    strip: &DrawingArea<DB, Shift>,
    labelled: &[&Series],
) -> Result<()> {
    const ROW: i32 = 20;
    const TOP: i32 = 14;
    let left_centre = plotters::style::text_anchor::Pos::new(
        plotters::style::text_anchor::HPos::Left,
        plotters::style::text_anchor::VPos::Center,
    );
    for (row, series) in labelled.iter().enumerate() {
        let y = TOP + ROW * row as i32;
        let colour = style::series_colour(series.colour);
        let sample = match series.stroke {
            Stroke::Dashed => vec![(4, y), (12, y)],
            _ => vec![(4, y), (24, y)],
        };
        strip.draw(&PathElement::new(sample, colour.stroke_width(2)))?;
        if matches!(series.stroke, Stroke::Points | Stroke::LinePoints) {
            strip.draw(&Circle::new((14, y), 3, colour.filled()))?;
        }
        strip.draw(&Text::new(
            series.name.clone(),
            (30, y),
            style::legend_font().pos(left_centre),
        ))?;
    }
    Ok(())
}

/// Draws the title (and an optional note under it) at the top of `root` and returns the
/// area below for the chart (all of `root` when both are empty).
pub fn titled_area<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    note: &str,
) -> Result<DrawingArea<DB, Shift>> {
    if title.is_empty() && note.is_empty() {
        return Ok(root.clone());
    }
    let title_height = if note.is_empty() { 44 } else { 68 };
    let (top, rest) = root.split_vertically(title_height);
    let (width, _) = top.dim_in_pixel();
    let centre = plotters::style::text_anchor::Pos::new(
        plotters::style::text_anchor::HPos::Center,
        plotters::style::text_anchor::VPos::Top,
    );
    top.draw(&Text::new(
        title.to_string(),
        (width as i32 / 2, 10),
        style::title_font().pos(centre),
    ))?;
    if !note.is_empty() {
        top.draw(&Text::new(
            note.to_string(),
            (width as i32 / 2, 42),
            style::legend_font()
                .color(&style::GREY.mix(1.0))
                .pos(centre),
        ))?;
    }
    Ok(rest)
}

/// [`format_tick`], but "0" for |v| ≤ 10⁻⁹·span (a tick at zero computed with rounding
/// error on a linear axis of that span).
pub fn format_tick_within(v: f64, span: f64) -> String {
    if v.abs() <= 1e-9 * span {
        "0".into()
    } else {
        format_tick(v)
    }
}

/// A tick label: plain for moderate magnitudes, scientific otherwise.
pub fn format_tick(v: f64) -> String {
    let a = v.abs();
    if v == 0.0 {
        "0".into()
    } else if (1e-3..1e5).contains(&a) {
        let s = format!("{v:.3}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        s.to_string()
    } else {
        // Up to three significant digits, so neighbouring ticks (1.5e5, 2e5, 2.5e5) stay
        // distinct.
        let s = format!("{v:.2e}");
        let (mantissa, exponent) = s.split_once('e').unwrap_or((&s, "0"));
        let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
        format!("{mantissa}e{exponent}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_read_well() {
        assert_eq!(format_tick(0.0), "0");
        assert_eq!(format_tick(2.5), "2.5");
        assert_eq!(format_tick(100.0), "100");
        assert_eq!(format_tick(1e-6), "1e-6");
        assert_eq!(format_tick(-1.5e5), "-1.5e5");
        assert_eq!(format_tick(2.5e-5), "2.5e-5");
        assert_eq!(format_tick(1e19), "1e19");
        assert_eq!(format_tick(-0.125), "-0.125");
        assert_eq!(format_tick_within(-1e-16, 2.0), "0");
        assert_eq!(format_tick_within(1e-16, 0.0), "1e-16");
    }

    #[test]
    fn the_legend_avoids_the_data() {
        let mut chart = LineChart::new("t", "x", "y");
        // A rising line fills the upper-right and lower-left corners.
        let rising = (0..=10).map(|i| (i as f64, i as f64)).collect();
        chart
            .series
            .push(Series::new("a", rising, Stroke::Solid, 0));
        let ((x0, x1), (y0, y1)) = chart.ranges();
        let (corner, crossings) = chart.legend_corner((x0, x1), (y0, y1), (800, 500));
        assert!(
            matches!(corner, SeriesLabelPosition::UpperLeft) && crossings == 0,
            "{corner:?} {crossings}"
        );
        // A flat line across the middle and two across the top and bottom leave no free
        // place: the count says so, and the legend goes beside the chart.
        for v in [0.0, 5.0, 10.0] {
            let flat = (0..=10).map(|i| (i as f64, v)).collect();
            chart.series.push(Series::new("b", flat, Stroke::Solid, 1));
        }
        let ((x0, x1), (y0, y1)) = chart.ranges();
        assert!(chart.legend_corner((x0, x1), (y0, y1), (800, 500)).1 > 0);
        // A legend taller than the plot has no place inside.
        assert_eq!(
            chart.legend_corner((x0, x1), (y0, y1), (800, 60)).1,
            usize::MAX
        );
    }

    #[test]
    fn log_axes_label_their_whole_range_with_round_values() {
        // 33 decades: every 5th, from the bottom of the range to its top (plotters' own
        // log ticks stopped at 1e-13 on such a range).
        let keys = log_key_points(-31.2, 2.4);
        let labels: Vec<String> = keys.iter().map(|&e| log_tick(e)).collect();
        assert_eq!(
            labels,
            ["1e-30", "1e-25", "1e-20", "1e-15", "1e-10", "1e-5", "1"]
        );
        // One decade: 1, 2, 5 times the decades.
        let labels: Vec<String> = log_key_points(-0.5, 1.1)
            .iter()
            .map(|&e| log_tick(e))
            .collect();
        assert_eq!(labels, ["0.5", "1", "2", "5", "10"]);
        // Within a decade: round values of the data.
        let labels: Vec<String> = log_key_points(5.3f64.log10(), 12.6f64.log10())
            .iter()
            .map(|&e| log_tick(e))
            .collect();
        assert_eq!(labels, ["6", "8", "10", "12"]);
        assert!(log_key_points(1.0, 1.0).is_empty());
        assert!(log_key_points(f64::NEG_INFINITY, 1.0).is_empty());
    }

    #[test]
    fn log_ranges_ignore_non_positive_points() {
        let mut chart = LineChart::new("t", "x", "y");
        chart.y_scale = Scale::Log;
        chart.series.push(Series::new(
            "a",
            vec![(0.0, 0.0), (1.0, 1e-3), (2.0, 10.0)],
            Stroke::Solid,
            0,
        ));
        let (_, (y0, y1)) = chart.ranges();
        assert!(y0 > 0.0 && y0 < 1e-3 && y1 > 10.0, "{y0} {y1}");
    }
}
