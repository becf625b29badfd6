//! The end of the workshop in real browsers: a phone fills the feedback form (keyboard and
//! touch friendly radio scales, live character count, thank-you); the organiser signs in,
//! sees the session's figures and charts, and exports the CSV with their browser session.

mod common;

use common::browser::{self, Driver, screenshot, sign_in, wait_text, wait_visible};
use common::{ADMIN_TOKEN, Client, TestServer};
use fantoccini::Locator;
use serde_json::{Value, json};

const PASSWORD: &str = "mot de passe de l'organisatrice";
const COMMENT: &str = "Très clair, merci ! « Fresque » géniale, même à 8 h du matin.\nÀ refaire.";

/// Mounts the feedback form on the phone page, as phone.js does in the feedback phase (unless
/// the page already shows it).
const MOUNT_FORM: &str = r#"
const done = arguments[arguments.length - 1];
(async () => {
  for (let i = 0; i < 20 && !document.querySelector(".feedback"); i++) await new Promise((r) => setTimeout(r, 100));
  if (!document.querySelector(".feedback")) {
    const { mount } = await import("/static/feedback.js");
    const i18n = await import("/static/i18n.js");
    await i18n.ready;
    const app = document.getElementById("app");
    const code = app.dataset.code;
    const host = document.createElement("div");
    app.append(host);
    mount(host, { token: localStorage.getItem(`atelier:token:${code}`),
                  session: { code, activities: ["bingo", "fresque"] },
                  t: i18n.t, announce: i18n.announce });
  }
  done(true);
})().catch((e) => done(String(e)));
"#;

/// Mounts the live figures (and, for staff, the comments toggle) like screen.js/console.js.
const MOUNT_STATS: &str = r#"
const [staff, done] = [arguments[0], arguments[arguments.length - 1]];
(async () => {
  const { mountStats } = await import("/static/feedback.js");
  const i18n = await import("/static/i18n.js");
  await i18n.ready;
  const app = document.getElementById("app");
  const host = document.createElement("section");
  host.className = staff ? "card" : "";
  host.id = "feedback-host";
  (document.getElementById("activities") || app).before(host);
  const key = app.dataset.key || null;
  mountStats(host, { t: i18n.t, code: app.dataset.code, screenKey: key, staff });
  done(true);
})().catch((e) => done(String(e)));
"#;

async fn click(browser: &fantoccini::Client, css: &str) {
    wait_visible(browser, css)
        .await
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {css}: {e}"));
}

