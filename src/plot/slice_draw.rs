//! Drawing a [`SliceFigure`] on a plane: the heatmap cells, contour lines, projected
//! paths with start and end markers, verdict markers and the legend (the surface view is
//! in [`super::surface`]).

use plotters::coord::types::RangedCoordf64;
use plotters::coord::Shift;
use plotters::element::{Drawable, PointCollection};
use plotters::prelude::*;
use plotters_backend::{BackendCoord, DrawingErrorKind};

use super::chart::{format_tick_within, titled_area};
use super::contour::contour_lines;
use super::grid::Grid;
use super::output::Figure;
use super::slice::{ColourScale, ProjectedPoint, SliceFigure, SliceView};
use super::style::{self, MarkerShape};
use crate::error::Result;
use crate::verdict::Verdict;

impl Figure for SliceFigure {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let area = titled_area(root, &self.title(), &self.note())?;
        let (width, _) = area.dim_in_pixel();
        let (plot, bar) = area.split_horizontally(width.saturating_sub(150));
        let scale = self.colour_scale();
        style::draw_colorbar(&bar, scale.low, scale.high, &scale.label)?;
        if self.options.view == SliceView::Surface {
            return super::surface::draw_surface(self, &scale, &plot);
        }
        self.draw_plane(&plot, &scale)
    }
}

