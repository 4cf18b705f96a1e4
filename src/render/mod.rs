//! Renderers: plain data in, text out. No I/O here.

pub mod configmap;
pub mod plan_json;
pub mod plan_markdown;
pub mod plan_text;
pub mod report;
pub mod validation;

use crate::cli::Format;
use report::Report;

/// A plan or apply report in the requested format.
pub fn report(report: &Report<'_>, format: Format) -> String {
    match format {
        Format::Text => plan_text::render(report),
        Format::Json => plan_json::render(report),
        Format::Markdown => plan_markdown::render(report),
    }
}
