//! Anti-aliased PNGs by supersampling: a drawing backend that draws every primitive at
//! [`FACTOR`]× the picture's resolution on an inner bitmap, then averages each
//! FACTOR × FACTOR block into one pixel (a box filter).
//!
//! plotters' bitmap backend sets each pixel on or off (only text is anti-aliased), so a
//! sloped curve is a staircase. Drawn at 3× and averaged, each output pixel takes the
//! fraction of its nine samples a line covers: edges are smoothed with nine levels of
//! coverage, and an axis-aligned line of width w covers exactly w output pixels, as
//! before.
//!
//! Coordinates: a picture pixel p is the block [s·p, s·p + s) at the fine resolution, and
//! lines, shapes and text are placed at the block's centre s·p + ⌊s/2⌋ with stroke widths
//! and font sizes multiplied by s. Charts lay themselves out in picture pixels
//! ([`DrawingBackend::get_size`] and [`DrawingBackend::estimate_text_size`] answer at the
//! picture's scale), so a supersampled picture has the same layout as a plain one.

use plotters::prelude::*;
use plotters::style::text_anchor::Pos;
use plotters_backend::{
    BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind,
};

/// The supersampling factor: odd, so that a block has a centre pixel.
pub const FACTOR: u32 = 3;

/// The largest picture (width × height, in pixels) drawn supersampled; larger pictures
/// are drawn plainly, so the fine bitmap stays under about 128 MiB.
pub const MAX_SUPERSAMPLED_PIXELS: u64 = 128 * 1024 * 1024 / (3 * (FACTOR * FACTOR) as u64);

/// A stroke or fill style with its width multiplied by the factor.
struct Scaled<'a, S> {
    inner: &'a S,
    factor: u32,
}

impl<S: BackendStyle> BackendStyle for Scaled<'_, S> {
    fn color(&self) -> BackendColor {
        self.inner.color()
    }

    fn stroke_width(&self) -> u32 {
        self.inner.stroke_width().saturating_mul(self.factor)
    }
}

/// A backend drawing at `factor`× on `inner`, whose size is `factor`× the picture's.
pub struct Supersampled<'a> {
    inner: BitMapBackend<'a>,
    factor: u32,
    size: (u32, u32),
}

impl<'a> Supersampled<'a> {
    /// Wraps `inner`, whose size must be `factor` × `size`.
    pub fn new(inner: BitMapBackend<'a>, size: (u32, u32), factor: u32) -> Self {
        debug_assert_eq!(inner.get_size(), (size.0 * factor, size.1 * factor));
        Supersampled {
            inner,
            factor,
            size,
        }
    }

    fn centre(&self, p: BackendCoord) -> BackendCoord {
        let s = self.factor as i32;
        (
            p.0.saturating_mul(s).saturating_add(s / 2),
            p.1.saturating_mul(s).saturating_add(s / 2),
        )
    }

    fn corner(&self, p: BackendCoord) -> BackendCoord {
        let s = self.factor as i32;
        (p.0.saturating_mul(s), p.1.saturating_mul(s))
    }

    /// The fine pixel just past p's block: the bitmap fills a rectangle up to, not
    /// including, its bottom-right corner.
    fn past(&self, p: BackendCoord) -> BackendCoord {
        self.corner((p.0.saturating_add(1), p.1.saturating_add(1)))
    }

    fn scaled<'s, S>(&self, style: &'s S) -> Scaled<'s, S> {
        Scaled {
            inner: style,
            factor: self.factor,
        }
    }
}

