//! Baking a credential into a PNG or SVG image, and getting it back out (OB 3.0 §"Baking").
//!
//! PNG: exactly one uncompressed `iTXt` chunk with keyword `openbadgecredential`, written right
//! after `IHDR`. Baking copies the other chunks byte for byte (no pixel re-encoding, so it costs
//! microseconds) and drops any credential chunk already there, so re-baking replaces instead of
//! adding a second one. Extraction decodes with the `png` crate under memory limits and refuses a
//! file with two credential chunks, as the spec requires.
//!
//! A hosted badge also carries its Open Badges 2.0 assertion in a second `iTXt` chunk, keyword
//! `openbadges` (OB 2.0 baking): each spec forbids only a second chunk of its own keyword.
//!
//! SVG: `xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"` on the root element and one
//! `<openbadges:credential>` holding the JSON in CDATA, right after the `<svg …>` start tag.

use std::io::Cursor;

use png::text_metadata::{EncodableTextChunk, ITXtChunk};

use crate::badge::BadgeError;

pub const PNG_KEYWORD: &str = "openbadgecredential";
/// The Open Badges 2.0 baking keyword (an assertion's JSON or URL).
pub const PNG_KEYWORD_OB2: &str = "openbadges";
pub const OB_NAMESPACE: &str = "https://purl.imsglobal.org/ob/v3p0";
const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];
/// Upper bound on what extraction will decode (pixels and text), against decompression bombs.
const DECODE_LIMIT_BYTES: usize = 64 * 1024 * 1024;

/// Whether the bytes start with the PNG signature.
pub fn is_png(bytes: &[u8]) -> bool {
    bytes.starts_with(&PNG_SIGNATURE)
}

/// One chunk of a PNG stream: its type and the byte range of the whole chunk (length … CRC).
struct RawChunk {
    kind: [u8; 4],
    start: usize,
    end: usize,
    data_start: usize,
}

/// Splits a PNG into chunks, checking framing and CRCs (the pixels are not decoded).
fn png_chunks(png: &[u8]) -> Result<Vec<RawChunk>, BadgeError> {
    if !is_png(png) {
        return Err(BadgeError::Png("not a PNG file".into()));
    }
    let mut chunks = Vec::new();
    let mut pos = PNG_SIGNATURE.len();
    while pos < png.len() {
        let header = png
            .get(pos..pos + 8)
            .ok_or_else(|| BadgeError::Png("truncated chunk header".into()))?;
        let len = u32::from_be_bytes([header[0], header[1], header[2], header[3]]) as usize;
        let kind = [header[4], header[5], header[6], header[7]];
        let data_start = pos + 8;
        let end = data_start
            .checked_add(len)
            .and_then(|e| e.checked_add(4))
            .filter(|e| *e <= png.len())
            .ok_or_else(|| BadgeError::Png("truncated chunk".into()))?;
        let crc_stored =
            u32::from_be_bytes([png[end - 4], png[end - 3], png[end - 2], png[end - 1]]);
        if crc32fast::hash(&png[pos + 4..end - 4]) != crc_stored {
            return Err(BadgeError::Png("chunk CRC mismatch".into()));
        }
        chunks.push(RawChunk {
            kind,
            start: pos,
            end,
            data_start,
        });
        pos = end;
        if &kind == b"IEND" {
            break;
        }
    }
    match (chunks.first(), chunks.last()) {
        (Some(first), Some(last)) if &first.kind == b"IHDR" && &last.kind == b"IEND" => Ok(chunks),
        _ => Err(BadgeError::Png(
            "PNG must start with IHDR and end with IEND".into(),
        )),
    }
}

/// The keyword of an `iTXt` chunk (`None` for other chunks).
fn itxt_keyword<'a>(png: &'a [u8], chunk: &RawChunk) -> Option<&'a [u8]> {
    (&chunk.kind == b"iTXt").then(|| {
        let data = &png[chunk.data_start..chunk.end - 4];
        let keyword_end = data.iter().position(|b| *b == 0).unwrap_or(data.len());
        &data[..keyword_end]
    })
}

/// Returns `png` with `credential_json` baked in, replacing any credential already there.
pub fn bake_png(png: &[u8], credential_json: &str) -> Result<Vec<u8>, BadgeError> {
    bake_png_texts(png, &[(PNG_KEYWORD, credential_json)])
}

