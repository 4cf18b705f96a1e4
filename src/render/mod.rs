//! Renderers: plain data in, text out (ripgrep's printers). No I/O, and nothing of the
//! command line or of Temporal here.

pub mod audit;
pub mod change_summary;
pub mod configmap;
pub mod definition_file;
pub mod markdown;
pub mod plan_json;
pub mod plan_markdown;
pub mod plan_text;
pub mod published;
pub mod status;
pub mod upcoming;
pub mod validation;

use crate::report::{Published, Report};

/// An output format, as `--format` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Markdown,
}

impl Format {
    pub const ALL: [Format; 3] = [Format::Text, Format::Json, Format::Markdown];

    pub fn as_str(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Json => "json",
            Format::Markdown => "markdown",
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A JSON document as every `--format json` prints it: pretty, one trailing newline. The
/// reports are plain serde structs, so serializing them cannot fail.
pub fn json_document<T: serde::Serialize>(value: &T) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("reports serialize");
    text.push('\n');
    text
}

/// A plan or apply report in the requested format.
pub fn report(report: &Report, format: Format) -> String {
    report_with(report, format, &Published::default())
}

/// A plan or apply report with what became of it (run id, report delivery, metrics).
pub fn report_with(report: &Report, format: Format, published: &Published) -> String {
    match format {
        Format::Text => plan_text::render_with(report, &published::text(published)),
        Format::Json => plan_json::render_with(report, published),
        Format::Markdown => plan_markdown::render(report) + &published::markdown(published),
    }
}
