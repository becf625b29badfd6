//! The store's interface on both databases: every test runs on SQLite and on PostgreSQL
//! (`name::sqlite`, `name::postgres`), through the same calls the server makes.

mod common;

use std::collections::BTreeMap;

use atelier::store::feedback::{FeedbackFilter, NewFeedback};
use atelier::store::{Batch, EventRecord, NewBadge, Role, StoreError, TokenKind, hash_token};
use common::{open_store, reopen_store};

fn event(seq: u64, record: &str) -> EventRecord {
    EventRecord {
        seq,
        record: record.into(),
    }
}

crate::on_both_stores! {
    /// Many rooms storing at once: their batches are grouped into shared transactions, and
    /// every one of them is stored, in order, with its tokens and snapshots.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn batches_of_many_rooms_written_at_once_are_all_stored() {
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = open_store(dir.path()).await;
        let mut sessions = Vec::new();
        for i in 0..40 {
            let row = store
                .create_session(&format!("GRP{i:03}"), None, "{}", "screen-key")
                .await
                .unwrap();
            sessions.push(row.id);
        }
        let writers: Vec<_> = sessions
            .iter()
            .map(|&id| {
                let store = store.clone();
                tokio::spawn(async move {
                    let lease = store.acquire_lease(id).await.unwrap();
                    let mut seq = 0u64;
                    let mut snapshot_at = 0u64;
                    for b in 0..25u32 {
                        let events = (0..1 + b % 3)
                            .map(|_| {
                                seq += 1;
                                event(seq, &format!("{{\"session\":{id},\"seq\":{seq}}}"))
                            })
                            .collect();
                        let new_tokens = if b % 5 == 0 {
                            vec![(hash_token(&format!("token-{id}-{b}")), b)]
                        } else {
                            Vec::new()
                        };
                        let snapshot = (b % 7 == 6).then(|| {
                            snapshot_at = seq;
                            (seq, format!("{{\"session\":{id},\"upto\":{seq}}}"))
                        });
                        let batch = Batch {
                            events,
                            new_tokens,
                            snapshot,
                            ..Batch::default()
                        };
                        store.append(&lease, batch).await.unwrap();
                    }
                    (snapshot_at, seq)
                })
            })
            .collect();
        for (&id, writer) in sessions.iter().zip(writers) {
            let (snapshot_at, last) = writer.await.unwrap();
            let history = store.history(id).await.unwrap();
            assert_eq!(
                history.snapshot,
                Some((
                    snapshot_at,
                    format!("{{\"session\":{id},\"upto\":{snapshot_at}}}")
                ))
            );
            let seqs: Vec<u64> = history.events.iter().map(|e| e.seq).collect();
            assert_eq!(seqs, (snapshot_at + 1..=last).collect::<Vec<_>>(), "session {id}");
            // No batch of another room landed in this one's history.
            assert!(
                history
                    .events
                    .iter()
                    .all(|e| e.record.contains(&format!("\"session\":{id},")))
            );
            for b in (0..25u32).step_by(5) {
                let (_, pid) = store
                    .participant_for_token(&format!("token-{id}-{b}"))
                    .await
                    .unwrap()
                    .expect("token stored");
                assert_eq!(pid, b);
            }
        }
        let lease = store.acquire_lease(sessions[0]).await.unwrap();
        store.close().await;
        assert!(matches!(
            store.append(&lease, Batch { events: vec![event(999, "{}")], ..Batch::default() }).await,
            Err(StoreError::Write(_))
        ));
    }
}