/// Returns `png` with one uncompressed `iTXt` chunk per `(keyword, text)` right after `IHDR`,
/// replacing any chunk of those keywords already there (so there is exactly one of each).
pub fn bake_png_texts(png: &[u8], texts: &[(&str, &str)]) -> Result<Vec<u8>, BadgeError> {
    let chunks = png_chunks(png)?;
    let mut text_chunks = Vec::new();
    for (keyword, text) in texts {
        ITXtChunk::new(*keyword, *text)
            .encode(&mut text_chunks)
            .map_err(|e| BadgeError::Png(e.to_string()))?;
    }
    let mut out = Vec::with_capacity(png.len() + text_chunks.len());
    out.extend_from_slice(&PNG_SIGNATURE);
    for (i, chunk) in chunks.iter().enumerate() {
        let replaced = itxt_keyword(png, chunk)
            .is_some_and(|k| texts.iter().any(|(keyword, _)| k == keyword.as_bytes()));
        if replaced {
            continue;
        }
        out.extend_from_slice(&png[chunk.start..chunk.end]);
        if i == 0 {
            out.extend_from_slice(&text_chunks);
        }
    }
    Ok(out)
}

/// The `iTXt` chunks with `keyword`, decoded once under the memory limits.
fn itxt_chunks(png: &[u8], keyword: &str) -> Result<Vec<ITXtChunk>, BadgeError> {
    if !is_png(png) {
        return Err(BadgeError::Png("not a PNG file".into()));
    }
    let limits = png::Limits {
        bytes: DECODE_LIMIT_BYTES,
    };
    let mut reader = png::Decoder::new_with_limits(Cursor::new(png), limits)
        .read_info()
        .map_err(|e| BadgeError::Png(e.to_string()))?;
    reader
        .finish()
        .map_err(|e| BadgeError::Png(e.to_string()))?;
    Ok(reader
        .info()
        .utf8_text
        .iter()
        .filter(|c| c.keyword == keyword)
        .cloned()
        .collect())
}

/// The text of a chunk, decompressed within the limits.
fn chunk_text(mut chunk: ITXtChunk) -> Result<String, BadgeError> {
    chunk
        .decompress_text_with_limit(DECODE_LIMIT_BYTES)
        .map_err(|e| BadgeError::Png(e.to_string()))?;
    chunk.get_text().map_err(|e| BadgeError::Png(e.to_string()))
}

/// The texts of every `iTXt` chunk with `keyword` (for checks: a badge holds one of each).
pub fn png_texts(png: &[u8], keyword: &str) -> Result<Vec<String>, BadgeError> {
    itxt_chunks(png, keyword)?
        .into_iter()
        .map(chunk_text)
        .collect()
}

/// The credential JSON baked into a PNG (the chunks after the image data are read too).
/// Refuses zero or several credential chunks, and a compressed one (OB 3.0 baking wants it
/// uncompressed).
pub fn extract_png(png: &[u8]) -> Result<String, BadgeError> {
    let mut chunks = itxt_chunks(png, PNG_KEYWORD)?;
    if chunks.iter().any(|c| c.compressed) {
        return Err(BadgeError::Png(
            "the credential's iTXt chunk is compressed: Open Badges 3.0 baking requires it \
             uncompressed"
                .into(),
        ));
    }
    match chunks.len() {
        0 => Err(BadgeError::NoCredential),
        1 => chunk_text(chunks.remove(0)),
        _ => Err(BadgeError::DuplicateCredential),
    }
}

/// Finds the root `<svg …>` start tag: (start, end just past `>`, self-closing).
fn svg_root_tag(svg: &str) -> Result<(usize, usize, bool), BadgeError> {
    let mut search = 0;
    let start = loop {
        let found = svg[search..]
            .find("<svg")
            .map(|i| i + search)
            .ok_or_else(|| BadgeError::Svg("no <svg> root element".into()))?;
        let next = svg[found + 4..].chars().next();
        if matches!(next, Some(c) if c.is_whitespace() || c == '>' || c == '/') {
            break found;
        }
        search = found + 4;
    };
    let mut quote: Option<char> = None;
    for (i, c) in svg[start..].char_indices() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '"' | '\'') => quote = Some(c),
            (None, '>') => {
                let end = start + i + 1;
                let self_closing = svg[..end - 1].ends_with('/');
                return Ok((start, end, self_closing));
            }
            _ => {}
        }
    }
    Err(BadgeError::Svg("unterminated <svg> start tag".into()))
}

const CREDENTIAL_OPEN: &str = "<openbadges:credential";
const CREDENTIAL_CLOSE: &str = "</openbadges:credential>";

