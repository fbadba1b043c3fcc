//! Rendering a [`Figure`] to PNG (anti-aliased by supersampling, [`super::supersample`])
//! or SVG, in memory, then writing the file atomically.

use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::style;
use super::supersample::{self, Supersampled};
use crate::atomic_file::{check_parent_dir, write_atomic};
use crate::error::{Error, Result};

/// A picture: anything that can draw itself on a plotters drawing area of any backend.
pub trait Figure {
    /// Draws on `root`, which is already filled with white.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<()>;
}

/// An image file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageFormat {
    /// Portable Network Graphics (raster, RGB).
    Png,
    /// Scalable Vector Graphics.
    Svg,
}

impl ImageFormat {
    /// The format of `path` by its extension (`.png`, `.svg`); anything else is an error
    /// naming `--out`.
    pub fn from_path(path: &Path) -> Result<Self> {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref()
        {
            Some("png") => Ok(ImageFormat::Png),
            Some("svg") => Ok(ImageFormat::Svg),
            _ => Err(Error::invalid(
                "out",
                "a file name ending in .png or .svg",
                format!("`{}`", path.display()),
            )),
        }
    }
}

/// Checks before any computation that `path` names a picture format and lies in an
/// existing directory.
pub fn check_out_path(path: &Path) -> Result<ImageFormat> {
    let format = ImageFormat::from_path(path)?;
    check_parent_dir("out", path)?;
    Ok(format)
}

/// Checks that a picture size is drawable: each side in 100..=8000 pixels.
pub fn check_size(size: (u32, u32)) -> Result<()> {
    for (name, side) in [("width", size.0), ("height", size.1)] {
        if !(100..=8000).contains(&side) {
            return Err(Error::invalid(name, "a size in 100..=8000 pixels", side));
        }
    }
    Ok(())
}

/// Renders `figure` at `size` (width, height in pixels) into the format `path`'s
/// extension names, and writes it atomically: on any error no file is left behind.
pub fn save<F: Figure + ?Sized>(figure: &F, path: &Path, size: (u32, u32)) -> Result<()> {
    let format = check_out_path(path)?;
    let bytes = render(figure, format, size)?;
    write_atomic(path, |out| out.write_all(&bytes))
}

/// The font attribute plotters writes for [`style::FONT`].
const SVG_PLOTTERS_FONT: &str = "font-family=\"sans-serif\"";
/// What an SVG asks the viewer for: the PNG's embedded DejaVu Sans where installed, else
/// the viewer's sans-serif (an SVG does not carry the font).
pub const SVG_FONT: &str = "font-family=\"DejaVu Sans, Bitstream Vera Sans, sans-serif\"";

/// Renders `figure` to the bytes of a PNG or SVG file.
pub fn render<F: Figure + ?Sized>(
    figure: &F,
    format: ImageFormat,
    size: (u32, u32),
) -> Result<Vec<u8>> {
    check_size(size)?;
    style::register_font()?;
    match format {
        ImageFormat::Svg => {
            let mut svg = String::new();
            paint(SVGBackend::with_string(&mut svg, size), figure)?;
            // The SVG keeps its text as text, which the viewer sets: name the font the
            // PNG embeds first, the generic family as the fallback.
            Ok(svg.replace(SVG_PLOTTERS_FONT, SVG_FONT).into_bytes())
        }
        ImageFormat::Png => {
            let (width, height) = size;
            let mut pixels = vec![0u8; width as usize * height as usize * 3];
            if u64::from(width) * u64::from(height) <= supersample::MAX_SUPERSAMPLED_PIXELS {
                // Anti-aliased: drawn at 3× and averaged down.
                let factor = supersample::FACTOR;
                let fine_size = (width * factor, height * factor);
                let mut fine = vec![0u8; fine_size.0 as usize * fine_size.1 as usize * 3];
                let inner = BitMapBackend::with_buffer(&mut fine, fine_size);
                paint(Supersampled::new(inner, size, factor), figure)?;
                supersample::downsample(&fine, size, factor, &mut pixels);
            } else {
                paint(BitMapBackend::with_buffer(&mut pixels, size), figure)?;
            }
            encode_png(&pixels, width, height)
        }
    }
}

/// Draws `figure` on a white `backend` and flushes it.
fn paint<DB: DrawingBackend, F: Figure + ?Sized>(backend: DB, figure: &F) -> Result<()> {
    let root = backend.into_drawing_area();
    root.fill(&WHITE)?;
    figure.draw(&root)?;
    root.present()?;
    Ok(())
}

fn encode_png(pixels: &[u8], width: u32, height: u32) -> Result<Vec<u8>> {
    use image::ImageEncoder;
    let mut bytes = Vec::new();
    image::codecs::png::PngEncoder::new(&mut bytes)
        .write_image(pixels, width, height, image::ColorType::Rgb8)
        .map_err(|e| Error::Plot {
            message: format!("PNG encoding failed: {e}"),
        })?;
    Ok(bytes)
}

impl<E: std::error::Error + Send + Sync> From<DrawingAreaErrorKind<E>> for Error {
    fn from(e: DrawingAreaErrorKind<E>) -> Self {
        Error::Plot {
            message: e.to_string(),
        }
    }
}
