//! The allow-list for SVG images that organisers upload.
//!
//! The file is parsed as XML (`roxmltree`, DTDs refused, so no entity can be declared, expanded or
//! fetched), every element and attribute is checked against the lists below, and the accepted tree
//! is **written out again** from those lists: what is stored and later shown is exactly what was
//! checked, with names spelled by this module and every value escaped, so a difference between
//! this parser and a browser's cannot smuggle anything through.
//!
//! - SVG elements (in the SVG namespace, or in none) must be on `ELEMENTS`; anything else is
//!   refused and named: scripts, `foreignObject`, animations (`animate`, `set`, …, which can
//!   rewrite a link after loading), links, `feImage`, HTML elements.
//! - SVG attributes must be on `ATTRIBUTES`; `on…` handlers are refused as such; `data-…`
//!   attributes are dropped.
//! - `href` / `xlink:href` only on elements that use one, and only to `#fragment` in this document;
//!   `<image>` may also hold an embedded raster image (`data:image/png|jpeg|gif|webp`). Values are
//!   checked as a URL parser reads them: entities decoded (by the XML parser), ASCII whitespace and
//!   control characters removed, case ignored.
//! - CSS (`<style>`, `style=`, and any other attribute value): no `@import`, no escapes, no
//!   `url(` to anything but `#fragment`, no `image()`/`image-set()`/`src()`/`expression()`.
//! - Processing instructions (other than the XML declaration, which the parser reads itself) are
//!   refused; comments are dropped.
//! - Elements and attributes of other XML namespaces (editor data: Inkscape, Sodipodi, RDF
//!   metadata…) have no meaning in SVG: they are dropped, except HTML, which is refused.
//! - Bounded: at most [`MAX_NODES`] nodes, [`MAX_DEPTH`] levels.

use std::fmt::Write as _;

use roxmltree::{Node, NodeType, ParsingOptions};

pub const SVG_NS: &str = "http://www.w3.org/2000/svg";
pub const XLINK_NS: &str = "http://www.w3.org/1999/xlink";
const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";
const XHTML_NS: &str = "http://www.w3.org/1999/xhtml";

/// Most XML nodes (elements, text, comments…) an uploaded SVG may have.
pub const MAX_NODES: u32 = 100_000;
/// Deepest nesting of elements accepted.
pub const MAX_DEPTH: usize = 64;

/// Why an uploaded SVG was refused. The messages are shown to the organiser.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SvgRejection {
    #[error("the SVG is not well-formed XML ({0})")]
    NotXml(String),
    #[error("the SVG has a DOCTYPE (entity declarations are not accepted); export it as plain SVG")]
    Doctype,
    #[error("the root element is <{0}>, not <svg>")]
    NotSvg(String),
    #[error("the SVG has more than {MAX_NODES} nodes")]
    TooManyNodes,
    #[error("the SVG nests elements more than {MAX_DEPTH} levels deep")]
    TooDeep,
    #[error("the SVG contains a processing instruction <?{0}?>")]
    ProcessingInstruction(String),
    #[error("the SVG contains a <script> element")]
    Script,
    #[error("the SVG contains a <foreignObject> element")]
    ForeignObject,
    #[error("the SVG contains an animation element <{0}>")]
    Animation(String),
    #[error("the SVG contains an element that is not allowed: <{0}>")]
    Element(String),
    #[error("the SVG contains an event handler attribute {attribute} on <{element}>")]
    EventHandler { element: String, attribute: String },
    #[error("the SVG contains an attribute that is not allowed: {attribute} on <{element}>")]
    Attribute { element: String, attribute: String },
    #[error(
        "the SVG refers to something outside itself: {attribute}=\"{value}\" on <{element}> (only #references are allowed{})",
        if element == "image" { ", and embedded PNG, JPEG, GIF or WebP images" } else { "" }
    )]
    ExternalReference {
        element: String,
        attribute: String,
        value: String,
    },
    #[error("the SVG has CSS that is not allowed in {place} on <{element}>: {reason}")]
    Css {
        element: String,
        place: String,
        reason: &'static str,
    },
    #[error("the <style> element may contain only text")]
    StyleMarkup,
}

