//! QR codes for join links, as SVG (sharp on any projector).

use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};

/// An SVG QR code for `text`; medium error correction survives a projector's glare.
pub fn svg(text: &str) -> Option<String> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).ok()?;
    Some(
        code.render::<svg::Color>()
            .min_dimensions(256, 256)
            .quiet_zone(true)
            .dark_color(svg::Color("#000000"))
            .light_color(svg::Color("#ffffff"))
            .build(),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn renders_svg() {
        let svg = super::svg("http://127.0.0.1:8080/j/ACDEFG").unwrap();
        assert!(svg.starts_with("<?xml") || svg.starts_with("<svg"));
        assert!(svg.contains("<path") || svg.contains("<rect"));
    }
}
