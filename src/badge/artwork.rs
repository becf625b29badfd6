//! Badge artwork: a round medal with the achievement's name, as SVG and as PNG (≥ 512 px), and the
//! validation of images that organisers upload instead.
//!
//! One vector scene feeds both outputs, and the text is laid out with an embedded font
//! (DejaVu Sans Condensed Bold, free licence, `assets/fonts/`) and written as glyph outlines, so
//! the SVG looks the same on every phone without relying on installed fonts, and the PNG is
//! rasterised by `tiny-skia` (anti-aliased) and encoded by the `png` crate.

use std::fmt::Write as _;
use std::io::Cursor;

use ab_glyph::{Font, FontRef, GlyphId, OutlineCurve};
use tiny_skia::{
    Color, FillRule, GradientStop, LinearGradient, Paint, PathBuilder, Pixmap, Point, SpreadMode,
    Transform,
};

use crate::badge::BadgeError;

pub mod svg_upload;
pub use svg_upload::SvgRejection;

const FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSansCondensed-Bold.ttf");
/// The design grid; outputs are scaled from it.
const CANVAS: f32 = 512.0;
const CENTER: f32 = 256.0;

pub const MIN_PNG_SIZE: u32 = 512;
pub const MAX_PNG_SIZE: u32 = 2048;
/// Uploaded images larger than this are refused.
pub const MAX_UPLOAD_BYTES: usize = 1024 * 1024;
/// Uploaded PNGs wider or taller than this are refused (decompression bombs).
pub const MAX_UPLOAD_DIMENSION: u32 = 4096;

/// What to draw.
#[derive(Clone, Debug, Default)]
pub struct ArtworkSpec {
    /// The achievement's name, the big text.
    pub title: String,
    /// A short line under it (the workshop or organiser), optional.
    pub subtitle: Option<String>,
    /// Colour scheme (index into the built-in palettes); by default derived from the title so that
    /// each achievement keeps its colour.
    pub palette: Option<usize>,
}

#[derive(Clone, Copy)]
struct Palette {
    dark: [u8; 3],
    main: [u8; 3],
    light: [u8; 3],
}

/// Deep, saturated colours that keep white and near-black text readable.
const PALETTES: [Palette; 6] = [
    Palette {
        dark: [0x13, 0x4e, 0x4a],
        main: [0x0f, 0x76, 0x6e],
        light: [0x2d, 0xd4, 0xbf],
    },
    Palette {
        dark: [0x31, 0x2e, 0x81],
        main: [0x43, 0x38, 0xca],
        light: [0x81, 0x8c, 0xf8],
    },
    Palette {
        dark: [0x88, 0x13, 0x37],
        main: [0xbe, 0x12, 0x3c],
        light: [0xfb, 0x71, 0x85],
    },
    Palette {
        dark: [0x78, 0x35, 0x0f],
        main: [0xb4, 0x53, 0x09],
        light: [0xfb, 0xbf, 0x24],
    },
    Palette {
        dark: [0x14, 0x53, 0x2d],
        main: [0x15, 0x80, 0x3d],
        light: [0x4a, 0xde, 0x80],
    },
    Palette {
        dark: [0x58, 0x1c, 0x87],
        main: [0x7e, 0x22, 0xce],
        light: [0xc0, 0x84, 0xfc],
    },
];

const CREAM: [u8; 3] = [0xfd, 0xfb, 0xf5];
const WHITE: [u8; 3] = [0xff, 0xff, 0xff];

#[derive(Clone, Copy, Debug)]
enum Seg {
    Move(f32, f32),
    Line(f32, f32),
    Quad(f32, f32, f32, f32),
    Cubic(f32, f32, f32, f32, f32, f32),
    Close,
}

#[derive(Clone, Copy)]
enum Fill {
    Solid([u8; 3]),
    /// Top-to-bottom gradient across the whole canvas.
    Vertical([u8; 3], [u8; 3]),
}

struct Shape {
    segs: Vec<Seg>,
    fill: Fill,
}

fn circle(cx: f32, cy: f32, r: f32) -> Vec<Seg> {
    // Four cubic arcs; 0.5523 is the usual control-point ratio for a quarter circle.
    let k = 0.552_284_8 * r;
    vec![
        Seg::Move(cx + r, cy),
        Seg::Cubic(cx + r, cy + k, cx + k, cy + r, cx, cy + r),
        Seg::Cubic(cx - k, cy + r, cx - r, cy + k, cx - r, cy),
        Seg::Cubic(cx - r, cy - k, cx - k, cy - r, cx, cy - r),
        Seg::Cubic(cx + k, cy - r, cx + r, cy - k, cx + r, cy),
        Seg::Close,
    ]
}

