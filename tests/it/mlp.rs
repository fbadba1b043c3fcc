//! The `mlp` kind: exact derivatives through every activation × normalisation × loss,
//! cross-checks against the special-case networks, initialisations, data, bad input.

use landscape::objective::Objective;
use landscape::point::resolve_point;
use landscape::problems::mlp::activation::Activation;
use landscape::problems::mlp::data::Dataset;
use landscape::problems::mlp::network::{Architecture, Loss};
use landscape::problems::mlp::norm::Norm;
use landscape::problems::mlp::Mlp;
use landscape::problems::{self, ProblemSpec};

use crate::common::*;

/// An `mlp` from spec fields written as TOML (`key = value` lines).
fn mlp(fields: &str) -> Box<dyn Objective> {
    let spec = ProblemSpec::from_toml(&format!("kind = \"mlp\"\n{fields}"), "test", None).unwrap();
    problems::build(&spec).unwrap()
}

const ACTIVATIONS: [&str; 8] = [
    "linear",
    "relu",
    "leaky_relu",
    "tanh",
    "sigmoid",
    "quadratic",
    "softplus",
    "gelu",
];
const NORMS: [&str; 6] = ["none", "batch", "layer", "group", "instance", "weight"];

/// Gradient and HVP against central differences, and the HVP against the dense Hessian
/// assembled from HVPs (symmetric), for every activation × norm × loss at depth 3.
#[test]
fn derivatives_match_differences_for_every_activation_norm_and_loss() {
    for (loss, data) in [
        (
            "squared",
            "data = \"teacher\"\nsamples = 9\ninputs = 3\noutputs = 2",
        ),
        (
            "cross_entropy",
            "data = \"spiral\"\nsamples = 12\nclasses = 3",
        ),
    ] {
        for activation in ACTIVATIONS {
            for norm in NORMS {
                let f = mlp(&format!(
                    "{data}\nloss = \"{loss}\"\nwidths = [6, 6, 6]\nactivation = \"{activation}\"\n\
                     norm = \"{norm}\"\ngroups = 2\nchannels = 2\nl2 = 0.01\nslope = 0.2"
                ));
                let what = format!("{activation} × {norm} × {loss}");
                let x = random_point(f.as_ref(), 11, 0.6);
                let v = random_direction(f.as_ref(), 12);
                let mut g = vec![0.0; f.dim()];
                f.gradient(&x, &mut g);
                let kinked = activation.contains("relu");
                let fd = fd_gradient(f.as_ref(), &x, kinked);
                let err = rel(&g, &fd);
                assert!(err < 1e-7, "{what}: gradient error {err:e}");
                let mut hv = vec![0.0; f.dim()];
                f.hvp(&x, &v, &mut hv);
                let fd = fd_hvp(f.as_ref(), &x, &v, kinked);
                let err = rel(&hv, &fd);
                assert!(err < 1e-7, "{what}: HVP error {err:e}");
                assert_hvp_matches_dense(f.as_ref(), &x, &v, 1e-9);
            }
        }
    }
}

/// Central differences of the fourth order, (u(−2h) − 8u(−h) + 8u(h) − u(2h))/(12h) with
/// h = 10⁻⁴: the normalisations' 1/s makes second-order ones too coarse on small groups.
/// Piecewise-linear activations (ReLU's kink) use the second order with h = 10⁻⁶
/// instead, so that a kink is almost surely not inside the stencil.
fn stencil(kinked: bool, at: impl Fn(f64) -> Vec<f64>) -> Vec<f64> {
    let combine = |weights: &[(f64, f64)], h: f64| -> Vec<f64> {
        let values: Vec<(f64, Vec<f64>)> = weights.iter().map(|&(k, w)| (w, at(k * h))).collect();
        (0..values[0].1.len())
            .map(|i| values.iter().map(|(w, u)| w * u[i]).sum::<f64>() / h)
            .collect()
    };
    if kinked {
        combine(&[(-1.0, -0.5), (1.0, 0.5)], 1e-6)
    } else {
        let t = 1.0 / 12.0;
        combine(
            &[(-2.0, t), (-1.0, -8.0 * t), (1.0, 8.0 * t), (2.0, -t)],
            1e-4,
        )
    }
}

