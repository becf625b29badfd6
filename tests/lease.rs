//! One owner per session, across nodes (issue 20): two servers on one PostgreSQL database
//! never both serve a session, and a server that lost a session's lease during a pause (and
//! still believes it owns it) has its writes refused by the database (fencing).
//!
//! PostgreSQL only: SQLite is one process's database, whose leases are trivially its own (no
//! row, no guard); two servers on one SQLite file are not a supported layout and would still
//! both serve a session. Leases are made short through the store's and the server's
//! settings, never by waiting for the production expiry.

mod common;

use std::time::Duration;

use atelier::store::{Batch, EventRecord, LeaseSettings, Store, StoreError};
use common::{ADMIN_TOKEN, Backend, Client, TestServer, WAIT};
use serde_json::{Value, json};

fn code_of(session: &Value) -> String {
    session["code"].as_str().expect("code").to_string()
}

fn batch(seqs: &[u64], who: &str) -> Batch {
    Batch {
        events: seqs
            .iter()
            .map(|&seq| EventRecord {
                seq,
                record: format!(r#"{{"by":"{who}"}}"#),
            })
            .collect(),
        ..Batch::default()
    }
}

/// A node whose renewals are paused: its lease expires after `ttl`, as after a network pause
/// or a stalled process that outlasts it.
fn paused(ttl: Duration) -> LeaseSettings {
    LeaseSettings {
        ttl,
        renew_every: Duration::from_secs(3600),
    }
}

/// Takes the session's lease on `store`, waiting once for another node's lease to expire.
async fn take_over(store: &Store, session_id: i64) -> atelier::store::Lease {
    match store.acquire_lease(session_id).await {
        Ok(lease) => lease,
        Err(StoreError::LeaseHeld(left)) => {
            assert!(left <= Duration::from_secs(2), "a short lease: {left:?}");
            // The other node's lease ends at a known time (the database's clock): waiting
            // for it is waiting for that event.
            tokio::time::sleep(left + Duration::from_millis(20)).await;
            store
                .acquire_lease(session_id)
                .await
                .expect("the expired lease is taken over")
        }
        Err(e) => panic!("taking the lease: {e}"),
    }
}

/// The reproduction. Before leases, the second server loaded the session too and welcomed
/// the phone: two rooms accepted commands for one session, each telling its own phones only
/// its own story (the first server's console never heard of the phone that joined through the
/// second, whose join is in the stored log), and the stored history interleaved both rooms'
/// commands. Now the second server waits for the first one's lease, finds it renewed, and
/// refuses with `session_elsewhere`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_server_does_not_serve_a_session_the_first_one_serves() {
    Backend::Postgres
        .run(async {
            let first = TestServer::start_with(|config| {
                config.leases = LeaseSettings::with_ttl(Duration::from_secs(1));
            })
            .await;
            let code = code_of(&first.create_session(&["bingo"]).await);
            let (mut console, _) = Client::staff(first.addr, &code, ADMIN_TOKEN).await;
            let (_ada, _) = Client::join(first.addr, &code, "Ada").await;
            assert_eq!(console.expect("participant.joined").await["name"], "Ada");

            let second = first.beside(None).await;
            let mut bob = Client::connect(second.addr).await;
            bob.send(json!({"type": "join", "code": code, "name": "Bob"}))
                .await;
            let answer = bob.next().await;
            assert_eq!(
                answer["code"], "session_elsewhere",
                "the second server served the session too: {answer}"
            );
            // Bob was never stored, and the first server's room goes on.
            let db = common::RawDb::of(&first).await;
            let names = db
                .texts("SELECT record FROM events ORDER BY seq")
                .await
                .join("\n");
            assert!(!names.contains("Bob"), "{names}");
            let (_cyd, _) = Client::join(first.addr, &code, "Cyd").await;
            assert_eq!(console.expect("participant.joined").await["name"], "Cyd");
        })
        .await;
}