fn star(cx: f32, cy: f32, outer: f32, inner: f32) -> Vec<Seg> {
    let mut segs = Vec::with_capacity(11);
    for i in 0..10 {
        let r = if i % 2 == 0 { outer } else { inner };
        let a = std::f32::consts::PI * (i as f32) / 5.0 - std::f32::consts::FRAC_PI_2;
        let (x, y) = (cx + r * a.cos(), cy + r * a.sin());
        segs.push(if i == 0 {
            Seg::Move(x, y)
        } else {
            Seg::Line(x, y)
        });
    }
    segs.push(Seg::Close);
    segs
}

struct TextSetter<'f> {
    font: FontRef<'f>,
    units_per_em: f32,
}

impl<'f> TextSetter<'f> {
    fn new() -> Result<Self, BadgeError> {
        let font = FontRef::try_from_slice(FONT)
            .map_err(|_| BadgeError::Render("embedded font is invalid".into()))?;
        let units_per_em = font.units_per_em().unwrap_or(2048.0);
        Ok(Self { font, units_per_em })
    }

    fn glyphs(&self, text: &str) -> Vec<GlyphId> {
        text.chars().map(|c| self.font.glyph_id(c)).collect()
    }

    /// Width of `text` at `size` px.
    fn width(&self, text: &str, size: f32) -> f32 {
        let glyphs = self.glyphs(text);
        let mut w = 0.0;
        for (i, g) in glyphs.iter().enumerate() {
            w += self.font.h_advance_unscaled(*g);
            if let Some(next) = glyphs.get(i + 1) {
                w += self.font.kern_unscaled(*g, *next);
            }
        }
        w * size / self.units_per_em
    }

    /// Outlines of `text` centred on `cx` with its baseline at `baseline`.
    fn outline(&self, text: &str, size: f32, cx: f32, baseline: f32) -> Vec<Seg> {
        let scale = size / self.units_per_em;
        let glyphs = self.glyphs(text);
        let mut pen = cx - self.width(text, size) / 2.0;
        let mut segs = Vec::new();
        for (i, g) in glyphs.iter().enumerate() {
            if let Some(outline) = self.font.outline(*g) {
                let tx = |x: f32| pen + x * scale;
                let ty = |y: f32| baseline - y * scale;
                let mut last: Option<ab_glyph::Point> = None;
                for curve in &outline.curves {
                    let (start, end) = match curve {
                        OutlineCurve::Line(a, b) => (*a, *b),
                        OutlineCurve::Quad(a, _, c) => (*a, *c),
                        OutlineCurve::Cubic(a, _, _, d) => (*a, *d),
                    };
                    // A curve that does not continue the previous one starts a new contour.
                    if last.is_none_or(|p| p != start) {
                        if last.is_some() {
                            segs.push(Seg::Close);
                        }
                        segs.push(Seg::Move(tx(start.x), ty(start.y)));
                    }
                    segs.push(match curve {
                        OutlineCurve::Line(_, b) => Seg::Line(tx(b.x), ty(b.y)),
                        OutlineCurve::Quad(_, b, c) => {
                            Seg::Quad(tx(b.x), ty(b.y), tx(c.x), ty(c.y))
                        }
                        OutlineCurve::Cubic(_, b, c, d) => {
                            Seg::Cubic(tx(b.x), ty(b.y), tx(c.x), ty(c.y), tx(d.x), ty(d.y))
                        }
                    });
                    last = Some(end);
                }
                if last.is_some() {
                    segs.push(Seg::Close);
                }
            }
            pen += self.font.h_advance_unscaled(*g) * scale;
            if let Some(next) = glyphs.get(i + 1) {
                pen += self.font.kern_unscaled(*g, *next) * scale;
            }
        }
        segs
    }

    /// Greedy word wrap into lines no wider than `max_width`; words too long for a line are cut.
    fn wrap(&self, text: &str, size: f32, max_width: f32) -> Vec<String> {
        let mut lines: Vec<String> = Vec::new();
        let mut current = String::new();
        for word in text.split_whitespace() {
            let candidate = if current.is_empty() {
                word.to_string()
            } else {
                format!("{current} {word}")
            };
            if self.width(&candidate, size) <= max_width {
                current = candidate;
                continue;
            }
            if !current.is_empty() {
                lines.push(std::mem::take(&mut current));
            }
            for c in word.chars() {
                current.push(c);
                if self.width(&current, size) > max_width && current.chars().count() > 1 {
                    current.pop();
                    lines.push(std::mem::take(&mut current));
                    current.push(c);
                }
            }
        }
        if !current.is_empty() {
            lines.push(current);
        }
        lines
    }

