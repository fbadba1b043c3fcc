//! Several [`LineChart`]s side by side under one title: one panel per activation, per
//! initialisation or per quantity, as the deep-training experiments draw them. Panels
//! fill a grid row by row; each keeps its own axes and legend.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::chart::{titled_area, LineChart};
use super::output::Figure;
use crate::error::Result;

/// Pixels per panel of the default size.
const PANEL: (u32, u32) = (640, 460);

/// A grid of charts.
#[derive(Clone, Debug, Default)]
pub struct Panels {
    /// The figure's title.
    pub title: String,
    /// A note under the title; empty for none.
    pub note: String,
    /// The panels, row by row.
    pub charts: Vec<LineChart>,
    /// Panels per row (at least 1).
    pub columns: usize,
}

impl Panels {
    /// Panels with a title, `columns` to a row.
    pub fn new(title: impl Into<String>, columns: usize, charts: Vec<LineChart>) -> Self {
        Panels {
            title: title.into(),
            note: String::new(),
            charts,
            columns: columns.max(1),
        }
    }

    /// Rows of the grid.
    fn rows(&self) -> usize {
        self.charts.len().div_ceil(self.columns.max(1)).max(1)
    }

    /// A size that gives every panel 640 × 460 pixels, plus the title.
    pub fn size(&self) -> (u32, u32) {
        let columns = self.columns.clamp(1, self.charts.len().max(1)) as u32;
        let title = if self.note.is_empty() { 44 } else { 68 };
        (PANEL.0 * columns, PANEL.1 * self.rows() as u32 + title)
    }
}

impl Figure for Panels {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let area = titled_area(root, &self.title, &self.note)?;
        let columns = self.columns.clamp(1, self.charts.len().max(1));
        let cells = area.split_evenly((self.rows(), columns));
        for (chart, cell) in self.charts.iter().zip(&cells) {
            chart.draw(cell)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::{render, ImageFormat, Series, Stroke};

    #[test]
    fn panels_render_in_a_grid_of_the_stated_size() {
        let chart = |t: &str| {
            let mut c = LineChart::new(t, "layer", "‖∇W‖");
            c.series.push(Series::new(
                "a",
                vec![(1.0, 1.0), (2.0, 0.5)],
                Stroke::Solid,
                0,
            ));
            c
        };
        let panels = Panels::new(
            "three",
            2,
            vec![chart("panel-x"), chart("panel-y"), chart("panel-z")],
        );
        assert_eq!(panels.size(), (1280, 2 * 460 + 44));
        let svg =
            String::from_utf8(render(&panels, ImageFormat::Svg, panels.size()).unwrap()).unwrap();
        for t in ["three", "panel-x", "panel-y", "panel-z"] {
            assert!(svg.contains(t), "{t}");
        }
    }
}
