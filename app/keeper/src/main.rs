//! `ringfence-keeper`: the keeper as a process.

use clap::Parser;
use ringfence_keeper::{Keeper, KeeperConfig};
use std::path::PathBuf;

/// Liquidations, funding cranks and trigger executions for Ringfence over Solana JSON-RPC.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// Config file (TOML); flags override it.
    #[arg(long)]
    config: Option<PathBuf>,
    /// JSON-RPC URL.
    #[arg(long)]
    url: Option<String>,
    /// Websocket URL for program subscriptions.
    #[arg(long)]
    ws_url: Option<String>,
    /// Keypair file.
    #[arg(long)]
    keypair: Option<PathBuf>,
    /// Full rescan period, milliseconds.
    #[arg(long)]
    scan_interval_ms: Option<u64>,
    /// Funding crank period, seconds.
    #[arg(long)]
    funding_interval_s: Option<u64>,
    /// Transactions in flight at once.
    #[arg(long)]
    max_in_flight: Option<usize>,
    /// Priority fee, micro-lamports per compute unit.
    #[arg(long)]
    priority_fee: Option<u64>,
    /// Highest priority fee; set, fees follow the cluster's recent fees up to it.
    #[arg(long)]
    max_priority_fee: Option<u64>,
    /// Log as JSON lines.
    #[arg(long)]
    json_logs: bool,
}

fn config(args: &Args) -> Result<KeeperConfig, String> {
    let mut config = match &args.config {
        Some(path) => KeeperConfig::parse(
            &std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?,
        )?,
        None => KeeperConfig::default(),
    };
    if let Some(url) = &args.url {
        config.rpc_url = url.clone();
    }
    if let Some(ws) = &args.ws_url {
        config.ws_url = Some(ws.clone());
    }
    if let Some(keypair) = &args.keypair {
        config.keypair = keypair.clone();
    }
    if let Some(ms) = args.scan_interval_ms {
        config.scan_interval_ms = ms;
    }
    if let Some(s) = args.funding_interval_s {
        config.funding_interval_s = s;
    }
    if let Some(n) = args.max_in_flight {
        config.max_in_flight = n;
    }
    if let Some(fee) = args.priority_fee {
        config.priority_fee_micro_lamports = fee;
    }
    if let Some(cap) = args.max_priority_fee {
        config.max_priority_fee_micro_lamports = cap;
    }
    Ok(config)
}

#[tokio::main]
async fn main() {
    let args = Args::parse();
    let filter =
        tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
    if args.json_logs {
        tracing_subscriber::fmt()
            .json()
            .with_env_filter(filter)
            .init();
    } else {
        tracing_subscriber::fmt().with_env_filter(filter).init();
    }
    let keeper = match config(&args) {
        Ok(config) => Keeper::from_config(config).await,
        Err(e) => Err(e),
    };
    let keeper = match keeper {
        Ok(keeper) => keeper,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    let (stop, shutdown) = tokio::sync::watch::channel(false);
    let running = tokio::spawn(keeper.run(shutdown));
    let _ = tokio::signal::ctrl_c().await;
    let _ = stop.send(true);
    let _ = running.await;
}
