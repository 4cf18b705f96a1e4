//! What an applied definition row asks to fire: its cron, zone and jitter, or its one instant.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use uuid::Uuid;

use crate::definition::CronExpr;
use crate::plan::DefinitionRow;
use crate::schedule::calendar::{Calendar, from_cron};
use crate::schedule::desired::schedule_id;

/// When a definition fires.
#[derive(Debug, Clone, PartialEq)]
pub enum Cadence {
    Cron {
        calendar: Box<Calendar>,
        /// The cron as written, for people.
        cron: String,
        tz: Tz,
        jitter_seconds: u64,
    },
    Once {
        at: DateTime<Utc>,
    },
}

/// An enabled cron or `once` definition of the scope, as its row stores it.
#[derive(Debug, Clone, PartialEq)]
pub struct Audited {
    pub id: Uuid,
    pub key: String,
    pub schedule_id: String,
    pub source_path: String,
    pub cadence: Cadence,
}

impl Audited {
    /// The audit of a row: `Ok(None)` for what is not audited (disabled, retired, event
    /// triggers); an error when the stored trigger cannot be read (a row edited by hand).
    pub fn from_row(row: &DefinitionRow) -> Result<Option<Audited>, String> {
        if !row.enabled || row.retired {
            return Ok(None);
        }
        let config = &row.trigger_config;
        let text = |field: &str| config.get(field).and_then(|v| v.as_str());
        let cadence = match row.trigger_type.as_str() {
            "cron" => {
                let cron = text("cron").ok_or("`trigger_config` has no `cron`")?;
                let expr = CronExpr::parse(cron)
                    .map_err(|e| format!("stored cron `{cron}` is invalid: {e}"))?;
                let zone = text("timezone").unwrap_or("UTC");
                let tz = Tz::from_str(zone)
                    .map_err(|_| format!("stored timezone `{zone}` is unknown"))?;
                Cadence::Cron {
                    calendar: Box::new(from_cron(&expr)),
                    cron: expr.as_str().to_string(),
                    tz,
                    jitter_seconds: config
                        .get("jitter_seconds")
                        .and_then(serde_json::Value::as_u64)
                        .unwrap_or(0),
                }
            }
            "once" => {
                let at = text("at").ok_or("`trigger_config` has no `at`")?;
                let at = DateTime::parse_from_rfc3339(at)
                    .map_err(|e| format!("stored `at` `{at}` is invalid: {e}"))?;
                Cadence::Once {
                    at: at.with_timezone(&Utc),
                }
            }
            _ => return Ok(None),
        };
        Ok(Some(Audited {
            id: row.id,
            key: row.key.clone(),
            schedule_id: schedule_id(row.id),
            source_path: row.source_path.clone(),
            cadence,
        }))
    }

    /// `*/15 * * * * Europe/Berlin`, `once at 2026-12-18T16:00:00Z`.
    pub fn trigger(&self) -> String {
        match &self.cadence {
            Cadence::Cron {
                cron,
                tz,
                jitter_seconds,
                ..
            } => {
                if *jitter_seconds > 0 {
                    format!("{cron} {tz} · jitter {jitter_seconds}s")
                } else {
                    format!("{cron} {tz}")
                }
            }
            Cadence::Once { at } => format!("once at {}", at.to_rfc3339()),
        }
    }
}
