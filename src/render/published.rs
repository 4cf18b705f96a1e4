//! What became of a run's results beyond stdout, in a line each: the report's delivery
//! and the metrics. Empty when neither was asked for.

use super::markdown;
use super::validation::plural;
use crate::metrics::Exported;
use crate::report::Published;
use crate::sink::Delivery;

/// Plain sentences, one a line.
fn lines(published: &Published) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(d) = &published.report {
        lines.push(delivery(d));
    }
    if let Some(m) = &published.metrics {
        lines.push(metrics(m));
    }
    lines
}

fn delivery(d: &Delivery) -> String {
    let mut line = if d.delivered {
        format!("Report: delivered to {} ({}).", d.url, tries(d.attempts))
    } else {
        let tries = match d.attempts {
            0 => String::new(),
            n => format!(" after {}", tries(n)),
        };
        let error = d.error.as_deref().unwrap_or("unknown error");
        let queued = if d.queued {
            "; queued in the outbox for the next run"
        } else {
            ""
        };
        format!(
            "Report: NOT delivered to {}{tries}: {error}{queued}.",
            d.url
        )
    };
    if d.outbox_delivered > 0 {
        line.push_str(&format!(
            " Delivered from the outbox: {}.",
            plural(d.outbox_delivered as usize, "earlier report")
        ));
    }
    if let Some(pending) = d.outbox_pending.filter(|n| *n > 0) {
        line.push_str(&format!(
            " Waiting in the outbox: {}.",
            plural(pending as usize, "report")
        ));
    }
    line
}

fn tries(n: u32) -> String {
    if n == 1 {
        "1 try".into()
    } else {
        format!("{n} tries")
    }
}

fn metrics(m: &Exported) -> String {
    let mut done = Vec::new();
    if m.file_written == Some(true) {
        done.push("file written");
    }
    if m.pushed == Some(true) {
        done.push("pushed");
    }
    let mut line = format!(
        "Metrics: {}.",
        if done.is_empty() {
            "not exported".to_string()
        } else {
            done.join(", ")
        }
    );
    for e in &m.errors {
        line.push_str(&format!(" {e}."));
    }
    line
}

/// For the text report: just above its closing line (the text renderer escapes it).
pub fn text(published: &Published) -> String {
    lines(published).iter().map(|l| format!("{l}\n")).collect()
}

/// For the Markdown report: a paragraph at its end.
pub fn markdown(published: &Published) -> String {
    let lines = lines(published);
    if lines.is_empty() {
        return String::new();
    }
    let mut out = String::from("\n");
    for l in lines {
        out.push_str(&markdown::text(&l));
        out.push_str("  \n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn delivery() -> Delivery {
        Delivery {
            url: "https://hooks.example/***".into(),
            delivered: false,
            attempts: 3,
            queued: true,
            outbox_delivered: 0,
            outbox_pending: Some(2),
            error: Some("`https://hooks.example/***` answered 503 Service Unavailable".into()),
        }
    }

    #[test]
    fn an_undelivered_report_says_where_it_waits() {
        let p = Published {
            report: Some(delivery()),
            ..Published::default()
        };
        assert_eq!(
            text(&p),
            "Report: NOT delivered to https://hooks.example/*** after 3 tries: \
             `https://hooks.example/***` answered 503 Service Unavailable; queued in the \
             outbox for the next run. Waiting in the outbox: 2 reports.\n"
        );
    }

    #[test]
    fn a_delivered_report_counts_the_outbox() {
        let p = Published {
            report: Some(Delivery {
                delivered: true,
                attempts: 1,
                queued: false,
                outbox_delivered: 2,
                outbox_pending: Some(0),
                error: None,
                ..delivery()
            }),
            metrics: Some(Exported {
                file_written: Some(true),
                pushed: None,
                errors: Vec::new(),
            }),
            ..Published::default()
        };
        assert_eq!(
            text(&p),
            "Report: delivered to https://hooks.example/*** (1 try). Delivered from the \
             outbox: 2 earlier reports.\nMetrics: file written.\n"
        );
    }

    #[test]
    fn nothing_asked_nothing_said() {
        assert_eq!(text(&Published::default()), "");
        assert_eq!(markdown(&Published::default()), "");
    }
}