/// SVG elements that may appear, with the name written out.
const ELEMENTS: &[&str] = &[
    // Structure.
    "svg",
    "g",
    "defs",
    "symbol",
    "use",
    "title",
    "desc",
    "metadata",
    "style",
    "switch",
    // Shapes.
    "path",
    "rect",
    "circle",
    "ellipse",
    "line",
    "polyline",
    "polygon",
    // Text.
    "text",
    "tspan",
    "textPath",
    // Paint servers, clipping, masking, markers.
    "linearGradient",
    "radialGradient",
    "stop",
    "pattern",
    "clipPath",
    "mask",
    "marker",
    // Embedded raster images (data: only, see `check_href`).
    "image",
    // Filters (all primitives but feImage, which loads a reference).
    "filter",
    "feBlend",
    "feColorMatrix",
    "feComponentTransfer",
    "feComposite",
    "feConvolveMatrix",
    "feDiffuseLighting",
    "feDisplacementMap",
    "feDistantLight",
    "feDropShadow",
    "feFlood",
    "feFuncA",
    "feFuncB",
    "feFuncG",
    "feFuncR",
    "feGaussianBlur",
    "feMerge",
    "feMergeNode",
    "feMorphology",
    "feOffset",
    "fePointLight",
    "feSpecularLighting",
    "feSpotLight",
    "feTile",
    "feTurbulence",
];

/// Elements that may carry `href` / `xlink:href` (always checked by `check_href`).
const HREF_ELEMENTS: &[&str] = &[
    "use",
    "image",
    "linearGradient",
    "radialGradient",
    "pattern",
    "textPath",
    "filter",
];

/// Animation elements: they can change any attribute (a link into `javascript:`) after loading.
const ANIMATIONS: &[&str] = &[
    "animate",
    "animateColor",
    "animateMotion",
    "animateTransform",
    "discard",
    "mpath",
    "set",
];

/// SVG attributes (no namespace) that may appear on any allowed element.
const ATTRIBUTES: &[&str] = &[
    // Core, accessibility, styling.
    "id",
    "class",
    "style",
    "lang",
    "role",
    "aria-label",
    "aria-labelledby",
    "aria-describedby",
    "aria-hidden",
    "focusable",
    "version",
    "baseProfile",
    "requiredExtensions",
    "requiredFeatures",
    "systemLanguage",
    // Geometry.
    "x",
    "y",
    "width",
    "height",
    "viewBox",
    "preserveAspectRatio",
    "transform",
    "transform-origin",
    "d",
    "points",
    "cx",
    "cy",
    "r",
    "rx",
    "ry",
    "x1",
    "y1",
    "x2",
    "y2",
    "fx",
    "fy",
    "fr",
    "pathLength",
    // Text.
    "dx",
    "dy",
    "rotate",
    "textLength",
    "lengthAdjust",
    "startOffset",
    "method",
    "spacing",
    "side",
    // Gradients, patterns, clipping, masks, markers.
    "offset",
    "gradientUnits",
    "gradientTransform",
    "spreadMethod",
    "patternUnits",
    "patternContentUnits",
    "patternTransform",
    "clipPathUnits",
    "maskUnits",
    "maskContentUnits",
    "markerUnits",
    "markerWidth",
    "markerHeight",
    "refX",
    "refY",
    "orient",
    // Filters.
    "filterUnits",
    "primitiveUnits",
    "in",
    "in2",
    "result",
    "stdDeviation",
    "mode",
    "type",
    "values",
    "operator",
    "k1",
    "k2",
    "k3",
    "k4",
    "radius",
    "tableValues",
    "slope",
    "intercept",
    "amplitude",
    "exponent",
    "edgeMode",
    "baseFrequency",
    "numOctaves",
    "seed",
    "stitchTiles",
    "scale",
    "xChannelSelector",
    "yChannelSelector",
    "order",
    "kernelMatrix",
    "divisor",
    "bias",
    "targetX",
    "targetY",
    "preserveAlpha",
    "surfaceScale",
    "diffuseConstant",
    "specularConstant",
    "specularExponent",
    "kernelUnitLength",
    "azimuth",
    "elevation",
    "z",
    "pointsAtX",
    "pointsAtY",
    "pointsAtZ",
    "limitingConeAngle",
    "media",
    "enable-background",
    // Presentation attributes.
    "alignment-baseline",
    "baseline-shift",
    "clip",
    "clip-path",
    "clip-rule",
    "color",
    "color-interpolation",
    "color-interpolation-filters",
    "color-rendering",
    "direction",
    "display",
    "dominant-baseline",
    "fill",
    "fill-opacity",
    "fill-rule",
    "filter",
    "flood-color",
    "flood-opacity",
    "font-family",
    "font-size",
    "font-size-adjust",
    "font-stretch",
    "font-style",
    "font-variant",
    "font-weight",
    "image-rendering",
    "isolation",
    "letter-spacing",
    "lighting-color",
    "marker",
    "marker-end",
    "marker-mid",
    "marker-start",
    "mask",
    "mask-type",
    "mix-blend-mode",
    "opacity",
    "overflow",
    "paint-order",
    "shape-rendering",
    "stop-color",
    "stop-opacity",
    "stroke",
    "stroke-dasharray",
    "stroke-dashoffset",
    "stroke-linecap",
    "stroke-linejoin",
    "stroke-miterlimit",
    "stroke-opacity",
    "stroke-width",
    "text-anchor",
    "text-decoration",
    "text-rendering",
    "unicode-bidi",
    "vector-effect",
    "visibility",
    "white-space",
    "word-spacing",
    "writing-mode",
];

