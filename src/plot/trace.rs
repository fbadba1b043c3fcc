//! `trace`: f and ‖∇f‖ against the iteration for several runs on one chart (two panels
//! sharing the iteration axis, the gradient norm on a log scale).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::chart::{titled_area, LineChart, Scale, Series, Stroke};
use super::inputs::TrajectoryFile;
use super::output::Figure;
use super::style;
use crate::error::Result;

/// Runs to draw, each with its legend name.
#[derive(Clone, Debug)]
pub struct TraceFigure {
    /// The title.
    pub title: String,
    /// The runs.
    pub runs: Vec<TrajectoryFile>,
    /// Draw f on a log scale (only sensible when f > 0 along every run, e.g. f − f*
    /// on problems with f* = 0).
    pub log_value: bool,
}

impl TraceFigure {
    fn panel(
        &self,
        y_label: &str,
        scale: Scale,
        pick: fn(&crate::optim::Record) -> f64,
    ) -> LineChart {
        let mut chart = LineChart::new("", "iteration t", y_label);
        chart.y_scale = scale;
        let names: Vec<&str> = self.runs.iter().map(|r| r.name.as_str()).collect();
        let colours = style::run_colours(&names, 0);
        chart.series = self
            .runs
            .iter()
            .zip(colours)
            .map(|(run, colour)| {
                let points = run
                    .records
                    .iter()
                    .map(|r| (r.iter as f64, pick(r)))
                    .collect();
                Series::new(run.name.clone(), points, Stroke::Solid, colour)
            })
            .collect();
        chart
    }
}

impl TraceFigure {
    /// On a log f axis, says how many records have f ≤ 0 (not drawable there) rather
    /// than leaving the gap unexplained; empty otherwise.
    pub fn hidden_values_note(&self) -> String {
        if !self.log_value {
            return String::new();
        }
        let hidden: usize = self
            .runs
            .iter()
            .map(|run| run.records.iter().filter(|r| r.value <= 0.0).count())
            .sum();
        if hidden == 0 {
            return String::new();
        }
        let (noun, verb) = if hidden == 1 {
            ("record", "is")
        } else {
            ("records", "are")
        };
        format!(
            "{hidden} {noun} with f ≤ 0 {verb} not drawn on the log axis (drop --log-value to \
             see them)"
        )
    }
}

impl Figure for TraceFigure {
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()> {
        let area = titled_area(root, &self.title, "")?;
        let (top, bottom) = {
            let (_, height) = area.dim_in_pixel();
            area.split_vertically(height / 2)
        };
        let value_scale = if self.log_value {
            Scale::Log
        } else {
            Scale::Linear
        };
        let mut values = self.panel("f(xₜ)", value_scale, |r| r.value);
        values.note = self.hidden_values_note();
        values.draw(&top)?;
        self.panel("‖∇f(xₜ)‖", Scale::Log, |r| r.grad_norm)
            .draw(&bottom)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::optim::Record;

    #[test]
    fn a_log_value_axis_says_which_records_it_cannot_draw() {
        let records = [1.0, 0.5, 0.0, -0.5]
            .iter()
            .enumerate()
            .map(|(i, &value)| Record {
                iter: i,
                value,
                ..Record::default()
            })
            .collect();
        let mut figure = TraceFigure {
            title: String::new(),
            runs: vec![TrajectoryFile {
                name: "gd".into(),
                records,
                problem: None,
            }],
            log_value: true,
        };
        assert!(figure
            .hidden_values_note()
            .starts_with("2 records with f ≤ 0"));
        figure.log_value = false;
        assert!(figure.hidden_values_note().is_empty());
    }
}