#[tokio::test]
async fn a_phone_gives_feedback_and_the_organiser_exports_it() {
    if !browser::available() {
        return;
    }
    let server = TestServer::start().await;
    let state = &server.running.as_ref().unwrap().state;
    let hash = atelier::auth::hash_password("organiser", PASSWORD).unwrap();
    state
        .store
        .create_user("odile", &hash, atelier::store::Role::Organiser)
        .await
        .unwrap();
    let session = server.create_session(&["bingo", "fresque"]).await;
    let code = session["code"].as_str().unwrap().to_string();
    let screen_url = session["screen_url"].as_str().unwrap().to_string();
    // A badge issued by hand, for the badges tab.
    let issued = server
        .http()
        .post(server.url("/api/badges"))
        .bearer_auth(ADMIN_TOKEN)
        .json(&json!({"name": "Grace Hopper"}))
        .send()
        .await
        .unwrap();
    assert_eq!(issued.status(), 201);

    let driver = Driver::start().await;
    let phone = driver.phone().await;
    phone
        .goto(&server.url(&format!("/j/{code}")))
        .await
        .unwrap();
    wait_visible(&phone, "#name")
        .await
        .send_keys("Ada")
        .await
        .unwrap();
    click(&phone, "#join-form button[type=submit]").await;
    wait_text(&phone, "#hello", "Ada").await;

    // The facilitator moves on to the feedback.
    let (mut staff, _) = Client::staff(server.addr, &code, ADMIN_TOKEN).await;
    staff
        .send(json!({"type": "phase.set", "phase": {"kind": "feedback"}}))
        .await;
    staff.expect("phase.changed").await;

    let mounted = phone.execute_async(MOUNT_FORM, vec![]).await.unwrap();
    assert_eq!(mounted, json!(true), "{mounted}");
    wait_text(&phone, ".fb-form h2", "Votre avis").await;
    phone
        .execute(
            "document.querySelector('.feedback').scrollIntoView({block: 'start'});",
            vec![],
        )
        .await
        .unwrap();
    screenshot(&phone, "feedback-phone-form").await;

    // Sending without an overall rating: a clear message, nothing sent.
    click(&phone, ".fb-send").await;
    wait_text(&phone, ".fb-error", "note globale").await;
    // The scales are real radio buttons with a name that says the number and the word.
    let label: Value = phone
        .execute(
            "return document.querySelector('fieldset[data-name=overall] input[value=\"4\"]').getAttribute('aria-label');",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(label, json!("4 – Bien"));
    click(&phone, "fieldset[data-name=overall] .fb-choice.r4").await;
    click(&phone, "fieldset[data-name=rating-bingo] .fb-choice.r5").await;
    click(&phone, "fieldset[data-name=rating-fresque] .fb-choice.r3").await;
    let comment = phone.find(Locator::Css(".fb-form textarea")).await.unwrap();
    comment.send_keys(COMMENT).await.unwrap();
    let count = wait_text(&phone, ".fb-count", "caractères").await;
    assert!(
        count.starts_with(&COMMENT.chars().count().to_string()),
        "{count}"
    );
    phone
        .execute(
            "document.querySelector('fieldset[data-name=rating-fresque]').scrollIntoView({block: 'start'});",
            vec![],
        )
        .await
        .unwrap();
    screenshot(&phone, "feedback-phone-filled").await;
    click(&phone, ".fb-send").await;
    wait_text(&phone, ".fb-thanks", "Merci").await;
    screenshot(&phone, "feedback-phone-thanks").await;
    let stats = staff.expect("feedback.stats").await;
    assert_eq!(stats["count"], 1);
    // A reload shows the thanks again, not the form.
    phone.refresh().await.unwrap();
    phone.execute_async(MOUNT_FORM, vec![]).await.unwrap();
    wait_text(&phone, ".fb-thanks", "Merci").await;

    // The projector's figures.
    let projector = driver.desktop().await;
    projector.goto(&screen_url).await.unwrap();
    wait_text(&projector, "#phase", "Votre avis").await;
    let mounted = projector
        .execute_async(MOUNT_STATS, vec![json!(false)])
        .await
        .unwrap();
    assert_eq!(mounted, json!(true), "{mounted}");
    wait_text(&projector, ".fb-stat-count", "1 avis").await;
    wait_text(&projector, ".fb-stat-average", "4,0").await;
    screenshot(&projector, "feedback-screen-stats").await;

    // The organiser signs in and lands on the console.
    let laptop = driver.desktop().await;
    sign_in(&laptop, &server.url("/login"), "odile", PASSWORD).await;
    wait_text(&laptop, "h1", "Sessions et avis").await;
    wait_text(&laptop, "#sessions", &code).await;
    wait_text(&laptop, "#feedback", "8 h du matin").await;
    laptop.set_window_size(1280, 2300).await.unwrap();
    screenshot(&laptop, "organiser-console").await;

    // The comments toggle of the facilitator console, mounted on its page.
    laptop.set_window_size(1280, 900).await.unwrap();
    laptop
        .goto(&server.url(&format!("/f/s/{code}")))
        .await
        .unwrap();
    wait_text(&laptop, "#phase", "Votre avis").await;
    let mounted = laptop
        .execute_async(MOUNT_STATS, vec![json!(true)])
        .await
        .unwrap();
    assert_eq!(mounted, json!(true), "{mounted}");
    wait_text(&laptop, ".fb-stat-count", "1 avis").await;
    click(&laptop, ".fb-toggle").await;
    wait_text(&laptop, ".fb-comments", "À refaire").await;
    let pressed = laptop
        .find(Locator::Css(".fb-toggle"))
        .await
        .unwrap()
        .attr("aria-pressed")
        .await
        .unwrap();
    assert_eq!(pressed.as_deref(), Some("true"));
    screenshot(&laptop, "feedback-console-comments").await;

    // The export, downloaded with the browser's own session (cookie).
    laptop.goto(&server.url("/o")).await.unwrap();
    let href = wait_visible(&laptop, "#export-csv")
        .await
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    assert!(href.starts_with("/api/feedback.csv"), "{href}");
    let csv_text = laptop
        .execute_async(
            "const done = arguments[arguments.length - 1];
             fetch(arguments[0]).then((r) => r.ok ? r.text() : `HTTP ${r.status}`).then(done, (e) => done(String(e)));",
            vec![json!(href)],
        )
        .await
        .unwrap();
    let csv_text = csv_text.as_str().unwrap().trim_start_matches('\u{feff}');
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1, "{csv_text}");
    assert_eq!(&rows[0][0], code.as_str());
    assert_eq!(&rows[0][3], "4");
    assert_eq!(&rows[0][4], "5");
    assert_eq!(&rows[0][5], "3");
    assert_eq!(&rows[0][6], COMMENT);

    // The other tabs.
    laptop.set_window_size(1280, 1000).await.unwrap();
    laptop.goto(&server.url("/o/badges")).await.unwrap();
    wait_text(&laptop, "#badges", "Grace Hopper").await;
    click(&laptop, "details.confirm summary").await;
    wait_visible(&laptop, "details.confirm button.danger").await;
    screenshot(&laptop, "organiser-badges").await;
    click(&laptop, "details.confirm button.danger").await;
    wait_text(&laptop, ".notice", "Badge révoqué").await;
    wait_text(&laptop, "#badges", "Révoqué le").await;
    laptop.set_window_size(1280, 2000).await.unwrap();
    laptop.goto(&server.url("/o/issuer")).await.unwrap();
    wait_visible(&laptop, "#issuer-name").await;
    screenshot(&laptop, "organiser-issuer").await;

    // The privacy page, linked from the phone.
    phone.goto(&server.url("/privacy")).await.unwrap();
    wait_text(&phone, "h1", "Vos données personnelles").await;
    screenshot(&phone, "privacy-phone").await;

    for browser in [phone, projector, laptop] {
        browser.close().await.unwrap();
    }
}