/// The raster formats an `<image>` may embed.
const DATA_IMAGES: &[&str] = &[
    "data:image/png;",
    "data:image/png,",
    "data:image/jpeg;",
    "data:image/jpeg,",
    "data:image/jpg;",
    "data:image/jpg,",
    "data:image/gif;",
    "data:image/gif,",
    "data:image/webp;",
    "data:image/webp,",
];

/// Parses `text`, checks it against the allow-list and returns it written out again.
pub fn sanitize(text: &str) -> Result<String, SvgRejection> {
    let options = ParsingOptions {
        allow_dtd: false,
        nodes_limit: MAX_NODES,
        ..ParsingOptions::default()
    };
    let doc = roxmltree::Document::parse_with_options(text, options).map_err(|e| match e {
        roxmltree::Error::DtdDetected => SvgRejection::Doctype,
        roxmltree::Error::NodesLimitReached => SvgRejection::TooManyNodes,
        other => SvgRejection::NotXml(other.to_string()),
    })?;
    // Before and after the root element: only comments (dropped) and processing instructions
    // (refused); the XML declaration is read by the parser and is not a node.
    for node in doc.root().children() {
        if let Some(pi) = node.pi() {
            return Err(SvgRejection::ProcessingInstruction(snippet(pi.target)));
        }
    }
    let root = doc.root_element();
    let name = root.tag_name();
    if name.name() != "svg" || !matches!(name.namespace(), None | Some(SVG_NS)) {
        return Err(SvgRejection::NotSvg(qualified(root)));
    }
    let mut out = Writer {
        svg: String::with_capacity(text.len() + 128),
        xlink: false,
    };
    out.element(root, 0)?;
    if out.xlink {
        // Declared on the root: after `<svg xmlns="…"`, which the writer always starts with.
        let at = "<svg xmlns=\"\"".len() + SVG_NS.len();
        out.svg
            .insert_str(at, &format!(" xmlns:xlink=\"{XLINK_NS}\""));
    }
    Ok(out.svg)
}

struct Writer {
    svg: String,
    /// Whether an `xlink:` attribute was written (its namespace is then declared on the root).
    xlink: bool,
}

