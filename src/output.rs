//! Results go to stdout; a closed pipe (`activity-sync plan | head`) is not an error.

use std::io::{self, Write};

/// Writes the whole text to stdout, ignoring a broken pipe.
pub fn emit(text: &str) -> io::Result<()> {
    let mut out = io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}
