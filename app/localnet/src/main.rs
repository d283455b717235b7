//! `ringfence-localnet`: the local network, optionally with the demo exchange.

use clap::Parser;
use ringfence_localnet::{demo, Config, Localnet};
use ringfence_sdk::client::Client;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;
use tokio::sync::mpsc;

/// Ringfence's local network: the program in a solana-program-test bank behind standard
/// Solana JSON-RPC (HTTP) and websocket subscriptions.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// HTTP JSON-RPC port on 127.0.0.1.
    #[arg(long, default_value_t = 8899)]
    rpc_port: u16,
    /// Websocket port on 127.0.0.1 (default: the RPC port + 1).
    #[arg(long)]
    ws_port: Option<u16>,
    /// Slot length, milliseconds.
    #[arg(long, default_value_t = 400)]
    slot_ms: u64,
    /// Create the demo exchange: mint, markets, pool, funded wallets, moving prices.
    #[arg(long)]
    demo: bool,
    /// Seed of the demo's wallets and price path.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Milliseconds between demo price steps.
    #[arg(long, default_value_t = 2_000)]
    price_step_ms: u64,
    /// Where the demo writes keypair files and demo.json.
    #[arg(long, default_value = ".localnet")]
    out: PathBuf,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    ringfence_localnet::init_logging();
    let args = Args::parse();
    let config = Config {
        rpc_addr: SocketAddr::from(([127, 0, 0, 1], args.rpc_port)),
        ws_addr: SocketAddr::from(([127, 0, 0, 1], args.ws_port.unwrap_or(args.rpc_port + 1))),
        slot: Duration::from_millis(args.slot_ms),
    };
    let (control, requests) = mpsc::channel(16);
    let extra = demo::control_methods(control);
    let net = Localnet::start(config, extra.into()).await?;
    tracing::info!(rpc = %net.rpc_url, ws = %net.ws_url, "local network up");
    if args.demo {
        let client = Client::new(&net.rpc_url);
        let urls = (net.rpc_url.as_str(), net.ws_url.as_str());
        let (summary, admin) = demo::setup(&client, urls, args.seed, &args.out).await?;
        println!("{}", serde_json::to_string_pretty(&summary)?);
        let step = Duration::from_millis(args.price_step_ms);
        tokio::spawn(demo::drive(client, admin, args.seed, step, requests));
    }
    tokio::signal::ctrl_c().await?;
    tracing::info!("stopping");
    net.stop().await;
    Ok(())
}
