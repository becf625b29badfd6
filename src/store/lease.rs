//! One owner per session, across nodes: session leases and their fencing token.
//!
//! Several Atelier processes ("nodes") may serve one PostgreSQL database. A session's room must
//! live on one of them at a time, or two rooms would accept commands for the same session and
//! tell their phones different stories. So a node takes the session's **lease** before it
//! loads the session, renews it while the room runs, and releases it when the room unloads.
//!
//! **Why a lease row, not an advisory lock.** An advisory lock ends with its connection, which
//! is neat when a node dies, but it needs a connection held open per owned session (hundreds,
//! against a pool of 16 and PostgreSQL's 100), a network pause does not end it until TCP
//! notices (minutes), and it gives no token a write can be checked against. A row
//! `session_leases (session_id, owner, epoch, expires_at)` costs one statement to take, one
//! statement per renewal period for all the node's sessions together, and carries the token.
//! Expiry is read on the database's clock only (`clock_timestamp()`), so the nodes' clocks
//! never matter.
//!
//! **Fencing.** `epoch` grows each time the session changes owner. Every transaction of the
//! group writer that stores a room's batch first reads the leases of the rooms in that group
//! `FOR SHARE` (one statement per group, not per batch or per statement) and stores only the
//! batches whose node and epoch still hold the lease; the others are answered
//! [`StoreError::NotOwner`]. The row lock makes the check exact: a node taking the lease over
//! waits for a write transaction that checked the old epoch to commit, and then reads the
//! history with that write in it; a write that checks after the takeover sees the new epoch
//! and is refused. So a node that lost its lease during a pause (and still believes it owns
//! the session) cannot add a single row to it, whatever the timing.
//!
//! On SQLite (one process, the embedded default) the lease is trivially the process's own: no
//! row, no renewal, no guard; [`Store::acquire_lease`] answers at once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sqlx::PgPool;
use tokio::sync::watch;

use super::{Db, Result, Store, StoreError};

/// How long a lease lasts without renewal, and how often its owner renews it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeaseSettings {
    /// After this long without a renewal another node may take the session over: the time a
    /// dead node's sessions wait before another node serves them.
    pub ttl: Duration,
    /// How often the owner renews all its leases (one statement): well inside `ttl`, so a
    /// late renewal or two do not cost the lease.
    pub renew_every: Duration,
}

/// A dead node's sessions wait this long for another node. Ten seconds tolerates a database
/// fail-over or a stalled node (renewals every third of it), and stays well under the time a
/// phone shows "reconnecting" before people notice.
pub const LEASE_TTL: Duration = Duration::from_secs(10);

impl LeaseSettings {
    /// A lease of `ttl`, renewed every third of it.
    pub fn with_ttl(ttl: Duration) -> Self {
        Self {
            ttl,
            renew_every: ttl / 3,
        }
    }
}

impl Default for LeaseSettings {
    fn default() -> Self {
        Self::with_ttl(LEASE_TTL)
    }
}

/// The right to write one session's batches: what a room holds while it runs. Only the store
/// makes one ([`Store::acquire_lease`]), and [`Store::append`] takes it, so nothing writes a
/// session's commands without having taken its lease first.
#[derive(Debug)]
pub struct Lease {
    session_id: i64,
    /// The fencing token on PostgreSQL; `None` on SQLite, whose process owns every session.
    epoch: Option<i64>,
    lost: watch::Receiver<bool>,
}

impl Lease {
    pub fn session_id(&self) -> i64 {
        self.session_id
    }

    /// The fencing token (`None` on SQLite).
    pub fn epoch(&self) -> Option<i64> {
        self.epoch
    }

    /// Returns once the lease is known to be lost (another node took the session over while
    /// this one was not renewing); never on SQLite.
    pub async fn lost(&mut self) {
        if self.lost.wait_for(|lost| *lost).await.is_err() {
            // The store let go of this lease without losing it (released, or closed): it
            // will not be lost any more.
            std::future::pending::<()>().await;
        }
    }
}

/// The leases this node holds, and who to tell when one is lost.
pub(crate) struct Leases {
    /// This node's id, drawn when the store opens: a restarted node is another node, which
    /// waits for its former self's leases to expire like any other.
    node: String,
    settings: LeaseSettings,
    held: Mutex<HashMap<i64, Held>>,
}

struct Held {
    epoch: i64,
    lost: watch::Sender<bool>,
}

impl Leases {
    pub(crate) fn new(settings: LeaseSettings) -> Arc<Self> {
        Arc::new(Self {
            node: uuid::Uuid::new_v4().to_string(),
            settings,
            held: Mutex::new(HashMap::new()),
        })
    }

    pub(crate) fn node(&self) -> &str {
        &self.node
    }