crate::on_both_stores! {
    /// A batch's rare statements: an e-mail forgotten in the log and the snapshot, tokens of
    /// another device revoked, claim codes voided and opened; a snapshot never goes back.
    #[tokio::test]
    async fn rare_statements_of_a_batch_are_applied_in_its_transaction() {
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = open_store(dir.path()).await;
        let session = store.create_session("RARE01", None, "{}", "k").await.unwrap();
        let lease = store.acquire_lease(session.id).await.unwrap();
        let request = r#"{"actor":{"type":"participant","pid":7},"command":{"type":"badge","command":{"type":"request","name":"Ada","email":"ada@example.org"}}}"#;
        let other = r#"{"actor":{"type":"participant","pid":8},"command":{"type":"badge","command":{"type":"request","name":"Bob","email":"bob@example.org"}}}"#;
        store
            .append(
                &lease,
                Batch {
                    events: vec![event(1, request), event(2, other)],
                    new_tokens: vec![(hash_token("old-phone"), 7), (hash_token("bob"), 8)],
                    snapshot: Some((
                        2,
                        r#"{"badges":{"requests":{"7":{"email":"ada@example.org"},"8":{"email":"bob@example.org"}}}}"#.into(),
                    )),
                    claim_codes: vec![("CLAIM1".into(), "2999-01-01T00:00:00Z".into())],
                    ..Batch::default()
                },
            )
            .await
            .unwrap();
        store
            .append(
                &lease,
                Batch {
                    events: vec![event(3, "{}")],
                    new_tokens: vec![(hash_token("new-phone"), 7)],
                    forget_emails: vec![7],
                    revoke_tokens: vec![(7, hash_token("new-phone"))],
                    void_claim_codes: true,
                    claim_codes: vec![("CLAIM2".into(), "2999-01-02T00:00:00Z".into())],
                    // Older than the stored one: ignored.
                    snapshot: Some((1, r#"{"stale":true}"#.into())),
                },
            )
            .await
            .unwrap();
        let history = store.history(session.id).await.unwrap();
        let (seq, state) = history.snapshot.expect("snapshot");
        assert_eq!(seq, 2);
        let state: serde_json::Value = serde_json::from_str(&state).unwrap();
        assert!(state["badges"]["requests"]["7"]["email"].is_null(), "{state}");
        assert_eq!(state["badges"]["requests"]["8"]["email"], "bob@example.org");
        // Events after the snapshot only.
        assert_eq!(history.events.len(), 1);
        let all = {
            store
                .erase_personal_data(&lease, 0, &serde_json::to_string(&state).unwrap(), Some(99))
                .await
                .unwrap();
            store.history(session.id).await.unwrap()
        };
        assert_eq!(all.snapshot.as_ref().map(|s| s.0), Some(0));
        let records: Vec<serde_json::Value> = all
            .events
            .iter()
            .map(|e| serde_json::from_str(&e.record).unwrap())
            .collect();
        assert_eq!(records.len(), 3);
        assert!(records[0]["command"]["command"]["email"].is_null(), "{}", records[0]);
        assert_eq!(records[0]["command"]["command"]["name"], "Ada");
        assert_eq!(records[1]["command"]["command"]["email"], "bob@example.org");
        assert_eq!(store.participant_for_token("old-phone").await.unwrap(), None);
        assert_eq!(
            store.participant_for_token("new-phone").await.unwrap(),
            Some(("RARE01".into(), 7))
        );
        assert_eq!(
            store.participant_for_token("bob").await.unwrap(),
            Some(("RARE01".into(), 8))
        );
        assert!(store.claim_code("CLAIM1").await.unwrap().is_none());
        assert_eq!(
            store.claim_code("CLAIM2").await.unwrap(),
            Some((session.id, "RARE01".into(), "2999-01-02T00:00:00Z".into()))
        );
        assert!(matches!(
            store.create_session("RARE01", None, "{}", "k").await,
            Err(StoreError::Conflict)
        ));
    }
}

crate::on_both_stores! {
    /// Concurrent issuers each reserve their own status-list index (the database's counter,
    /// not a process's); an index stored twice is `StatusIndexTaken`, and resynchronising
    /// moves the counter past every stored one.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn status_indexes_are_distinct_under_concurrent_issuers() {
        let dir = tempfile::tempdir().unwrap();
        let (store, database) = open_store(dir.path()).await;
        // Two stores on one database, as two server processes would have (on SQLite, two
        // pools on one file).
        let other = reopen_store(dir.path(), database.as_deref()).await;
        let reservations: Vec<_> = (0..100)
            .map(|i| {
                let store = if i % 2 == 0 { store.clone() } else { other.clone() };
                tokio::spawn(async move { store.reserve_status_index().await.unwrap() })
            })
            .collect();
        let mut indexes = Vec::new();
        for reservation in reservations {
            indexes.push(reservation.await.unwrap());
        }
        indexes.sort_unstable();
        assert_eq!(indexes, (0..100).collect::<Vec<u64>>());
        assert_eq!(store.status_positions().await.unwrap(), 100);

        let badge = |id: &'static str, index: u64| NewBadge {
            id,
            achievement_id: "urn:uuid:achievement",
            session_id: None,
            pid: None,
            recipient_name: "Ada",
            status_index: Some(index),
            credential: "{}",
            lang: "fr",
        };
        store.insert_badge(&badge("urn:uuid:b1", 150)).await.unwrap();
        assert!(matches!(
            other.insert_badge(&badge("urn:uuid:b2", 150)).await,
            Err(StoreError::StatusIndexTaken(150))
        ));
        assert!(matches!(
            other.insert_badge(&badge("urn:uuid:b1", 151)).await,
            Err(StoreError::Conflict)
        ));
        store.resync_status_counter().await.unwrap();
        assert_eq!(store.reserve_status_index().await.unwrap(), 151);
        assert!(store.revoke_badge("urn:uuid:b1").await.unwrap());
        assert!(!store.revoke_badge("urn:uuid:b1").await.unwrap());
        assert_eq!(other.revoked_indexes().await.unwrap(), vec![150]);
        assert!(store.set_badge_public("urn:uuid:b1", false).await.unwrap());
        let row = other.badge("urn:uuid:b1").await.unwrap().expect("badge");
        assert!(!row.public_page);
        assert_eq!(row.status_index, Some(150));
        assert!(row.revoked_at.is_some());
        other.close().await;
        store.close().await;
    }
}

