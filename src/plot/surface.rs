//! The 3-D surface view of a slice: one viridis-coloured quadrilateral per grid cell
//! (the grid thinned to at most [`MAX_CELLS`] per axis), drawn far to near so nearer
//! cells cover farther ones.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::chart::format_tick_within;
use super::slice::{ColourScale, SliceFigure};
use super::style;
use crate::error::Result;

/// Most cells per axis in the surface view (a denser mesh only darkens the picture with
/// cell borders and slows SVG output).
pub const MAX_CELLS: usize = 48;

pub(crate) fn draw_surface<DB: DrawingBackend>(
    figure: &SliceFigure,
    scale: &ColourScale,
    area: &DrawingArea<DB, Shift>,
) -> Result<()> {
    let g = &figure.grid;
    let (nx, ny) = (g.alphas.len(), g.betas.len());
    let pick = |n: usize| -> Vec<usize> {
        let cells = (n - 1).min(MAX_CELLS);
        let mut idx: Vec<usize> = (0..=cells).map(|k| k * (n - 1) / cells).collect();
        idx.dedup();
        idx
    };
    let (xs, ys) = (pick(nx), pick(ny));
    let (fmin, fmax) = g.finite_range().unwrap_or((0.0, 1.0));
    let (fmin, fmax) = if fmax > fmin {
        (fmin, fmax)
    } else {
        (fmin - 0.5, fmin + 0.5)
    };
    let (a0, a1) = (g.alphas[0], g.alphas[nx - 1]);
    let (b0, b1) = (g.betas[0], g.betas[ny - 1]);

    let (plot, caption) = {
        let (_, h) = area.dim_in_pixel();
        area.split_vertically(h.saturating_sub(34))
    };
    let mut chart =
        ChartBuilder::on(&plot)
            .margin(24)
            .build_cartesian_3d(a0..a1, fmin..fmax, b0..b1)?;
    chart.with_projection(|mut p| {
        p.yaw = 0.65;
        p.pitch = 0.45;
        p.scale = 0.78;
        p.into_matrix()
    });
    chart
        .configure_axes()
        .light_grid_style(style::GRID)
        .max_light_lines(3)
        .label_style(style::tick_font())
        .x_formatter(&|v| format_tick_within(*v, a1 - a0))
        .y_formatter(&|v| format_tick_within(*v, fmax - fmin))
        .z_formatter(&|v| format_tick_within(*v, b1 - b0))
        .draw()?;

    // Values are clamped into the drawn range; non-finite cells are skipped.
    let height = |i: usize, j: usize| g.value(i, j).clamp(fmin, fmax);
    let mut cells = Vec::with_capacity(xs.len() * ys.len());
    for wj in ys.windows(2) {
        for wi in xs.windows(2) {
            let corners = [
                (wi[0], wj[0]),
                (wi[1], wj[0]),
                (wi[1], wj[1]),
                (wi[0], wj[1]),
            ];
            if corners.iter().any(|&(i, j)| !g.value(i, j).is_finite()) {
                continue;
            }
            let quad: Vec<(f64, f64, f64)> = corners
                .iter()
                .map(|&(i, j)| (g.alphas[i], height(i, j), g.betas[j]))
                .collect();
            let mean = corners.iter().map(|&(i, j)| g.value(i, j)).sum::<f64>() / 4.0;
            let centre = (
                quad.iter().map(|p| p.0).sum::<f64>() / 4.0,
                quad.iter().map(|p| p.1).sum::<f64>() / 4.0,
                quad.iter().map(|p| p.2).sum::<f64>() / 4.0,
            );
            let depth = chart
                .as_coord_spec()
                .projected_depth(&centre.0, &centre.1, &centre.2);
            cells.push((depth, quad, style::viridis(scale.unit(mean))));
        }
    }
    // Farthest first.
    cells.sort_by_key(|c| c.0);
    // Each cell filled, then outlined a little darker, so the mesh shows the shape.
    chart.draw_series(cells.into_iter().flat_map(|(_, quad, colour)| {
        let dark = RGBColor(
            (colour.0 as f64 * 0.8) as u8,
            (colour.1 as f64 * 0.8) as u8,
            (colour.2 as f64 * 0.8) as u8,
        );
        let mut border = quad.clone();
        border.push(quad[0]);
        [
            Polygon::new(quad, colour.filled()).into_dyn(),
            PathElement::new(border, dark.stroke_width(1)).into_dyn(),
        ]
    }))?;

    let (w, _) = caption.dim_in_pixel();
    caption.draw(&Text::new(
        format!(
            "horizontal: {} and {}; height: f",
            figure.alpha_label(),
            figure.beta_label()
        ),
        (w as i32 / 2, 4),
        style::legend_font().pos(plotters::style::text_anchor::Pos::new(
            plotters::style::text_anchor::HPos::Center,
            plotters::style::text_anchor::VPos::Top,
        )),
    ))?;
    Ok(())
}
