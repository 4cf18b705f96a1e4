//! A long plan or apply shows how far its Temporal calls have got (calls done / planned) on
//! one line of a terminal, redrawn in place: only when stderr is a terminal, never in JSON
//! output, and only once the run has taken [`AFTER`] (a quick run draws nothing). The line
//! is cleared before the report prints.

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::task::JoinHandle;

use crate::apply::Progress;

/// How long a run goes on before it shows its progress.
const AFTER: Duration = Duration::from_secs(2);
const EVERY: Duration = Duration::from_millis(250);

/// [`AFTER`], or in a debug build `ACTIVITY_SYNC_TEST_PROGRESS_AFTER_MS` (tests draw the
/// line without a slow run; a release build never reads it).
fn after() -> Duration {
    let test = cfg!(debug_assertions)
        .then(|| std::env::var("ACTIVITY_SYNC_TEST_PROGRESS_AFTER_MS").ok())
        .flatten()
        .and_then(|ms| ms.parse().ok());
    test.map_or(AFTER, Duration::from_millis)
}

pub struct ProgressLine {
    task: Option<JoinHandle<()>>,
    drawn: Arc<AtomicBool>,
}

impl ProgressLine {
    /// Draws `progress` while the run lasts, when `wanted` (not JSON) and stderr is a
    /// terminal; otherwise does nothing.
    pub fn start(progress: Arc<Progress>, wanted: bool) -> ProgressLine {
        let drawn = Arc::new(AtomicBool::new(false));
        let task = (wanted && std::io::stderr().is_terminal()).then(|| {
            let drawn = drawn.clone();
            tokio::spawn(async move {
                tokio::time::sleep(after()).await;
                loop {
                    if let Some((phase, done, total)) = progress.now().filter(|p| p.2 > 0) {
                        let mut err = std::io::stderr().lock();
                        // A closed stderr is no reason to fail the run.
                        let _ = write!(err, "\r\x1b[2K{phase}: {done}/{total}");
                        let _ = err.flush();
                        drawn.store(true, Ordering::Relaxed);
                    }
                    tokio::time::sleep(EVERY).await;
                }
            })
        });
        ProgressLine { task, drawn }
    }

    /// Stops drawing and clears the line, if one was drawn.
    pub async fn stop(self) {
        if let Some(task) = self.task {
            task.abort();
            let _ = task.await;
        }
        if self.drawn.load(Ordering::Relaxed) {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
        }
    }
}