crate::on_both_stores! {
    /// Usernames are one per person whatever their case; tokens, sign-in links and settings.
    #[tokio::test]
    async fn accounts_and_sign_in() {
        let dir = tempfile::tempdir().unwrap();
        let (store, database) = open_store(dir.path()).await;
        assert!(store.signin_link_valid("nothing").await.is_ok());
        store.store_signin_link("link-1").await.unwrap();
        store.store_signin_link("link-2").await.unwrap();
        assert!(!store.signin_link_valid("link-1").await.unwrap());
        assert!(store.signin_link_valid("link-2").await.unwrap());
        let organiser = store
            .redeem_signin_link("link-2", "Organiser", "hash-o")
            .await
            .unwrap()
            .expect("the link creates the organiser");
        assert!(store.redeem_signin_link("link-2", "Other", "h").await.unwrap().is_none());
        let fred = store.create_user("Fred", "hash-f", Role::Facilitator).await.unwrap();
        assert!(matches!(
            store.create_user("fRED", "hash", Role::Facilitator).await,
            Err(StoreError::Conflict)
        ));
        let (found, hash) = store.user_by_name("FRED").await.unwrap().expect("found");
        assert_eq!((found.id, hash.as_str()), (fred.id, "hash-f"));
        assert_eq!(store.count_users(Role::Organiser).await.unwrap(), 1);
        let names: Vec<String> = store
            .list_users()
            .await
            .unwrap()
            .into_iter()
            .map(|u| u.username)
            .collect();
        assert_eq!(names, ["Fred", "Organiser"]);
        store
            .store_auth_token("tok", fred.id, TokenKind::Api, std::time::Duration::from_secs(60))
            .await
            .unwrap();
        assert_eq!(store.user_for_token("tok").await.unwrap().map(|u| u.id), Some(fred.id));
        assert!(store.set_disabled(fred.id, true).await.unwrap());
        assert!(store.user_for_token("tok").await.unwrap().is_none());
        assert!(store.user_by_name("fred").await.unwrap().is_none());
        assert!(store.account(fred.id).await.unwrap().expect("kept").disabled);
        assert!(!store.set_disabled(organiser.id, true).await.unwrap());
        assert!(store.set_disabled(fred.id, false).await.unwrap());
        assert!(store.set_password(fred.id, "new-hash").await.unwrap());
        assert_eq!(store.password_hash(fred.id).await.unwrap().as_deref(), Some("new-hash"));
        assert!(store.delete_facilitator(fred.id).await.unwrap());
        assert_eq!(store.list_accounts().await.unwrap().len(), 1);
        store.set_setting("k", "v1").await.unwrap();
        store.set_setting("k", "v2").await.unwrap();
        store.close().await;
        // Opened again (migrations already run): everything is there.
        let again = reopen_store(dir.path(), database.as_deref()).await;
        assert_eq!(again.setting("k").await.unwrap().as_deref(), Some("v2"));
        assert_eq!(again.count_users(Role::Organiser).await.unwrap(), 1);
        again.close().await;
    }
}

crate::on_both_stores! {
    /// Feedback is stored once per participant, anonymously; figures and filters.
    #[tokio::test]
    async fn feedback_is_stored_once_and_filtered() {
        let dir = tempfile::tempdir().unwrap();
        let (store, _) = open_store(dir.path()).await;
        let session = store
            .create_session("ACDEFG", None, r#"{"title":"T","deck":"open-badges"}"#, "k")
            .await
            .unwrap();
        let ratings = BTreeMap::from([("bingo".to_string(), 4u8)]);
        for (pid, overall) in [(7, 5), (8, 2)] {
            let new = NewFeedback {
                session_id: session.id,
                pid,
                lang: "fr",
                overall,
                ratings: &ratings,
                comment: Some("Très bien, merci"),
            };
            store.insert_feedback(&new).await.unwrap();
            assert!(matches!(
                store.insert_feedback(&new).await,
                Err(StoreError::Conflict)
            ));
        }
        assert!(store.feedback_given(session.id, 7).await.unwrap());
        assert!(!store.feedback_given(session.id, 9).await.unwrap());
        assert_eq!(store.feedback_stats(session.id).await.unwrap(), (2, Some(3.5)));
        assert_eq!(store.feedback_comments(session.id).await.unwrap().len(), 2);
        let rows = store.feedback(&FeedbackFilter::default()).await.unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].ratings, ratings);
        assert_eq!(rows[0].session_title, "T");
        let deck = |deck: &str| FeedbackFilter {
            deck: Some(deck.into()),
            session_id: Some(session.id),
            ..Default::default()
        };
        assert_eq!(store.feedback(&deck("open-badges")).await.unwrap().len(), 2);
        assert!(store.feedback(&deck("other")).await.unwrap().is_empty());
        assert_eq!(store.session_decks().await.unwrap(), ["open-badges"]);
        let summaries = store.session_summaries().await.unwrap();
        assert_eq!(summaries[0].feedback_count, 2);
        assert_eq!(summaries[0].feedback_average, Some(3.5));
        assert_eq!(store.sessions_to_erase("9999").await.unwrap(), ["ACDEFG"]);
        assert!(store.sessions_to_erase("2000").await.unwrap().is_empty());
    }
}

