//! Real-browser harness: Debian's Chromium driven through chromedriver (WebDriver).
//!
//! Without Chromium the browser tests skip, except under `CI=true`, where a missing
//! browser is a failure: CI must have installed it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// Longest wait for anything to appear on a page.
pub const PAGE_WAIT: Duration = Duration::from_secs(10);

/// A running chromedriver; browsers (WebDriver sessions) are opened from it.
pub struct Driver {
    child: Child,
    url: String,
}

/// Whether browser tests can run here; panics under CI when they cannot.
pub fn available() -> bool {
    let present = Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists();
    if !present && std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!(
            "CI=true but Chromium or chromedriver is missing: the test command must install them"
        );
    }
    if !present {
        super::skipped("Chromium/chromedriver not installed (required under CI=true)");
    }
    present
}

impl Driver {
    /// Starts chromedriver on a free port and waits for its "started successfully" line.
    pub async fn start() -> Driver {
        let port = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("free port");
            listener.local_addr().unwrap().port()
        };
        let mut child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            // Its own process group, which the browsers it starts join: dropping the driver
            // ends them all, even when a failing test never closed its browsers.
            .process_group(0)
            .kill_on_drop(true)
            .spawn()
            .expect("chromedriver starts");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let ready = tokio::time::timeout(PAGE_WAIT, async {
            while let Ok(Some(line)) = lines.next_line().await {
                if line.contains("started successfully") {
                    return true;
                }
            }
            false
        })
        .await;
        assert_eq!(ready, Ok(true), "chromedriver did not start");
        // Keep draining its output so it never blocks on a full pipe.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Driver {
            child,
            url: format!("http://127.0.0.1:{port}"),
        }
    }

    /// A desktop browser window (facilitator laptop, projector).
    pub async fn desktop(&self) -> Client {
        self.open(json!({"args": ["--window-size=1280,900"]})).await
    }

    /// A projector: a browser in full screen on a `width`×`height` display (1920×1080 for a
    /// room's projector): the page gets the whole display, as a full-screen browser gives it
    /// (a window of that size would lose its toolbars' height).
    pub async fn projector_sized(&self, width: u32, height: u32) -> Client {
        self.open(json!({
            "args": [format!("--window-size={width},{height}")],
            "mobileEmulation": {"deviceMetrics": {"width": width, "height": height, "pixelRatio": 1.0, "touch": false}},
        }))
        .await
    }

    /// A facilitator's laptop as the workshops saw it: a 1366×768 window.
    pub async fn laptop(&self) -> Client {
        self.open(json!({"args": ["--window-size=1366,768"]})).await
    }

    /// A phone: a 390×844 touch screen.
    pub async fn phone(&self) -> Client {
        self.phone_sized(390, 844, 100).await
    }

    /// A touch screen of `width`×`height` CSS px whose owner set the browser's text size to
    /// `text_percent` % (Chrome's font size setting: the default font size becomes
    /// 16 px × text_percent / 100, which pages sized in rem and em follow).
    pub async fn phone_sized(&self, width: u32, height: u32, text_percent: u32) -> Client {
        self.open(json!({
            "args": [format!("--window-size={width},{height}")],
            "mobileEmulation": {"deviceMetrics": {"width": width, "height": height, "pixelRatio": 2.0, "touch": true}},
            "text_percent": text_percent,
        }))
        .await
    }

    /// A desktop window (1280×900) with the browser's text size at `text_percent` %.
    pub async fn desktop_text(&self, text_percent: u32) -> Client {
        self.open(json!({"args": ["--window-size=1280,900"], "text_percent": text_percent}))
            .await
    }

    async fn open(&self, extra: Value) -> Client {
        let mut args = vec![
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-default-apps",
            // French first, like the workshop; tests that want another language pass ?lang=.
            "--lang=fr-FR",
        ]
        .into_iter()
        .map(|a| json!(a))
        .collect::<Vec<_>>();
        if let Some(more) = extra["args"].as_array() {
            args.extend(more.iter().cloned());
        }
        let mut prefs = json!({"intl.accept_languages": "fr-FR,fr"});
        if let Some(percent) = extra["text_percent"].as_u64() {
            // What Settings › Appearance › Font size changes (16 px is "Medium", 100 %).
            prefs["webkit.webprefs.default_font_size"] = json!(16 * percent / 100);
        }
        let mut options = json!({"binary": CHROMIUM, "args": args, "prefs": prefs});
        if let Some(mobile) = extra.get("mobileEmulation") {
            options["mobileEmulation"] = mobile.clone();
        }
        let mut caps = serde_json::Map::new();
        caps.insert("browserName".into(), json!("chrome"));
        caps.insert("goog:chromeOptions".into(), options);
        ClientBuilder::new(HttpConnector::new())
            .capabilities(caps)
            .connect(&self.url)
            .await
            .expect("browser session")
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        if let Some(pid) = self.child.id() {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", "--", &format!("-{pid}")])
                .stderr(Stdio::null())
                .status();
        }
        let _ = self.child.start_kill();
    }
}

