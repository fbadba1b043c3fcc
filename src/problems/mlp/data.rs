//! The data an `mlp` trains on: inputs X (N × p, row-major) and targets Y (N × q), with
//! integer class labels when the task is classification.
//!
//! Sources (the spec's `data`):
//! - `digits`: the 8×8 handwritten digits (1,797 images, 64 pixels in 0…16, 10
//!   classes), the copy of the UCI optdigits test set that scikit-learn ships, embedded
//!   in the binary (`data/digits/`, with its description and licence);
//! - `spiral`: `classes` interleaved spiral arms in the plane, `samples` points in all:
//!   point i of arm k has radius r = i/m and angle θ = 4(k + r) + `noise`·ξ, ξ ~ N(0, 1)
//!   (m points per arm), at (r sin θ, r cos θ);
//! - `teacher`: X with iid N(0, 1) entries (`samples` × `inputs`), Y = the output of a
//!   teacher `mlp` (`teacher_widths`, `teacher_activation`, Kaiming-normal weights, zero
//!   biases, `outputs` outputs) plus `noise`·N(0, 1) label noise;
//! - your own: `x` and `y` as inline arrays, `.npy` or `.csv` files (`y`: integer
//!   classes as a vector, or real targets / one-hot rows as a matrix).
//!
//! A seeded split holds out `test_fraction` of the samples (shuffled with the spec's
//! seed). Inputs are standardised by default: every feature is centred and scaled to unit
//! variance with the *training* set's mean and standard deviation (a constant feature is
//! only centred); `standardize = false` keeps them as given.

use std::io::Read;
use std::path::Path;

use rand::seq::SliceRandom;
use rand::Rng;
use rand_distr::StandardNormal;

use crate::error::{Error, Result};
use crate::random::stream;

/// The embedded digits: scikit-learn's `digits.csv.gz` (65 integers per line: 64 pixels,
/// then the label).
const DIGITS: &[u8] = include_bytes!("../../../data/digits/digits.csv.gz");

/// Inputs, targets and labels of N samples.
#[derive(Clone, Debug, PartialEq)]
pub struct Dataset {
    /// X, N × p row-major.
    pub x: Vec<f64>,
    /// Y, N × q row-major (one-hot rows for labels).
    pub y: Vec<f64>,
    /// N.
    pub samples: usize,
    /// p.
    pub inputs: usize,
    /// q.
    pub outputs: usize,
    /// Class labels in 0…q−1 (classification data only).
    pub labels: Option<Vec<usize>>,
}

impl Dataset {
    /// A dataset from inputs and labels (one-hot targets over `classes`).
    pub fn classes(x: Vec<f64>, inputs: usize, labels: Vec<usize>, classes: usize) -> Result<Self> {
        let samples = labels.len();
        if let Some((i, &c)) = labels.iter().enumerate().find(|(_, &c)| c >= classes) {
            return Err(Error::invalid(
                "y",
                format!("class labels in 0…{}", classes.saturating_sub(1)),
                format!("label {c} at sample {i}"),
            ));
        }
        let mut y = vec![0.0; samples * classes];
        for (i, &c) in labels.iter().enumerate() {
            y[i * classes + c] = 1.0;
        }
        Ok(Dataset {
            x,
            y,
            samples,
            inputs,
            outputs: classes,
            labels: Some(labels),
        })
    }

    /// The rows `rows` (inputs, targets, labels).
    pub fn select(&self, rows: &[usize]) -> Dataset {
        let pick = |m: &[f64], w: usize| {
            rows.iter()
                .flat_map(|&i| m[i * w..(i + 1) * w].iter().copied())
                .collect()
        };
        Dataset {
            x: pick(&self.x, self.inputs),
            y: pick(&self.y, self.outputs),
            samples: rows.len(),
            inputs: self.inputs,
            outputs: self.outputs,
            labels: self
                .labels
                .as_ref()
                .map(|l| rows.iter().map(|&i| l[i]).collect()),
        }
    }
}

/// The 1,797 digits, pixels as given (0…16).
pub fn digits() -> Result<Dataset> {
    let mut text = String::new();
    flate2::read::GzDecoder::new(DIGITS)
        .read_to_string(&mut text)
        .map_err(|e| Error::Parse {
            what: "the embedded digits".into(),
            message: e.to_string(),
        })?;
    let mut x = Vec::with_capacity(1797 * 64);
    let mut labels = Vec::with_capacity(1797);
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let values: Vec<f64> = line
            .split(',')
            .filter_map(|v| v.trim().parse().ok())
            .collect();
        if values.len() != 65 {
            return Err(Error::Parse {
                what: "the embedded digits".into(),
                message: format!("a line with {} values, expected 65", values.len()),
            });
        }
        x.extend_from_slice(&values[..64]);
        labels.push(values[64] as usize);
    }
    Dataset::classes(x, 64, labels, 10)
}

/// `classes` spiral arms of `samples` points in all (module doc).
pub fn spiral(samples: usize, classes: usize, noise: f64, seed: u64) -> Result<Dataset> {
    if classes < 2 || samples < classes {
        return Err(Error::invalid(
            "samples",
            format!("at least one point per arm ({classes} arms, ≥ 2)"),
            samples,
        ));
    }
    let mut rng = stream(seed, 1);
    let per_arm = samples.div_ceil(classes);
    let mut x = Vec::with_capacity(2 * samples);
    let mut labels = Vec::with_capacity(samples);
    for i in 0..samples {
        let (k, j) = (i % classes, i / classes);
        let r = j as f64 / per_arm as f64;
        let xi: f64 = rng.sample(StandardNormal);
        let theta = 4.0 * (k as f64 + r) + noise * xi;
        x.push(r * theta.sin());
        x.push(r * theta.cos());
        labels.push(k);
    }
    Dataset::classes(x, 2, labels, classes)
}

