//! Connection strings without their secrets, for every message and log.

/// `postgres://user:secret@host/db?password=x` → `postgres://user:***@host/db?password=***`.
pub fn redact(url: &str) -> String {
    let mut out = url.to_string();
    if let Some(scheme_end) = out.find("://") {
        let rest_start = scheme_end + 3;
        let authority_end = out[rest_start..]
            .find(['/', '?'])
            .map_or(out.len(), |i| rest_start + i);
        if let Some(at) = out[rest_start..authority_end].rfind('@') {
            let userinfo = &out[rest_start..rest_start + at];
            if let Some(colon) = userinfo.find(':') {
                let start = rest_start + colon + 1;
                out.replace_range(start..rest_start + at, "***");
            }
        }
    }
    if let Some(q) = out.find('?') {
        let (base, query) = out.split_at(q + 1);
        let query = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some((k, _))
                    if k.eq_ignore_ascii_case("password")
                        || k.to_ascii_lowercase().contains("secret") =>
                {
                    format!("{k}=***")
                }
                _ => pair.to_string(),
            })
            .collect::<Vec<_>>()
            .join("&");
        out = format!("{base}{query}");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn hides_passwords() {
        assert_eq!(
            redact("postgres://app:s3cr3t@db:5432/acts"),
            "postgres://app:***@db:5432/acts"
        );
        assert_eq!(
            redact("postgres://app@db/acts?password=s3cr3t&sslmode=require"),
            "postgres://app@db/acts?password=***&sslmode=require"
        );
        assert_eq!(redact("postgres://a:b:c@db/x"), "postgres://a:***@db/x");
        assert_eq!(
            redact("sqlite://activity-sync.db"),
            "sqlite://activity-sync.db"
        );
        assert_eq!(redact("postgres://db/acts"), "postgres://db/acts");
    }
}
