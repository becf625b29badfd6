//! `/o`: sessions with their figures, feedback across sessions with filters and charts.

use super::*;

pub(super) struct SessionLine {
    date: String,
    title: String,
    code: String,
    facilitator: String,
    participants: i64,
    badges: i64,
    feedback_count: i64,
    feedback_average: String,
}

pub(super) struct FeedbackLine {
    date: String,
    session: String,
    lang: String,
    overall: u8,
    ratings: String,
    comment: String,
}

pub(super) struct Kpi {
    label: String,
    value: String,
}

pub(super) struct PointLine {
    date: String,
    code: String,
    average: String,
    count: usize,
}

#[derive(Template)]
#[template(path = "organiser.html")]
pub(super) struct OverviewPage<'a> {
    t: Tr<'a>,
    user: String,
    tab: &'static str,
    notice: Option<String>,
    error: Option<String>,
    /// The organisation is not named yet: badges would carry the software's name.
    issuer_missing: bool,
    from: String,
    to: String,
    facilitator: String,
    deck: String,
    facilitators: Vec<String>,
    decks: Vec<String>,
    export_query: String,
    kpis: Vec<Kpi>,
    distribution: String,
    averages: String,
    distribution_rows: Vec<(u8, u64)>,
    points: Vec<PointLine>,
    sessions: Vec<SessionLine>,
    feedback: Vec<FeedbackLine>,
    shown_text: String,
}

pub(super) fn session_matches(s: &SessionSummary, q: &ExportQuery) -> bool {
    let given = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_string)
    };
    let day = day_of(&s.created_at);
    given(&q.from).is_none_or(|from| day >= from.as_str())
        && given(&q.to).is_none_or(|to| day <= to.as_str())
        && given(&q.facilitator).is_none_or(|f| {
            s.owner
                .as_deref()
                .is_some_and(|o| o.eq_ignore_ascii_case(&f))
        })
        && given(&q.deck).is_none_or(|d| config_field(&s.config, "deck") == d)
}

pub(super) async fn overview(
    State(state): State<Shared>,
    headers: HeaderMap,
    Query(q): Query<ExportQuery>,
    Query(done): Query<Done>,
) -> Response {
    let principal = match organiser(&state, &headers, false).await {
        Ok(p) => p,
        Err(response) => return response,
    };
    let t = tr(&state, &headers, None);
    let (filter, error) = match feedback_filter(&state, &q).await {
        Ok(filter) => (filter, None),
        Err(e) => (
            Default::default(),
            Some(t.get(if e.code == "invalid" {
                "org-filter-date-bad"
            } else {
                "org-filter-unknown"
            })),
        ),
    };
    let q = if error.is_some() {
        ExportQuery::default()
    } else {
        q
    };
    let rows = match state.store.feedback(&filter).await {
        Ok(rows) => rows,
        Err(e) => return internal(t, e),
    };
    let summaries = match state.store.session_summaries().await {
        Ok(s) => s,
        Err(e) => return internal(t, e),
    };
    let users = match state.store.list_users().await {
        Ok(u) => u,
        Err(e) => return internal(t, e),
    };
    let mut decks: Vec<String> = state.decks.list().iter().map(|d| d.id.clone()).collect();
    if let Ok(used) = state.store.session_decks().await {
        for d in used {
            if !decks.contains(&d) {
                decks.push(d);
            }
        }
    }
    let value = |v: &Option<String>| v.as_deref().unwrap_or_default().trim().to_string();
    let export_query = [
        ("from", value(&q.from)),
        ("to", value(&q.to)),
        ("facilitator", value(&q.facilitator)),
        ("deck", value(&q.deck)),
    ]
    .iter()
    .filter(|(_, v)| !v.is_empty())
    .map(|(k, v)| format!("{k}={}", encode(v)))
    .collect::<Vec<_>>()
    .join("&");
    let page = overview_page(t, &rows, &summaries, &q);
    let issuer_missing = match state.issuer.issuer_named().await {
        Ok(named) => !named,
        Err(e) => return internal(t, e),
    };
    render(&OverviewPage {
        issuer_missing,
        user: principal.display_name().to_string(),
        tab: "overview",
        notice: notice(t, &done),
        error,
        from: value(&q.from),
        to: value(&q.to),
        facilitator: value(&q.facilitator),
        deck: value(&q.deck),
        facilitators: users.into_iter().map(|u| u.username).collect(),
        decks,
        export_query,
        ..page
    })
}