/// Byte ranges of every `<openbadges:credential>` element (whole element, inner content).
fn svg_credential_elements(svg: &str) -> Result<Vec<(usize, usize, usize, usize)>, BadgeError> {
    let mut out = Vec::new();
    let mut pos = 0;
    while let Some(rel) = svg[pos..].find(CREDENTIAL_OPEN) {
        let start = pos + rel;
        let open_end = svg[start..]
            .find('>')
            .map(|i| start + i + 1)
            .ok_or_else(|| BadgeError::Svg("unterminated <openbadges:credential>".into()))?;
        if svg[..open_end].ends_with("/>") {
            out.push((start, open_end, open_end, open_end));
            pos = open_end;
            continue;
        }
        // The close tag is searched for outside CDATA sections, whose content is opaque.
        let mut cursor = open_end;
        let close = loop {
            let next_cdata = svg[cursor..].find("<![CDATA[").map(|i| cursor + i);
            let next_close = svg[cursor..].find(CREDENTIAL_CLOSE).map(|i| cursor + i);
            match (next_cdata, next_close) {
                (Some(c), Some(e)) if c < e => {
                    cursor = svg[c..]
                        .find("]]>")
                        .map(|i| c + i + 3)
                        .ok_or_else(|| BadgeError::Svg("unterminated CDATA".into()))?;
                }
                (_, Some(e)) => break e,
                (_, None) => {
                    return Err(BadgeError::Svg(
                        "unterminated <openbadges:credential>".into(),
                    ));
                }
            }
        };
        let end = close + CREDENTIAL_CLOSE.len();
        out.push((start, end, open_end, close));
        pos = end;
    }
    Ok(out)
}

/// Returns `svg` with `credential_json` baked in, replacing any credential already there.
pub fn bake_svg(svg: &str, credential_json: &str) -> Result<String, BadgeError> {
    let elements = svg_credential_elements(svg)?;
    let mut cleaned = String::with_capacity(svg.len());
    let mut last = 0;
    for (start, end, _, _) in &elements {
        cleaned.push_str(&svg[last..*start]);
        last = *end;
    }
    cleaned.push_str(&svg[last..]);
    let (start, end, self_closing) = svg_root_tag(&cleaned)?;
    let tag = &cleaned[start..end];
    let mut open = if self_closing {
        tag[..tag.len() - 2].trim_end().to_string()
    } else {
        tag[..tag.len() - 1].to_string()
    };
    if !tag.contains("xmlns:openbadges=") {
        open.push_str(&format!(" xmlns:openbadges=\"{OB_NAMESPACE}\""));
    }
    open.push('>');
    // "]]>" cannot appear inside CDATA: split it across two sections.
    let cdata = credential_json.replace("]]>", "]]]]><![CDATA[>");
    let mut out = String::with_capacity(cleaned.len() + credential_json.len() + 200);
    out.push_str(&cleaned[..start]);
    out.push_str(&open);
    out.push_str("<openbadges:credential><![CDATA[");
    out.push_str(&cdata);
    out.push_str("]]></openbadges:credential>");
    if self_closing {
        out.push_str("</svg>");
    }
    out.push_str(&cleaned[end..]);
    Ok(out)
}

