//! Signed Open Badges 3.0: issue, sign (`eddsa-rdfc-2022`), bake into PNG/SVG, render artwork,
//! publish a revocation list and verify.
//!
//! Everything here works offline: the JSON-LD contexts are compiled in and the document loader
//! refuses any other URL, so signing never touches the network and a hostile badge cannot make the
//! verifier fetch anything.

pub mod artwork;
pub mod bake;
pub mod credential;
pub mod error;
pub mod jsonld;
pub mod keys;
pub mod ob2;
pub mod proof;
pub mod shape;
pub mod share;
pub mod signed;
pub mod status;
pub mod verify;

pub use error::BadgeError;