/// iid N(0, 1) inputs, `samples` × `inputs`, from stream 2 of the seed.
pub fn gaussian_inputs(samples: usize, inputs: usize, seed: u64) -> Vec<f64> {
    let mut rng = stream(seed, 2);
    (0..samples * inputs)
        .map(|_| rng.sample(StandardNormal))
        .collect()
}

/// Adds `noise`·N(0, 1) to every target (stream 3 of the seed).
pub fn add_noise(y: &mut [f64], noise: f64, seed: u64) {
    if noise == 0.0 {
        return;
    }
    let mut rng = stream(seed, 3);
    y.iter_mut()
        .for_each(|v| *v += noise * rng.sample::<f64, _>(StandardNormal));
}

/// A matrix from a `.csv` file of numbers (comma-separated, one row per line; a first
/// line that is not numbers is taken as a header and skipped).
pub fn read_csv(path: &Path, field: &str) -> Result<(Vec<f64>, usize, usize)> {
    let text = crate::budget::read_text(path)?;
    let mut data = Vec::new();
    let mut cols = None;
    let mut rows = 0;
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let parsed: std::result::Result<Vec<f64>, _> =
            line.split(',').map(|v| v.trim().parse::<f64>()).collect();
        let values = match parsed {
            Ok(values) => values,
            Err(_) if i == 0 => continue,
            Err(_) => {
                return Err(Error::invalid(
                    field,
                    "a CSV file of numbers",
                    format!("line {} of `{}`: `{line}`", i + 1, path.display()),
                ))
            }
        };
        if *cols.get_or_insert(values.len()) != values.len() {
            return Err(Error::invalid(
                field,
                format!("rows of {} values", cols.unwrap_or(0)),
                format!(
                    "line {} of `{}` with {}",
                    i + 1,
                    path.display(),
                    values.len()
                ),
            ));
        }
        data.extend(values);
        rows += 1;
    }
    Ok((data, rows, cols.unwrap_or(0)))
}

/// A seeded split: the first ⌊fraction·N⌉ of a permutation (stream 4 of the seed) are
/// the test set, the rest (in their original order) the training set.
pub fn split(data: &Dataset, fraction: f64, seed: u64) -> Result<(Dataset, Option<Dataset>)> {
    if !(0.0..1.0).contains(&fraction) {
        return Err(Error::invalid(
            "test_fraction",
            "a number in [0, 1)",
            fraction,
        ));
    }
    let test = (fraction * data.samples as f64).round() as usize;
    if test == 0 {
        return Ok((data.clone(), None));
    }
    if test >= data.samples {
        return Err(Error::invalid(
            "test_fraction",
            "a fraction that leaves training samples",
            fraction,
        ));
    }
    let mut order: Vec<usize> = (0..data.samples).collect();
    order.shuffle(&mut stream(seed, 4));
    let mut train: Vec<usize> = order[test..].to_vec();
    let mut held: Vec<usize> = order[..test].to_vec();
    train.sort_unstable();
    held.sort_unstable();
    Ok((data.select(&train), Some(data.select(&held))))
}

/// Standardises the inputs of `train` (and `test` with the training statistics).
pub fn standardise(train: &mut Dataset, test: Option<&mut Dataset>) {
    let p = train.inputs;
    let n = train.samples as f64;
    let mut mean = vec![0.0; p];
    for row in train.x.chunks_exact(p) {
        mean.iter_mut().zip(row).for_each(|(m, v)| *m += v / n);
    }
    let mut var = vec![0.0; p];
    for row in train.x.chunks_exact(p) {
        var.iter_mut()
            .zip(row)
            .zip(&mean)
            .for_each(|((s, v), m)| *s += (v - m).powi(2) / n);
    }
    let scale: Vec<f64> = var
        .iter()
        .map(|&v| if v > 0.0 { 1.0 / v.sqrt() } else { 1.0 })
        .collect();
    let apply = |x: &mut [f64]| {
        for row in x.chunks_exact_mut(p) {
            for ((v, m), s) in row.iter_mut().zip(&mean).zip(&scale) {
                *v = (*v - m) * s;
            }
        }
    };
    apply(&mut train.x);
    if let Some(test) = test {
        apply(&mut test.x);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_are_the_published_set() {
        let d = digits().unwrap();
        assert_eq!((d.samples, d.inputs, d.outputs), (1797, 64, 10));
        let labels = d.labels.as_ref().unwrap();
        // scikit-learn's copy has 178, 182, 177, 183, 181, 182, 181, 179, 174, 180 per class.
        let mut counts = [0; 10];
        labels.iter().for_each(|&c| counts[c] += 1);
        assert_eq!(counts, [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]);
        assert!(d.x.iter().all(|&v| (0.0..=16.0).contains(&v)));
        assert_eq!(labels[..5], [0, 1, 2, 3, 4]);
    }

    #[test]
    fn split_is_seeded_and_standardising_uses_training_statistics() {
        let d = spiral(100, 2, 0.1, 3).unwrap();
        let (mut a, mut ta) = split(&d, 0.2, 5).unwrap();
        let (b, _) = split(&d, 0.2, 5).unwrap();
        let (c, _) = split(&d, 0.2, 6).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!((a.samples, ta.as_ref().unwrap().samples), (80, 20));
        standardise(&mut a, ta.as_mut());
        for j in 0..2 {
            let col: Vec<f64> = a.x.iter().skip(j).step_by(2).copied().collect();
            let mean = col.iter().sum::<f64>() / 80.0;
            let var = col.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / 80.0;
            assert!(mean.abs() < 1e-12 && (var - 1.0).abs() < 1e-12);
        }
    }
}
