//! A bound on every wait for the database. The server's `statement_timeout` ends a slow
//! statement, but not a wait on a connection that stopped answering (a network partition,
//! a failover, a proxy that hangs): without a bound on the client's side, such a database
//! costs the run its whole `--deadline`.

use std::future::Future;
use std::time::Duration;

use super::{STATEMENT_TIMEOUT, StoreError};

/// The longest one database call may wait for an answer: longer than the server's
/// `statement_timeout`, so that a slow statement is ended by the server, with its message.
pub const CALL_TIMEOUT: Duration = STATEMENT_TIMEOUT.saturating_add(Duration::from_secs(15));

/// How long recording a run in `sync_runs` may take once the run itself is over (its
/// `--deadline` may have passed).
pub const RECORD_TIMEOUT: Duration = Duration::from_secs(10);

/// `work`, or [`StoreError::Timeout`] naming what it was `doing` after `after`.
pub async fn bounded<T>(
    doing: &str,
    after: Duration,
    work: impl Future<Output = Result<T, StoreError>>,
) -> Result<T, StoreError> {
    match tokio::time::timeout(after, work).await {
        Ok(result) => result,
        Err(_) => Err(StoreError::Timeout {
            doing: doing.to_string(),
            after,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_call_that_never_answers_ends_at_the_bound() {
        let never = std::future::pending::<Result<(), StoreError>>();
        let err = bounded("reading the database", Duration::from_secs(1), never)
            .await
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "database: no answer within 1 s while reading the database"
        );
        assert!(CALL_TIMEOUT > STATEMENT_TIMEOUT);
    }

    #[tokio::test]
    async fn an_answer_passes_through() {
        let answer = async { Ok::<_, StoreError>(7) };
        assert_eq!(bounded("x", CALL_TIMEOUT, answer).await.unwrap(), 7);
    }
}