impl SliceFigure {
    fn draw_plane<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        scale: &ColourScale,
    ) -> Result<()> {
        let g = &self.grid;
        let (a0, a1) = (g.alphas[0], *g.alphas.last().expect("grid"));
        let (b0, b1) = (g.betas[0], *g.betas.last().expect("grid"));
        let mut chart = ChartBuilder::on(area)
            .margin(16)
            .x_label_area_size(56)
            .y_label_area_size(80)
            .build_cartesian_2d(a0..a1, b0..b1)?;
        chart
            .configure_mesh()
            .disable_mesh()
            .x_desc(self.alpha_label())
            .y_desc(self.beta_label())
            .axis_desc_style(style::label_font())
            .label_style(style::tick_font())
            .x_label_formatter(&|v| format_tick_within(*v, a1 - a0))
            .y_label_formatter(&|v| format_tick_within(*v, b1 - b0))
            .draw()?;

        let view = self.options.view;
        if matches!(view, SliceView::Heatmap | SliceView::HeatmapContour) {
            let (nx, ny) = (g.alphas.len(), g.betas.len());
            let edge = |v: &[f64], k: usize| -> (f64, f64) {
                let lo = if k == 0 {
                    v[0]
                } else {
                    0.5 * (v[k - 1] + v[k])
                };
                let hi = if k + 1 == v.len() {
                    v[k]
                } else {
                    0.5 * (v[k] + v[k + 1])
                };
                (lo, hi)
            };
            chart.draw_series((0..ny).flat_map(|j| (0..nx).map(move |i| (i, j))).map(
                |(i, j)| {
                    let (x0, x1) = edge(&g.alphas, i);
                    let (y0, y1) = edge(&g.betas, j);
                    let v = g.value(i, j);
                    let colour = if v.is_finite() {
                        style::viridis(scale.unit(v))
                    } else {
                        style::GREY
                    };
                    Rectangle::new([(x0, y0), (x1, y1)], colour.filled())
                },
            ))?;
        }
        if matches!(view, SliceView::Contour | SliceView::HeatmapContour) && self.options.levels > 0
        {
            let mapped = Grid {
                values: g.values.iter().map(|&v| scale.map(v)).collect(),
                ..g.clone()
            };
            for level in scale.levels(self.options.levels) {
                let colour = if view == SliceView::Contour {
                    style::viridis((level - scale.low) / (scale.high - scale.low)).mix(1.0)
                } else {
                    WHITE.mix(0.55)
                };
                for line in contour_lines(&mapped, level) {
                    chart.draw_series(std::iter::once(PathElement::new(
                        line,
                        colour.stroke_width(1),
                    )))?;
                }
            }
        }
        self.draw_paths(&mut chart)?;
        if self.marks_centre() {
            // A black cross on a white one, readable on any colour, and its name; under
            // the stationary points, so that a point at x₀ shows its marker.
            let at = (0.0, 0.0);
            chart.draw_series(std::iter::once(
                EmptyElement::at(at)
                    + Cross::new((0, 0), 7, WHITE.stroke_width(5))
                    + Cross::new((0, 0), 7, BLACK.stroke_width(2))
                    + Text::new("x₀", (9, -22), style::legend_font()),
            ))?;
        }
        self.draw_points(&mut chart)?;
        if !self.paths.is_empty() || !self.points.is_empty() {
            style::draw_legend(&mut chart, self.legend_corner())?;
        }
        Ok(())
    }

    fn in_range(&self, (a, b): (f64, f64)) -> bool {
        let g = &self.grid;
        a >= g.alphas[0]
            && a <= *g.alphas.last().expect("grid")
            && b >= g.betas[0]
            && b <= *g.betas.last().expect("grid")
    }

    fn draw_paths<DB: DrawingBackend>(
        &self,
        chart: &mut ChartContext<'_, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    ) -> Result<()> {
        // The palette without its blue (too close to viridis' dark end) unless the runs
        // are distinct optimizers, which keep their own colours (on a white halo).
        let names: Vec<&str> = self.paths.iter().map(|p| p.name.as_str()).collect();
        let colours = style::run_colours(&names, 1);
        for (path, colour) in self.paths.iter().zip(colours) {
            let colour = style::series_colour(colour);
            // Break the path where it leaves the drawn range.
            let mut runs: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
            for &p in &path.points {
                if self.in_range(p) {
                    runs.last_mut().expect("one run").push(p);
                } else if !runs.last().expect("one run").is_empty() {
                    runs.push(Vec::new());
                }
            }
            for run in &runs {
                chart.draw_series(std::iter::once(PathElement::new(
                    run.clone(),
                    WHITE.stroke_width(4),
                )))?;
            }
            let mut first = true;
            for run in runs {
                let drawn = chart.draw_series(std::iter::once(PathElement::new(
                    run,
                    colour.stroke_width(2),
                )))?;
                if first {
                    first = false;
                    drawn
                        .label(format!(
                            "{} (plane captures {:.1}%)",
                            path.name,
                            100.0 * path.captured
                        ))
                        .legend(move |(x, y)| {
                            PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(3))
                        });
                }
            }
            if let Some(&start) = path.points.first().filter(|p| self.in_range(**p)) {
                chart.draw_series([
                    Circle::new(start, 6, WHITE.filled()),
                    Circle::new(start, 6, colour.stroke_width(2)),
                ])?;
            }
            if let Some(&end) = path.points.last().filter(|p| self.in_range(**p)) {
                chart.draw_series([
                    Circle::new(end, 6, colour.filled()),
                    Circle::new(end, 6, WHITE.stroke_width(1)),
                ])?;
            }
        }
        Ok(())
    }

    fn draw_points<DB: DrawingBackend>(
        &self,
        chart: &mut ChartContext<'_, DB, Cartesian2d<RangedCoordf64, RangedCoordf64>>,
    ) -> Result<()> {
        let mut verdicts: Vec<Verdict> = self.points.iter().map(|p| p.verdict).collect();
        verdicts.sort();
        verdicts.dedup();
        for verdict in verdicts {
            let colour = style::verdict_colour(verdict);
            let shape = style::verdict_marker(verdict);
            let members: Vec<&ProjectedPoint> = self
                .points
                .iter()
                .filter(|p| p.verdict == verdict && self.in_range(p.at))
                .collect();
            if members.is_empty() {
                continue;
            }
            let elements = members.iter().flat_map(|p| {
                let fill = if p.on_plane {
                    colour.filled()
                } else {
                    WHITE.filled()
                };
                let outline = if p.on_plane {
                    BLACK.stroke_width(1)
                } else {
                    colour.stroke_width(2)
                };
                [marker(shape, p.at, fill), marker(shape, p.at, outline)]
            });
            chart
                .draw_series(elements)?
                .label(verdict.name())
                .legend(move |(x, y)| marker(shape, (x + 10, y), colour.filled()));
        }
        Ok(())
    }

    /// The legend corner with the fewest drawn paths and points near it.
    fn legend_corner(&self) -> SeriesLabelPosition {
        let g = &self.grid;
        let (a0, a1) = (g.alphas[0], *g.alphas.last().expect("grid"));
        let (b0, b1) = (g.betas[0], *g.betas.last().expect("grid"));
        let marks: Vec<(f64, f64)> = self
            .paths
            .iter()
            .flat_map(|p| p.points.iter().copied())
            .chain(self.points.iter().map(|p| p.at))
            .map(|(a, b)| ((a - a0) / (a1 - a0), (b - b0) / (b1 - b0)))
            .collect();
        let crowd = |right: bool, top: bool| {
            marks
                .iter()
                .filter(|(u, v)| {
                    (if right { *u > 0.55 } else { *u < 0.45 })
                        && (if top { *v > 0.7 } else { *v < 0.3 })
                })
                .count()
        };
        [
            (SeriesLabelPosition::UpperRight, crowd(true, true)),
            (SeriesLabelPosition::UpperLeft, crowd(false, true)),
            (SeriesLabelPosition::LowerRight, crowd(true, false)),
            (SeriesLabelPosition::LowerLeft, crowd(false, false)),
        ]
        .into_iter()
        .min_by_key(|(_, n)| *n)
        .map(|(p, _)| p)
        .unwrap_or(SeriesLabelPosition::UpperRight)
    }
}

