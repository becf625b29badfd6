//! The one error type of the badge module.

/// Everything that can go wrong while issuing, baking or checking a badge.
///
/// Messages are meant for the person looking at a badge (the `/verify` page, `atelier verify`), so
/// they say what is wrong in plain words and never contain key material.
#[derive(Debug, thiserror::Error)]
pub enum BadgeError {
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
    #[error("key store: {0}")]
    KeyStore(String),
    #[error("invalid JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("invalid input: {0}")]
    InvalidInput(String),
    #[error("JSON-LD processing failed: {0}")]
    JsonLd(String),
    #[error("canonicalisation failed: {0}")]
    Canonicalization(String),
    #[error("PNG error: {0}")]
    Png(String),
    #[error("SVG error: {0}")]
    Svg(String),
    #[error("image rejected: {0}")]
    ImageRejected(String),
    #[error("image rejected: {0}")]
    SvgRejected(#[from] crate::badge::artwork::SvgRejection),
    #[error("no Open Badges 3.0 credential found in the file")]
    NoCredential,
    #[error("the file holds more than one Open Badges 3.0 credential")]
    DuplicateCredential,
    #[error("proof invalid: {0}")]
    Proof(String),
    /// The signature was checked, with the right key: the document is not the one signed.
    #[error("proof invalid: signature does not match the document")]
    SignatureMismatch,
    #[error("DID resolution failed: {0}")]
    Did(String),
    #[error("status list: {0}")]
    Status(String),
    #[error("artwork rendering failed: {0}")]
    Render(String),
}
