//! Follows the program's transactions over standard RPC: `getSignaturesForAddress` from the
//! cursor to the newest (backfill and catch-up), `getTransaction` for each one's logs, and
//! `logsSubscribe` only as a wake-up, so a missed notification can delay a row, never lose it.

use crate::decode::decode_logs;
use crate::rows::rows;
use crate::store::{Store, StoredTx};
use crate::Stats;
use futures_util::{stream, StreamExt};
use solana_commitment_config::CommitmentConfig;
use solana_pubsub_client::nonblocking::pubsub_client::PubsubClient;
use solana_rpc_client::nonblocking::rpc_client::RpcClient;
use solana_rpc_client::rpc_client::GetConfirmedSignaturesForAddress2Config;
use solana_rpc_client_api::config::{
    RpcTransactionConfig, RpcTransactionLogsConfig, RpcTransactionLogsFilter,
};
use solana_rpc_client_api::response::RpcConfirmedTransactionStatusWithSignature;
use solana_sdk::signature::Signature;
use solana_transaction_status_client_types::{
    option_serializer::OptionSerializer, UiTransactionEncoding,
};
use std::collections::HashMap;
use std::str::FromStr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Notify};

/// Signatures per `getSignaturesForAddress` page (the RPC's maximum).
const PAGE: usize = 1_000;
/// `getTransaction` requests in flight during a catch-up.
const IN_FLIGHT: usize = 16;
/// Longest wait between retries of a failing RPC call.
const MAX_BACKOFF: Duration = Duration::from_secs(10);

type AnyError = Box<dyn std::error::Error + Send + Sync>;

/// Follows one program into one store.
pub struct Follower {
    rpc: RpcClient,
    store: Store,
    program: solana_sdk::pubkey::Pubkey,
    commitment: CommitmentConfig,
    owners: HashMap<String, String>,
    stats: Arc<Stats>,
}

impl Follower {
    /// A follower of `program` at `commitment` (confirmed or finalized).
    pub async fn new(
        rpc_url: &str,
        store: Store,
        program: solana_sdk::pubkey::Pubkey,
        commitment: CommitmentConfig,
        stats: Arc<Stats>,
    ) -> Result<Self, AnyError> {
        let owners = store.owners().await?;
        Ok(Self {
            rpc: RpcClient::new_with_timeout_and_commitment(
                rpc_url.to_string(),
                Duration::from_secs(30),
                commitment,
            ),
            store,
            program,
            commitment,
            owners,
            stats,
        })
    }

    /// Catches up, then again whenever `wake` fires or `poll` passes, until `shutdown`.
    /// RPC and database errors are logged and retried with back-off.
    pub async fn run(
        mut self,
        wake: Arc<Notify>,
        poll: Duration,
        mut shutdown: watch::Receiver<bool>,
    ) {
        let mut backoff = Duration::from_millis(200);
        loop {
            let wait = match self.catch_up().await {
                Ok(stored) => {
                    if stored > 0 {
                        tracing::info!(stored, "indexed");
                    }
                    backoff = Duration::from_millis(200);
                    poll
                }
                Err(e) => {
                    self.stats.rpc_errors.fetch_add(1, Ordering::Relaxed);
                    tracing::warn!(error = %e, retry_in_ms = backoff.as_millis() as u64, "catch-up failed");
                    let wait = backoff;
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                    wait
                }
            };
            tokio::select! {
                _ = shutdown.changed() => return,
                _ = wake.notified() => {}
                _ = tokio::time::sleep(wait) => {}
            }
            if *shutdown.borrow() {
                return;
            }
        }
    }

    /// Stores every program transaction newer than the cursor, oldest first; returns how many
    /// were new.
    pub async fn catch_up(&mut self) -> Result<usize, AnyError> {
        let cursor = self.store.cursor().await?;
        let until = cursor
            .signature
            .as_deref()
            .map(Signature::from_str)
            .transpose()?;
        let newer = self.signatures_since(until).await?;
        let rpc = &self.rpc;
        let config = RpcTransactionConfig {
            encoding: Some(UiTransactionEncoding::Json),
            commitment: Some(self.commitment),
            max_supported_transaction_version: Some(0),
        };
        let mut fetched = stream::iter(newer.into_iter().rev())
            .map(|info| async move {
                if info.err.is_some() {
                    return Ok::<_, AnyError>((info, None));
                }
                let signature = Signature::from_str(&info.signature)?;
                let tx = rpc.get_transaction_with_config(&signature, config).await?;
                let Some(meta) = tx.transaction.meta else {
                    return Err(format!("{signature}: stored without its status").into());
                };
                if meta.err.is_some() {
                    return Ok((info, None));
                }
                let logs = match meta.log_messages {
                    OptionSerializer::Some(logs) => logs,
                    _ => Vec::new(),
                };
                Ok((info, Some(logs)))
            })
            .buffered(IN_FLIGHT);
        let (program, owners, stats) = (self.program.to_string(), &mut self.owners, &self.stats);
        let mut stored = 0;
        while let Some(next) = fetched.next().await {
            let (info, logs) = next?;
            let tx = stored_tx(&info, logs, &program, owners, stats);
            if self.store.apply(&tx).await? {
                stored += 1;
                self.stats.transactions.fetch_add(1, Ordering::Relaxed);
            }
        }
        Ok(stored)
    }