fn fd_gradient(f: &dyn Objective, x: &[f64], kinked: bool) -> Vec<f64> {
    (0..x.len())
        .map(|i| {
            stencil(kinked, |t| {
                let mut y = x.to_vec();
                y[i] += t;
                vec![f.value(&y)]
            })[0]
        })
        .collect()
}

fn fd_hvp(f: &dyn Objective, x: &[f64], v: &[f64], kinked: bool) -> Vec<f64> {
    stencil(kinked, |t| {
        let y: Vec<f64> = x.iter().zip(v).map(|(a, b)| a + t * b).collect();
        let mut g = vec![0.0; x.len()];
        f.gradient(&y, &mut g);
        g
    })
}

fn rel(a: &[f64], b: &[f64]) -> f64 {
    let diff = a
        .iter()
        .zip(b)
        .map(|(x, y)| (x - y).powi(2))
        .sum::<f64>()
        .sqrt();
    let scale = b.iter().map(|y| y * y).sum::<f64>().sqrt();
    diff / scale.max(1e-8)
}

/// A ReLU network with dead units (a first-layer bias of −100 kills unit 0 for every
/// sample): derivatives still match, and the dead unit's weights get zero gradient.
#[test]
fn relu_derivatives_at_points_with_dead_units() {
    for norm in ["none", "layer", "weight"] {
        let f = mlp(&format!(
            "data = \"spiral\"\nsamples = 10\nwidths = [5, 5, 5]\nactivation = \"relu\"\nnorm = \"{norm}\""
        ));
        let mut x = resolve_point("init:kaiming_normal:4", f.as_ref(), "x").unwrap();
        let layout = f.layout();
        let mut offset = 0;
        let mut dead_w = 0..0;
        for block in &layout.blocks {
            if block.name == "b1" {
                x[offset] = -100.0;
            }
            if block.name == "W1" || block.name == "v1" {
                dead_w = offset..offset + block.shape[1];
            }
            offset += block.len();
        }
        let mut g = vec![0.0; f.dim()];
        f.gradient(&x, &mut g);
        if norm == "none" {
            assert!(
                g[dead_w.clone()].iter().all(|&v| v == 0.0),
                "dead unit's weights have gradient"
            );
        }
        let err = rel(&g, &fd_gradient(f.as_ref(), &x, true));
        assert!(err < 1e-6, "{norm}: gradient error {err:e}");
        let v = random_direction(f.as_ref(), 5);
        let mut hv = vec![0.0; f.dim()];
        f.hvp(&x, &v, &mut hv);
        let err = rel(&hv, &fd_hvp(f.as_ref(), &x, &v, true));
        assert!(err < 1e-6, "{norm}: HVP error {err:e}");
    }
}