/// Fencing, at the store: node A holds the lease and writes; its renewals stop (a pause longer
/// than the lease), node B takes the session over (epoch + 1) and writes; A, which still holds
/// its `Lease` and believes it owns the session, writes again: the database refuses every one
/// of its writes (events at a free sequence number, a snapshot, an erasure), and the history
/// is A's writes before the take-over, then B's. Without the guard A's third event (a free
/// sequence number) was stored after B's: the interleaving.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stale_owners_writes_are_refused_by_the_database() {
    Backend::Postgres
        .run(async {
            let url: atelier::store::DatabaseUrl = Backend::Postgres
                .new_database()
                .await
                .expect("a database")
                .parse()
                .unwrap();
            let a = Store::open_postgres_with(&url, paused(Duration::from_millis(300)))
                .await
                .unwrap();
            let b = Store::open_postgres_with(&url, LeaseSettings::default())
                .await
                .unwrap();
            let session = a.create_session("FENCE1", None, "{}", "k").await.unwrap();
            let other = a.create_session("FENCE2", None, "{}", "k").await.unwrap();

            let mut stale = a.acquire_lease(session.id).await.unwrap();
            let kept = a.acquire_lease(other.id).await.unwrap();
            a.append(&stale, batch(&[1, 2], "a")).await.unwrap();
            // While A's lease is live, B may not take the session.
            assert!(matches!(
                b.acquire_lease(session.id).await,
                Err(StoreError::LeaseHeld(_))
            ));

            let fresh = take_over(&b, session.id).await;
            assert!(fresh.epoch() > stale.epoch(), "{fresh:?} {stale:?}");
            let seen = b.history(session.id).await.unwrap();
            assert_eq!(seen.events.len(), 2, "B reads what A stored before");
            b.append(&fresh, batch(&[3], "b")).await.unwrap();

            // A still believes: its writes reach the database and are refused there. Its other
            // session, whose lease nobody took, is written in the same breath.
            let (refused, written) = tokio::join!(
                a.append(&stale, batch(&[4, 5], "a")),
                a.append(&kept, batch(&[1], "a")),
            );
            assert!(matches!(refused, Err(StoreError::NotOwner)), "{refused:?}");
            written.expect("a session A still owns is written");
            let snapshot = Batch {
                snapshot: Some((9, r#"{"by":"a"}"#.into())),
                ..Batch::default()
            };
            assert!(matches!(
                a.append(&stale, snapshot).await,
                Err(StoreError::NotOwner)
            ));
            assert!(matches!(
                a.erase_personal_data(&stale, 3, "{}", None).await,
                Err(StoreError::NotOwner)
            ));
            // A's room is told.
            tokio::time::timeout(WAIT, stale.lost())
                .await
                .expect("the stale lease is known lost");

            let history = b.history(session.id).await.unwrap();
            assert_eq!(history.snapshot, None);
            let stored: Vec<(u64, String)> = history
                .events
                .into_iter()
                .map(|e| (e.seq, e.record))
                .collect();
            assert_eq!(
                stored,
                vec![
                    (1, r#"{"by":"a"}"#.to_string()),
                    (2, r#"{"by":"a"}"#.to_string()),
                    (3, r#"{"by":"b"}"#.to_string()),
                ]
            );
            b.append(&fresh, batch(&[4], "b")).await.unwrap();
            a.close().await;
            b.close().await;
        })
        .await;
}

/// A node that renews finds out by itself that it lost a lease (its renewal no longer finds
/// it): the room is told without having to write first.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_renewal_notices_a_lease_taken_over() {
    Backend::Postgres
        .run(async {
            let url: atelier::store::DatabaseUrl = Backend::Postgres
                .new_database()
                .await
                .expect("a database")
                .parse()
                .unwrap();
            let a = Store::open_postgres_with(
                &url,
                LeaseSettings {
                    ttl: Duration::from_secs(60),
                    renew_every: Duration::from_millis(100),
                },
            )
            .await
            .unwrap();
            let b = Store::open_postgres_with(&url, LeaseSettings::default())
                .await
                .unwrap();
            let session = a.create_session("RENEW1", None, "{}", "k").await.unwrap();
            let mut lease = a.acquire_lease(session.id).await.unwrap();
            // A pause long enough for the lease to expire: aged in the database, since the
            // renewals of a live node would not let it.
            let raw = sqlx::PgPool::connect(url.expose()).await.unwrap();
            sqlx::query("UPDATE session_leases SET expires_at = 0")
                .execute(&raw)
                .await
                .unwrap();
            let taken = b.acquire_lease(session.id).await.unwrap();
            assert!(taken.epoch() > lease.epoch());
            tokio::time::timeout(WAIT, lease.lost())
                .await
                .expect("the renewal notices the take-over");
            a.close().await;
            b.close().await;
        })
        .await;
}

/// Fencing through the servers: server A's renewals are paused and its lease expires; a phone
/// asking server B for the session makes B take it over. A's room, which still believes it
/// owns the session, has its next batch refused by the database: it stores nothing, closes
/// its sockets with 4000 (`bye` `moved`), and the phones resume on B, where the history has
/// no trace of the refused command.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_room_whose_lease_was_taken_over_stops_and_its_phones_resume_elsewhere() {
    Backend::Postgres
        .run(async {
            let first = TestServer::start_with(|config| {
                config.leases = paused(Duration::from_millis(500));
            })
            .await;
            let code = code_of(&first.create_session(&["bingo"]).await);
            let (mut console, _) = Client::staff(first.addr, &code, ADMIN_TOKEN).await;
            let (mut ada, welcome) = Client::join(first.addr, &code, "Ada").await;
            let token = welcome["token"].as_str().unwrap().to_string();
            assert_eq!(console.expect("participant.joined").await["name"], "Ada");

            // B waits for A's lease to expire (A does not renew), then serves the session.
            let second = first.beside(None).await;
            let (_bob, _) = Client::join(second.addr, &code, "Bob").await;

            // A's room still believes it owns the session.
            console
                .send(json!({"type": "joining.set", "open": false}))
                .await;
            let bye = console.expect("bye").await;
            assert_eq!(bye["reason"], "moved");
            assert_eq!(console.closed().await, Some(4000));
            assert_eq!(ada.expect("bye").await["reason"], "moved");
            assert_eq!(ada.closed().await, Some(4000));

            let db = common::RawDb::of(&first).await;
            let log = db
                .texts("SELECT record FROM events ORDER BY seq")
                .await
                .join("\n");
            assert!(
                !log.contains("joining"),
                "the refused command was stored: {log}"
            );

            // Ada resumes on the server that serves the session now, where Bob joined.
            let (_ada, resumed) = Client::resume(second.addr, &token).await;
            assert_eq!(resumed["type"], "welcome", "{resumed}");
            assert_eq!(resumed["session"]["participant_count"], 2, "{resumed}");
            assert_eq!(resumed["session"]["joining"]["open"], true);
        })
        .await;
}

/// The cost of the lease guard (BENCHMARKS.md): appends on PostgreSQL through the group
/// writer, one room alone (every group one batch), then 50 rooms at once (groups of many
/// batches); prints throughput and latencies, asserts nothing. Run with
/// `cargo test --release --test lease -- --ignored --nocapture`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore]
async fn bench_group_writer_on_postgres() {
    Backend::Postgres
        .run(async {
            let url: atelier::store::DatabaseUrl = Backend::Postgres
                .new_database()
                .await
                .unwrap()
                .parse()
                .unwrap();
            let store = Store::open_postgres(&url).await.unwrap();
            for (rooms, per_room) in [(1usize, 2000u64), (50, 200)] {
                let mut ids = Vec::new();
                for r in 0..rooms {
                    ids.push(
                        store
                            .create_session(&format!("B{rooms}X{r}"), None, "{}", "k")
                            .await
                            .unwrap()
                            .id,
                    );
                }
                let started = std::time::Instant::now();
                let tasks: Vec<_> = ids
                    .into_iter()
                    .map(|id| {
                        let store = store.clone();
                        tokio::spawn(async move {
                            let lease = store.acquire_lease(id).await.unwrap();
                            let mut lat = Vec::new();
                            for seq in 1..=per_room {
                                let t = std::time::Instant::now();
                                let b = Batch {
                                    events: vec![EventRecord {
                                        seq,
                                        record: "{\"x\":1}".into(),
                                    }],
                                    ..Batch::default()
                                };
                                store.append(&lease, b).await.unwrap();
                                lat.push(t.elapsed().as_micros() as u64);
                            }
                            lat
                        })
                    })
                    .collect();
                let mut all = Vec::new();
                for t in tasks {
                    all.extend(t.await.unwrap());
                }
                let total = started.elapsed();
                all.sort_unstable();
                let pct = |p: f64| all[((all.len() as f64 - 1.0) * p) as usize];
                println!(
                    "BENCH rooms={rooms} appends={} total={:?} per_s={:.0} p50={}us p99={}us",
                    all.len(),
                    total,
                    all.len() as f64 / total.as_secs_f64(),
                    pct(0.5),
                    pct(0.99)
                );
            }
            store.close().await;
        })
        .await;
}
