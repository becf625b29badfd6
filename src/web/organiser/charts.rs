//! Server-rendered SVG charts of the organiser console (the CSP allows no inline style or
//! script: styled by `static/organiser.css`, described by titles for screen readers).

use super::*;

/// Bar chart of the overall ratings 1 to 5. Styled by `static/organiser.css` (the CSP allows
/// no inline style); described by its title and `desc` for screen readers.
pub fn distribution_svg(counts: [u64; 5], t: Tr) -> String {
    let (width, height) = (520.0, 250.0);
    let (left, right, top, bottom) = (16.0, 16.0, 28.0, 52.0);
    let plot_w = width - left - right;
    let plot_h = height - top - bottom;
    let max = counts.iter().copied().max().unwrap_or(0).max(1) as f64;
    let slot = plot_w / 5.0;
    let bar_w = slot * 0.62;
    let total: u64 = counts.iter().sum();
    let title = t.get("org-chart-distribution");
    let desc = (1..=5)
        .map(|r| {
            t.i18n.tr_args(
                t.lang,
                "org-chart-distribution-item",
                &[
                    ("rating", &r.to_string()),
                    ("count", &counts[r - 1].to_string()),
                ],
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let mut svg = format!(
        r#"<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-labelledby="dist-title dist-desc" xmlns="http://www.w3.org/2000/svg"><title id="dist-title">{}</title><desc id="dist-desc">{}</desc>"#,
        esc(&title),
        esc(&desc)
    );
    let base = top + plot_h;
    let _ = write!(
        svg,
        r#"<line class="axis" x1="{left}" y1="{base}" x2="{}" y2="{base}"/>"#,
        width - right
    );
    for (i, &count) in counts.iter().enumerate() {
        let h = count as f64 / max * plot_h;
        let x = left + slot * i as f64 + (slot - bar_w) / 2.0;
        let y = base - h;
        let cx = x + bar_w / 2.0;
        let share = if total > 0 {
            format!(" · {:.0} %", count as f64 * 100.0 / total as f64)
        } else {
            String::new()
        };
        let _ = write!(
            svg,
            r#"<rect class="bar r{r}" x="{x:.1}" y="{y:.1}" width="{bar_w:.1}" height="{h:.1}" rx="4"><title>{r} : {count}{share}</title></rect><text class="value" x="{cx:.1}" y="{:.1}" text-anchor="middle">{count}</text><text class="tick" x="{cx:.1}" y="{:.1}" text-anchor="middle">{r}</text>"#,
            (y - 6.0).max(12.0),
            base + 22.0,
            r = i + 1,
        );
    }
    let _ = write!(
        svg,
        r#"<text class="axis-title" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text></svg>"#,
        width / 2.0,
        height - 6.0,
        esc(&t.get("org-chart-rating-axis"))
    );
    svg
}

/// One point of the "average per session over time" chart.
pub struct SessionPoint {
    pub date: String,
    pub code: String,
    pub average: f64,
    pub count: usize,
}

/// Line chart of the average overall rating of each session, in the order sessions were run.
pub fn averages_svg(points: &[SessionPoint], t: Tr) -> String {
    let (width, height) = (640.0, 270.0);
    let (left, right, top, bottom) = (40.0, 24.0, 20.0, 64.0);
    let plot_w = width - left - right;
    let plot_h = height - top - bottom;
    let y_of = |v: f64| top + (5.0 - v) / 4.0 * plot_h;
    let x_of = |i: usize| {
        if points.len() <= 1 {
            left + plot_w / 2.0
        } else {
            left + plot_w * i as f64 / (points.len() - 1) as f64
        }
    };
    let title = t.get("org-chart-averages");
    let desc = points
        .iter()
        .map(|p| format!("{} {}: {}", p.date, p.code, decimal(p.average, t)))
        .collect::<Vec<_>>()
        .join(", ");
    let mut svg = format!(
        r#"<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-labelledby="avg-title avg-desc" xmlns="http://www.w3.org/2000/svg"><title id="avg-title">{}</title><desc id="avg-desc">{}</desc>"#,
        esc(&title),
        esc(&desc)
    );
    for v in 1..=5 {
        let y = y_of(f64::from(v));
        let _ = write!(
            svg,
            r#"<line class="grid" x1="{left}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}"/><text class="tick" x="{:.1}" y="{:.1}" text-anchor="end">{v}</text>"#,
            width - right,
            left - 10.0,
            y + 5.0
        );
    }
    if points.len() > 1 {
        let line = points
            .iter()
            .enumerate()
            .map(|(i, p)| format!("{:.1},{:.1}", x_of(i), y_of(p.average)))
            .collect::<Vec<_>>()
            .join(" ");
        let _ = write!(svg, r#"<polyline class="line" points="{line}"/>"#);
    }
    // At most about eight date labels, evenly spread.
    let every = points.len().div_ceil(8).max(1);
    for (i, p) in points.iter().enumerate() {
        let (x, y) = (x_of(i), y_of(p.average));
        let _ = write!(
            svg,
            r#"<circle class="dot" cx="{x:.1}" cy="{y:.1}" r="6"><title>{} · {} · {} ({})</title></circle>"#,
            esc(&p.date),
            esc(&p.code),
            decimal(p.average, t),
            p.count
        );
        if i % every == 0 || i + 1 == points.len() {
            let _ = write!(
                svg,
                r#"<text class="tick" x="{x:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
                top + plot_h + 22.0,
                esc(p.date.get(5..).unwrap_or(&p.date))
            );
        }
    }
    let _ = write!(
        svg,
        r#"<text class="axis-title" x="{:.1}" y="{:.1}" text-anchor="middle">{}</text></svg>"#,
        left + plot_w / 2.0,
        height - 8.0,
        esc(&t.get("org-chart-time-axis"))
    );
    svg
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::I18n;

    #[test]
    fn charts_are_svg_with_titles() {
        let i18n = I18n::load().unwrap();
        let t = Tr {
            i18n: &i18n,
            lang: Lang::Fr,
        };
        let svg = distribution_svg([0, 1, 2, 5, 9], t);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert_eq!(svg.matches("<rect").count(), 5);
        assert!(svg.contains("<title"));
        let points = [
            SessionPoint {
                date: "2025-03-01".into(),
                code: "A<B".into(),
                average: 13.0 / 3.0,
                count: 4,
            },
            SessionPoint {
                date: "2025-04-01".into(),
                code: "CDEFGH".into(),
                average: 3.0,
                count: 2,
            },
        ];
        let svg = averages_svg(&points, t);
        assert!(svg.contains("A&lt;B"), "text is escaped");
        assert!(svg.contains("<polyline"));
        assert!(svg.contains("4,3"), "French decimals");
        assert!(!averages_svg(&[], t).contains("<polyline"));
    }
}
