//! The keeper's loops: scan and liquidate (worst first), crank funding, execute triggers and
//! limit orders, and react to program-account notifications. Every RPC failure is counted, logged and retried
//! with back-off; no sub-account ever has two of the keeper's transactions in flight.

use crate::config::KeeperConfig;
use crate::counters::Counters;
use crate::index::LiquidationIndex;
use crate::scoring::{assess, crossed_triggers};
use crate::ticks::{TickLog, TickRecord};
use crate::watch::{watch_oracles, watch_program};
use ringfence::state::SUB_ACCOUNT_HAS_POSITIONS_OFFSET;
use ringfence_sdk::accounts::SubAccountView;
use ringfence_sdk::builders;
use ringfence_sdk::client::{
    position_pairs, Client, ClientError, MarketDirectory, PricedMarket, Snapshot,
};
use ringfence_sdk::errors::program_error;
use solana_compute_budget_interface::ComputeBudgetInstruction;
use solana_rpc_client_api::filter::{Memcmp, RpcFilterType};
use solana_sdk::instruction::{Instruction, InstructionError};
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{read_keypair_file, Keypair, Signature, Signer};
use solana_sdk::transaction::TransactionError;
use std::collections::HashSet;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};
use tokio::sync::{mpsc, watch, Semaphore};
use tokio::task::JoinSet;

/// Idle markets per `refresh_pool_valuation` transaction (bench: the most that fit is larger).
const REFRESH_BATCH: usize = 12;

/// What became of one attempt on a sub-account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Landed.
    Landed(Signature),
    /// Nothing to do any more (recovered, or already liquidated by someone else).
    Recovered,
    /// The sub-account no longer exists.
    Vanished,
    /// Another of the keeper's transactions for it is in flight.
    InFlight,
    /// Refused or failed; the error's name.
    Failed(String),
}

/// One liquidation transaction the keeper landed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Landing {
    /// The sub-account liquidated.
    pub key: Pubkey,
    /// The market of the position.
    pub market_index: u16,
    /// The transaction.
    pub signature: Signature,
    /// When the keeper began sending it (blockhash, signing, send).
    pub sent: Instant,
    /// When the keeper saw it `confirmed`.
    pub confirmed: Instant,
}

/// A running keeper.
pub struct Keeper {
    pub(crate) client: Client,
    pub(crate) keypair: Keypair,
    pub(crate) token: Pubkey,
    pub(crate) config: KeeperConfig,
    counters: Mutex<Counters>,
    index: Mutex<LiquidationIndex>,
    in_flight: Mutex<HashSet<Pubkey>>,
    landed: Mutex<Vec<Landing>>,
    ticks: Mutex<TickLog>,
    directory: Mutex<MarketDirectory>,
    slots: Arc<Semaphore>,
}

/// Removes a sub-account from the in-flight set when its attempt ends, however it ends.
pub(crate) struct InFlight<'k> {
    keeper: &'k Keeper,
    key: Pubkey,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.keeper.lock_in_flight().remove(&self.key);
    }
}

pub(crate) fn error_name(error: &ClientError) -> String {
    match error.get_transaction_error() {
        Some(TransactionError::InstructionError(_, InstructionError::Custom(code))) => {
            program_error(code).map_or_else(|| format!("Custom({code})"), |(name, _)| name.into())
        }
        Some(other) => format!("{other:?}"),
        None => "Rpc".to_string(),
    }
}

impl Keeper {
    /// A keeper signing with `keypair`, rewards paid to its collateral token account (created
    /// here if missing).
    pub async fn new(config: KeeperConfig, keypair: Keypair) -> Result<Arc<Self>, ClientError> {
        let client = Client::with_commitments(
            &config.rpc_url,
            Duration::from_millis(config.rpc_timeout_ms),
            config.read_commitment.config(),
        );
        let exchange = client.exchange().await?.ok_or_else(|| {
            ClientError::from(solana_rpc_client_api::client_error::ErrorKind::Custom(
                "no exchange on this cluster".into(),
            ))
        })?;
        let owner = keypair.pubkey();
        let token = builders::token_account(&owner, &exchange.collateral_mint);
        if client.data(&token).await?.is_none() {
            let create = builders::create_token_account(&owner, &owner, &exchange.collateral_mint);
            client.send(&[create], &keypair, &[]).await?;
        }
        let slots = Arc::new(Semaphore::new(config.max_in_flight.max(1)));
        let horizon_s = i64::try_from(config.index_horizon_s).unwrap_or(i64::MAX);
        Ok(Arc::new(Self {
            client,
            keypair,
            token,
            config,
            counters: Mutex::default(),
            index: Mutex::new(LiquidationIndex::new(horizon_s)),
            in_flight: Mutex::default(),
            landed: Mutex::default(),
            ticks: Mutex::default(),
            directory: Mutex::default(),
            slots,
        }))
    }