    /// The signatures after `until` (all when `None`), newest first, every page.
    async fn signatures_since(
        &self,
        until: Option<Signature>,
    ) -> Result<Vec<RpcConfirmedTransactionStatusWithSignature>, AnyError> {
        let mut all = Vec::new();
        let mut before = None;
        loop {
            let page = self
                .rpc
                .get_signatures_for_address_with_config(
                    &self.program,
                    GetConfirmedSignaturesForAddress2Config {
                        before,
                        until,
                        limit: Some(PAGE),
                        commitment: Some(self.commitment),
                    },
                )
                .await?;
            let full = page.len() == PAGE;
            before = match page.last() {
                Some(last) => Some(Signature::from_str(&last.signature)?),
                None => None,
            };
            all.extend(page);
            if !full {
                return Ok(all);
            }
        }
    }
}

/// The rows of one transaction's events; a failed transaction stores none, and an event
/// whose amount does not fit the database is skipped and counted.
fn stored_tx(
    info: &RpcConfirmedTransactionStatusWithSignature,
    logs: Option<Vec<String>>,
    program: &str,
    owners: &mut HashMap<String, String>,
    stats: &Stats,
) -> StoredTx {
    let failed = logs.is_none();
    let decoded = decode_logs(&logs.unwrap_or_default(), program);
    stats
        .malformed
        .fetch_add(decoded.malformed, Ordering::Relaxed);
    stats.foreign.fetch_add(decoded.foreign, Ordering::Relaxed);
    if decoded.truncated {
        stats.truncated.fetch_add(1, Ordering::Relaxed);
        tracing::warn!(signature = %info.signature, "logs truncated: events may be missing");
    }
    let mut events = Vec::new();
    for event in &decoded.events {
        if let crate::decode::Event::SubAccountCreated(e) = event {
            owners.insert(e.sub_account.to_string(), e.owner.to_string());
        }
        match rows(event, owners) {
            Ok(rows) => events.push(rows),
            Err(too_large) => {
                stats.malformed.fetch_add(1, Ordering::Relaxed);
                tracing::warn!(signature = %info.signature, event = event.name(), value = too_large.0, "amount too large for the database: event skipped");
                events.push(Vec::new());
            }
        }
    }
    StoredTx {
        signature: info.signature.clone(),
        slot: info.slot,
        block_time: info.block_time,
        failed,
        events,
    }
}

/// Wakes `wake` on every `logsSubscribe` notification mentioning `program`, reconnecting with
/// back-off when the websocket drops, until `shutdown`.
pub async fn wake_on_logs(
    ws_url: String,
    program: solana_sdk::pubkey::Pubkey,
    commitment: CommitmentConfig,
    wake: Arc<Notify>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut backoff = Duration::from_millis(200);
    loop {
        let session = async {
            let client = PubsubClient::new(&ws_url).await?;
            let (mut notifications, _unsubscribe) = client
                .logs_subscribe(
                    RpcTransactionLogsFilter::Mentions(vec![program.to_string()]),
                    RpcTransactionLogsConfig {
                        commitment: Some(commitment),
                    },
                )
                .await?;
            while notifications.next().await.is_some() {
                wake.notify_one();
            }
            Ok::<_, AnyError>(())
        };
        tokio::select! {
            _ = shutdown.changed() => return,
            result = session => {
                if let Err(e) = result {
                    tracing::debug!(error = %e, "logs subscription dropped");
                }
            }
        }
        tokio::select! {
            _ = shutdown.changed() => return,
            _ = tokio::time::sleep(backoff) => {}
        }
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use anchor_lang::Event as _;
    use base64::prelude::{Engine, BASE64_STANDARD};

    fn info(err: bool) -> RpcConfirmedTransactionStatusWithSignature {
        RpcConfirmedTransactionStatusWithSignature {
            signature: "sig".into(),
            slot: 9,
            err: err.then_some(solana_sdk::transaction::TransactionError::AccountNotFound.into()),
            memo: None,
            block_time: Some(1_000),
            confirmation_status: None,
            transaction_index: None,
        }
    }

    #[test]
    fn bad_lines_are_counted_not_stored_and_failed_transactions_store_nothing() {
        let program = ringfence::ID.to_string();
        let deposit = ringfence::events::Deposited {
            sub_account: solana_sdk::pubkey::Pubkey::new_unique(),
            amount: 5,
            collateral: 5,
        };
        let line = format!("Program data: {}", BASE64_STANDARD.encode(deposit.data()));
        let logs = vec![
            format!("Program {program} invoke [1]"),
            "Program data: %%%".to_string(),
            line.clone(),
            format!("Program {program} success"),
            line,
        ];
        let stats = Stats::default();
        let mut owners = HashMap::new();
        let tx = stored_tx(&info(false), Some(logs), &program, &mut owners, &stats);
        assert_eq!(tx.events.len(), 1);
        assert_eq!(tx.events[0][0].table, "transfers");
        assert_eq!(stats.malformed.load(Ordering::Relaxed), 1);
        assert_eq!(stats.foreign.load(Ordering::Relaxed), 1);
        let failed = stored_tx(&info(true), None, &program, &mut owners, &stats);
        assert!(failed.failed && failed.events.is_empty());
        assert_eq!((failed.slot, failed.block_time), (9, Some(1_000)));
    }
}