impl Writer {
    fn element(&mut self, node: Node, depth: usize) -> Result<(), SvgRejection> {
        if depth >= MAX_DEPTH {
            return Err(SvgRejection::TooDeep);
        }
        let tag = node.tag_name();
        match tag.namespace() {
            None | Some(SVG_NS) => {}
            Some(XHTML_NS) => return Err(SvgRejection::Element(qualified(node))),
            // Editor data (Inkscape, Sodipodi, RDF…): not SVG, not shown; dropped.
            Some(_) => return Ok(()),
        }
        let local = tag.name();
        let Some(name) = ELEMENTS.iter().copied().find(|e| *e == local) else {
            return Err(match local.to_ascii_lowercase().as_str() {
                "script" => SvgRejection::Script,
                "foreignobject" => SvgRejection::ForeignObject,
                lower if ANIMATIONS.iter().any(|a| a.eq_ignore_ascii_case(lower)) => {
                    SvgRejection::Animation(snippet(local))
                }
                _ => SvgRejection::Element(qualified(node)),
            });
        };
        self.svg.push('<');
        self.svg.push_str(name);
        if depth == 0 {
            let _ = write!(self.svg, " xmlns=\"{SVG_NS}\"");
        }
        for attribute in node.attributes() {
            self.attribute(name, attribute)?;
        }
        if name == "metadata" {
            // Editors' RDF and the like: not shown, not kept.
            self.svg.push_str("/>");
            return Ok(());
        }
        if name == "style" {
            let mut css = String::new();
            for child in node.children() {
                match child.node_type() {
                    NodeType::Text => css.push_str(child.text().unwrap_or_default()),
                    NodeType::Comment => {}
                    NodeType::PI => return Err(pi_rejection(child)),
                    _ => return Err(SvgRejection::StyleMarkup),
                }
            }
            check_css(&css).map_err(|reason| SvgRejection::Css {
                element: name.into(),
                place: "<style>".into(),
                reason,
            })?;
            self.svg.push('>');
            escape_text(&mut self.svg, &css);
            self.svg.push_str("</style>");
            return Ok(());
        }
        let start = self.svg.len();
        self.svg.push('>');
        let mut empty = true;
        for child in node.children() {
            match child.node_type() {
                NodeType::Element => {
                    let before = self.svg.len();
                    self.element(child, depth + 1)?;
                    empty &= self.svg.len() == before;
                }
                NodeType::Text => {
                    let text = child.text().unwrap_or_default();
                    if !text.is_empty() {
                        escape_text(&mut self.svg, text);
                        empty = false;
                    }
                }
                NodeType::PI => return Err(pi_rejection(child)),
                NodeType::Comment | NodeType::Root => {}
            }
        }
        if empty {
            self.svg.truncate(start);
            self.svg.push_str("/>");
        } else {
            let _ = write!(self.svg, "</{name}>");
        }
        Ok(())
    }

    fn attribute(
        &mut self,
        element: &'static str,
        attribute: roxmltree::Attribute,
    ) -> Result<(), SvgRejection> {
        let local = attribute.name();
        let value = attribute.value();
        let written: &str = match attribute.namespace() {
            None => {
                if local.len() >= 2 && local[..2].eq_ignore_ascii_case("on") {
                    return Err(SvgRejection::EventHandler {
                        element: element.into(),
                        attribute: snippet(local),
                    });
                }
                if local == "href" {
                    return self.href(element, "href", value);
                }
                if local.starts_with("data-") {
                    return Ok(());
                }
                let Some(name) = ATTRIBUTES.iter().copied().find(|a| *a == local) else {
                    return Err(SvgRejection::Attribute {
                        element: element.into(),
                        attribute: snippet(local),
                    });
                };
                if element == "style"
                    && name == "type"
                    && !value.trim().eq_ignore_ascii_case("text/css")
                {
                    return Err(SvgRejection::Css {
                        element: element.into(),
                        place: "type".into(),
                        reason: "only text/css style sheets are accepted",
                    });
                }
                check_css(value).map_err(|reason| SvgRejection::Css {
                    element: element.into(),
                    place: name.into(),
                    reason,
                })?;
                name
            }
            Some(XLINK_NS) if local == "href" => {
                self.xlink = true;
                return self.href(element, "xlink:href", value);
            }
            Some(XML_NS) if local == "space" => "xml:space",
            Some(XML_NS) if local == "lang" => "xml:lang",
            // Other namespaces (editor data, xlink:title, xml:base…): no effect on the picture.
            Some(_) => return Ok(()),
        };
        self.write_attribute(written, value);
        Ok(())
    }