/// A verdict marker at a coordinate: filled (or outlined, for a style that is not
/// filled) circle, triangle or square, or a cross, about 14 pixels across.
pub struct Marker<C> {
    shape: MarkerShape,
    at: C,
    paint: ShapeStyle,
}

fn marker<C>(shape: MarkerShape, at: C, paint: ShapeStyle) -> Marker<C> {
    Marker { shape, at, paint }
}

impl<'a, C: 'a> PointCollection<'a, C> for &'a Marker<C> {
    type Point = &'a C;
    type IntoIter = std::iter::Once<&'a C>;
    fn point_iter(self) -> std::iter::Once<&'a C> {
        std::iter::once(&self.at)
    }
}

impl<C, DB: DrawingBackend> Drawable<DB> for Marker<C> {
    fn draw<I: Iterator<Item = BackendCoord>>(
        &self,
        mut points: I,
        backend: &mut DB,
        _: (u32, u32),
    ) -> std::result::Result<(), DrawingErrorKind<DB::ErrorType>> {
        let Some((x, y)) = points.next() else {
            return Ok(());
        };
        let paint = &self.paint;
        let outline = |backend: &mut DB, corners: Vec<BackendCoord>| {
            if paint.filled {
                backend.fill_polygon(corners, &paint.color)
            } else {
                let mut closed = corners.clone();
                closed.push(corners[0]);
                backend.draw_path(closed, paint)
            }
        };
        match self.shape {
            MarkerShape::Circle => backend.draw_circle((x, y), 7, paint, paint.filled),
            MarkerShape::Triangle => {
                outline(backend, vec![(x, y - 9), (x - 8, y + 6), (x + 8, y + 6)])
            }
            MarkerShape::Square => outline(
                backend,
                vec![
                    (x - 6, y - 6),
                    (x + 6, y - 6),
                    (x + 6, y + 6),
                    (x - 6, y + 6),
                ],
            ),
            MarkerShape::Cross => {
                let thick = ShapeStyle {
                    stroke_width: 3,
                    ..*paint
                };
                backend.draw_line((x - 6, y - 6), (x + 6, y + 6), &thick)?;
                backend.draw_line((x - 6, y + 6), (x + 6, y - 6), &thick)
            }
        }
    }
}