/// The first six migrations of each database, as a database made by an older Atelier has them.
const OLD_SQLITE: &[&str] = &[
    include_str!("../migrations/sqlite/0001_core.sql"),
    include_str!("../migrations/sqlite/0002_badges.sql"),
    include_str!("../migrations/sqlite/0003_feedback.sql"),
    include_str!("../migrations/sqlite/0004_claims.sql"),
    include_str!("../migrations/sqlite/0005_retention.sql"),
    include_str!("../migrations/sqlite/0006_hosted_badges.sql"),
];
const OLD_POSTGRES: &[&str] = &[
    include_str!("../migrations/postgres/0001_core.sql"),
    include_str!("../migrations/postgres/0002_badges.sql"),
    include_str!("../migrations/postgres/0003_feedback.sql"),
    include_str!("../migrations/postgres/0004_claims.sql"),
    include_str!("../migrations/postgres/0005_retention.sql"),
    include_str!("../migrations/postgres/0006_hosted_badges.sql"),
];
/// What an older Atelier stored: an account and a hosted badge at status index 41.
const OLD_ROWS: &str = "
    INSERT INTO users (username, password_hash, role, created_at)
        VALUES ('fred', 'hash', 'facilitator', '2026-01-01T00:00:00Z');
    INSERT INTO badges (id, achievement_id, recipient_name, status_index, credential, issued_at)
        VALUES ('urn:uuid:old', 'urn:uuid:a', 'Ada', 41, '{}', '2026-01-01T00:00:00Z');";

crate::on_both_stores! {
    /// A database at schema version 6 (before the status counter and disabled accounts) is
    /// upgraded when opened, on SQLite as before (`PRAGMA user_version`) and on PostgreSQL
    /// (`atelier_schema`): the counter starts after the stored badges, accounts stay enabled.
    #[tokio::test]
    async fn an_older_database_is_upgraded_when_opened() {
        let dir = tempfile::tempdir().unwrap();
        let database = common::Backend::current().new_database().await;
        match &database {
            None => {
                let url = format!("sqlite://{}?mode=rwc", dir.path().join("atelier.db").display());
                let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
                for sql in OLD_SQLITE.iter().chain([&OLD_ROWS]) {
                    sqlx::raw_sql(sqlx::AssertSqlSafe(*sql)).execute(&pool).await.unwrap();
                }
                sqlx::raw_sql("PRAGMA user_version = 6").execute(&pool).await.unwrap();
                pool.close().await;
            }
            Some(url) => {
                let pool = sqlx::PgPool::connect(url).await.unwrap();
                for sql in OLD_POSTGRES.iter().chain([&OLD_ROWS]) {
                    sqlx::raw_sql(sqlx::AssertSqlSafe(*sql)).execute(&pool).await.unwrap();
                }
                sqlx::raw_sql(
                    "CREATE TABLE atelier_schema (id BIGINT PRIMARY KEY CHECK (id = 1), version BIGINT NOT NULL);
                     INSERT INTO atelier_schema VALUES (1, 6)",
                )
                .execute(&pool)
                .await
                .unwrap();
                pool.close().await;
            }
        }
        let store = reopen_store(dir.path(), database.as_deref()).await;
        assert_eq!(store.status_positions().await.unwrap(), 42);
        assert_eq!(store.reserve_status_index().await.unwrap(), 42);
        let accounts = store.list_accounts().await.unwrap();
        assert_eq!(accounts.len(), 1);
        assert!(!accounts[0].disabled);
        assert!(store.badge("urn:uuid:old").await.unwrap().expect("kept").public_page);
        store.close().await;
        // Opened again: nothing more to do, nothing changed.
        let again = reopen_store(dir.path(), database.as_deref()).await;
        assert_eq!(again.status_positions().await.unwrap(), 43);
        again.close().await;
    }
}
