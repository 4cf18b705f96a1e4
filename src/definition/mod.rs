//! Definition files: frontmatter, bounded YAML, the model of SPEC §2 and its validation.

mod catalog;
pub mod cron_expr;
mod diagnostic;
mod frontmatter;
mod model;
mod parse;
pub mod text;
pub mod yaml;

pub use catalog::{Catalog, Protected};
pub use cron_expr::CronExpr;
pub use diagnostic::Diagnostic;
pub use frontmatter::{Split, split as split_frontmatter};
pub use model::{
    ActivityDefinition, CronTrigger, Definition, EventTrigger, EventType, MisfirePolicy,
    OnceTrigger, Origin, Trigger, canonical_json, hash_json, hash_json_items, hash_json_members,
    id_from_key, sorted_json, source_location,
};
pub(crate) use parse::{CRON_KEYS, EVENT_KEYS, ONCE_KEYS};
pub use parse::{
    Claims, FileOutcome, MAX_CATCHUP_WINDOW_SECONDS, MAX_FILE_BYTES, MAX_JITTER_SECONDS,
    MIN_CATCHUP_WINDOW_SECONDS, SourceFile, is_valid_name, parse_file,
};