/// With linear activations, no biases and the squared loss, `mlp` is `linear_net` up to
/// its 1/N: value, gradient and HVP agree to rounding.
#[test]
fn linear_activations_equal_linear_net() {
    let (_, lin) = problems::load("linear_net", &[]).unwrap();
    let net = lin.as_ref();
    let spec = problems::shipped_spec("linear_net").unwrap();
    let lin_net = landscape::problems::linear_net::LinearNet::from_spec(&spec).unwrap();
    let (x, y) = (lin_net.inputs(), lin_net.targets());
    let (p, n) = (x.nrows(), x.ncols());
    let q = y.nrows();
    // Row-major N×p of Xᵀ: entry (i, j) = X[(j, i)].
    let data = Dataset {
        x: (0..n)
            .flat_map(|i| (0..p).map(move |j| (i, j)))
            .map(|(i, j)| x[(j, i)])
            .collect(),
        y: (0..n)
            .flat_map(|i| (0..q).map(move |k| (i, k)))
            .map(|(i, k)| y[(k, i)])
            .collect(),
        samples: n,
        inputs: p,
        outputs: q,
        labels: None,
    };
    let arch = Architecture::new(
        vec![3, 4, 4, 2],
        vec![Activation::Linear; 2],
        vec![Norm::None; 2],
        false,
        Loss::Squared,
        0.0,
        1e-5,
    )
    .unwrap();
    let m = Mlp::new(arch, data, None);
    assert_eq!(m.dim(), net.dim());
    let theta = random_point(net, 3, 0.7);
    let v = random_direction(net, 4);
    let scale = n as f64;
    assert!((m.value(&theta) * scale - net.value(&theta)).abs() < 1e-10 * net.value(&theta).abs());
    let (mut g1, mut g2) = (vec![0.0; m.dim()], vec![0.0; m.dim()]);
    m.gradient(&theta, &mut g1);
    net.gradient(&theta, &mut g2);
    g1.iter_mut().for_each(|v| *v *= scale);
    assert!(rel(&g1, &g2) < 1e-12);
    m.hvp(&theta, &v, &mut g1);
    net.hvp(&theta, &v, &mut g2);
    g1.iter_mut().for_each(|v| *v *= scale);
    assert!(rel(&g1, &g2) < 1e-12);
}

/// A quadratic activation with one hidden layer, no biases and the output weights fixed
/// to `a` is `quadratic_net` (sample form): the W₁ blocks of the gradient and HVP agree.
#[test]
fn quadratic_activation_equals_quadratic_net() {
    let spec = problems::shipped_spec("quadratic_net").unwrap();
    let q = landscape::problems::quadratic_net::QuadraticNet::from_spec(&spec).unwrap();
    let (inputs, targets) = (q.inputs(), q.targets());
    let (n, d) = inputs.shape();
    let k = 4;
    let data = Dataset {
        x: (0..n)
            .flat_map(|i| (0..d).map(move |j| (i, j)))
            .map(|(i, j)| inputs[(i, j)])
            .collect(),
        y: targets.to_vec(),
        samples: n,
        inputs: d,
        outputs: 1,
        labels: None,
    };
    let arch = Architecture::new(
        vec![d, k, 1],
        vec![Activation::Quadratic],
        vec![Norm::None],
        false,
        Loss::Squared,
        0.0,
        1e-5,
    )
    .unwrap();
    let m = Mlp::new(arch, data, None);
    let w1 = random_point(&q, 8, 0.5);
    let mut theta = w1.clone();
    theta.extend(std::iter::repeat_n(1.0, k)); // a = ones (the shipped spec's default)
    assert!((m.value(&theta) - q.value(&w1)).abs() < 1e-12 * q.value(&w1).abs().max(1.0));
    let (mut g1, mut g2) = (vec![0.0; m.dim()], vec![0.0; q.dim()]);
    m.gradient(&theta, &mut g1);
    q.gradient(&w1, &mut g2);
    assert!(rel(&g1[..k * d], &g2) < 1e-12);
    let v1 = random_direction(&q, 9);
    let mut v = v1.clone();
    v.extend(std::iter::repeat_n(0.0, k));
    m.hvp(&theta, &v, &mut g1);
    q.hvp(&w1, &v1, &mut g2);
    assert!(rel(&g1[..k * d], &g2) < 1e-12);
}

