//! The atlas chart: one horizontal bar per atlas row, stacked by where the runs ended —
//! global minimum, spurious local minimum, saddle, degenerate, not converged — as
//! fractions of the runs, coloured like the verdicts' markers.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::output::Figure;
use super::style;
use crate::experiments::atlas::{Atlas, AtlasRow};
use crate::verdict::Verdict;

/// The atlas as a stacked bar chart (see the module doc).
#[derive(Clone, Copy, Debug)]
pub struct AtlasChart<'a> {
    /// The atlas drawn.
    pub atlas: &'a Atlas,
}

/// The segments of a bar, in drawing order: legend name, colour, count in a row.
type Segment = (&'static str, RGBColor, fn(&AtlasRow) -> usize);

fn segments() -> [Segment; 5] {
    [
        (
            "global minimum",
            style::verdict_colour(Verdict::GlobalMin),
            |r| r.global_min,
        ),
        (
            "spurious local minimum",
            style::verdict_colour(Verdict::SpuriousLocalMin),
            |r| r.spurious_local_min,
        ),
        (
            "saddle",
            style::verdict_colour(Verdict::StrictSaddle),
            |r| r.saddle,
        ),
        ("degenerate", style::GREY, |r| r.degenerate),
        ("not converged", RGBColor(40, 40, 40), |r| r.not_converged),
    ]
}

/// Width in pixels of the legend column on the right.
const LEGEND_WIDTH: u32 = 230;

impl AtlasChart<'_> {
    /// A picture size that gives each bar about 34 pixels.
    pub fn size(&self) -> (u32, u32) {
        (1300, 170 + 34 * self.atlas.rows.len().max(1) as u32)
    }
}

impl Figure for AtlasChart<'_> {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> crate::error::Result<()> {
        let rows = &self.atlas.rows;
        let n = rows.len().max(1) as f64;
        let (width, _) = root.dim_in_pixel();
        let (plot_area, legend_area) = root.split_horizontally(width.saturating_sub(LEGEND_WIDTH));
        let mut chart = ChartBuilder::on(&plot_area)
            .caption(
                format!(
                    "Where descent from random starts ends ({} runs per problem, seed {})",
                    self.atlas.runs, self.atlas.seed
                ),
                style::title_font(),
            )
            .margin(15)
            .x_label_area_size(50)
            .y_label_area_size(370)
            .build_cartesian_2d(0.0..1.0, 0.0..n)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .disable_y_axis()
            .bold_line_style(style::GRID)
            .max_light_lines(0)
            .x_labels(11)
            .x_label_formatter(&|v| format!("{:.0}%", 100.0 * v))
            .x_label_style(style::tick_font())
            .x_desc("fraction of runs")
            .axis_desc_style(style::label_font())
            .draw()?;
        // Row i is drawn top-down: its bar spans y ∈ [n − i − 1 + gap, n − i − gap].
        let band = |i: usize| (n - i as f64 - 0.82, n - i as f64 - 0.18);
        let segments = segments();
        for (name, colour, count) in segments {
            let bars: Vec<Rectangle<(f64, f64)>> = rows
                .iter()
                .enumerate()
                .filter_map(|(i, row)| {
                    let before: usize = segments
                        .iter()
                        .take_while(|s| s.0 != name)
                        .map(|s| (s.2)(row))
                        .sum();
                    let runs = row.runs.max(1) as f64;
                    let (x0, x1) = (before as f64 / runs, (before + count(row)) as f64 / runs);
                    let (y0, y1) = band(i);
                    (x1 > x0).then(|| Rectangle::new([(x0, y0), (x1, y1)], colour.filled()))
                })
                .collect();
            chart.draw_series(bars)?;
        }
        for (i, row) in rows.iter().enumerate() {
            let (y0, y1) = band(i);
            let (px, py) = chart.backend_coord(&(0.0, (y0 + y1) / 2.0));
            let text = format!("{} (expected {:?})", row.spec, row.expected).to_lowercase();
            plot_area.draw(&Text::new(
                text,
                (px - 8, py),
                style::legend_font().pos(Pos::new(HPos::Right, VPos::Center)),
            ))?;
        }
        for (i, (name, colour, _)) in segments.iter().enumerate() {
            let y = 80 + 28 * i as i32;
            legend_area.draw(&Rectangle::new([(10, y - 8), (28, y + 8)], colour.filled()))?;
            legend_area.draw(&Text::new(
                *name,
                (36, y),
                style::legend_font().pos(Pos::new(HPos::Left, VPos::Center)),
            ))?;
        }
        Ok(())
    }
}
