//! Websocket subscriptions: the program's sub-accounts (a change re-scores that account) and
//! each market's oracle account (a price update reprices the liquidation index, which re-scores
//! only the accounts whose band the new mark leaves). Both reconnect with back-off; the periodic
//! full scan covers any gap.

use crate::index::RESCORE_CHUNK;
use crate::keeper::Keeper;
use crate::ticks::{thread_cpu, TickRecord};
use futures_util::stream::{select_all, StreamExt};
use ringfence::state::SUB_ACCOUNT_HAS_POSITIONS_OFFSET;
use solana_account_decoder_client_types::UiAccountEncoding;
use solana_commitment_config::CommitmentConfig;
use solana_pubsub_client::nonblocking::pubsub_client::PubsubClient;
use solana_rpc_client_api::config::{RpcAccountInfoConfig, RpcProgramAccountsConfig};
use solana_rpc_client_api::filter::{Memcmp, RpcFilterType};
use solana_sdk::pubkey::Pubkey;
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch};

/// First wait after a lost subscription; it doubles up to `MAX_RETRY`.
const FIRST_RETRY: Duration = Duration::from_millis(500);
/// Longest wait between reconnection attempts.
const MAX_RETRY: Duration = Duration::from_secs(30);

/// Base64 account data at `commitment` (the keeper's read commitment): agave's default for
/// subscriptions is `finalized`, 32 slots (about 13 s) behind, far too late for a liquidator.
fn base64_config(commitment: CommitmentConfig) -> RpcAccountInfoConfig {
    RpcAccountInfoConfig {
        encoding: Some(UiAccountEncoding::Base64),
        commitment: Some(commitment),
        ..RpcAccountInfoConfig::default()
    }
}

/// Logs a lost subscription and waits `delay` (or until shutdown: then `false`).
async fn retry(what: &str, delay: &mut Duration, shutdown: &mut watch::Receiver<bool>) -> bool {
    tracing::warn!(
        event = "subscription_lost",
        what,
        retry_ms = delay.as_millis() as u64
    );
    tokio::select! {
        _ = shutdown.changed() => return false,
        _ = tokio::time::sleep(*delay) => {}
    }
    *delay = (*delay * 2).min(MAX_RETRY);
    true
}

/// Follows the program's sub-accounts with positions and reports changed keys.
pub(crate) async fn watch_program(
    url: String,
    commitment: CommitmentConfig,
    dirty: mpsc::Sender<Pubkey>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut delay = FIRST_RETRY;
    loop {
        if let Ok(client) = PubsubClient::new(&url).await {
            let filters = vec![RpcFilterType::Memcmp(Memcmp::new_raw_bytes(
                SUB_ACCOUNT_HAS_POSITIONS_OFFSET,
                vec![1],
            ))];
            let config = RpcProgramAccountsConfig {
                filters: Some(filters),
                account_config: base64_config(commitment),
                ..RpcProgramAccountsConfig::default()
            };
            if let Ok((mut stream, _unsubscribe)) =
                client.program_subscribe(&ringfence::ID, Some(config)).await
            {
                delay = FIRST_RETRY;
                loop {
                    tokio::select! {
                        _ = shutdown.changed() => return,
                        next = stream.next() => match next {
                            Some(update) => {
                                if let Ok(key) = Pubkey::from_str(&update.value.pubkey) {
                                    let _ = dirty.try_send(key);
                                }
                            }
                            None => break,
                        },
                    }
                }
            }
        }
        if !retry("program", &mut delay, &mut shutdown).await {
            return;
        }
    }
}

/// Follows every market's oracle account (the list is re-read at each connection) and reports
/// that some price changed. The channel holds one report: updates that arrive while the last
/// is being handled collapse into one, since a reprice reads every mark.
pub(crate) async fn watch_oracles(
    keeper: Arc<Keeper>,
    url: String,
    ticked: mpsc::Sender<()>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut delay = FIRST_RETRY;
    loop {
        let oracles: Vec<Pubkey> = match keeper.refresh_directory().await {
            Ok(directory) => directory.oracles,
            Err(error) => {
                keeper.rpc_failed("oracle list", &error);
                Vec::new()
            }
        };
        if let (false, Ok(client)) = (oracles.is_empty(), PubsubClient::new(&url).await) {
            let mut streams = Vec::with_capacity(oracles.len());
            for oracle in &oracles {
                if let Ok((stream, _unsubscribe)) = client
                    .account_subscribe(
                        oracle,
                        Some(base64_config(keeper.config.read_commitment.config())),
                    )
                    .await
                {
                    streams.push(stream);
                }
            }
            if streams.len() == oracles.len() {
                delay = FIRST_RETRY;
                let mut updates = select_all(streams);
                loop {
                    tokio::select! {
                        _ = shutdown.changed() => return,
                        next = updates.next() => match next {
                            Some(_) => { let _ = ticked.try_send(()); }
                            None => break,
                        },
                    }
                }
            }
        }
        if !retry("oracles", &mut delay, &mut shutdown).await {
            return;
        }
    }
}

impl Keeper {
    /// Handles price reports one at a time until shutdown.
    pub(crate) async fn follow_ticks(
        self: Arc<Self>,
        mut ticks: mpsc::Receiver<()>,
        mut shutdown: watch::Receiver<bool>,
    ) {
        loop {
            tokio::select! {
                _ = shutdown.changed() => return,
                next = ticks.recv() => match next {
                    Some(()) => self.on_tick().await,
                    None => return,
                },
            }
        }
    }

    /// Reads every mark and the clock (one request), then re-scores what the liquidation index
    /// finds due, most urgent first, `RESCORE_CHUNK` accounts at a time: each chunk's
    /// liquidatable accounts are handed to liquidation (worst first, within the in-flight limit)
    /// before the next chunk is scored, so the first transaction does not wait for the whole
    /// move to be scored. The next report need not wait for the liquidations.
    async fn on_tick(self: &Arc<Self>) {
        let started = Instant::now();
        let (markets, now) = match self.fresh(&[]).await {
            Ok(snapshot) => (snapshot.markets, snapshot.now),
            Err(error) => return self.rpc_failed("tick", &error),
        };
        let fetched = Instant::now();
        let cpu = thread_cpu();
        let (due, work) = self.lock_index().due(&markets, now);
        let mut reprice_cpu = thread_cpu().saturating_sub(cpu);
        let (mut candidates, mut first_dispatch) = (0, None);
        for chunk in due.chunks(RESCORE_CHUNK) {
            let cpu = thread_cpu();
            let pass = self.lock_index().rescore(chunk, &markets, now);
            reprice_cpu += thread_cpu().saturating_sub(cpu);
            if !pass.candidates.is_empty() {
                first_dispatch.get_or_insert_with(|| started.elapsed());
                candidates += pass.candidates.len();
                let keys: Vec<Pubkey> = pass.candidates.iter().map(|c| c.key).collect();
                let keeper = Arc::clone(self);
                tokio::spawn(async move { keeper.liquidate_ranked(&keys).await });
                tokio::task::yield_now().await;
            }
        }
        self.log_tick(TickRecord {
            started,
            fetch: fetched - started,
            reprice: fetched.elapsed(),
            reprice_cpu,
            first_dispatch,
            work,
            candidates,
        });
        self.count(|c| {
            c.index_ticks += 1;
            c.index_rescored += work.rescored as u64;
            c.index_crossed += work.crossed as u64;
        });
        tracing::debug!(event = "index_tick", work = ?work, candidates);
    }
}