/// Initialisations follow torch.nn.init's distributions: empirical standard deviations
/// of a wide layer match the formulas; γ = 1, β = 0, biases 0, g = ‖v‖.
#[test]
fn initialisations_have_torch_distributions() {
    let f = mlp("data = \"teacher\"\ninputs = 400\nsamples = 4\nwidths = [300]\nactivation = \"relu\"\nnorm = \"batch\"");
    let layout = f.layout();
    let block = |x: &[f64], name: &str| -> Vec<f64> {
        let mut o = 0;
        for b in &layout.blocks {
            if b.name == name {
                return x[o..o + b.len()].to_vec();
            }
            o += b.len();
        }
        panic!("no block {name}");
    };
    let std = |v: &[f64]| (v.iter().map(|x| x * x).sum::<f64>() / v.len() as f64).sqrt();
    for (scheme, expected) in [
        ("kaiming_normal", (2.0f64 / 400.0).sqrt()),
        ("kaiming_uniform", (2.0f64 / 400.0).sqrt()),
        ("kaiming_normal=fan_out", (2.0f64 / 300.0).sqrt()),
        ("xavier_normal", (2.0f64 / 700.0).sqrt()),
        ("xavier_uniform", (2.0f64 / 700.0).sqrt()),
        ("normal=0.01", 0.01),
        ("uniform=0.3", 0.3 / 3f64.sqrt()),
    ] {
        let x = resolve_point(&format!("init:{scheme}:5"), f.as_ref(), "x").unwrap();
        let s = std(&block(&x, "W1"));
        assert!(
            (s / expected - 1.0).abs() < 0.02,
            "{scheme}: std {s} vs {expected}"
        );
        assert!(block(&x, "b1").iter().all(|&b| b == 0.0));
        assert!(block(&x, "gamma1").iter().all(|&g| g == 1.0));
        assert!(block(&x, "beta1").iter().all(|&b| b == 0.0));
    }
    let x = resolve_point("init:orthogonal:2", f.as_ref(), "x").unwrap();
    let w = block(&x, "W1"); // 300 × 400: orthonormal rows
    for (i, j) in [(0, 0), (0, 1), (7, 7), (5, 299)] {
        let d: f64 = (0..400).map(|c| w[i * 400 + c] * w[j * 400 + c]).sum();
        assert!((d - if i == j { 1.0 } else { 0.0 }).abs() < 1e-12);
    }
    let a = resolve_point("init:kaiming_normal:5", f.as_ref(), "x").unwrap();
    let b = resolve_point("init:kaiming_normal:6", f.as_ref(), "x").unwrap();
    assert_ne!(a, b);
    assert_eq!(
        a,
        resolve_point("init:kaiming_normal:5", f.as_ref(), "x").unwrap()
    );
    let wn = mlp("widths = [6]\nnorm = \"weight\"");
    let x = resolve_point("init:xavier_normal:1", wn.as_ref(), "x").unwrap();
    let (g, v) = (x[..6].to_vec(), x[6..6 + 24].to_vec());
    for i in 0..6 {
        let nv = v[i * 4..(i + 1) * 4]
            .iter()
            .map(|t| t * t)
            .sum::<f64>()
            .sqrt();
        assert!((g[i] - nv).abs() < 1e-15);
    }
}

/// The digits: 10 classes, a 20% seeded test split, metrics with the training set's
/// batch statistics; the layout names torch-style blocks.
#[test]
fn digits_network_layout_and_test_metrics() {
    let f = mlp("data = \"digits\"\nwidths = [32]\nnorm = \"batch\"");
    assert_eq!(
        f.layout().describe(),
        "W1[32×64] b1[32] gamma1[32] beta1[32] W2[10×32] b2[10]"
    );
    let sum = f.as_finite_sum().expect("mlp is a finite sum");
    assert_eq!(sum.samples(), 1438);
    let x = resolve_point("init:kaiming_normal:1", f.as_ref(), "x").unwrap();
    let all: Vec<usize> = (0..1438).collect();
    let mut g1 = vec![0.0; f.dim()];
    let mut g2 = vec![0.0; f.dim()];
    let v1 = sum.batch_value_and_gradient(&x, &all, &mut g1);
    let v2 = f.value_and_gradient(&x, &mut g2);
    assert!((v1 - v2).abs() < 1e-12 && rel(&g1, &g2) < 1e-12);
    let metrics = sum.test_metrics(&x).expect("digits hold out a test set");
    let accuracy = metrics.accuracy.unwrap();
    assert!((0.0..=1.0).contains(&accuracy));
    // At initialisation the loss is near ln 10 and accuracy near chance.
    assert!(
        (metrics.loss - 10f64.ln()).abs() < 1.5,
        "test loss {}",
        metrics.loss
    );
}

