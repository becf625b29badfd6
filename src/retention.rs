//! Personal data retention (RGPD): names and e-mails of a session are erased a set number of
//! days after its last activity. Feedback is anonymous and stays; badges already downloaded
//! stay valid (their revocation status is kept).

use std::sync::Arc;
use std::time::Duration;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use tokio::sync::watch;

use crate::room::{RoomError, Rooms};
use crate::store::{Store, StoreError};

/// Days after a session's last activity before its personal data is erased.
pub const DEFAULT_RETENTION_DAYS: u32 = 90;
/// Longest retention an organiser may set: a year covers re-sending a lost badge.
pub const MAX_RETENTION_DAYS: u32 = 365;
/// How often the retention job looks for sessions to erase.
const CHECK_EVERY: Duration = Duration::from_secs(3600);
const SETTING: &str = "retention_days";

#[derive(Debug, thiserror::Error)]
pub enum RetentionError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Room(#[from] RoomError),
}

pub async fn retention_days(store: &Store) -> Result<u32, StoreError> {
    Ok(store
        .setting(SETTING)
        .await?
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_RETENTION_DAYS))
}

pub async fn set_retention_days(store: &Store, days: u32) -> Result<(), StoreError> {
    store
        .set_setting(SETTING, &days.min(MAX_RETENTION_DAYS).to_string())
        .await
}

/// Erases every session whose retention period is over; returns their codes.
pub async fn run_once(store: &Store, rooms: &Arc<Rooms>) -> Result<Vec<String>, RetentionError> {
    let days = retention_days(store).await?;
    let cutoff = OffsetDateTime::now_utc() - time::Duration::days(i64::from(days));
    let cutoff = cutoff.format(&Rfc3339).unwrap_or_default();
    let codes = store.sessions_to_erase(&cutoff).await?;
    for code in &codes {
        rooms.erase(code, None).await?;
    }
    if !codes.is_empty() {
        tracing::info!(
            count = codes.len(),
            days,
            "retention: personal data of old sessions erased"
        );
    }
    Ok(codes)
}

/// The background job: at start, then every hour, until the server stops.
pub fn spawn(store: Store, rooms: Arc<Rooms>, mut stop: watch::Receiver<bool>) {
    tokio::spawn(async move {
        loop {
            if let Err(e) = run_once(&store, &rooms).await {
                tracing::error!(error = %e, "retention job failed; will retry");
            }
            tokio::select! {
                _ = tokio::time::sleep(CHECK_EVERY) => {}
                _ = stop.wait_for(|s| *s) => return,
            }
        }
    });
}
