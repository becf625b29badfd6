//! Presence over real WebSockets: a phone whose socket is gone for longer than the away delay
//! is away (counters count the connected, teams are formed and dealt among those there), an
//! away member's cards go back to the team after the grace period or when the facilitator
//! says so, and a phone that comes back resumes with its grid and gets a hand again.

mod common;

use std::time::Duration;

use atelier::room::RoomSettings;
use common::{ADMIN_TOKEN, Client, TestServer};
use serde_json::{Value, json};

/// Away after 300 ms without a socket, so the tests wait for events, not for 20 s.
async fn server() -> TestServer {
    TestServer::start_with_rooms(RoomSettings {
        away_after: Duration::from_millis(300),
        ..RoomSettings::default()
    })
    .await
}

struct Phone {
    client: Client,
    pid: u64,
    token: String,
}

async fn join(server: &TestServer, code: &str, name: &str) -> Phone {
    let (client, welcome) = Client::join(server.addr, code, name).await;
    Phone {
        client,
        pid: welcome["you"]["pid"].as_u64().unwrap(),
        token: welcome["token"].as_str().unwrap().to_string(),
    }
}

/// Skips frames until one of `kind` satisfying `wanted` arrives.
async fn expect_where(client: &mut Client, kind: &str, wanted: impl Fn(&Value) -> bool) -> Value {
    loop {
        let frame = client.expect(kind).await;
        if wanted(&frame) {
            return frame;
        }
    }
}

/// The console hears that `pid` went away (or came back, `away == false`).
async fn presence(staff: &mut Client, pid: u64, away: bool) -> Value {
    expect_where(staff, "participant.presence", |f| {
        f["pid"] == pid && f["away"].is_null() != away
    })
    .await
}

fn ids(value: &Value) -> Vec<String> {
    let mut ids: Vec<String> = value
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {value}"))
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    ids.sort();
    ids
}

crate::on_both_stores! {
    #[tokio::test]
    async fn a_phone_gone_without_a_goodbye_is_away_and_stops_counting() {
        let mut server = server().await;
        let code = server.create_session(&["bingo"]).await["code"]
            .as_str()
            .unwrap()
            .to_string();
        let mut ana = join(&server, &code, "Ana").await;
        let mut bea = join(&server, &code, "Bea").await;
        let mut cyd = join(&server, &code, "Cyd").await;
        let grid = {
            let (_, welcome) = Client::resume(server.addr, &cyd.token).await;
            welcome["bingo"]["grid"].clone()
        };
        let (mut staff, welcome) = Client::staff(server.addr, &code, ADMIN_TOKEN).await;
        assert_eq!(welcome["session"]["participant_count"], 3, "{welcome}");

        // Cyd's page is closed: the socket drops, no leave message.
        drop(cyd.client);
        let away = presence(&mut staff, cyd.pid, true).await;
        assert_eq!(away["connected"], 2, "{away}");
        let (_, again) = Client::staff(server.addr, &code, ADMIN_TOKEN).await;
        assert_eq!(again["session"]["participant_count"], 2, "{again}");
        let listed: Vec<&Value> = again["participants"].as_array().unwrap().iter().collect();
        assert_eq!(listed.len(), 3, "an away participant is still listed");
        assert!(
            listed
                .iter()
                .any(|p| p["pid"] == cyd.pid && p["away"].is_u64()),
            "{again}"
        );

        // The bingo counts the two who are there: "x/2 answers", not "x/3".
        staff.send(json!({"type": "phase.next"})).await;
        staff.expect("phase.changed").await;
        staff.send(json!({"type": "bingo.draw"})).await;
        let drawn = staff.expect("bingo.drawn").await;
        assert_eq!(drawn["active"], 2, "{drawn}");
        ana.client.expect("bingo.drawn").await;
        bea.client.expect("bingo.drawn").await;
        let some_cell = welcome_cell(&grid);
        ana.client
            .send(json!({"type": "bingo.tap", "card": some_cell}))
            .await;
        let answers = staff.expect("bingo.answers").await;
        assert_eq!(
            (answers["answered"].clone(), answers["of"].clone()),
            (json!(1), json!(2))
        );

        // Cyd comes back with the same token: same grid, counted again.
        let (phone, welcome) = Client::resume(server.addr, &cyd.token).await;
        cyd.client = phone;
        assert_eq!(
            welcome["bingo"]["grid"], grid,
            "the grid survives being away"
        );
        let back = presence(&mut staff, cyd.pid, false).await;
        assert_eq!(back["connected"], 3, "{back}");

        // After a restart nobody is connected; who does not come back goes away again.
        server.restart().await;
        let (mut staff, _) = Client::staff(server.addr, &code, ADMIN_TOKEN).await;
        let (_ana, _) = Client::resume(server.addr, &ana.token).await;
        let (_bea, _) = Client::resume(server.addr, &bea.token).await;
        let away = presence(&mut staff, cyd.pid, true).await;
        assert_eq!(away["connected"], 2, "{away}");
    }
}