impl DrawingBackend for Supersampled<'_> {
    type ErrorType = <BitMapBackend<'static> as DrawingBackend>::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.size
    }

    fn ensure_prepared(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        self.inner.present()
    }

    fn draw_pixel(
        &mut self,
        point: BackendCoord,
        color: BackendColor,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let (from, to) = (self.corner(point), self.past(point));
        self.inner.draw_rect(from, to, &color, true)
    }

    fn draw_line<S: BackendStyle>(
        &mut self,
        from: BackendCoord,
        to: BackendCoord,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let width = style.stroke_width();
        if (from.0 == to.0 || from.1 == to.1) && width % 2 == 1 {
            // An axis-aligned line of odd width w covers exactly w picture pixels: the
            // fine blocks of those pixels, not a polygon rounded at its edges.
            let half = (width / 2) as i32;
            let (lo, hi) = (
                (from.0.min(to.0), from.1.min(to.1)),
                (from.0.max(to.0), from.1.max(to.1)),
            );
            let (lo, hi) = if from.1 == to.1 {
                ((lo.0, lo.1 - half), (hi.0, hi.1 + half))
            } else {
                ((lo.0 - half, lo.1), (hi.0 + half, hi.1))
            };
            let color = style.color();
            let (from, to) = (self.corner(lo), self.past(hi));
            return self.inner.draw_rect(from, to, &color, true);
        }
        let (from, to) = (self.centre(from), self.centre(to));
        let style = self.scaled(style);
        self.inner.draw_line(from, to, &style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        if fill {
            // Plainly drawn, a filled rectangle stops short of its bottom-right corner's
            // row and column; so does its fine version.
            let (from, to) = (self.corner(upper_left), self.corner(bottom_right));
            return self.inner.draw_rect(from, to, style, true);
        }
        let (l, t) = upper_left;
        let (r, b) = bottom_right;
        for (from, to) in [
            ((l, t), (r, t)),
            ((r, t), (r, b)),
            ((l, b), (r, b)),
            ((l, t), (l, b)),
        ] {
            self.draw_line(from, to, style)?;
        }
        Ok(())
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let path: Vec<BackendCoord> = path.into_iter().collect();
        let axis_aligned = path
            .windows(2)
            .all(|s| s[0].0 == s[1].0 || s[0].1 == s[1].1);
        if axis_aligned {
            // Axes, ticks, grid lines and steps: exactly their pixels, as drawn plainly.
            for segment in path.windows(2) {
                self.draw_line(segment[0], segment[1], style)?;
            }
            return Ok(());
        }
        let path: Vec<BackendCoord> = path.into_iter().map(|p| self.centre(p)).collect();
        let style = self.scaled(style);
        self.inner.draw_path(path, &style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let center = self.centre(center);
        let radius = radius.saturating_mul(self.factor);
        let style = self.scaled(style);
        self.inner.draw_circle(center, radius, &style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vert: I,
        style: &S,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let vert: Vec<BackendCoord> = vert.into_iter().map(|p| self.centre(p)).collect();
        self.inner.fill_polygon(vert, style)
    }

    fn draw_text<TStyle: BackendTextStyle>(
        &mut self,
        text: &str,
        style: &TStyle,
        pos: BackendCoord,
    ) -> Result<(), DrawingErrorKind<Self::ErrorType>> {
        let font = FontDesc::new(
            style.family(),
            style.size() * f64::from(self.factor),
            style.style(),
        )
        .transform(style.transform());
        let anchor: Pos = style.anchor();
        let fine = TextStyle {
            font,
            color: style.color(),
            pos: anchor,
        };
        let pos = self.centre(pos);
        self.inner.draw_text(text, &fine, pos)
    }

    fn estimate_text_size<TStyle: BackendTextStyle>(
        &self,
        text: &str,
        style: &TStyle,
    ) -> Result<(u32, u32), DrawingErrorKind<Self::ErrorType>> {
        self.inner.estimate_text_size(text, style)
    }
}

/// Averages each `factor` × `factor` block of the RGB image `fine` (of `factor` × `size`)
/// into `out` (of `size`), rounding to nearest.
pub fn downsample(fine: &[u8], size: (u32, u32), factor: u32, out: &mut [u8]) {
    let (w, h) = (size.0 as usize, size.1 as usize);
    let s = factor as usize;
    let fine_w = w * s;
    debug_assert_eq!(fine.len(), fine_w * h * s * 3);
    debug_assert_eq!(out.len(), w * h * 3);
    let samples = (s * s) as u32;
    for (y, row) in out.chunks_exact_mut(w * 3).enumerate() {
        for (x, pixel) in row.chunks_exact_mut(3).enumerate() {
            let mut sum = [0u32; 3];
            for fy in y * s..(y + 1) * s {
                let start = (fy * fine_w + x * s) * 3;
                for sample in fine[start..start + s * 3].chunks_exact(3) {
                    for c in 0..3 {
                        sum[c] += u32::from(sample[c]);
                    }
                }
            }
            for c in 0..3 {
                pixel[c] = ((sum[c] + samples / 2) / samples) as u8;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(
        size: (u32, u32),
        draw: impl Fn(&DrawingArea<Supersampled, plotters::coord::Shift>),
    ) -> Vec<u8> {
        let mut fine = vec![0u8; (size.0 * FACTOR * size.1 * FACTOR * 3) as usize];
        {
            let inner = BitMapBackend::with_buffer(&mut fine, (size.0 * FACTOR, size.1 * FACTOR));
            let root = Supersampled::new(inner, size, FACTOR).into_drawing_area();
            root.fill(&WHITE).unwrap();
            draw(&root);
            root.present().unwrap();
        }
        let mut out = vec![0u8; (size.0 * size.1 * 3) as usize];
        downsample(&fine, size, FACTOR, &mut out);
        out
    }

    fn grey(image: &[u8], width: u32, x: u32, y: u32) -> u8 {
        image[((y * width + x) * 3) as usize]
    }

    #[test]
    fn axis_aligned_line_covers_exactly_its_pixels() {
        let image = render((20, 20), |root| {
            root.draw(&PathElement::new(vec![(2, 10), (17, 10)], BLACK))
                .unwrap();
        });
        for x in 2..=17 {
            assert_eq!(grey(&image, 20, x, 10), 0, "on the line at x = {x}");
            assert_eq!(grey(&image, 20, x, 9), 255, "above the line at x = {x}");
            assert_eq!(grey(&image, 20, x, 11), 255, "below the line at x = {x}");
        }
    }

    #[test]
    fn axis_aligned_shapes_look_as_drawn_plainly() {
        let size = (30, 20);
        fn shapes<DB: DrawingBackend>(root: &DrawingArea<DB, plotters::coord::Shift>) {
            root.draw(&Rectangle::new([(3, 4), (12, 9)], BLUE.filled()))
                .unwrap();
            root.draw(&Rectangle::new([(15, 2), (27, 17)], RED))
                .unwrap();
            root.draw(&PathElement::new(vec![(1, 18), (28, 18), (28, 1)], BLACK))
                .unwrap();
            root.draw_pixel((20, 10), &GREEN).unwrap();
        }
        #[allow(clippy::redundant_closure)] // a generic fn is not general enough over the lifetime
        let fine = render(size, |root| shapes(root));
        let mut plain = vec![0u8; (size.0 * size.1 * 3) as usize];
        {
            let root = BitMapBackend::with_buffer(&mut plain, size).into_drawing_area();
            root.fill(&WHITE).unwrap();
            shapes(&root);
            root.present().unwrap();
        }
        assert_eq!(fine, plain);
    }

    #[test]
    fn sloped_line_has_partial_coverage() {
        let image = render((40, 40), |root| {
            root.draw(&PathElement::new(vec![(0, 0), (39, 13)], BLACK))
                .unwrap();
        });
        let partial = image
            .chunks_exact(3)
            .filter(|p| p[0] > 0 && p[0] < 255)
            .count();
        assert!(partial >= 20, "{partial} anti-aliased pixels");
    }

    #[test]
    fn downsampling_averages_blocks() {
        let fine: Vec<u8> = (0..6 * 3 * 3).map(|i| (i / 3 % 6 * 10) as u8).collect();
        let mut out = vec![0u8; 2 * 3];
        downsample(&fine, (2, 1), 3, &mut out);
        // Block 0 holds columns 0..3 (values 0, 10, 20), block 1 columns 3..6.
        assert_eq!(out, vec![10, 10, 10, 40, 40, 40]);
    }
}
