//! The enrollment URI as a QR code: SVG for the operator page, PNG for
//! anything else, Unicode half blocks for a terminal.

use qrcode::render::{svg, unicode};
use qrcode::types::QrError;
use qrcode::{Color, EcLevel, QrCode, Version};

/// Pixels per module in the PNG.
const PNG_SCALE: usize = 8;
/// Light modules around the code (the standard's quiet zone).
const QUIET: usize = 4;

/// Why a QR code could not be made.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum QrRenderError {
    /// The text does not fit a QR code (far too long).
    #[error("the enrollment URI does not fit a QR code ({0}); use a shorter server address")]
    TooLong(QrError),
    /// PNG encoding failed.
    #[error("PNG encoding of the QR code failed: {0}")]
    Png(#[from] png::EncodingError),
}

/// One URI rendered three ways.
#[derive(Clone, Debug, serde::Serialize)]
pub struct QrImages {
    /// QR version (1 to 40); enrollment URIs stay at 10 or below.
    pub version: i16,
    /// SVG document.
    pub svg: String,
    /// PNG, base64.
    pub png_base64: String,
    /// Unicode half blocks, dark on light, for a terminal.
    pub unicode: String,
}

/// Largest QR version enrollment codes aim for (phones scan it from a screen
/// at arm's length).
pub const MAX_VERSION: i16 = 10;

/// The QR code of `text`: error correction M (15% of the code may be lost)
/// if that fits version [`MAX_VERSION`], else L (7%), the smallest code.
pub fn encode(text: &str) -> Result<QrCode, QrRenderError> {
    let m =
        QrCode::with_error_correction_level(text, EcLevel::M).map_err(QrRenderError::TooLong)?;
    if version_of(&m) <= MAX_VERSION {
        return Ok(m);
    }
    QrCode::with_error_correction_level(text, EcLevel::L).map_err(QrRenderError::TooLong)
}

/// The version number of a code (micro codes never occur: normal only).
pub fn version_of(code: &QrCode) -> i16 {
    match code.version() {
        Version::Normal(v) | Version::Micro(v) => v,
    }
}

/// The three renderings of `text`.
pub fn render(text: &str) -> Result<QrImages, QrRenderError> {
    use base64::Engine as _;
    let code = encode(text)?;
    let svg = code
        .render::<svg::Color<'_>>()
        .min_dimensions(256, 256)
        .build();
    // Terminals are usually light on dark: invert so the code reads dark on light.
    let unicode = code
        .render::<unicode::Dense1x2>()
        .dark_color(unicode::Dense1x2::Light)
        .light_color(unicode::Dense1x2::Dark)
        .build();
    let png = png_bytes(&code)?;
    Ok(QrImages {
        version: version_of(&code),
        svg,
        png_base64: base64::engine::general_purpose::STANDARD.encode(png),
        unicode,
    })
}

/// A grayscale PNG of the code with its quiet zone.
pub fn png_bytes(code: &QrCode) -> Result<Vec<u8>, QrRenderError> {
    let modules = code.width();
    let colors = code.to_colors();
    let side = (modules + 2 * QUIET) * PNG_SCALE;
    let mut pixels = vec![255u8; side * side];
    for (i, c) in colors.iter().enumerate() {
        if *c != Color::Dark {
            continue;
        }
        let (mx, my) = (i % modules + QUIET, i / modules + QUIET);
        for y in my * PNG_SCALE..(my + 1) * PNG_SCALE {
            pixels[y * side + mx * PNG_SCALE..y * side + (mx + 1) * PNG_SCALE].fill(0);
        }
    }
    let mut out = Vec::new();
    {
        let side = u32::try_from(side).unwrap_or(u32::MAX);
        let mut enc = png::Encoder::new(&mut out, side, side);
        enc.set_color(png::ColorType::Grayscale);
        enc.set_depth(png::BitDepth::Eight);
        let mut w = enc.write_header()?;
        w.write_image_data(&pixels)?;
        w.finish()?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use fkn_core::onboarding::EnrollmentUri;

    fn uri(account_len: usize) -> String {
        EnrollmentUri {
            server: "https://signing-gateway.internal.example-bank.ru:8443/fkn".into(),
            account: "a".repeat(account_len),
            code: "123456789012".into(),
            expires: 4_102_444_800,
            server_key_fingerprint: [0xfe; 32],
        }
        .format()
        .unwrap()
    }

    #[test]
    fn a_realistic_uri_fits_version_10_with_correction_m() {
        let code = encode(&uri(32)).unwrap();
        assert!(
            version_of(&code) <= MAX_VERSION,
            "version {}",
            version_of(&code)
        );
        assert_eq!(code.error_correction_level(), EcLevel::M);
    }

    #[test]
    fn the_longest_account_still_fits_version_10() {
        let code = encode(&uri(64)).unwrap();
        assert!(
            version_of(&code) <= MAX_VERSION,
            "version {}",
            version_of(&code)
        );
    }

    #[test]
    fn renders_all_three() {
        let r = render("fkn://enroll?v=1").unwrap();
        assert!(r.svg.starts_with("<?xml") && r.svg.contains("<svg"));
        assert!(r.unicode.contains('█') || r.unicode.contains('▀') || r.unicode.contains('▄'));
        use base64::Engine as _;
        let png = base64::engine::general_purpose::STANDARD
            .decode(r.png_base64)
            .unwrap();
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    }
}
