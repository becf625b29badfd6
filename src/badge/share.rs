//! Sharing a badge: LinkedIn's public "add to profile" link for a certification.

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Everything but RFC 3986's unreserved characters is encoded: `&`, `=`, `#`, `+`, spaces and
/// accents in a name or URL must reach LinkedIn as data, not as syntax.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// A certification as LinkedIn's add-to-profile form takes it.
pub struct Certification<'a> {
    pub name: &'a str,
    pub organisation: &'a str,
    pub issue_year: i32,
    pub issue_month: u8,
    /// The badge's public page.
    pub url: &'a str,
    /// The credential id.
    pub id: &'a str,
}

/// `https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME&…`, every value encoded.
pub fn linkedin_add_url(cert: &Certification<'_>) -> String {
    let year = cert.issue_year.to_string();
    let month = cert.issue_month.to_string();
    let params = [
        ("startTask", "CERTIFICATION_NAME"),
        ("name", cert.name),
        ("organizationName", cert.organisation),
        ("issueYear", &year),
        ("issueMonth", &month),
        ("certUrl", cert.url),
        ("certId", cert.id),
    ];
    let query: Vec<String> = params
        .iter()
        .map(|(key, value)| format!("{key}={}", utf8_percent_encode(value, QUERY_VALUE)))
        .collect();
    format!("https://www.linkedin.com/profile/add?{}", query.join("&"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accents_ampersands_and_urls_are_encoded() {
        let url = linkedin_add_url(&Certification {
            name: "Sensibilisation aux Open Badges & co",
            organisation: "Région Wallonie — Liège",
            issue_year: 2026,
            issue_month: 11,
            url: "https://badges.example.org/badges/1234?x=1&y=2",
            id: "urn:uuid:1234",
        });
        assert_eq!(
            url,
            "https://www.linkedin.com/profile/add?startTask=CERTIFICATION_NAME\
             &name=Sensibilisation%20aux%20Open%20Badges%20%26%20co\
             &organizationName=R%C3%A9gion%20Wallonie%20%E2%80%94%20Li%C3%A8ge\
             &issueYear=2026&issueMonth=11\
             &certUrl=https%3A%2F%2Fbadges.example.org%2Fbadges%2F1234%3Fx%3D1%26y%3D2\
             &certId=urn%3Auuid%3A1234"
        );
    }
}