    fn href(
        &mut self,
        element: &'static str,
        attribute: &'static str,
        value: &str,
    ) -> Result<(), SvgRejection> {
        let refused = |value: &str| SvgRejection::ExternalReference {
            element: element.into(),
            attribute: attribute.into(),
            value: snippet(value),
        };
        if !HREF_ELEMENTS.contains(&element) {
            return Err(SvgRejection::Attribute {
                element: element.into(),
                attribute: attribute.into(),
            });
        }
        // As a URL parser reads it: no whitespace or control characters anywhere, any case.
        let url: String = value
            .chars()
            .filter(|c| !c.is_whitespace() && !c.is_control())
            .collect();
        let lower = url.to_ascii_lowercase();
        let local = url.starts_with('#');
        let raster = element == "image" && DATA_IMAGES.iter().any(|p| lower.starts_with(p));
        if !local && !raster {
            return Err(refused(value));
        }
        self.write_attribute(attribute, &url);
        Ok(())
    }

    fn write_attribute(&mut self, name: &str, value: &str) {
        let _ = write!(self.svg, " {name}=\"");
        for c in value.chars() {
            match c {
                '&' => self.svg.push_str("&amp;"),
                '<' => self.svg.push_str("&lt;"),
                '>' => self.svg.push_str("&gt;"),
                '"' => self.svg.push_str("&quot;"),
                // Kept as they are (a literal one would be read back as a space).
                '\t' => self.svg.push_str("&#9;"),
                '\n' => self.svg.push_str("&#10;"),
                '\r' => self.svg.push_str("&#13;"),
                c => self.svg.push(c),
            }
        }
        self.svg.push('"');
    }
}

fn escape_text(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
}

/// CSS (a style sheet, a declaration list or a presentation attribute's value) that loads
/// nothing: every `url(` points to `#fragment`, no `@import`, no escapes that could spell either.
fn check_css(css: &str) -> Result<(), &'static str> {
    if !css.contains(['(', '@', '\\', ':']) {
        return Ok(()); // Numbers, colours, keywords, path data: the common case.
    }
    if css.contains('\\') {
        return Err("CSS escapes are not accepted");
    }
    // Comments removed (`@im/**/port` is not an import, but refusing it costs nothing), then
    // whitespace and control characters, then case.
    let mut squeezed = String::with_capacity(css.len());
    let mut rest = css;
    while let Some(at) = rest.find("/*") {
        squeezed.push_str(&rest[..at]);
        rest = match rest[at + 2..].find("*/") {
            Some(end) => &rest[at + 2 + end + 2..],
            None => "",
        };
    }
    squeezed.push_str(rest);
    let squeezed: String = squeezed
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .flat_map(char::to_lowercase)
        .collect();
    if squeezed.contains("@import") {
        return Err("@import is not accepted");
    }
    for function in [
        "image(",
        "image-set(",
        "src(",
        "expression(",
        "element(",
        "paint(",
    ] {
        if squeezed.contains(function) {
            return Err("only url(#…) may refer to other content");
        }
    }
    if squeezed.contains("javascript:")
        || squeezed.contains("-moz-binding")
        || squeezed.contains("behavior:")
    {
        return Err("scripts are not accepted");
    }
    for (at, _) in squeezed.match_indices("url(") {
        let target = squeezed[at + 4..].trim_start_matches(['"', '\'']);
        if !target.starts_with('#') {
            return Err("url() may point only to #fragment in the same image");
        }
    }
    Ok(())
}

fn pi_rejection(node: Node) -> SvgRejection {
    SvgRejection::ProcessingInstruction(snippet(node.pi().map(|pi| pi.target).unwrap_or("")))
}

/// An element's name as written (prefix resolved to a short form), for messages.
fn qualified(node: Node) -> String {
    let tag = node.tag_name();
    let prefix = match tag.namespace() {
        None | Some(SVG_NS) => None,
        Some(XHTML_NS) => Some("html"),
        Some(ns) => node.lookup_prefix(ns).or(Some("?")),
    };
    snippet(&match prefix {
        Some(p) => format!("{p}:{}", tag.name()),
        None => tag.name().to_string(),
    })
}