    fn held(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Held>> {
        // A panic while holding this lock leaves a map that is still consistent.
        self.held
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Records a lease taken at `epoch` (or taken again by this node at the same epoch) and
    /// returns its watcher.
    fn hold(&self, session_id: i64, epoch: i64) -> watch::Receiver<bool> {
        let mut held = self.held();
        match held.get(&session_id) {
            Some(existing) if existing.epoch == epoch => existing.lost.subscribe(),
            _ => {
                let (lost, watcher) = watch::channel(false);
                if let Some(previous) = held.insert(session_id, Held { epoch, lost }) {
                    previous.lost.send_replace(true);
                }
                watcher
            }
        }
    }

    /// Forgets a lease this node no longer holds at `epoch`, telling its room.
    pub(crate) fn lose(&self, session_id: i64, epoch: i64) {
        let mut held = self.held();
        if held.get(&session_id).is_some_and(|h| h.epoch == epoch)
            && let Some(gone) = held.remove(&session_id)
        {
            tracing::warn!(
                session_id,
                epoch,
                "lost the session's lease to another node"
            );
            gone.lost.send_replace(true);
        }
    }
}

/// The database's clock in Unix milliseconds, as SQL: lease times never depend on the nodes'
/// clocks.
macro_rules! db_now_ms {
    () => {
        "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)"
    };
}

impl Store {
    /// The length and renewal of this node's leases.
    pub fn lease_settings(&self) -> LeaseSettings {
        self.leases.settings
    }

    /// Takes the lease of a session before loading it: at once on SQLite; on PostgreSQL if no
    /// node holds it, if its holder released it or let it expire (the epoch grows), or if
    /// this node holds it already (the same epoch: two loads racing on one node). Otherwise
    /// [`StoreError::LeaseHeld`], saying when it expires unless renewed.
    pub async fn acquire_lease(&self, session_id: i64) -> Result<Lease> {
        let Db::Postgres(pool) = &self.db else {
            // Dropping the sender at once: a SQLite lease is never lost.
            let (_, lost) = watch::channel(false);
            return Ok(Lease {
                session_id,
                epoch: None,
                lost,
            });
        };
        let ttl_ms = i64::try_from(self.leases.settings.ttl.as_millis()).unwrap_or(i64::MAX);
        let taken: Option<i64> = sqlx::query_scalar(concat!(
            "INSERT INTO session_leases (session_id, owner, epoch, expires_at)
             VALUES ($1, $2, 1, ",
            db_now_ms!(),
            " + $3)
             ON CONFLICT (session_id) DO UPDATE SET
                 epoch = CASE WHEN session_leases.owner = excluded.owner
                              THEN session_leases.epoch ELSE session_leases.epoch + 1 END,
                 owner = excluded.owner,
                 expires_at = excluded.expires_at
             WHERE session_leases.owner IS NULL
                OR session_leases.owner = excluded.owner
                OR session_leases.expires_at < ",
            db_now_ms!(),
            " RETURNING epoch"
        ))
        .bind(session_id)
        .bind(self.leases.node())
        .bind(ttl_ms)
        .fetch_optional(pool)
        .await?;
        if let Some(epoch) = taken {
            let lost = self.leases.hold(session_id, epoch);
            return Ok(Lease {
                session_id,
                epoch: Some(epoch),
                lost,
            });
        }
        let left: Option<i64> = sqlx::query_scalar(concat!(
            "SELECT expires_at - ",
            db_now_ms!(),
            " FROM session_leases WHERE session_id = $1"
        ))
        .bind(session_id)
        .fetch_optional(pool)
        .await?;
        let left = u64::try_from(left.unwrap_or(0)).unwrap_or(0);
        Err(StoreError::LeaseHeld(Duration::from_millis(left)))
    }

    /// Gives a lease back once its room has stored its last batch: the next node asked for
    /// the session takes it at once instead of waiting for the expiry. A lease lost meanwhile
    /// is left to its new owner.
    pub async fn release_lease(&self, lease: &Lease) -> Result<()> {
        let (Db::Postgres(pool), Some(epoch)) = (&self.db, lease.epoch) else {
            return Ok(());
        };
        {
            let mut held = self.leases.held();
            if held
                .get(&lease.session_id)
                .is_some_and(|h| h.epoch == epoch)
            {
                held.remove(&lease.session_id);
            }
        }
        sqlx::query(
            "UPDATE session_leases SET owner = NULL, expires_at = 0
             WHERE session_id = $1 AND owner = $2 AND epoch = $3",
        )
        .bind(lease.session_id)
        .bind(self.leases.node())
        .bind(epoch)
        .execute(pool)
        .await?;
        Ok(())
    }
}

/// Renews every lease this node holds, every [`LeaseSettings::renew_every`], in one statement;
/// a lease the statement does not find at its epoch any more was taken over: its room is told
/// ([`Lease::lost`]). Stops when the pool closes.
pub(super) async fn renewer(pool: PgPool, leases: Arc<Leases>) {
    let ttl_ms = i64::try_from(leases.settings.ttl.as_millis()).unwrap_or(i64::MAX);
    // Rows locked in the order of their ids, as the group writer's guard locks them, so the
    // two never wait for each other in a cycle.
    const RENEW: &str = concat!(
        "UPDATE session_leases SET expires_at = ",
        db_now_ms!(),
        " + $2
         WHERE session_id IN (SELECT session_id FROM session_leases WHERE owner = $1
                              ORDER BY session_id FOR UPDATE)
         RETURNING session_id, epoch"
    );
    let mut every = tokio::time::interval(leases.settings.renew_every);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        every.tick().await;
        if pool.is_closed() {
            return;
        }
        // Leases taken before the statement runs are committed before it: only those can be
        // judged lost by its answer.
        let before: Vec<(i64, i64)> = leases
            .held()
            .iter()
            .map(|(&session_id, held)| (session_id, held.epoch))
            .collect();
        if before.is_empty() {
            continue;
        }
        let renewed: Vec<(i64, i64)> = match sqlx::query_as(RENEW)
            .bind(leases.node())
            .bind(ttl_ms)
            .fetch_all(&pool)
            .await
        {
            Ok(rows) => rows,
            Err(e) => {
                // The database is unreachable: so are the writes, which the epoch fences
                // anyway. The next tick tries again.
                tracing::warn!(error = %e, "renewing the session leases failed");
                continue;
            }
        };
        let renewed: HashMap<i64, i64> = renewed.into_iter().collect();
        for (session_id, epoch) in before {
            if renewed.get(&session_id) != Some(&epoch) {
                leases.lose(session_id, epoch);
            }
        }
    }
}
