//! `landscape export`: a problem instance's data and a point as `.npy` files plus a JSON
//! manifest, so that f, ∇f and ∇²f·v can be recomputed (or compared) with NumPy, SciPy,
//! JAX or PyTorch on exactly the instance this tool analyses.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use serde::Serialize;

use super::ProblemArgs;
use landscape::atomic_file::write_atomic;
use landscape::error::{Error, Result};
use landscape::export::{write_instance, ExportedFile};
use landscape::objective::Block;
use landscape::point::resolve_point;

const AFTER_HELP: &str = "\
Files (every array float64, C order; the point x.npy, and v.npy with --hvp, are shaped \
by the layout when it is one block, e.g. U[n×r] → (n, r), else flat (d,)):
  matrix_completion     indptr (n+1,), indices (nnz,), values (nnz,): the observed entries \
of M as compressed sparse rows, both (i,j) and (j,i) (scipy.sparse.csr_matrix((values, \
indices.astype(int), indptr.astype(int)), shape=(n, n))); n, p, lambda, alpha (scalars). \
f(U) = 1/(4p) Σ_Ω ((UUᵀ)ᵢⱼ − Mᵢⱼ)² + λ Σᵢ max(‖Uᵢ‖ − α, 0)⁴
  matrix_sensing        a (m, n, n): the symmetrised Sᵢ = (Aᵢ + Aᵢᵀ)/2; y (m,). \
f(U) = 1/(4m) Σᵢ (⟨Sᵢ, UUᵀ⟩ − yᵢ)²
  matrix_factorization  m (n, n). f(U) = ¼‖UUᵀ − M‖²_F
  quadratic             a (d, d), b (d,)
  tensor_decomposition  a (n, k): the components
  tensor_factorization  u_star, t (the target tensor, n × … × n)
  linear_net            inputs, targets (the spec's x, y): one sample a column
  mlp                   inputs, targets (and test_inputs, test_targets): one sample a row; targets one-hot for classes
  other kinds           only the point (f is given by its formula; see `landscape problems`)
manifest.json: the problem (kind and every spec field), dim, layout, the point as given, \
f(x), the files with their shapes, and the provenance.";

/// Arguments of `landscape export`.
#[derive(Debug, Args)]
#[command(after_help = AFTER_HELP)]
pub struct ExportArgs {
    #[command(flatten)]
    problem: ProblemArgs,
    /// The point: `zeros`, `name:<known point>`, `random:<scale>:<seed>`,
    /// `init:<scheme>[:<seed>]` (networks), an inline JSON array, or a .json or .npy file.
    #[arg(long, value_name = "X")]
    point: String,
    /// Also write this direction as v.npy (same forms as --point), e.g. for an HVP.
    #[arg(long, value_name = "V")]
    hvp: Option<String>,
    /// The directory to write into (created if absent; files of the same names are
    /// replaced).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
}

/// The manifest written as `manifest.json` (and printed).
#[derive(Serialize)]
struct Manifest {
    kind: String,
    dim: usize,
    layout: Vec<Block>,
    point: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    direction: Option<String>,
    value: f64,
    files: Vec<ExportedFile>,
}

/// Exports and prints the manifest.
pub fn run(args: ExportArgs, out: &mut dyn Write) -> Result<()> {
    let (spec, f) = args.problem.load()?;
    let x = resolve_point(&args.point, f.as_ref(), "point")?;
    let v = match &args.hvp {
        Some(arg) => Some(resolve_point(arg, f.as_ref(), "hvp direction")?),
        None => None,
    };
    if args.out.exists() && !args.out.is_dir() {
        return Err(Error::invalid(
            "--out",
            "a directory",
            format!("`{}` (a file)", args.out.display()),
        ));
    }
    std::fs::create_dir_all(&args.out).map_err(|source| Error::Io {
        action: "create",
        path: args.out.clone(),
        source,
    })?;
    let files = write_instance(&args.out, f.as_ref(), &x, v.as_deref())?;
    let manifest = Manifest {
        kind: f.kind().to_string(),
        dim: f.dim(),
        layout: f.layout().blocks,
        point: args.point.clone(),
        direction: args.hvp.clone(),
        value: f.value(&x),
        files,
    };
    let provenance = super::provenance().problem(&spec).start(&args.point);
    let text = super::json_text(&manifest, provenance);
    write_atomic(&args.out.join("manifest.json"), |w| writeln!(w, "{text}"))?;
    writeln!(out, "{text}").map_err(Error::Output)
}