/// The figures, charts and tables of the overview, from the filtered feedback and sessions.
pub(super) fn overview_page<'a>(
    t: Tr<'a>,
    rows: &[FeedbackRow],
    summaries: &[SessionSummary],
    q: &ExportQuery,
) -> OverviewPage<'a> {
    let mut counts = [0u64; 5];
    for r in rows {
        if (1..=5).contains(&r.overall) {
            counts[usize::from(r.overall) - 1] += 1;
        }
    }
    let dash = || "–".to_string();
    let mut kpis = vec![
        Kpi {
            label: t.get("org-kpi-feedback"),
            value: rows.len().to_string(),
        },
        Kpi {
            label: t.get("org-kpi-average"),
            value: average(rows.iter().map(|r| r.overall)).map_or_else(dash, |a| decimal(a, t)),
        },
    ];
    for activity in ACTIVITIES {
        let avg = average(
            rows.iter()
                .filter_map(|r| r.ratings.get(activity.as_str()).copied()),
        );
        kpis.push(Kpi {
            label: t.with(
                "org-kpi-activity",
                "activity",
                &t.get(&format!("phase-{}", activity.as_str())),
            ),
            value: avg.map_or_else(dash, |a| decimal(a, t)),
        });
    }
    // Per session, in the order sessions were created.
    let mut by_session: BTreeMap<(String, String), Vec<u8>> = BTreeMap::new();
    for r in rows {
        by_session
            .entry((r.session_created.clone(), r.session_code.clone()))
            .or_default()
            .push(r.overall);
    }
    let points: Vec<SessionPoint> = by_session
        .into_iter()
        .map(|((created, code), ratings)| SessionPoint {
            date: day_of(&created).to_string(),
            code,
            average: average(ratings.iter().copied()).unwrap_or_default(),
            count: ratings.len(),
        })
        .collect();
    let sessions = summaries
        .iter()
        .filter(|s| session_matches(s, q))
        .map(|s| SessionLine {
            date: short_time(&s.created_at),
            title: config_field(&s.config, "title"),
            code: s.code.clone(),
            facilitator: s
                .owner
                .clone()
                .unwrap_or_else(|| t.get("org-no-facilitator")),
            participants: s.participants,
            badges: s.badges,
            feedback_count: s.feedback_count,
            feedback_average: s.feedback_average.map_or_else(dash, |a| decimal(a, t)),
        })
        .collect();
    let feedback = rows
        .iter()
        .rev()
        .take(FEEDBACK_LISTED)
        .map(|r| FeedbackLine {
            date: r.date.clone(),
            session: r.session_code.clone(),
            lang: r.lang.to_uppercase(),
            overall: r.overall,
            ratings: ACTIVITIES
                .iter()
                .filter_map(|a| {
                    r.ratings.get(a.as_str()).map(|v| {
                        t.i18n.tr_args(
                            t.lang,
                            "org-activity-rating",
                            &[
                                ("activity", &t.get(&format!("phase-{}", a.as_str()))),
                                ("rating", &v.to_string()),
                            ],
                        )
                    })
                })
                .collect::<Vec<_>>()
                .join(" · "),
            comment: r.comment.clone().unwrap_or_default(),
        })
        .collect();
    OverviewPage {
        t,
        user: String::new(),
        tab: "overview",
        notice: None,
        error: None,
        issuer_missing: false,
        from: String::new(),
        to: String::new(),
        facilitator: String::new(),
        deck: String::new(),
        facilitators: Vec::new(),
        decks: Vec::new(),
        export_query: String::new(),
        kpis,
        distribution: distribution_svg(counts, t),
        averages: averages_svg(&points, t),
        distribution_rows: (1..=5u8).zip(counts).collect(),
        points: points
            .iter()
            .map(|p| PointLine {
                date: p.date.clone(),
                code: p.code.clone(),
                average: decimal(p.average, t),
                count: p.count,
            })
            .collect(),
        sessions,
        shown_text: t.i18n.tr_args(
            t.lang,
            "org-feedback-shown",
            &[
                ("shown", &rows.len().min(FEEDBACK_LISTED).to_string()),
                ("total", &rows.len().to_string()),
            ],
        ),
        feedback,
    }
}
