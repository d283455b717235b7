//! The keeper's settings: a TOML file, every key optional, each overridable by a flag.

use serde::Deserialize;
use solana_commitment_config::CommitmentConfig;
use std::path::PathBuf;
use std::time::Duration;

/// Keeper settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct KeeperConfig {
    /// JSON-RPC URL.
    pub rpc_url: String,
    /// Websocket URL for program subscriptions; none means periodic scans only.
    pub ws_url: Option<String>,
    /// Keypair file (Solana's JSON format); the keeper pays fees and receives rewards.
    pub keypair: PathBuf,
    /// Full rescan period, milliseconds.
    pub scan_interval_ms: u64,
    /// Funding crank period per market, seconds.
    pub funding_interval_s: u64,
    /// Sub-accounts settled per funding crank transaction.
    pub settle_batch: usize,
    /// Liquidations and trigger executions in flight at once.
    pub max_in_flight: usize,
    /// Priority fee, micro-lamports per compute unit (0 = none); the floor when fees follow
    /// the cluster.
    pub priority_fee_micro_lamports: u64,
    /// Highest priority fee, micro-lamports per compute unit; when set (above 0), each
    /// transaction bids the 75th percentile of `getRecentPrioritizationFees` for the accounts it
    /// writes, between `priority_fee_micro_lamports` and this (0 = the fixed fee only).
    pub max_priority_fee_micro_lamports: u64,
    /// Seconds the liquidation index's price bands hold before an account is re-scored anyway
    /// (funding moves equity with time).
    pub index_horizon_s: u64,
    /// Compute unit limit requested per transaction.
    pub compute_unit_limit: u32,
    /// Per-request RPC timeout, milliseconds.
    pub rpc_timeout_ms: u64,
    /// Longest back-off after RPC errors, milliseconds.
    pub max_backoff_ms: u64,
    /// Period of the counters log line, seconds.
    pub counters_interval_s: u64,
    /// Commitment of the keeper's reads, simulations and subscriptions (`processed` or
    /// `confirmed`); its own transactions are always awaited to `confirmed`.
    pub read_commitment: ReadCommitment,
}

/// How recent a state the keeper acts on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReadCommitment {
    /// The newest slot the node has processed: a price is seen in the slot it lands in. On a
    /// fork that does not survive, a liquidation simply fails its checks or never lands.
    #[default]
    Processed,
    /// Voted by a supermajority: about a slot later, never rolled back in practice.
    Confirmed,
}

impl ReadCommitment {
    /// As the RPC client names it.
    pub fn config(self) -> CommitmentConfig {
        match self {
            Self::Processed => CommitmentConfig::processed(),
            Self::Confirmed => CommitmentConfig::confirmed(),
        }
    }
}

impl Default for KeeperConfig {
    fn default() -> Self {
        Self {
            rpc_url: "http://127.0.0.1:8899".into(),
            ws_url: None,
            keypair: PathBuf::from("keeper.json"),
            scan_interval_ms: 1_000,
            funding_interval_s: 60,
            settle_batch: 20,
            max_in_flight: 4,
            priority_fee_micro_lamports: 0,
            max_priority_fee_micro_lamports: 0,
            index_horizon_s: 30,
            compute_unit_limit: 400_000,
            rpc_timeout_ms: 5_000,
            max_backoff_ms: 30_000,
            counters_interval_s: 30,
            read_commitment: ReadCommitment::default(),
        }
    }
}

impl KeeperConfig {
    /// Parses a config file's text.
    pub fn parse(text: &str) -> Result<Self, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }

    /// The scan period.
    pub fn scan_interval(&self) -> Duration {
        Duration::from_millis(self.scan_interval_ms.max(50))
    }

    /// The funding crank period.
    pub fn funding_interval(&self) -> Duration {
        Duration::from_secs(self.funding_interval_s.max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_sets_only_what_it_names() {
        let config = KeeperConfig::parse("rpc_url = \"http://x:1\"\nmax_in_flight = 2\n").unwrap();
        assert_eq!(
            (config.rpc_url.as_str(), config.max_in_flight),
            ("http://x:1", 2)
        );
        assert_eq!(
            config.scan_interval_ms,
            KeeperConfig::default().scan_interval_ms
        );
        assert!(
            KeeperConfig::parse("rpc_ulr = \"typo\"").is_err(),
            "unknown keys are refused"
        );
        let confirmed = KeeperConfig::parse("read_commitment = \"confirmed\"").unwrap();
        assert_eq!(confirmed.read_commitment, ReadCommitment::Confirmed);
        assert_eq!(
            KeeperConfig::default().read_commitment,
            ReadCommitment::Processed
        );
        assert!(KeeperConfig::parse("read_commitment = \"finalized\"").is_err());
    }
}
