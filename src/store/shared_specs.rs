//! The desired definitions' frontmatter, by id, for the reader of the rows: a row that
//! stores the same JSON as the file that wants it points at the file's copy instead of
//! holding a second one.
//!
//! A no-op run at 10,000 definitions holds every definition twice, parsed from the files
//! and read back from `activity_definitions`; the row's `spec` was the largest thing it
//! held (about 47 MB of 143 MB at the peak, heap-profiled). Equal JSON is shared (equality
//! ignores key order: the database's `jsonb` sorts the keys, the file keeps its own order,
//! and every hash and diff of a spec is of its canonical, key-sorted form). A row whose
//! JSON differs keeps its own: that difference is the drift the plan shows.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value as Json;
use uuid::Uuid;

#[derive(Debug, Default)]
pub struct SharedSpecs {
    by_id: HashMap<Uuid, Arc<Json>>,
}

impl SharedSpecs {
    /// Nothing to share: every row keeps what it read.
    pub fn none() -> SharedSpecs {
        SharedSpecs::default()
    }

    pub fn new(specs: impl IntoIterator<Item = (Uuid, Arc<Json>)>) -> SharedSpecs {
        SharedSpecs {
            by_id: specs.into_iter().collect(),
        }
    }

    /// The spec read from row `id`: the desired definition's own value when it is equal.
    pub fn share(&self, id: &Uuid, read: Json) -> Arc<Json> {
        match self.by_id.get(id) {
            Some(known) if **known == read => known.clone(),
            _ => Arc::new(read),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn an_equal_spec_is_the_desired_value_whatever_its_key_order() {
        let id = Uuid::from_u128(1);
        let desired =
            Arc::new(json!({"key": "a", "trigger": {"type": "cron", "cron": "0 * * * *"}}));
        let shared = SharedSpecs::new([(id, desired.clone())]);
        // `jsonb` gives the keys back sorted.
        let read: Json = serde_json::from_str(
            r#"{"trigger": {"cron": "0 * * * *", "type": "cron"}, "key": "a"}"#,
        )
        .unwrap();
        assert!(Arc::ptr_eq(&shared.share(&id, read), &desired));
    }

    #[test]
    fn a_drifted_spec_or_another_id_keeps_what_was_read() {
        let id = Uuid::from_u128(1);
        let desired = Arc::new(json!({"key": "a", "enabled": true}));
        let shared = SharedSpecs::new([(id, desired.clone())]);
        let drifted = json!({"key": "a", "enabled": false});
        let kept = shared.share(&id, drifted.clone());
        assert!(!Arc::ptr_eq(&kept, &desired));
        assert_eq!(*kept, drifted);
        let other = shared.share(&Uuid::from_u128(2), json!({"key": "a", "enabled": true}));
        assert!(!Arc::ptr_eq(&other, &desired));
        assert_eq!(*SharedSpecs::none().share(&id, drifted.clone()), drifted);
    }
}
