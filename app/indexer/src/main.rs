//! `ringfence-indexer`: follows the program on a cluster and serves its history.

use clap::Parser;
use ringfence_indexer::{Config, Indexer};
use solana_commitment_config::CommitmentConfig;
use std::net::SocketAddr;
use std::time::Duration;

/// Ringfence's indexer: events from standard RPC into SQLite or PostgreSQL, served over HTTP.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// The cluster's HTTP JSON-RPC URL.
    #[arg(long, default_value = "http://127.0.0.1:8899")]
    rpc_url: String,
    /// Its websocket URL (default: the RPC URL's port + 1, agave's convention); "none" polls only.
    #[arg(long)]
    ws_url: Option<String>,
    /// A SQLite file (created if missing) or postgres://user:password@host/database.
    #[arg(long, default_value = "ringfence-index.sqlite")]
    database: String,
    /// Address of the HTTP API.
    #[arg(long, default_value = "127.0.0.1:8890")]
    listen: SocketAddr,
    /// Store transactions once "confirmed" or only once "finalized" (never rolled back).
    #[arg(long, default_value = "confirmed")]
    commitment: String,
    /// Milliseconds between catch-ups when no notification arrives.
    #[arg(long, default_value_t = 2_000)]
    poll_ms: u64,
}

/// The websocket URL agave serves beside `rpc_url` (port + 1).
fn default_ws(rpc_url: &str) -> Option<String> {
    let (scheme, rest) = rpc_url.split_once("://")?;
    let ws_scheme = if scheme == "https" { "wss" } else { "ws" };
    let (host, port) = rest.trim_end_matches('/').rsplit_once(':')?;
    let port: u16 = port.parse().ok()?;
    Some(format!("{ws_scheme}://{host}:{}", port.checked_add(1)?))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .init();
    let args = Args::parse();
    let commitment = match args.commitment.as_str() {
        "confirmed" => CommitmentConfig::confirmed(),
        "finalized" => CommitmentConfig::finalized(),
        other => return Err(format!("--commitment {other}: use confirmed or finalized").into()),
    };
    let ws_url = match args.ws_url.as_deref() {
        Some("none") => None,
        Some(url) => Some(url.to_string()),
        None => default_ws(&args.rpc_url),
    };
    let indexer = Indexer::start(Config {
        rpc_url: args.rpc_url,
        ws_url,
        database: args.database,
        listen: args.listen,
        commitment,
        poll: Duration::from_millis(args.poll_ms),
    })
    .await?;
    tokio::signal::ctrl_c().await?;
    indexer.stop().await;
    Ok(())
}