    /// Shortens `text` with an ellipsis until it fits.
    fn fit_one_line(&self, text: &str, size: f32, max_width: f32) -> String {
        if self.width(text, size) <= max_width {
            return text.to_string();
        }
        let mut chars: Vec<char> = text.chars().collect();
        while !chars.is_empty() {
            chars.pop();
            let s: String = chars.iter().collect::<String>().trim_end().to_string() + "…";
            if self.width(&s, size) <= max_width {
                return s;
            }
        }
        String::new()
    }
}

fn palette_for(spec: &ArtworkSpec) -> Palette {
    let index = spec.palette.unwrap_or_else(|| {
        // FNV-1a: stable across runs and platforms, unlike std's hasher.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in spec.title.as_bytes() {
            h = (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
        (h % PALETTES.len() as u64) as usize
    });
    PALETTES[index % PALETTES.len()]
}

fn scene(spec: &ArtworkSpec) -> Result<Vec<Shape>, BadgeError> {
    let title = spec.title.trim();
    if title.is_empty() {
        return Err(BadgeError::InvalidInput("the artwork needs a title".into()));
    }
    let p = palette_for(spec);
    let setter = TextSetter::new()?;
    let mut shapes = vec![
        Shape {
            segs: circle(CENTER, CENTER, 250.0),
            fill: Fill::Vertical(p.main, p.dark),
        },
        Shape {
            segs: circle(CENTER, CENTER, 234.0),
            fill: Fill::Solid(WHITE),
        },
        Shape {
            segs: circle(CENTER, CENTER, 226.0),
            fill: Fill::Vertical(p.light, p.main),
        },
        Shape {
            segs: circle(CENTER, CENTER, 196.0),
            fill: Fill::Solid(CREAM),
        },
        Shape {
            segs: star(CENTER, 100.0, 30.0, 13.0),
            fill: Fill::Solid(p.main),
        },
    ];

    // Largest size at which the title fits in at most three lines (four when small) inside the
    // inner disc; the block is then centred a little below the middle, under the star.
    let max_width = 300.0;
    let mut chosen = None;
    for size in (26..=72).rev().step_by(2).map(|s| s as f32) {
        // Never cut a word in two while a smaller size keeps it whole.
        let words_fit = title
            .split_whitespace()
            .all(|word| setter.width(word, size) <= max_width);
        let lines = setter.wrap(title, size, max_width);
        let max_lines = if size >= 40.0 { 3 } else { 4 };
        if words_fit && lines.len() <= max_lines && lines.len() as f32 * size * 1.15 <= 230.0 {
            chosen = Some((size, lines));
            break;
        }
    }
    let (size, lines) = chosen.unwrap_or_else(|| {
        let size = 26.0;
        let mut lines = setter.wrap(title, size, max_width);
        lines.truncate(4);
        if let Some(last) = lines.last_mut() {
            *last = setter.fit_one_line(&format!("{last}…"), size, max_width);
        }
        (size, lines)
    });
    let line_height = size * 1.15;
    let block = line_height * lines.len() as f32;
    let cap_height = size * 0.72;
    let top = 262.0 - block / 2.0;
    for (i, line) in lines.iter().enumerate() {
        let baseline = top + line_height * i as f32 + (line_height + cap_height) / 2.0;
        shapes.push(Shape {
            segs: setter.outline(line, size, CENTER, baseline),
            fill: Fill::Solid(p.dark),
        });
    }
    if let Some(sub) = spec
        .subtitle
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let sub = setter.fit_one_line(sub, 20.0, 250.0);
        // A pill in the ring's colour keeps the subtitle readable whatever the title's length.
        let w = setter.width(&sub, 20.0) + 32.0;
        shapes.push(Shape {
            segs: pill(CENTER, 404.0, w, 34.0),
            fill: Fill::Solid(p.main),
        });
        shapes.push(Shape {
            segs: setter.outline(&sub, 20.0, CENTER, 411.0),
            fill: Fill::Solid(WHITE),
        });
    }
    Ok(shapes)
}

fn pill(cx: f32, cy: f32, w: f32, h: f32) -> Vec<Seg> {
    let r = h / 2.0;
    let k = 0.552_284_8 * r;
    let (l, rt, t, b) = (cx - w / 2.0 + r, cx + w / 2.0 - r, cy - r, cy + r);
    vec![
        Seg::Move(l, t),
        Seg::Line(rt, t),
        Seg::Cubic(rt + k, t, rt + r, cy - k, rt + r, cy),
        Seg::Cubic(rt + r, cy + k, rt + k, b, rt, b),
        Seg::Line(l, b),
        Seg::Cubic(l - k, b, l - r, cy + k, l - r, cy),
        Seg::Cubic(l - r, cy - k, l - k, t, l, t),
        Seg::Close,
    ]
}

