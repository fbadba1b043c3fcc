use landscape::experiments::du2017::gd;
use landscape::problems::octopus::Octopus;
use landscape::random::stream;
use rand::Rng;
fn main() {
    let e = std::f64::consts::E;
    for d in 2..=8 {
        let f = Octopus::new(d, e, e, 1.0);
        let mut line = format!("d={d}:");
        for trial in 0..3 {
            let mut r = stream(0, trial);
            let x0: Vec<f64> = (0..d).map(|_| r.random_range(-1.0..1.0)).collect();
            let a = gd::run(&f, &x0, 1.0 / (4.0 * e), 1e-3, 200_000_000, true);
            let b = gd::run(&f, &x0, 1.0 / (4.0 * e), 1e-3, 200_000_000, false);
            line += &format!(" log {:?} {} {:?} | plain {:?} {} {:?};", a.outcome, a.iterations, a.underflow_at, b.outcome, b.iterations, b.underflow_at);
        }
        println!("{line}");
    }
}