#[test]
fn mlp_bad_input_is_one_line() {
    let cases: &[(&[&str], &[&str])] = &[
        (&["--set", "widths=[4, 0]"], &["widths", "positive"]),
        (
            &["--set", "activation=\"swish\""],
            &["activation", "swish", "relu"],
        ),
        (&["--set", "norm=\"group\""], &["groups"]),
        (
            &["--set", "norm=\"group\"", "--set", "groups=3"],
            &["groups", "divisor"],
        ),
        (
            &["--set", "norm=\"instance\"", "--set", "channels=5"],
            &["channels", "divisor"],
        ),
        (
            &["--set", "loss=\"hinge\""],
            &["loss", "squared or cross_entropy"],
        ),
        (
            &["--set", "activation=[\"relu\"]"],
            &["activation", "list of 2"],
        ),
        (&["--set", "data=\"mnist\""], &["data", "digits"]),
        (
            &["--set", "x=[[1, 2], [3, 4]]", "--set", "y=[0, 1, 1]"],
            &["y", "rows"],
        ),
        (
            &[
                "--set",
                "x=[[1, 2], [3, 4]]",
                "--set",
                "y=[0, 1]",
                "--set",
                "data=\"digits\"",
            ],
            &["data"],
        ),
    ];
    for (sets, needles) in cases {
        let mut args = vec!["eval", "--problem", "mlp", "--point", "zeros"];
        args.extend_from_slice(sets);
        assert_bad_input(&args, needles);
    }
    assert_bad_input(
        &["eval", "--problem", "mlp", "--point", "init:he_normal"],
        &["init", "he_normal", "kaiming_normal"],
    );
    assert_bad_input(
        &[
            "eval",
            "--problem",
            "saddle",
            "--point",
            "init:xavier_normal",
        ],
        &["init:", "networks"],
    );
    assert_bad_input(
        &[
            "eval",
            "--problem",
            "mlp",
            "--point",
            "init:xavier_normal:x",
        ],
        &["seed"],
    );
}

/// Every command the toolkit has runs on an `mlp` unchanged.
#[test]
fn commands_run_on_mlp() {
    let json = cli_json(&[
        "classify",
        "--problem",
        "mlp",
        "--point",
        "init:kaiming_normal:1",
        "--json",
    ]);
    assert!(
        json["classification"]["kind"].is_string() || json["kind"].is_string(),
        "{json}"
    );
    let json = cli_json(&[
        "spectrum",
        "--problem",
        "mlp",
        "--point",
        "init:xavier_normal:2",
        "--method",
        "lanczos",
        "--k",
        "2",
        "--json",
    ]);
    assert!(json.to_string().contains("eigenvalues"), "{json}");
    let json = cli_json(&[
        "run",
        "--problem",
        "mlp",
        "--optimizer",
        "adam",
        "--init",
        "init:kaiming_normal:3",
        "--iters",
        "50",
        "--json",
    ]);
    let records = json["records"].as_array().unwrap();
    let first = records[0]["value"].as_f64().unwrap();
    let last = records.last().unwrap()["value"].as_f64().unwrap();
    assert!(
        last < first,
        "adam did not decrease the loss: {first} → {last}"
    );
}