fn hex_color(c: [u8; 3]) -> String {
    format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2])
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The artwork as a standalone SVG document (512×512 user units).
pub fn render_svg(spec: &ArtworkSpec) -> Result<String, BadgeError> {
    let shapes = scene(spec)?;
    let title = xml_escape(spec.title.trim());
    let mut svg = String::with_capacity(64 * 1024);
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="512" height="512" viewBox="0 0 512 512" role="img" aria-label="{title}"><title>{title}</title><defs>"#
    );
    let mut gradients = 0;
    for shape in &shapes {
        if let Fill::Vertical(top, bottom) = shape.fill {
            let _ = write!(
                svg,
                r#"<linearGradient id="g{gradients}" x1="0" y1="0" x2="0" y2="{CANVAS}" gradientUnits="userSpaceOnUse"><stop offset="0" stop-color="{}"/><stop offset="1" stop-color="{}"/></linearGradient>"#,
                hex_color(top),
                hex_color(bottom)
            );
            gradients += 1;
        }
    }
    svg.push_str("</defs>");
    let mut gradient = 0;
    for shape in &shapes {
        let fill = match shape.fill {
            Fill::Solid(c) => hex_color(c),
            Fill::Vertical(..) => {
                gradient += 1;
                format!("url(#g{})", gradient - 1)
            }
        };
        svg.push_str(r#"<path d=""#);
        for seg in &shape.segs {
            let _ = match *seg {
                Seg::Move(x, y) => write!(svg, "M{x:.1} {y:.1}"),
                Seg::Line(x, y) => write!(svg, "L{x:.1} {y:.1}"),
                Seg::Quad(a, b, x, y) => write!(svg, "Q{a:.1} {b:.1} {x:.1} {y:.1}"),
                Seg::Cubic(a, b, c, d, x, y) => {
                    write!(svg, "C{a:.1} {b:.1} {c:.1} {d:.1} {x:.1} {y:.1}")
                }
                Seg::Close => write!(svg, "Z"),
            };
        }
        let _ = write!(svg, r#"" fill="{fill}"/>"#);
    }
    svg.push_str("</svg>");
    Ok(svg)
}

fn color(c: [u8; 3]) -> Color {
    Color::from_rgba8(c[0], c[1], c[2], 255)
}

/// The artwork as a `size`×`size` RGBA PNG (`size` clamped to 512…2048).
pub fn render_png(spec: &ArtworkSpec, size: u32) -> Result<Vec<u8>, BadgeError> {
    let size = size.clamp(MIN_PNG_SIZE, MAX_PNG_SIZE);
    let shapes = scene(spec)?;
    let mut pixmap = Pixmap::new(size, size)
        .ok_or_else(|| BadgeError::Render("cannot allocate image".into()))?;
    let transform = Transform::from_scale(size as f32 / CANVAS, size as f32 / CANVAS);
    for shape in &shapes {
        let mut pb = PathBuilder::new();
        for seg in &shape.segs {
            match *seg {
                Seg::Move(x, y) => pb.move_to(x, y),
                Seg::Line(x, y) => pb.line_to(x, y),
                Seg::Quad(a, b, x, y) => pb.quad_to(a, b, x, y),
                Seg::Cubic(a, b, c, d, x, y) => pb.cubic_to(a, b, c, d, x, y),
                Seg::Close => pb.close(),
            }
        }
        // A blank line of text (e.g. only spaces) has no path: nothing to draw.
        let Some(path) = pb.finish() else { continue };
        let mut paint = Paint {
            anti_alias: true,
            ..Paint::default()
        };
        match shape.fill {
            Fill::Solid(c) => paint.set_color(color(c)),
            Fill::Vertical(top, bottom) => {
                paint.shader = LinearGradient::new(
                    Point::from_xy(0.0, 0.0),
                    Point::from_xy(0.0, CANVAS),
                    vec![
                        GradientStop::new(0.0, color(top)),
                        GradientStop::new(1.0, color(bottom)),
                    ],
                    SpreadMode::Pad,
                    Transform::identity(),
                )
                .ok_or_else(|| BadgeError::Render("invalid gradient".into()))?;
            }
        }
        pixmap.fill_path(&path, &paint, FillRule::Winding, transform, None);
    }
    let mut rgba = Vec::with_capacity((size * size * 4) as usize);
    for px in pixmap.pixels() {
        let c = px.demultiply();
        rgba.extend_from_slice(&[c.red(), c.green(), c.blue(), c.alpha()]);
    }
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, size, size);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder
        .write_header()
        .map_err(|e| BadgeError::Render(e.to_string()))?;
    writer
        .write_image_data(&rgba)
        .map_err(|e| BadgeError::Render(e.to_string()))?;
    writer
        .finish()
        .map_err(|e| BadgeError::Render(e.to_string()))?;
    Ok(out)
}