/// Clicks the element matching `css` once it is visible (once: a click that lands on a removed
/// element is a bug of the page, not something to retry).
pub async fn click(browser: &Client, css: &str) {
    wait_visible(browser, css)
        .await
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {css}: {e}"));
}

/// The text of the dialog the page opened (`confirm`), once it is open.
pub async fn dialog_text(browser: &Client) -> String {
    let deadline = tokio::time::Instant::now() + PAGE_WAIT;
    loop {
        if let Ok(text) = browser.get_alert_text().await {
            return text;
        }
        assert!(tokio::time::Instant::now() < deadline, "no dialog opened");
        // WebDriver has no event for a dialog opening: poll briefly.
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits until the element matching `css` contains `text`; returns its text.
pub async fn wait_text(browser: &Client, css: &str, text: &str) -> String {
    let deadline = tokio::time::Instant::now() + PAGE_WAIT;
    loop {
        if let Ok(element) = browser.find(Locator::Css(css)).await
            && let Ok(found) = element.text().await
            && found.contains(text)
        {
            return found;
        }
        if tokio::time::Instant::now() > deadline {
            let page = browser.source().await.unwrap_or_default();
            panic!("{css:?} never showed {text:?}; page was:\n{page}");
        }
        // WebDriver offers no event for "text changed": poll the DOM briefly.
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Waits for an element to exist and be displayed, then returns it.
pub async fn wait_visible(browser: &Client, css: &str) -> fantoccini::elements::Element {
    browser
        .wait()
        .at_most(PAGE_WAIT)
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css:?} never appeared: {e}"))
}

/// Where screenshots go: `target/tmp/screenshots/` (a test run leaves the working tree as it
/// was), or the folder in `ATELIER_SCREENSHOTS_DIR`: `bash scripts/screenshots` sets it to
/// `docs/screenshots/` to refresh the documentation's pictures on purpose.
pub fn screenshot_dir() -> PathBuf {
    match std::env::var_os("ATELIER_SCREENSHOTS_DIR") {
        Some(dir) => Path::new(env!("CARGO_MANIFEST_DIR")).join(dir),
        None => Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots"),
    }
}

/// Saves a screenshot of the page as `NAME.png` in `screenshot_dir()`.
pub async fn screenshot(browser: &Client, name: &str) {
    let png = browser.screenshot().await.expect("screenshot");
    let dir = screenshot_dir();
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    std::fs::write(dir.join(format!("{name}.png")), png).expect("write screenshot");
}

/// Runs axe-core (npm, installed by the test command in tests/js) in the page and fails on
/// any serious or critical accessibility violation. `what` names the screen in the message.
pub async fn audit(browser: &Client, what: &str) {
    let axe_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/js/node_modules/axe-core/axe.min.js");
    let axe = std::fs::read_to_string(&axe_path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (run the test command, which installs it)",
            axe_path.display()
        )
    });
    browser
        .execute(&axe, vec![])
        .await
        .expect("inject axe-core");
    let script = r#"
        const done = arguments[arguments.length - 1];
        axe.run(document, { resultTypes: ["violations"] }).then((result) => done(
            result.violations
                .filter((v) => v.impact === "serious" || v.impact === "critical")
                .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")) }))
        ), (error) => done([{ id: "axe-error", help: String(error) }]));
    "#;
    let violations = browser
        .execute_async(script, vec![])
        .await
        .expect("axe.run");
    assert_eq!(violations, json!([]), "accessibility violations on {what}");
}

/// Bytes this page transferred so far (document and every resource, compressed sizes).
pub async fn transferred_bytes(browser: &Client) -> u64 {
    let script = r#"
        const entries = [...performance.getEntriesByType("navigation"), ...performance.getEntriesByType("resource")];
        return entries.reduce((sum, e) => sum + (e.transferSize || 0), 0);
    "#;
    browser
        .execute(script, vec![])
        .await
        .expect("performance entries")
        .as_u64()
        .unwrap_or(0)
}

/// Signs in on the login page at `login_url` as a person would: type, type, submit.
pub async fn sign_in(browser: &Client, login_url: &str, username: &str, password: &str) {
    browser.goto(login_url).await.expect("login page");
    let field = |id: &'static str| browser.find(Locator::Id(id));
    field("username")
        .await
        .expect("username field")
        .send_keys(username)
        .await
        .expect("type username");
    field("password")
        .await
        .expect("password field")
        .send_keys(password)
        .await
        .expect("type password");
    browser
        .find(Locator::Css("form button[type=submit]"))
        .await
        .expect("submit")
        .click()
        .await
        .expect("submit");
}

/// A DevTools protocol command through chromedriver (`POST /session/{id}/goog/cdp/execute`).
#[derive(Debug)]
struct Cdp(&'static str, Value);

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (axum::http::Method, Option<String>) {
        (
            axum::http::Method::POST,
            Some(json!({"cmd": self.0, "params": self.1}).to_string()),
        )
    }
}

/// Sends a DevTools protocol command to the page (network conditions, emulation…).
pub async fn cdp(browser: &fantoccini::Client, cmd: &'static str, params: Value) -> Value {
    browser
        .issue_cmd(Cdp(cmd, params))
        .await
        .unwrap_or_else(|e| panic!("{cmd}: {e}"))
}

/// Waits until a JS condition holds in the page (WebDriver has no event for it: poll briefly).
pub async fn until(browser: &Client, condition: &str, what: &str) {
    until_within(browser, condition, what, PAGE_WAIT).await;
}

pub async fn until_within(
    browser: &Client,
    condition: &str,
    what: &str,
    wait: std::time::Duration,
) {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        if browser
            .execute(&format!("return Boolean({condition});"), vec![])
            .await
            .unwrap()
            == json!(true)
        {
            return;
        }
        if tokio::time::Instant::now() > deadline {
            let page = browser
                .execute("return document.body.innerText;", vec![])
                .await
                .unwrap_or_default();
            panic!(
                "never true: {what} ({condition}); the page said:\n{}",
                page.as_str().unwrap_or("")
            );
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// The page's network as the DevTools protocol emulates it: offline or not, a minimum latency
/// per request, and a bandwidth cap (`None`: unthrottled). It applies to connections opened
/// after the first call, so call it before loading the page.
pub async fn emulate_network(
    browser: &Client,
    offline: bool,
    latency_ms: u32,
    down_up_kbps: Option<(u32, u32)>,
) {
    let bytes_per_s = |kbps: u32| f64::from(kbps) * 1000.0 / 8.0;
    let (down, up) = down_up_kbps.map_or((-1.0, -1.0), |(d, u)| (bytes_per_s(d), bytes_per_s(u)));
    cdp(browser, "Network.enable", json!({})).await;
    cdp(
        browser,
        "Network.emulateNetworkConditions",
        json!({"offline": offline, "latency": latency_ms, "downloadThroughput": down, "uploadThroughput": up}),
    )
    .await;
}
