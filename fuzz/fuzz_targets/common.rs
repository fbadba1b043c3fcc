//! What every target does with a problem it built: the value, gradient and
//! Hessian-vector product at two points (the origin and ½·𝟙, retracted onto the
//! manifold), the known points and an initialisation. Non-finite results are the
//! analyses' business; a panic is a failure.

use landscape::Objective;

pub fn exercise(f: &dyn Objective) {
    let d = f.dim();
    let mut g = vec![0.0; d];
    let mut hv = vec![0.0; d];
    let v = vec![1.0; d];
    for fill in [0.0, 0.5] {
        let mut x = vec![fill; d];
        f.manifold().retract_in_place(&mut x);
        let _ = f.value(&x);
        let _ = f.value_and_gradient(&x, &mut g);
        f.hvp(&x, &v, &mut hv);
    }
    let _ = f.known_points();
    let _ = f.layout().describe();
    let _ = f.initialisation("kaiming_normal", 0);
}
