//! `--metrics-file`: the text exposition written atomically (a temporary file in the same
//! directory, then a rename), so node-exporter's textfile collector never reads half a file.

use std::io::Write;
use std::path::Path;

use chrono::{DateTime, Utc};

/// Writes `text` to `path` atomically, readable by a collector running as another user.
pub fn write_atomically(path: &Path, text: &str) -> Result<(), String> {
    let shown = path.display();
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut file = tempfile::Builder::new()
        .prefix(".activity-sync-metrics")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| format!("cannot write `{shown}`: {e}"))?;
    file.write_all(text.as_bytes())
        .and_then(|()| file.as_file().sync_all())
        .map_err(|e| format!("cannot write `{shown}`: {e}"))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(file.path(), std::fs::Permissions::from_mode(0o644))
            .map_err(|e| format!("cannot write `{shown}`: {e}"))?;
    }
    file.persist(path)
        .map_err(|e| format!("cannot write `{shown}`: {}", e.error))?;
    Ok(())
}

/// The last success recorded in an earlier file at `path`, to carry it over when the
/// database cannot say (a failed run must not reset it).
pub fn previous_last_success(path: &Path) -> Option<DateTime<Utc>> {
    let text = std::fs::read_to_string(path).ok()?;
    let name = format!("{}_last_success_timestamp_seconds", super::PREFIX);
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .find(|line| {
            line.strip_prefix(&name)
                .is_some_and(|rest| rest.starts_with('{') || rest.starts_with(' '))
        })
        .and_then(|line| line.split_whitespace().nth(1))
        .and_then(|value| value.parse::<f64>().ok())
        .filter(|seconds| seconds.is_finite() && *seconds > 0.0)
        .and_then(|seconds| DateTime::from_timestamp_millis((seconds * 1000.0).round() as i64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_and_replaces_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("activity_sync.prom");
        write_atomically(&path, "a 1\n").unwrap();
        write_atomically(&path, "b 2\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "b 2\n");
        // No temporary file is left beside it.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_missing_directory_is_an_error_naming_the_file() {
        let error = write_atomically(Path::new("/nonexistent/dir/x.prom"), "").unwrap_err();
        assert!(error.contains("/nonexistent/dir/x.prom"), "{error}");
    }

    #[test]
    fn reads_the_last_success_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.prom");
        std::fs::write(
            &path,
            "# HELP activity_sync_last_success_timestamp_seconds x\n\
             activity_sync_last_success_timestamp_seconds_other 5\n\
             activity_sync_last_success_timestamp_seconds{scope=\"ops\"} 1774008001.5\n",
        )
        .unwrap();
        assert_eq!(
            previous_last_success(&path).map(|t| t.to_rfc3339()),
            Some("2026-03-20T12:00:01.500+00:00".to_string())
        );
        assert_eq!(previous_last_success(&dir.path().join("none")), None);
        std::fs::write(&path, "activity_sync_last_success_timestamp_seconds 0\n").unwrap();
        assert_eq!(previous_last_success(&path), None);
    }
}
