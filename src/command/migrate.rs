//! `activity-sync migrate`: database tables, then the Temporal search attributes.

use crate::cli::MigrateArgs;
use crate::error::Exit;
use crate::output::emit;
use crate::store::{CALL_TIMEOUT, Store, bounded, redact};
use crate::temporal::Temporal;

pub async fn run(args: &MigrateArgs) -> anyhow::Result<Exit> {
    let url = &args.database.database_url;
    let store = bounded("connecting", CALL_TIMEOUT, Store::connect(url)).await?;
    bounded("migrating", 4 * CALL_TIMEOUT, store.migrate()).await?;
    let mut out = format!("migrations applied to {}\n", redact(url));
    if args.schedules {
        let settings = args.temporal.settings();
        // The tool works without the attributes (describe-based comparison), so a namespace
        // that refuses them is a warning.
        let registered = async {
            Temporal::connect(&settings)
                .await?
                .register_search_attributes()
                .await
        };
        match registered.await {
            Ok(added) if added.is_empty() => out.push_str(&format!(
                "search attributes already registered in namespace `{}`\n",
                settings.namespace
            )),
            Ok(added) => out.push_str(&format!(
                "registered search attributes {} in namespace `{}`\n",
                added.join(", "),
                settings.namespace
            )),
            Err(e) => {
                out.push_str(&format!(
                    "warning: search attributes not registered ({e}); schedules are still managed, with a describe per schedule and run\n"
                ));
            }
        }
    }
    emit(&out)?;
    Ok(Exit::Success)
}