/// The kind of an accepted uploaded image.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageKind {
    Png { width: u32, height: u32 },
    Svg,
}

impl ImageKind {
    pub fn media_type(&self) -> &'static str {
        match self {
            Self::Png { .. } => "image/png",
            Self::Svg => "image/svg+xml",
        }
    }
}

/// An accepted upload: what it is, and the bytes to store (for an SVG, the checked tree written
/// out again, see [`svg_upload`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ValidImage {
    pub kind: ImageKind,
    pub bytes: Vec<u8>,
}

/// Accepts an organiser's badge image: PNG or SVG only, at most [`MAX_UPLOAD_BYTES`]; a PNG is
/// fully decoded (so it is known to be intact) within [`MAX_UPLOAD_DIMENSION`] and kept as sent;
/// an SVG is parsed as XML and must keep to an allow-list of elements and attributes (no scripts,
/// event handlers, entities, animations or references outside itself): the accepted tree is
/// written out again and that is what should be stored. A refusal says what was refused.
pub fn validate_uploaded_image(bytes: &[u8]) -> Result<ValidImage, BadgeError> {
    let reject = |why: &str| Err(BadgeError::ImageRejected(why.to_string()));
    if bytes.is_empty() {
        return reject("the file is empty");
    }
    if bytes.len() > MAX_UPLOAD_BYTES {
        return reject("the file is larger than 1 MiB");
    }
    if crate::badge::bake::is_png(bytes) {
        let limits = png::Limits {
            bytes: 80 * 1024 * 1024,
        };
        let decoder = png::Decoder::new_with_limits(Cursor::new(bytes), limits);
        let mut reader = decoder
            .read_info()
            .map_err(|e| BadgeError::ImageRejected(format!("invalid PNG: {e}")))?;
        let (width, height) = (reader.info().width, reader.info().height);
        if width == 0
            || height == 0
            || width > MAX_UPLOAD_DIMENSION
            || height > MAX_UPLOAD_DIMENSION
        {
            return reject("the PNG is larger than 4096×4096 pixels");
        }
        let len = reader
            .output_buffer_size()
            .ok_or_else(|| BadgeError::ImageRejected("the PNG is too large to decode".into()))?;
        let mut buf = vec![0u8; len];
        reader
            .next_frame(&mut buf)
            .map_err(|e| BadgeError::ImageRejected(format!("invalid PNG: {e}")))?;
        return Ok(ValidImage {
            kind: ImageKind::Png { width, height },
            bytes: bytes.to_vec(),
        });
    }
    let Ok(text) = std::str::from_utf8(bytes) else {
        return reject("only PNG and SVG images are accepted");
    };
    if !text.contains("<svg") && !text.contains(":svg") {
        return reject("only PNG and SVG images are accepted");
    }
    let svg = svg_upload::sanitize(text)?;
    Ok(ValidImage {
        kind: ImageKind::Svg,
        bytes: svg.into_bytes(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn svg_refusal(svg: &str) -> SvgRejection {
        match validate_uploaded_image(svg.as_bytes()) {
            Err(BadgeError::SvgRejected(why)) => why,
            other => panic!("{svg}: {other:?}"),
        }
    }

    #[test]
    fn renders_png_and_svg_and_they_validate() {
        let spec = ArtworkSpec {
            title: "Réparer un vélo électrique".into(),
            subtitle: Some("Atelier du samedi".into()),
            palette: None,
        };
        let png = render_png(&spec, 512).unwrap();
        let valid = validate_uploaded_image(&png).unwrap();
        assert_eq!(
            valid.kind,
            ImageKind::Png {
                width: 512,
                height: 512
            }
        );
        assert_eq!(valid.bytes, png, "a PNG is kept as sent");
        let svg = render_svg(&spec).unwrap();
        let valid = validate_uploaded_image(svg.as_bytes()).unwrap();
        assert_eq!(valid.kind, ImageKind::Svg);
        assert_eq!(
            String::from_utf8(valid.bytes).unwrap(),
            svg,
            "our own artwork passes the allow-list unchanged"
        );
        let long = ArtworkSpec {
            title: "x".repeat(500),
            ..Default::default()
        };
        assert!(render_png(&long, 512).is_ok());
        assert!(render_png(&ArtworkSpec::default(), 512).is_err());
    }

    #[test]
    fn rejects_hostile_uploads() {
        for svg in [
            r#"<svg><script>alert(1)</script></svg>"#,
            r#"<svg onload="x()"></svg>"#,
            r#"<svg><image href="https://tracker.example/p.png"/></svg>"#,
            r#"<svg><rect style="fill:url(https://x.example/a)"/></svg>"#,
            r#"<!DOCTYPE svg [<!ENTITY a "b">]><svg></svg>"#,
            r#"<svg><image xlink:href = 'data:image/svg+xml;base64,AAA'/></svg>"#,
        ] {
            assert!(validate_uploaded_image(svg.as_bytes()).is_err(), "{svg}");
        }
        assert!(
            validate_uploaded_image(
                r##"<svg><rect fill="url(#g)"/><text>Bonjour</text></svg>"##.as_bytes()
            )
            .is_ok()
        );
        assert!(validate_uploaded_image(b"GIF89a").is_err());
        assert!(validate_uploaded_image(&vec![b' '; MAX_UPLOAD_BYTES + 1]).is_err());
    }

    /// The evasions that beat the old substring filter, and the ones listed in issue 8.
    #[test]
    fn filter_evasions_are_refused() {
        const NS: &str =
            r#"xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink""#;
        for (body, expected) in [
            // Whitespace around `=` and a tab in the scheme.
            (
                r##"<a href="#x"><set attributeName = "href" to="java&#9;script:alert(1)"/></a>"##,
                "element",
            ),
            (
                r##"<g><set attributeName = "href" to="java&#9;script:alert(1)"/></g>"##,
                "animation",
            ),
            (
                r##"<g><animate attributeName = "fill" values="&#106;ava&#x0A;script:alert(1)"/></g>"##,
                "animation",
            ),
            // Entity-encoded schemes, case and whitespace.
            (
                r#"<use xlink:href="&#x6A;avascript:alert(1)"/>"#,
                "external",
            ),
            (
                r#"<use xlink:href=" &#x4A;AVA&#x09;SCRIPT&#x3A;alert(1)"/>"#,
                "external",
            ),
            (r#"<use href="http://evil.example/s.svg#x"/>"#, "external"),
            (r#"<image href="//tracker.example/p.png"/>"#, "external"),
            (
                r#"<style>rect { fill: url(http://evil.example/p) }</style>"#,
                "css",
            ),
            (
                r#"<rect style="fill: url( 'https://evil.example/p' )"/>"#,
                "css",
            ),
            (r#"<rect fill="url(http://evil.example/p)"/>"#, "css"),
            (
                r#"<style>@import url(https://evil.example/x.css);</style>"#,
                "css",
            ),
            // Handlers however they are written.
            (r#"<rect ONLOAD="alert(1)"/>"#, "handler"),
            (r#"<rect onclick = 'alert(1)'/>"#, "handler"),
            // Not SVG at all, or hidden HTML.
            (r#"<foreignObject><div/></foreignObject>"#, "foreignobject"),
            (
                r#"<h:iframe xmlns:h="http://www.w3.org/1999/xhtml" src="https://evil.example"/>"#,
                "element",
            ),
            (r#"<iframe src="https://evil.example"/>"#, "element"),
            (r#"<script href="https://evil.example/x.js"/>"#, "script"),
        ] {
            let svg = format!("<svg {NS}>{body}</svg>");
            let why = svg_refusal(&svg);
            let kind = match why {
                SvgRejection::Element(_) => "element",
                SvgRejection::Animation(_) => "animation",
                SvgRejection::ExternalReference { .. } => "external",
                SvgRejection::Css { .. } => "css",
                SvgRejection::EventHandler { .. } => "handler",
                SvgRejection::ForeignObject => "foreignobject",
                SvgRejection::Script => "script",
                _ => "other",
            };
            assert_eq!(kind, expected, "{svg}: {why}");
        }
        // Malformed markup a browser might still read is not XML: refused.
        for svg in [
            r#"<svg xmlns="http://www.w3.org/2000/svg"/onload="alert(1)"></svg>"#,
            r#"<svg xmlns="http://www.w3.org/2000/svg"><rect width="9""onclick="alert(1)"/></svg>"#,
            r#"<svg><rect></svg>"#,
        ] {
            assert!(matches!(svg_refusal(svg), SvgRejection::NotXml(_)), "{svg}");
        }
    }

    #[test]
    fn entity_expansion_and_external_entities_are_refused() {
        let laughs = format!(
            r#"<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "{}">{}]><svg xmlns="http://www.w3.org/2000/svg"><text>&a9;</text></svg>"#,
            "lol".repeat(10),
            (1..10)
                .map(|i| format!(
                    r#"<!ENTITY a{i} "{}">"#,
                    format!("&a{};", i - 1).repeat(10).replace("&a0;", "&a;")
                ))
                .collect::<String>()
        );
        assert_eq!(svg_refusal(&laughs), SvgRejection::Doctype);
        let xxe = r#"<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>"#;
        assert_eq!(svg_refusal(xxe), SvgRejection::Doctype);
        let message = BadgeError::from(SvgRejection::Doctype).to_string();
        assert!(message.contains("DOCTYPE"), "{message}");
    }

    #[test]
    fn real_editor_files_are_accepted_and_cleaned() {
        // Shaped like an Inkscape export: editor namespaces, metadata, sodipodi view settings.
        let inkscape = r##"<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<!-- Created with Inkscape (http://www.inkscape.org/) -->
<svg width="210mm" height="210mm" viewBox="0 0 210 210" version="1.1" id="svg1"
   inkscape:version="1.3.2 (091e20e, 2023-11-25)" sodipodi:docname="logo.svg"
   xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape"
   xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd"
   xmlns:xlink="http://www.w3.org/1999/xlink"
   xmlns="http://www.w3.org/2000/svg" xmlns:svg="http://www.w3.org/2000/svg"
   xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <sodipodi:namedview id="namedview1" pagecolor="#ffffff" inkscape:zoom="0.7" />
  <defs id="defs1">
    <linearGradient id="lg1" inkscape:collect="always">
      <stop style="stop-color:#0b5cad;stop-opacity:1;" offset="0" id="stop1" />
      <stop style="stop-color:#0b5cad;stop-opacity:0;" offset="1" id="stop2" />
    </linearGradient>
    <radialGradient xlink:href="#lg1" id="rg1" cx="105" cy="105" r="90" gradientUnits="userSpaceOnUse" />
    <filter style="color-interpolation-filters:sRGB" id="f1" x="-0.1" y="-0.1" width="1.2" height="1.2">
      <feGaussianBlur stdDeviation="2" id="blur1" />
    </filter>
  </defs>
  <metadata><rdf:RDF><dc:title>Logo</dc:title></rdf:RDF></metadata>
  <g inkscape:label="Layer 1" inkscape:groupmode="layer" id="layer1">
    <circle style="fill:url(#rg1);stroke:#13324f;stroke-width:4;filter:url(#f1)" cx="105" cy="105" r="90" id="c1" />
    <path d="M 60,110 90,140 150,70" style="fill:none;stroke:#ffffff;stroke-width:12;stroke-linecap:round" id="p1" sodipodi:nodetypes="ccc" />
    <text xml:space="preserve" style="font-size:16px;font-family:sans-serif;text-anchor:middle" x="105" y="190" id="t1"><tspan sodipodi:role="line" x="105" y="190" id="ts1">Vélo &amp; co</tspan></text>
    <image width="10" height="10" x="0" y="0" preserveAspectRatio="none" xlink:href="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg==" id="i1" />
  </g>
</svg>
"##;
        let valid = validate_uploaded_image(inkscape.as_bytes()).unwrap();
        let out = String::from_utf8(valid.bytes).unwrap();
        for gone in ["inkscape", "sodipodi", "rdf", "Created with", "<?xml"] {
            assert!(!out.contains(gone), "{gone} kept: {out}");
        }
        for kept in [
            r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="210mm""#,
            r##"xlink:href="#lg1""##,
            "<feGaussianBlur stdDeviation=\"2\" id=\"blur1\"/>",
            "Vélo &amp; co</tspan>",
            "xml:space=\"preserve\"",
            "xlink:href=\"data:image/png;base64,iVBOR",
        ] {
            assert!(out.contains(kept), "{kept} lost: {out}");
        }
        // The written-out file passes again, unchanged.
        let again = validate_uploaded_image(out.as_bytes()).unwrap();
        assert_eq!(String::from_utf8(again.bytes).unwrap(), out);
    }

    #[test]
    fn refusals_tell_the_organiser_what_was_refused() {
        let message = validate_uploaded_image(
            br#"<svg xmlns="http://www.w3.org/2000/svg"><rect width="9" onmouseover="x()"/></svg>"#,
        )
        .unwrap_err()
        .to_string();
        assert_eq!(
            message,
            "image rejected: the SVG contains an event handler attribute onmouseover on <rect>"
        );
        let message = validate_uploaded_image(
            br#"<svg xmlns="http://www.w3.org/2000/svg"><use href="https://evil.example/s.svg#x"/></svg>"#,
        )
        .unwrap_err()
        .to_string();
        assert!(
            message.contains(r#"href="https://evil.example/s.svg#x" on <use>"#),
            "{message}"
        );
    }

    /// SVG-ish fragments, stuck together at random: mostly not well-formed, for the parser.
    fn svg_soup() -> impl Strategy<Value = String> {
        let pieces = prop::sample::select(vec![
            "<svg>",
            "</svg>",
            "<g>",
            "</g>",
            "<rect/>",
            "<rect width=\"1\"",
            " fill=\"url(#a)\"",
            " href=\"#a\"",
            " xlink:href=\"#a\"",
            " onload=\"x\"",
            "/>",
            ">",
            "<use",
            "<image",
            " href=\"data:image/png;base64,AA\"",
            "<style>",
            "</style>",
            "a{fill:url(#b)}",
            "@import 'x';",
            "<text>",
            "</text>",
            "&amp;",
            "&#106;",
            "&lt;",
            "<![CDATA[<]]>",
            "<!-- c -->",
            "<?pi x?>",
            "<script>",
            "</script>",
            "<set attributeName=\"href\"/>",
            " xmlns=\"http://www.w3.org/2000/svg\"",
            " xmlns:x=\"urn:x\"",
            "<x:y/>",
            " x:z=\"1\"",
            "javascript:",
            " ",
            "\t",
            "\"",
            "'",
            "=",
            "<",
            "&",
            "é",
            "\u{feff}",
        ]);
        prop::collection::vec(pieces, 0..40).prop_map(|v| v.concat())
    }

    /// Well-formed SVG trees of allowed and refused elements, attributes and values: about half
    /// are accepted.
    fn svg_tree() -> impl Strategy<Value = String> {
        let name = prop::sample::select(vec![
            "g",
            "g",
            "rect",
            "path",
            "text",
            "tspan",
            "use",
            "image",
            "defs",
            "style",
            "title",
            "linearGradient",
            "stop",
            "metadata",
            "ink:layer",
            "script",
            "set",
            "a",
            "foreignObject",
        ]);
        let attribute = prop::sample::select(vec![
            r##" fill="url(#a)""##,
            r##" href="#a""##,
            r##" xlink:href=" #&#9;a""##,
            r#" href="data:image/png;base64,AA""#,
            r#" style="fill:red; stroke: url( '#b' )""#,
            r#" d="M0 0L9 9Z""#,
            r#" id="a""#,
            r#" ink:label="x""#,
            r#" data-x="1""#,
            r#" xml:space="preserve""#,
            r#" width="1&#10;2""#,
            r#" onload="x()""#,
            r#" href="&#x6A;avascript:x""#,
            r#" style="fill:url(http://x)""#,
            r#" src="x""#,
        ]);
        let text = prop::sample::select(vec![
            "",
            "",
            "a &amp; b",
            "&lt;script&gt;",
            "<![CDATA[ <&> ]]>",
            "<!-- c -->",
            "\u{e9}\t\r\n",
            "rect{fill:url(#a)}",
            "@import 'x';",
            "<?pi?>",
        ]);
        let leaf = (
            name.clone(),
            prop::collection::vec(attribute.clone(), 0..3),
            text.clone(),
        )
            .prop_map(|(n, a, t)| format!("<{n}{}>{t}</{n}>", a.concat()));
        leaf.prop_recursive(4, 40, 4, move |inner| {
            (name.clone(), prop::collection::vec(attribute.clone(), 0..3), prop::collection::vec(inner, 0..4), text.clone())
                .prop_map(|(n, a, c, t)| format!("<{n}{}>{t}{}</{n}>", a.concat(), c.concat()))
        })
        .prop_map(|body| {
            format!(
                r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:ink="urn:ink">{body}</svg>"#
            )
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
            let _ = validate_uploaded_image(&bytes);
        }

        #[test]
        fn accepted_svgs_are_a_fixed_point(soup in svg_soup(), tree in svg_tree()) {
            for candidate in [soup.clone(), format!("<svg>{soup}</svg>"), tree] {
                if let Ok(valid) = validate_uploaded_image(candidate.as_bytes()) {
                    let out = String::from_utf8(valid.bytes).unwrap();
                    let again = validate_uploaded_image(out.as_bytes());
                    prop_assert!(again.is_ok(), "{candidate} → {out} → {again:?}");
                    prop_assert_eq!(String::from_utf8(again.unwrap().bytes).unwrap(), out.clone());
                    // No script, handler, animation or outside reference in the markup.
                    let doc = roxmltree::Document::parse(&out).unwrap();
                    for node in doc.descendants().filter(|n| n.is_element()) {
                        let name = node.tag_name().name();
                        prop_assert!(!["script", "set", "foreignObject"].contains(&name), "{}", out);
                        for attribute in node.attributes() {
                            prop_assert!(!attribute.name().starts_with("on"), "{}", out);
                            if attribute.name() == "href" {
                                prop_assert!(
                                    attribute.value().starts_with('#')
                                        || attribute.value().starts_with("data:image/png"),
                                    "{}", out
                                );
                            }
                        }
                        if name == "style" {
                            prop_assert!(!node.text().unwrap_or_default().contains("@import"), "{}", out);
                        }
                    }
                }
            }
        }
    }
}