/// Any card id of a grid (the answer need not be right to be counted).
fn welcome_cell(grid: &Value) -> Value {
    grid.as_array().expect("a grid")[0].clone()
}

/// A fresque in its activity with `names` joined and the console connected.
async fn fresque(server: &TestServer, names: &[&str]) -> (String, Client, Vec<Phone>) {
    let code = server.create_session(&["fresque"]).await["code"]
        .as_str()
        .unwrap()
        .to_string();
    let mut phones = Vec::new();
    for name in names {
        phones.push(join(server, &code, name).await);
    }
    let (mut staff, _) = Client::staff(server.addr, &code, ADMIN_TOKEN).await;
    staff.send(json!({"type": "phase.next"})).await;
    staff.expect("phase.changed").await;
    (code, staff, phones)
}

/// Every card a team holds (board, hands, pool) from a staff team snapshot.
fn team_total(team: &Value) -> u64 {
    let hands: u64 = team["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["hand"].as_u64().unwrap())
        .sum();
    hands + team["board"].as_array().unwrap().len() as u64 + team["pool"].as_u64().unwrap()
}

crate::on_both_stores! {
    #[tokio::test]
    async fn teams_are_formed_and_dealt_among_those_there_and_a_returning_phone_joins() {
        let server = server().await;
        let (_code, mut staff, mut phones) =
            fresque(&server, &["Ana", "Bea", "Cyd", "Dan", "Eve"]).await;
        let eve = phones.pop().unwrap();
        drop(eve.client);
        presence(&mut staff, eve.pid, true).await;

        staff
            .send(json!({"type": "fresque.form_teams", "count": 2}))
            .await;
        let roster = staff.expect("fresque.roster").await;
        let placed: Vec<u64> = roster["teams"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|t| t.as_array().unwrap().iter().map(|m| m.as_u64().unwrap()))
            .collect();
        assert_eq!(
            placed.len(),
            4,
            "only the four there are in teams: {roster}"
        );
        assert!(!placed.contains(&eve.pid), "{roster}");

        // Phones connected before the teams existed learn their teammates' names with the team.
        for phone in &mut phones {
            let team = phone.client.expect("fresque.team").await;
            let names = team["names"].as_object().expect("names with the team");
            let members = team["members"].as_array().unwrap();
            assert_eq!(names.len(), members.len(), "{team}");
            assert!(names.contains_key(&phone.pid.to_string()), "{team}");
        }

        staff.send(json!({"type": "fresque.deal"})).await;
        let mut dealt = 0;
        for phone in &mut phones {
            let hand = phone.client.expect("fresque.hand").await;
            let n = hand["hand"].as_array().unwrap().len();
            assert!(n > 0, "everyone there gets cards: {hand}");
            dealt += n;
        }
        let pack =
            expect_where(&mut staff, "fresque.team", |f| f["reason"] == "dealt").await["packs_dealt"]
                .as_u64()
                .unwrap();
        assert_eq!(pack, 1);

        // Eve comes back: she joins the smaller team as a late joiner, with a hand.
        let (client, welcome) = Client::resume(server.addr, &eve.token).await;
        let team = &welcome["fresque"]["team"];
        assert!(team.is_object(), "back in a team: {welcome}");
        let hand = welcome["fresque"]["hand"].as_array().unwrap().len();
        assert!(hand > 0, "she gets a hand again: {welcome}");
        let joined = expect_where(&mut staff, "fresque.team", |f| {
            f["reason"] == "joined" && f["who"] == eve.pid
        })
        .await;
        let total: u64 = team_total(&joined);
        let hands: Vec<u64> = joined["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["hand"].as_u64().unwrap())
            .collect();
        assert!(
            hands.iter().max().unwrap() - hands.iter().min().unwrap() <= 1,
            "hands are balanced: {joined}"
        );
        assert!(total > 0 && dealt > 0);
        client.close().await;
    }
}

crate::on_both_stores! {
    #[tokio::test]
    async fn an_away_members_cards_go_to_the_team_when_the_facilitator_or_the_grace_period_says() {
        let server = server().await;
        let (_code, mut staff, mut phones) = fresque(&server, &["Ana", "Bea", "Cyd", "Dan"]).await;
        staff
            .send(json!({"type": "fresque.form_teams", "count": 1}))
            .await;
        staff.expect("fresque.roster").await;
        staff.send(json!({"type": "fresque.deal"})).await;
        let mut hands = Vec::new();
        for phone in &mut phones {
            let hand = phone.client.expect("fresque.hand").await;
            hands.push(ids(&hand["hand"]));
        }
        let all: Vec<String> = {
            let mut all: Vec<String> = hands.iter().flatten().cloned().collect();
            all.sort();
            all
        };

        // Dan goes away: he keeps his cards for now, and the console sees him away.
        let dan = phones.pop().unwrap();
        let dan_hand = hands.pop().unwrap();
        drop(dan.client);
        presence(&mut staff, dan.pid, true).await;
        let away = expect_where(&mut staff, "fresque.team", |f| f["reason"] == "away").await;
        let marked = away["members"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == dan.pid)
            .cloned()
            .unwrap();
        assert_eq!(marked["away"], true, "{away}");
        assert_eq!(marked["hand"], dan_hand.len() as u64, "{away}");
        // The default grace period is a minute: the facilitator does not wait.
        staff
            .send(json!({"type": "fresque.release_hand", "participant": dan.pid}))
            .await;
        let released = expect_where(&mut staff, "fresque.team", |f| f["reason"] == "released").await;
        let dan_now = released["members"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["id"] == dan.pid)
            .cloned()
            .unwrap();
        assert_eq!(dan_now["hand"], 0, "{released}");
        assert_eq!(
            team_total(&released),
            all.len() as u64,
            "no card lost: {released}"
        );
        // A teammate who received Dan's cards plays one of them.
        let before: Vec<u64> = away["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["hand"].as_u64().unwrap())
            .collect();
        let after: Vec<u64> = released["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["hand"].as_u64().unwrap())
            .collect();
        let gainer = away["members"].as_array().unwrap()[(0..before.len())
            .find(|&i| after[i] > before[i])
            .expect("someone received cards")]["id"]
            .as_u64()
            .unwrap();
        let phone = phones.iter_mut().find(|p| p.pid == gainer).unwrap();
        let hand = expect_where(&mut phone.client, "fresque.hand", |f| {
            !f["received"].as_array().unwrap().is_empty()
        })
        .await;
        let card = hand["received"][0].as_str().unwrap().to_string();
        assert!(dan_hand.contains(&card), "{hand}");
        phone
            .client
            .send(json!({"type": "fresque.place", "card": card, "after": null}))
            .await;
        let placed = expect_where(&mut staff, "fresque.board", |f| f["card"] == card.as_str()).await;
        assert_eq!(placed["by"], gainer);
        // Releasing twice is refused (nothing to release), and changes nothing.
        staff
            .send(json!({"type": "fresque.release_hand", "participant": dan.pid}))
            .await;
        let refused = staff.expect("error").await;
        assert_eq!(refused["code"], "empty_hand", "{refused}");

        // Dan comes back: he gets a hand again, taken from the largest hands.
        let (dan_phone, welcome) = Client::resume(server.addr, &dan.token).await;
        let back_hand = welcome["fresque"]["hand"].as_array().unwrap().len();
        assert!(back_hand > 0, "{welcome}");
        let back = expect_where(&mut staff, "fresque.team", |f| f["reason"] == "back").await;
        assert_eq!(
            team_total(&back),
            all.len() as u64,
            "no card lost or invented: {back}"
        );

        // A shorter grace period: Cyd goes away and her cards return on their own.
        staff
            .send(json!({"type": "fresque.set_grace", "seconds": 1}))
            .await;
        assert_eq!(staff.expect("fresque.grace").await["seconds"], 1);
        let cyd = phones.pop().unwrap();
        drop(cyd.client);
        presence(&mut staff, cyd.pid, true).await;
        let released = expect_where(&mut staff, "fresque.team", |f| {
            f["reason"] == "released" && f["who"] == cyd.pid
        })
        .await;
        assert_eq!(team_total(&released), all.len() as u64, "{released}");
        dan_phone.close().await;
    }
}
