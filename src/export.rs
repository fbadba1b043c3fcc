//! An instance's data and a point as `.npy` files, for use outside this crate (NumPy,
//! SciPy, JAX, PyTorch): [`write_instance`] writes the arrays of
//! [`Objective::export_data`] (the data that defines f), the point `x` (and optionally a
//! direction `v`) shaped by the layout's single block when there is one (else flat `[d]`),
//! each as `<name>.npy` (`<f8`, C order), and returns what it wrote. Index arrays (a
//! completion's `indptr`, `indices`) are floats holding exact integers.

use std::path::Path;

use serde::Serialize;

use crate::atomic_file::write_atomic;
use crate::error::{Error, Result};
use crate::npy::to_npy_bytes;
use crate::objective::{DataArray, Objective};

/// One file written.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ExportedFile {
    /// The array's name (the point is `x`, the direction `v`).
    pub name: String,
    /// The file's name inside the directory.
    pub file: String,
    /// The array's shape (empty for a scalar).
    pub shape: Vec<usize>,
}

/// Writes the data of `f`, the point `x` and, if given, the direction `v` into the
/// existing directory `dir` (each file atomically; existing files of the same name are
/// replaced). The point and direction come first in the list, then the data in
/// [`Objective::export_data`]'s order.
pub fn write_instance(
    dir: &Path,
    f: &dyn Objective,
    x: &[f64],
    v: Option<&[f64]>,
) -> Result<Vec<ExportedFile>> {
    let layout = f.layout();
    let shape = match layout.blocks.as_slice() {
        [block] => block.shape.clone(),
        _ => vec![f.dim()],
    };
    let mut arrays = vec![DataArray::new("x", &shape, x.to_vec())];
    if let Some(v) = v {
        arrays.push(DataArray::new("v", &shape, v.to_vec()));
    }
    let data = f.export_data();
    if let Some(clash) = data.iter().find(|a| a.name == "x" || a.name == "v") {
        return Err(Error::invalid(
            "data",
            "array names other than x and v",
            &clash.name,
        ));
    }
    arrays.extend(data);
    let mut files = Vec::with_capacity(arrays.len());
    for array in arrays {
        let file = format!("{}.npy", array.name);
        let bytes = to_npy_bytes(&array.shape, &array.values);
        write_atomic(&dir.join(&file), |w| w.write_all(&bytes))?;
        files.push(ExportedFile {
            name: array.name,
            file,
            shape: array.shape,
        });
    }
    Ok(files)
}

/// A network's data (`x`, `y`, `test_x`, `test_y`: samples and targets) renamed for the
/// export, where `x` is the point: `inputs`, `targets`, `test_inputs`, `test_targets`.
pub fn network_data_names(arrays: Vec<DataArray>) -> Vec<DataArray> {
    arrays
        .into_iter()
        .map(|mut a| {
            let (prefix, base) = match a.name.strip_prefix("test_") {
                Some(base) => ("test_", base),
                None => ("", a.name.as_str()),
            };
            let base = match base {
                "x" => "inputs",
                "y" => "targets",
                other => other,
            };
            a.name = format!("{prefix}{base}");
            a
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::npy::read_npy;
    use crate::problems;

    #[test]
    fn point_and_data_round_trip() {
        let dir = std::env::temp_dir().join(format!("landscape-export-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (_, f) =
            problems::load("matrix_factorization", &["n=4".into(), "rank=2".into()]).unwrap();
        let x: Vec<f64> = (0..f.dim()).map(|i| i as f64 * 0.25).collect();
        let files = write_instance(&dir, f.as_ref(), &x, None).unwrap();
        let names: Vec<&str> = files.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["x", "m"]);
        let back = read_npy(&dir.join("x.npy")).unwrap();
        assert_eq!((back.shape, back.data), (vec![4, 2], x));
        let m = read_npy(&dir.join("m.npy")).unwrap();
        assert_eq!(m.data, f.data()[0].values);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
