//! What the keeper has done, for its log line and for tests.

use serde::Serialize;
use std::collections::BTreeMap;

/// Running totals since start.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Counters {
    /// Full scans completed.
    pub scans: u64,
    /// Sub-accounts with positions decoded and scored, over all scans.
    pub accounts_scanned: u64,
    /// Price updates the liquidation index handled.
    pub index_ticks: u64,
    /// Sub-accounts the index re-scored on price updates (band crossed, horizon passed, or
    /// re-scored on every update), over all updates.
    pub index_rescored: u64,
    /// (sub-account, market) band edges price updates crossed, over all updates.
    pub index_crossed: u64,
    /// Liquidatable sub-accounts found, over all scans.
    pub candidates: u64,
    /// Liquidation transactions sent.
    pub liquidations_sent: u64,
    /// Liquidation transactions that landed without error.
    pub liquidations_landed: u64,
    /// Candidates found healthy when re-fetched before sending.
    pub skipped_recovered: u64,
    /// Candidates that no longer existed when re-fetched.
    pub skipped_vanished: u64,
    /// Work refused because the same sub-account already had a transaction in flight.
    pub skipped_in_flight: u64,
    /// Funding crank transactions that landed.
    pub funding_cranks: u64,
    /// Trigger executions that landed.
    pub triggers_executed: u64,
    /// Limit-order executions that landed.
    pub orders_executed: u64,
    /// Dead resting orders (expired, or reduce-only with nothing to reduce) pruned.
    pub orders_pruned: u64,
    /// RPC calls that failed (connection, timeout, server error).
    pub rpc_errors: u64,
    /// Transactions refused, by error name.
    pub failed: BTreeMap<String, u64>,
}

impl Counters {
    /// Counts a refusal under `name`.
    pub fn fail(&mut self, name: impl Into<String>) {
        *self.failed.entry(name.into()).or_default() += 1;
    }
}