/// The credential JSON baked into an SVG: the content of the one `credential` element of the
/// Open Badges 3.0 namespace, whatever prefix the file binds it to, which the spec puts in a
/// CDATA section. Parsed as XML (roxmltree: namespaces, entities, no DTD), not searched as text.
/// Refuses zero or several credential elements, markup inside one, and a credential outside
/// CDATA.
pub fn extract_svg(svg: &str) -> Result<String, BadgeError> {
    let doc = roxmltree::Document::parse(svg).map_err(|e| BadgeError::Svg(e.to_string()))?;
    let mut credentials = doc.descendants().filter(|n| {
        n.is_element()
            && n.tag_name().namespace() == Some(OB_NAMESPACE)
            && n.tag_name().name() == "credential"
    });
    let element = credentials.next().ok_or(BadgeError::NoCredential)?;
    if credentials.next().is_some() {
        return Err(BadgeError::DuplicateCredential);
    }
    if element.children().any(|c| c.is_element()) {
        return Err(BadgeError::Svg(
            "unexpected markup inside the credential element".into(),
        ));
    }
    let (Some(first), Some(last)) = (element.first_child(), element.last_child()) else {
        return Err(BadgeError::NoCredential);
    };
    let raw = svg[first.range().start..last.range().end].trim();
    if !(raw.starts_with("<![CDATA[") && raw.ends_with("]]>")) {
        return Err(BadgeError::Svg(
            "the credential must be in a CDATA section (Open Badges 3.0 baking)".into(),
        ));
    }
    let text: String = element.children().filter_map(|c| c.text()).collect();
    Ok(text.trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn svg_round_trip_replaces_and_handles_cdata_end() {
        let svg = r#"<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10"><rect/></svg>"#;
        let json = r#"{"a":"x]]>y"}"#;
        let baked = bake_svg(svg, json).unwrap();
        assert!(baked.contains(r#"xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"><openbadges:credential><![CDATA["#));
        assert_eq!(extract_svg(&baked).unwrap(), json);
        let rebaked = bake_svg(&baked, "{}").unwrap();
        assert_eq!(rebaked.matches("<openbadges:credential>").count(), 1);
        assert_eq!(rebaked.matches("xmlns:openbadges").count(), 1);
        assert_eq!(extract_svg(&rebaked).unwrap(), "{}");
        let self_closing = bake_svg(r#"<svg xmlns="http://www.w3.org/2000/svg"/>"#, "{}").unwrap();
        assert!(self_closing.ends_with("</openbadges:credential></svg>"));
        assert_eq!(extract_svg(&self_closing).unwrap(), "{}");
    }

    #[test]
    fn svg_refuses_two_credentials_and_none() {
        let two = r#"<svg xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"><openbadges:credential><![CDATA[{}]]></openbadges:credential><openbadges:credential><![CDATA[{}]]></openbadges:credential></svg>"#;
        assert!(matches!(
            extract_svg(two),
            Err(BadgeError::DuplicateCredential)
        ));
        assert!(matches!(
            extract_svg("<svg></svg>"),
            Err(BadgeError::NoCredential)
        ));
        assert!(extract_svg("<svg><openbadges:credential><![CDATA[{").is_err());
    }

    #[test]
    fn svg_is_read_as_xml_with_namespaces_and_cdata() {
        // Any prefix bound to the Open Badges namespace: the element is the same.
        let other_prefix = r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:ob="https://purl.imsglobal.org/ob/v3p0"><ob:credential><![CDATA[{"a":1}]]></ob:credential></svg>"#;
        assert_eq!(extract_svg(other_prefix).unwrap(), r#"{"a":1}"#);
        // The spec's CDATA section, not escaped text.
        let escaped = r#"<svg xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"><openbadges:credential>{&quot;a&quot;:1}</openbadges:credential></svg>"#;
        let refused = extract_svg(escaped).unwrap_err().to_string();
        assert!(refused.contains("CDATA"), "{refused}");
        // The prefix alone, bound to another namespace, is not a credential.
        let wrong_namespace = r#"<svg xmlns:openbadges="https://example.org/other"><openbadges:credential><![CDATA[{}]]></openbadges:credential></svg>"#;
        assert!(matches!(
            extract_svg(wrong_namespace),
            Err(BadgeError::NoCredential)
        ));
        // Markup inside the element, and a DTD (entity expansion), are refused.
        let markup = r#"<svg xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"><openbadges:credential><![CDATA[{}]]><x/></openbadges:credential></svg>"#;
        assert!(extract_svg(markup).is_err());
        let dtd = r#"<!DOCTYPE svg [<!ENTITY a "aaaa">]><svg xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"><openbadges:credential><![CDATA[{}]]></openbadges:credential></svg>"#;
        assert!(extract_svg(dtd).is_err());
    }

    #[test]
    fn a_compressed_credential_chunk_is_refused() {
        let mut png = Vec::new();
        {
            let mut encoder = png::Encoder::new(&mut png, 1, 1);
            encoder.set_color(png::ColorType::Grayscale);
            let mut chunk = ITXtChunk::new(PNG_KEYWORD, "{\"v\":3}");
            chunk.compressed = true;
            chunk.compress_text().unwrap();
            let mut writer = encoder.write_header().unwrap();
            writer.write_text_chunk(&chunk).unwrap();
            writer.write_image_data(&[0]).unwrap();
        }
        let refused = extract_png(&png).unwrap_err().to_string();
        assert!(refused.contains("compressed"), "{refused}");
    }

    #[test]
    fn png_carries_one_chunk_of_each_keyword_after_rebaking() {
        let spec = crate::badge::artwork::ArtworkSpec {
            title: "T".into(),
            subtitle: None,
            palette: None,
        };
        let picture = crate::badge::artwork::render_png(&spec, 64).unwrap();
        let texts = [(PNG_KEYWORD, "{\"v\":3}"), (PNG_KEYWORD_OB2, "{\"v\":2}")];
        let once = bake_png_texts(&picture, &texts).unwrap();
        let twice = bake_png_texts(&once, &texts).unwrap();
        assert_eq!(png_texts(&twice, PNG_KEYWORD).unwrap(), ["{\"v\":3}"]);
        assert_eq!(png_texts(&twice, PNG_KEYWORD_OB2).unwrap(), ["{\"v\":2}"]);
        assert_eq!(extract_png(&twice).unwrap(), "{\"v\":3}");
        // Baking only the 3.0 credential leaves the 2.0 chunk alone.
        let v3_only = bake_png(&twice, "{}").unwrap();
        assert_eq!(png_texts(&v3_only, PNG_KEYWORD_OB2).unwrap().len(), 1);
    }

    #[test]
    fn png_framing_rejects_garbage() {
        assert!(bake_png(b"nope", "{}").is_err());
        let mut truncated = PNG_SIGNATURE.to_vec();
        truncated.extend_from_slice(&[0, 0, 0, 13, b'I', b'H']);
        assert!(bake_png(&truncated, "{}").is_err());
        assert!(extract_png(&truncated).is_err());
    }
}