/// A short, printable excerpt of something from the file, for messages.
fn snippet(text: &str) -> String {
    let mut out: String = text
        .chars()
        .take(60)
        .map(|c| if c.is_control() { '�' } else { c })
        .collect();
    if text.chars().count() > 60 {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(svg: &str) -> SvgRejection {
        match sanitize(svg) {
            Ok(out) => panic!("accepted {svg}\nas {out}"),
            Err(e) => e,
        }
    }

    #[test]
    fn writes_the_accepted_tree_again() {
        let input = r##"<?xml version="1.0" encoding="UTF-8"?>
<!-- made by hand -->
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape"
     viewBox="0 0 10 10" inkscape:version="1.3" data-name="Layer 1">
  <defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/></linearGradient></defs>
  <inkscape:grid><script>alert(1)</script></inkscape:grid>
  <rect width="10" height="10" fill="url(#g)" style="stroke: url( '#g' )"/>
  <use xlink:href="#g"/>
  <text x="1" y="5">A &amp; B &lt;3<![CDATA[ & <i>]]></text>
</svg>"##;
        let out = sanitize(input).unwrap();
        assert!(out.starts_with(
            r#"<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10">"#
        ), "{out}");
        assert!(!out.contains("inkscape") && !out.contains("script") && !out.contains("data-name"));
        assert!(out.contains(r##"<use xlink:href="#g"/>"##), "{out}");
        assert!(
            out.contains("A &amp; B &lt;3 &amp; &lt;i&gt;</text>"),
            "{out}"
        );
        // Stable: its own output is accepted unchanged.
        assert_eq!(sanitize(&out).unwrap(), out);
    }

    #[test]
    fn values_are_checked_as_decoded_and_written_as_checked() {
        // Entities and character references are decoded by the parser before the checks.
        for href in [
            "&#x6A;avascript:alert(1)",
            "&#106;ava&#9;script:alert(1)",
            " JaVa&#10;Script:alert(1)",
            "http://evil.example/#x",
            "//evil.example/s.svg#x",
            "s.svg#x",
            "data:image/svg+xml;base64,PHN2Zz4=",
        ] {
            let svg =
                format!(r#"<svg xmlns="http://www.w3.org/2000/svg"><use href="{href}"/></svg>"#);
            let verdict = sanitize(&svg);
            assert!(
                matches!(verdict, Err(SvgRejection::ExternalReference { .. })),
                "{href}: {verdict:?}"
            );
        }
        // A local reference with a tab in it is written without it.
        let out =
            sanitize(r##"<svg xmlns="http://www.w3.org/2000/svg"><use href=" #&#9;a"/></svg>"##)
                .unwrap();
        assert!(out.contains(r##"<use href="#a"/>"##), "{out}");
        // Raster images embedded in <image> only.
        let png = r#"<svg xmlns="http://www.w3.org/2000/svg"><image href="DATA:image/PNG;base64,iVBORw0KGgo="/></svg>"#;
        assert!(sanitize(png).is_ok());
        let on_use = png.replace("image href", "use href");
        assert!(matches!(
            refused(&on_use),
            SvgRejection::ExternalReference { .. }
        ));
    }

    #[test]
    fn css_loads_nothing() {
        for css in [
            "@import url(https://evil.example/x.css);",
            "@import 'x.css';",
            "@IMPORT \"x.css\";",
            "@im\\70 ort 'x.css';",
            "rect { fill: url(https://evil.example/p) }",
            "rect { fill: URL ( \"http://x\" ) }",
            "rect { fill: url(/**/http://x) }",
            "rect { background: image-set('http://x/a.png' 1x) }",
            "@font-face { font-family: f; src: url(data:font/woff2;base64,AAAA) }",
            "rect { fill: u\\72l(http://x) }",
        ] {
            let svg =
                format!(r#"<svg xmlns="http://www.w3.org/2000/svg"><style>{css}</style></svg>"#);
            assert!(matches!(refused(&svg), SvgRejection::Css { .. }), "{css}");
            let attribute = css.replace('"', "'");
            let svg = format!(
                r#"<svg xmlns="http://www.w3.org/2000/svg"><rect style="{attribute}"/></svg>"#
            );
            assert!(matches!(refused(&svg), SvgRejection::Css { .. }), "{css}");
        }
        let fine = r##"<svg xmlns="http://www.w3.org/2000/svg"><style type="text/css"><![CDATA[
            .a { fill: url("#g"); stroke: #000 } /* a comment */ @media (min-width: 1px) { .a { opacity: .5 } }
        ]]></style><rect class="a" clip-path="url(#c)"/></svg>"##;
        let out = sanitize(fine).unwrap();
        assert!(out.contains("url(\"#g\")"), "{out}");
    }

    #[test]
    fn refusals_name_what_was_refused() {
        assert_eq!(
            refused(r#"<svg xmlns="http://www.w3.org/2000/svg"><SCRIPT>x</SCRIPT></svg>"#),
            SvgRejection::Script
        );
        assert_eq!(
            refused(r#"<svg><foreignObject/></svg>"#),
            SvgRejection::ForeignObject
        );
        assert_eq!(
            refused(r#"<svg><set attributeName="fill" to="red"/></svg>"#),
            SvgRejection::Animation("set".into())
        );
        assert_eq!(
            refused(r#"<svg><rect OnClick="x()"/></svg>"#),
            SvgRejection::EventHandler {
                element: "rect".into(),
                attribute: "OnClick".into()
            }
        );
        assert_eq!(
            refused(r#"<svg><rect src="x"/></svg>"#),
            SvgRejection::Attribute {
                element: "rect".into(),
                attribute: "src".into()
            }
        );
        assert_eq!(
            refused(r##"<svg><a href="#x"/></svg>"##),
            SvgRejection::Element("a".into())
        );
        assert_eq!(
            refused(r#"<svg><h:script xmlns:h="http://www.w3.org/1999/xhtml"/></svg>"#),
            SvgRejection::Element("html:script".into())
        );
        assert_eq!(
            refused(r#"<html xmlns="http://www.w3.org/1999/xhtml"/>"#),
            SvgRejection::NotSvg("html:html".into())
        );
        assert_eq!(
            refused(r#"<?xml-stylesheet href="http://x/s.css"?><svg/>"#),
            SvgRejection::ProcessingInstruction("xml-stylesheet".into())
        );
        assert_eq!(
            refused(r#"<svg><g><?php echo 1 ?></g></svg>"#),
            SvgRejection::ProcessingInstruction("php".into())
        );
        assert_eq!(refused(r#"<!DOCTYPE svg><svg/>"#), SvgRejection::Doctype);
        assert_eq!(
            refused(r#"<svg><style><g/></style></svg>"#),
            SvgRejection::StyleMarkup
        );
        let message = refused(
            r#"<svg xmlns="http://www.w3.org/2000/svg"><image href="https://tracker.example/p.png"/></svg>"#,
        )
        .to_string();
        assert!(
            message.contains("https://tracker.example/p.png") && message.contains("embedded PNG"),
            "{message}"
        );
    }

    #[test]
    fn entities_and_size_are_bounded() {
        let laughs = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><svg><text>&lol1;</text></svg>"#;
        assert_eq!(refused(laughs), SvgRejection::Doctype);
        let xxe = r#"<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg><text>&x;</text></svg>"#;
        assert_eq!(refused(xxe), SvgRejection::Doctype);
        // Undeclared entities are not well-formed.
        assert!(matches!(
            refused("<svg><text>&x;</text></svg>"),
            SvgRejection::NotXml(_)
        ));
        let deep = format!(
            "<svg>{}{}</svg>",
            "<g>".repeat(100_000),
            "</g>".repeat(100_000)
        );
        assert!(matches!(
            refused(&deep),
            SvgRejection::TooDeep | SvgRejection::TooManyNodes
        ));
        let deep = format!(
            "<svg>{}{}</svg>",
            "<g>".repeat(MAX_DEPTH),
            "</g>".repeat(MAX_DEPTH)
        );
        assert_eq!(refused(&deep), SvgRejection::TooDeep);
        let wide = format!("<svg>{}</svg>", "<g/>".repeat(MAX_NODES as usize));
        assert_eq!(refused(&wide), SvgRejection::TooManyNodes);
    }
}
