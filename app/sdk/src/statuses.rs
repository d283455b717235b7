//! One `getSignatureStatuses` for every transaction a client is waiting on, however many are in
//! flight: a keeper with 64 liquidations in flight asks once per round, not 64 times.

use solana_commitment_config::CommitmentConfig;
use solana_rpc_client::nonblocking::rpc_client::RpcClient;
use solana_rpc_client_api::client_error::Error as ClientError;
use solana_sdk::signature::Signature;
use solana_sdk::transaction::TransactionError;
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// Most signatures one `getSignatureStatuses` request may name.
const STATUSES_LIMIT: usize = 256;

/// How a transaction ended once it reached the commitment waited for.
pub(crate) type Outcome = Result<(), TransactionError>;

/// The signatures a client is waiting on and what it has learnt of them.
#[derive(Default)]
pub(crate) struct StatusBoard {
    board: Mutex<Board>,
}

/// One signature on the board.
#[derive(Default)]
struct Entry {
    /// Sends waiting on it (the same transaction may be sent twice at once).
    waiters: usize,
    /// Its outcome, once it reached the commitment.
    outcome: Option<Outcome>,
}

#[derive(Default)]
struct Board {
    /// Each waiting signature.
    waiting: HashMap<Signature, Entry>,
    /// When the last round of requests was sent.
    last_round: Option<Instant>,
    /// A round is being asked now (by one waiter; the others read its answer).
    asking: bool,
    /// `getSignatureStatuses` requests made so far.
    requests: u64,
}

/// A signature on the board; taken off when dropped, however the wait ended.
pub(crate) struct Waiting<'a> {
    board: &'a StatusBoard,
    signature: Signature,
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        let mut board = self.board.lock();
        if let Some(entry) = board.waiting.get_mut(&self.signature) {
            entry.waiters -= 1;
            if entry.waiters == 0 {
                board.waiting.remove(&self.signature);
            }
        }
    }
}

/// Clears `asking` when a round ends, also when its request failed.
struct Asking<'a>(&'a StatusBoard);

impl Drop for Asking<'_> {
    fn drop(&mut self) {
        self.0.lock().asking = false;
    }
}

impl StatusBoard {
    fn lock(&self) -> MutexGuard<'_, Board> {
        self.board.lock().expect("status board")
    }

    /// Puts `signature` on the board until the returned guard is dropped.
    pub(crate) fn wait_for(&self, signature: Signature) -> Waiting<'_> {
        self.lock().waiting.entry(signature).or_default().waiters += 1;
        Waiting {
            board: self,
            signature,
        }
    }

    /// `signature`'s outcome, once a round has seen it reach the commitment.
    pub(crate) fn outcome(&self, signature: &Signature) -> Option<Outcome> {
        let board = self.lock();
        board.waiting.get(signature)?.outcome.clone()
    }

    /// `getSignatureStatuses` requests made so far (by every waiter together).
    pub(crate) fn requests(&self) -> u64 {
        self.lock().requests
    }

    /// Asks for the status of every signature still waiting, unless another waiter is asking
    /// or a round was asked less than `spacing` ago; records each one that reached `commitment`.
    pub(crate) async fn ask(
        &self,
        rpc: &RpcClient,
        commitment: CommitmentConfig,
        spacing: Duration,
    ) -> Result<(), ClientError> {
        let unknown: Vec<Signature> = {
            let mut board = self.lock();
            let recent = board.last_round.is_some_and(|t| t.elapsed() < spacing);
            if board.asking || recent {
                return Ok(());
            }
            board.asking = true;
            board.last_round = Some(Instant::now());
            board
                .waiting
                .iter()
                .filter(|(_, entry)| entry.outcome.is_none())
                .map(|(signature, _)| *signature)
                .collect()
        };
        let _asking = Asking(self);
        for chunk in unknown.chunks(STATUSES_LIMIT) {
            self.lock().requests += 1;
            let statuses = rpc.get_signature_statuses(chunk).await?.value;
            let mut board = self.lock();
            for (signature, status) in chunk.iter().zip(statuses) {
                let Some(status) = status.filter(|s| s.satisfies_commitment(commitment)) else {
                    continue;
                };
                if let Some(entry) = board.waiting.get_mut(signature) {
                    entry.outcome = Some(status.status);
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_stays_on_the_board_while_any_send_waits_on_it() {
        let board = StatusBoard::default();
        let (signature, other) = (Signature::from([7; 64]), Signature::from([8; 64]));
        let first = board.wait_for(signature);
        let second = board.wait_for(signature);
        let _other = board.wait_for(other);
        drop(first);
        assert!(board.lock().waiting.contains_key(&signature));
        drop(second);
        assert!(!board.lock().waiting.contains_key(&signature));
        assert!(board.lock().waiting.contains_key(&other));
        assert_eq!(board.outcome(&other), None);
    }
}