    /// Reads the keypair named in `config` and starts a keeper.
    pub async fn from_config(config: KeeperConfig) -> Result<Arc<Self>, String> {
        let keypair = read_keypair_file(&config.keypair)
            .map_err(|e| format!("keypair {}: {e}", config.keypair.display()))?;
        Self::new(config, keypair).await.map_err(|e| e.to_string())
    }

    /// A copy of the counters.
    pub fn counters(&self) -> Counters {
        self.counters.lock().expect("counters").clone()
    }

    /// `(sub-account, market)` of each liquidation that landed, in order.
    pub fn landed_liquidations(&self) -> Vec<(Pubkey, u16)> {
        self.landings()
            .iter()
            .map(|l| (l.key, l.market_index))
            .collect()
    }

    /// Every liquidation landed so far, with its signature and timing, in landing order.
    pub fn landings(&self) -> Vec<Landing> {
        self.landed.lock().expect("landed").clone()
    }

    /// What the last price updates (at most `ticks::TICK_LOG`) cost the liquidation index,
    /// oldest first.
    pub fn recent_ticks(&self) -> Vec<TickRecord> {
        self.ticks.lock().expect("tick log").to_vec()
    }

    pub(crate) fn log_tick(&self, record: TickRecord) {
        self.ticks.lock().expect("tick log").push(record);
    }

    pub(crate) fn count(&self, update: impl FnOnce(&mut Counters)) {
        update(&mut self.counters.lock().expect("counters"));
    }

