//! Connection strings without their secrets: the one redaction of every URL, [`crate::redact`].

pub use crate::redact::redact;