/// `layers`: a 10-layer sigmoid network at Xavier initialisation shows vanishing
/// gradients (σ′ ≤ ¼: the weight gradient shrinks towards the input); the JSON records
/// what produced it; a non-network is refused.
#[test]
fn layers_shows_vanishing_gradients_through_sigmoids() {
    let json = cli_json(&[
        "layers",
        "--problem",
        "mlp",
        "--set",
        "widths=[16, 16, 16, 16, 16, 16, 16, 16, 16, 16]",
        "--set",
        "activation=\"sigmoid\"",
        "--point",
        "init:xavier_normal:1",
        "--json",
    ]);
    assert_eq!(json["problem"], "mlp");
    assert_eq!(json["spec"]["activation"], "sigmoid");
    assert_eq!(json["point"], "init:xavier_normal:1");
    let layers = json["layers"].as_array().unwrap();
    assert_eq!(layers.len(), 11);
    let grad = |l: usize| layers[l]["grad_weight_norm"].as_f64().unwrap();
    assert!(
        grad(0) < grad(9) / 4f64.powi(5),
        "{} vs {}",
        grad(0),
        grad(9)
    );
    assert!(layers[3]["saturated_fraction"].is_number());
    assert!(layers[3]["dead_fraction"].is_null());
    assert_bad_input(
        &["layers", "--problem", "saddle"],
        &["--problem", "mlp", "saddle"],
    );
}

/// A trained network's weights are a point: `run --out traj.json`, then `--point
/// traj.json` reads its final state.
#[test]
fn a_trained_run_is_a_point() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("traj.json");
    let path = path.to_str().unwrap();
    let out = landscape(&[
        "run",
        "--problem",
        "mlp",
        "--optimizer",
        "adam",
        "--iters",
        "30",
        "--out",
        path,
    ]);
    assert!(out.status.success());
    let trajectory: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let trained = trajectory["final"]["value"].as_f64().unwrap();
    let json = cli_json(&["eval", "--problem", "mlp", "--point", path, "--json"]);
    assert_eq!(json["value"].as_f64().unwrap(), trained);
}

/// The exact symmetries (rescaling through homogeneous activations, mixing a linear
/// layer, bias shifts under mean subtraction, weight-norm radii, the softmax shift) are
/// flat at random points, with the counts the module doc derives; λ > 0 breaks them all.
#[test]
fn symmetry_directions_are_flat_with_the_derived_counts() {
    let teacher = "data = \"teacher\"\nsamples = 10\ninputs = 3\noutputs = 2";
    let spiral = "data = \"spiral\"\nsamples = 12\nclasses = 3\nloss = \"cross_entropy\"";
    let cases = [
        (teacher, "widths = [5, 4]\nactivation = \"relu\"", 5 + 4),
        (
            teacher,
            "widths = [5, 4]\nactivation = \"leaky_relu\"\nslope = 0.1\nbias = false",
            9,
        ),
        (teacher, "widths = [3, 2]\nactivation = \"linear\"", 9 + 4),
        (teacher, "widths = [3]\nactivation = \"quadratic\"", 3),
        (
            teacher,
            "widths = [4, 4]\nactivation = \"relu\"\nnorm = \"batch\"",
            8 + 8,
        ),
        (
            teacher,
            "widths = [4, 4]\nactivation = \"tanh\"\nnorm = \"layer\"",
            2,
        ),
        (
            teacher,
            "widths = [4, 4]\nactivation = \"relu\"\nnorm = \"group\"\ngroups = 2",
            8 + 4,
        ),
        (
            teacher,
            "widths = [4, 4]\nactivation = \"gelu\"\nnorm = \"instance\"\nchannels = 2",
            4,
        ),
        (
            teacher,
            "widths = [4, 4]\nactivation = \"relu\"\nnorm = \"weight\"",
            4 + 8,
        ),
        (spiral, "widths = [4]\nactivation = \"relu\"", 4 + 1),
        (spiral, "widths = [4]\nactivation = \"tanh\"", 1),
        (
            teacher,
            "widths = [4, 4]\nactivation = \"relu\"\nnorm = \"batch\"\nl2 = 0.01",
            0,
        ),
    ];
    for (data, fields, expected) in cases {
        let f = mlp(&format!("{data}\n{fields}"));
        let x = random_point(f.as_ref(), 3, 0.8);
        let directions = f.symmetry_directions(&x);
        assert_eq!(directions.len(), expected, "{fields}");
        assert_eq!(f.symmetry_count(&x), expected, "{fields}");
        crate::networks::assert_flat(f.as_ref(), &x, &directions);
    }
}