    fn lock_in_flight(&self) -> MutexGuard<'_, HashSet<Pubkey>> {
        self.in_flight.lock().expect("in-flight set")
    }

    /// The liquidation index (never held across an await).
    pub(crate) fn lock_index(&self) -> MutexGuard<'_, LiquidationIndex> {
        self.index.lock().expect("liquidation index")
    }

    pub(crate) fn claim(&self, key: Pubkey) -> Option<InFlight<'_>> {
        if self.lock_in_flight().insert(key) {
            Some(InFlight { keeper: self, key })
        } else {
            self.count(|c| c.skipped_in_flight += 1);
            None
        }
    }

    /// Every market priced, the clock, and `extra` accounts, in one request with the market
    /// directory as last read; the directory is read again (and kept) when it is missing or
    /// the request fails.
    pub(crate) async fn fresh(&self, extra: &[Pubkey]) -> Result<Snapshot, ClientError> {
        let directory = self.directory.lock().expect("directory").clone();
        if !directory.markets.is_empty() {
            if let Ok(snapshot) = self.client.snapshot(&directory, extra).await {
                return Ok(snapshot);
            }
        }
        let directory = self.refresh_directory().await?;
        self.client.snapshot(&directory, extra).await
    }

    /// Reads the market directory again and keeps it.
    pub(crate) async fn refresh_directory(&self) -> Result<MarketDirectory, ClientError> {
        let directory = self.client.directory().await?;
        *self.directory.lock().expect("directory") = directory.clone();
        Ok(directory)
    }

    /// A sub-account with every market priced and the clock, in one request: `None` for the
    /// view when the sub-account does not exist.
    async fn fresh_view(
        &self,
        key: Pubkey,
    ) -> Result<(Option<SubAccountView>, Vec<PricedMarket>, i64), ClientError> {
        let snapshot = self.fresh(&[key]).await?;
        let view = snapshot.extra[0]
            .as_deref()
            .and_then(ringfence_sdk::accounts::sub_account);
        Ok((view, snapshot.markets, snapshot.now))
    }

    pub(crate) fn rpc_failed(&self, what: &str, error: &ClientError) {
        self.count(|c| c.rpc_errors += 1);
        tracing::warn!(what, error = %error, "rpc error");
    }

    async fn budget(&self, instruction: &Instruction) -> Vec<Instruction> {
        let mut budget = vec![ComputeBudgetInstruction::set_compute_unit_limit(
            self.config.compute_unit_limit,
        )];
        let price = self.unit_price(instruction).await;
        if price > 0 {
            budget.push(ComputeBudgetInstruction::set_compute_unit_price(price));
        }
        budget
    }

    pub(crate) async fn send(&self, instruction: Instruction) -> Result<Signature, ClientError> {
        let mut instructions = self.budget(&instruction).await;
        instructions.push(instruction);
        self.client.send(&instructions, &self.keypair, &[]).await
    }

    /// Sub-accounts holding positions, by `getProgramAccounts` with the `has_positions` filter.
    pub async fn discover(&self) -> Result<Vec<(Pubkey, SubAccountView)>, ClientError> {
        let filter = RpcFilterType::Memcmp(Memcmp::new_raw_bytes(
            SUB_ACCOUNT_HAS_POSITIONS_OFFSET,
            vec![1],
        ));
        self.client.find_sub_accounts(vec![filter]).await
    }

    /// Sends one `liquidate` of `key`'s position in `market_index`, as it stands in `view`,
    /// without re-checking (callers re-check first). Counts the attempt and its result.
    pub async fn send_liquidation(
        &self,
        key: Pubkey,
        view: &SubAccountView,
        markets: &[PricedMarket],
        market_index: u16,
        max_base: u64,
    ) -> Outcome {
        let Some(market) = markets.iter().find(|m| m.market.index == market_index) else {
            return Outcome::Failed("UnknownMarket".into());
        };
        let pairs = position_pairs(view, markets, market_index);
        let ix = builders::liquidate(
            &self.keypair.pubkey(),
            &self.token,
            &key,
            market_index,
            &market.market.oracle,
            max_base,
            &pairs,
        );
        self.count(|c| c.liquidations_sent += 1);
        let sent = Instant::now();
        match self.send(ix).await {
            Ok(signature) => {
                self.count(|c| c.liquidations_landed += 1);
                self.landed.lock().expect("landed").push(Landing {
                    key,
                    market_index,
                    signature,
                    sent,
                    confirmed: Instant::now(),
                });
                tracing::info!(event = "liquidation_landed", sub_account = %key, market = market_index, %signature);
                Outcome::Landed(signature)
            }
            Err(error) => {
                let name = error_name(&error);
                if name == "Rpc" {
                    self.count(|c| c.rpc_errors += 1);
                }
                self.count(|c| c.fail(name.clone()));
                tracing::warn!(event = "liquidation_failed", sub_account = %key, market = market_index, error = %name);
                Outcome::Failed(name)
            }
        }
    }

    /// Liquidates `key` until the program no longer allows it: re-reads the sub-account, the
    /// marks and the clock (one request) before every transaction, and never runs twice at once
    /// for one sub-account.
    /// A liquidation refused for its size (`MathOverflow`) is retried in halving chunks.
    pub async fn liquidate(&self, key: Pubkey) -> Outcome {
        let Some(_claim) = self.claim(key) else {
            return Outcome::InFlight;
        };
        let mut last = Outcome::Recovered;
        let mut max_base = u64::MAX;
        for _ in 0..8 {
            let (view, markets, now) = match self.fresh_view(key).await {
                Ok(fresh) => fresh,
                Err(error) => {
                    self.rpc_failed("recheck", &error);
                    return Outcome::Failed("Rpc".into());
                }
            };
            let Some(view) = view else {
                self.count(|c| c.skipped_vanished += 1);
                return Outcome::Vanished;
            };
            let candidate = match assess(key, &view, &markets, now) {
                Ok(Some(candidate)) => candidate,
                Ok(None) => {
                    if matches!(last, Outcome::Recovered) {
                        self.count(|c| c.skipped_recovered += 1);
                    }
                    return last;
                }
                Err(unpriced) => return Outcome::Failed(unpriced.reason),
            };
            last = self
                .send_liquidation(key, &view, &markets, candidate.market_index, max_base)
                .await;
            match &last {
                Outcome::Landed(_) => {}
                Outcome::Failed(name) if name == "MathOverflow" => {
                    let held = view
                        .open_positions()
                        .find(|p| p.market_index == candidate.market_index)
                        .map_or(1, |p| p.base.unsigned_abs());
                    max_base = (held.min(max_base) / 2).max(1);
                }
                _ => return last,
            }
        }
        last
    }

    /// Executes the crossed trigger of `key` in `market_index`.
    pub async fn execute_trigger(&self, key: Pubkey, market_index: u16, oracle: Pubkey) -> Outcome {
        let Some(_claim) = self.claim(key) else {
            return Outcome::InFlight;
        };
        let ix = builders::execute_trigger(
            &self.keypair.pubkey(),
            &self.token,
            &key,
            market_index,
            &oracle,
        );
        match self.send(ix).await {
            Ok(signature) => {
                self.count(|c| c.triggers_executed += 1);
                tracing::info!(event = "trigger_executed", sub_account = %key, market = market_index, %signature);
                Outcome::Landed(signature)
            }
            Err(error) => {
                let name = error_name(&error);
                self.count(|c| c.fail(name.clone()));
                tracing::warn!(event = "trigger_failed", sub_account = %key, market = market_index, error = %name);
                Outcome::Failed(name)
            }
        }
    }

    /// One full pass: discover, rebuild the liquidation index (ranking every account), liquidate
    /// worst first (up to `max_in_flight` at once), then execute crossed triggers. Returns the
    /// ranked candidates' keys.
    pub async fn scan_once(self: &Arc<Self>) -> Result<Vec<Pubkey>, ClientError> {
        let directory = self.refresh_directory().await?;
        let accounts = self.discover().await?;
        let Snapshot { markets, now, .. } = self.client.snapshot(&directory, &[]).await?;
        let pass = self.lock_index().rebuild(&accounts, &markets, now);
        let (candidates, unpriced) = (pass.candidates, pass.unpriced);
        for u in &unpriced {
            tracing::warn!(event = "unpriced", sub_account = %u.key, reason = %u.reason);
        }
        self.count(|c| {
            c.accounts_scanned += accounts.len() as u64;
            c.candidates += candidates.len() as u64;
        });
        let keys: Vec<Pubkey> = candidates.iter().map(|c| c.key).collect();
        self.liquidate_ranked(&keys).await;
        for (key, index) in crossed_triggers(&accounts, &markets) {
            if keys.contains(&key) {
                continue;
            }
            if let Some(market) = markets.iter().find(|m| m.market.index == index) {
                self.execute_trigger(key, index, market.market.oracle).await;
            }
        }
        self.execute_orders(&markets, now).await?;
        self.prune_orders(now).await?;
        self.count(|c| c.scans += 1);
        Ok(keys)
    }

    /// Liquidates `keys` in order, up to `max_in_flight` at once, and waits for all of them.
    pub(crate) async fn liquidate_ranked(self: &Arc<Self>, keys: &[Pubkey]) {
        let mut tasks = JoinSet::new();
        for key in keys.iter().copied() {
            let permit = Arc::clone(&self.slots)
                .acquire_owned()
                .await
                .expect("semaphore open");
            let keeper = Arc::clone(self);
            tasks.spawn(async move {
                let outcome = keeper.liquidate(key).await;
                drop(permit);
                outcome
            });
        }
        while tasks.join_next().await.is_some() {}
    }

    /// Accrues funding on every market, which also revalues its pool terms (LP flows need every
    /// market with open interest valued recently). A market with holders gets `settle_funding`,
    /// settling up to `settle_batch` of them, rotating with `round`; idle markets are refreshed
    /// `REFRESH_BATCH` to a transaction. Returns the transactions landed.
    pub async fn crank_funding(&self, round: usize) -> Result<usize, ClientError> {
        let markets = self.fresh(&[]).await?.markets;
        let accounts = self.discover().await?;
        let mut landed = 0;
        let mut idle = Vec::new();
        for market in &markets {
            let holders: Vec<Pubkey> = accounts
                .iter()
                .filter(|(_, v)| {
                    v.open_positions()
                        .any(|p| p.market_index == market.market.index)
                })
                .map(|(k, _)| *k)
                .collect();
            if holders.is_empty() {
                idle.extend([market.key, market.market.oracle]);
                continue;
            }
            let batch = self.config.settle_batch.max(1);
            let start = (round * batch) % holders.len();
            let chosen: Vec<Pubkey> = holders
                .iter()
                .cycle()
                .skip(start)
                .take(batch.min(holders.len()))
                .copied()
                .collect();
            let ix = builders::settle_funding(market.market.index, &market.market.oracle, &chosen);
            landed += self.send_crank(ix, market.market.index, chosen.len()).await;
        }
        for pairs in idle.chunks(2 * REFRESH_BATCH) {
            let ix = builders::refresh_pool_valuation(pairs);
            landed += self.send_crank(ix, u16::MAX, 0).await;
        }
        Ok(landed)
    }

    /// Sends one funding crank; 1 if it landed. `market` is `u16::MAX` for a batch refresh.
    async fn send_crank(&self, ix: Instruction, market: u16, settled: usize) -> usize {
        match self.send(ix).await {
            Ok(signature) => {
                self.count(|c| c.funding_cranks += 1);
                tracing::info!(event = "funding_cranked", market, settled, %signature);
                1
            }
            Err(error) => {
                let name = error_name(&error);
                self.count(|c| c.fail(name.clone()));
                tracing::warn!(event = "funding_crank_failed", market, error = %name);
                0
            }
        }
    }

    fn backoff(&self, failures: u32) -> Duration {
        let base = self.config.scan_interval().as_millis() as u64;
        let grown = base.saturating_mul(1u64 << failures.min(10));
        Duration::from_millis(grown.min(self.config.max_backoff_ms.max(base)))
    }

    /// Runs every loop until `shutdown` turns true; in-flight work finishes first.
    pub async fn run(self: Arc<Self>, mut shutdown: watch::Receiver<bool>) {
        let (dirty, mut notified) = mpsc::channel::<Pubkey>(1_024);
        if let Some(ws_url) = self.config.ws_url.clone() {
            tokio::spawn(watch_program(
                ws_url.clone(),
                self.config.read_commitment.config(),
                dirty,
                shutdown.clone(),
            ));
            let (ticked, ticks) = mpsc::channel::<()>(1);
            tokio::spawn(watch_oracles(
                Arc::clone(&self),
                ws_url,
                ticked,
                shutdown.clone(),
            ));
            tokio::spawn(Arc::clone(&self).follow_ticks(ticks, shutdown.clone()));
        }
        let mut funding = tokio::time::interval(self.config.funding_interval());
        let mut report =
            tokio::time::interval(Duration::from_secs(self.config.counters_interval_s.max(1)));
        let mut failures = 0u32;
        let mut round = 0usize;
        let mut next_scan = tokio::time::Instant::now();
        loop {
            tokio::select! {
                _ = shutdown.changed() => break,
                _ = tokio::time::sleep_until(next_scan) => {
                    match self.scan_once().await {
                        Ok(_) => failures = 0,
                        Err(error) => {
                            failures += 1;
                            self.rpc_failed("scan", &error);
                        }
                    }
                    let wait = if failures == 0 { self.config.scan_interval() } else { self.backoff(failures) };
                    next_scan = tokio::time::Instant::now() + wait;
                }
                _ = funding.tick() => {
                    if let Err(error) = self.crank_funding(round).await {
                        self.rpc_failed("funding", &error);
                    }
                    round += 1;
                }
                Some(key) = notified.recv() => {
                    let keeper = Arc::clone(&self);
                    tokio::spawn(async move { keeper.consider(key).await });
                }
                _ = report.tick() => {
                    let counters = self.counters();
                    tracing::info!(event = "counters", counters = ?counters);
                }
            }
        }
        let _ = self
            .slots
            .acquire_many(self.config.max_in_flight.max(1) as u32)
            .await;
        tracing::info!(event = "stopped", counters = ?self.counters());
    }

    /// Re-scores one sub-account (after a notification), updates its place in the liquidation
    /// index, and liquidates it if allowed.
    async fn consider(&self, key: Pubkey) {
        let Ok(permit) = self.slots.acquire().await else {
            return;
        };
        match self.fresh_view(key).await {
            Ok((Some(view), markets, now)) => {
                let score = self.lock_index().upsert(key, view, &markets, now);
                if let Ok(Some(_)) = score {
                    self.liquidate(key).await;
                }
            }
            Ok((None, _, _)) => self.lock_index().remove(&key),
            Err(error) => self.rpc_failed("notification", &error),
        }
        drop(permit);
    }
}
