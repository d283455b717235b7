//! `ringfence-localnet`: the local network, optionally with the demo exchange.

use clap::Parser;
use ringfence_localnet::{demo, Config, Localnet};
use ringfence_sdk::client::Client;
use std::path::PathBuf;
use std::time::Duration;
use tokio::sync::mpsc;

/// Ringfence's local network: agave's test validator running the program, with agave's faucet.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// HTTP JSON-RPC port on 127.0.0.1 (websocket on the next port).
    #[arg(long, default_value_t = 8899)]
    rpc_port: u16,
    /// Faucet port on 127.0.0.1.
    #[arg(long, default_value_t = 9900)]
    faucet_port: u16,
    /// Port of the demo's control methods on 127.0.0.1.
    #[arg(long, default_value_t = 8901)]
    control_port: u16,
    /// Create the demo exchange: mint, markets, pool, funded wallets, moving prices.
    #[arg(long)]
    demo: bool,
    /// Seed of the demo's wallets and price path.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Milliseconds between demo price steps.
    #[arg(long, default_value_t = 2_000)]
    price_step_ms: u64,
    /// Where the ledger, the demo's keypair files and demo.json go.
    #[arg(long, default_value = ".localnet")]
    out: PathBuf,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    ringfence_localnet::init_logging();
    let args = Args::parse();
    let config = Config {
        rpc_port: args.rpc_port,
        faucet_port: args.faucet_port,
        control_port: args.control_port,
        ledger: Some(args.out.join("ledger")),
        unique_ports: false,
    };
    let (control, requests) = mpsc::channel(16);
    let extra = demo::control_methods(control);
    let net = Localnet::start(config, extra.into()).await?;
    tracing::info!(rpc = %net.rpc_url, ws = %net.ws_url, "local network up");
    if args.demo {
        let client = Client::new(&net.rpc_url);
        let (summary, admin) = demo::setup(&client, &net, args.seed, &args.out).await?;
        println!("{}", serde_json::to_string_pretty(&summary)?);
        let step = Duration::from_millis(args.price_step_ms);
        tokio::spawn(demo::drive(client, admin, args.seed, step, requests));
    }
    tokio::signal::ctrl_c().await?;
    tracing::info!("stopping");
    net.stop().await;
    Ok(())
}
