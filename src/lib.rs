//! Atelier: a real-time server for live Open Badges workshops. See ARCHITECTURE.md.

pub mod auth;
pub mod badge;
pub mod config;
pub mod deck;
pub mod games;
pub mod i18n;
pub mod issuer;
pub mod protocol;
pub mod qr;
pub mod retention;
pub mod room;
pub mod server;
pub mod session;
pub mod store;
pub mod web;
