//! `ringfence-local-exchange`: the local network with the demo exchange and a keeper, in one
//! process, on the default ports (RPC 8899, websocket 8900). Keypairs and `demo.json` go to
//! `.localnet/`.

use clap::Parser;
use ringfence_keeper::{Keeper, KeeperConfig};
use ringfence_localnet::{demo, Config, Localnet};
use ringfence_sdk::client::Client;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;
use tokio::sync::{mpsc, watch};

/// The local Ringfence exchange: network, demo markets with moving prices, keeper.
#[derive(Debug, Parser)]
#[command(version)]
struct Args {
    /// HTTP JSON-RPC port on 127.0.0.1 (websocket on the next port).
    #[arg(long, default_value_t = 8899)]
    rpc_port: u16,
    /// Seed of the demo's wallets and price path.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Milliseconds between demo price steps.
    #[arg(long, default_value_t = 2_000)]
    price_step_ms: u64,
    /// Where keypair files and demo.json go.
    #[arg(long, default_value = ".localnet")]
    out: PathBuf,
    /// Run without the keeper.
    #[arg(long)]
    no_keeper: bool,
}

type AnyError = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), AnyError> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,tarpc=error,solana=warn,solana_metrics=error".into()),
        )
        .init();
    let args = Args::parse();
    let config = Config {
        rpc_addr: SocketAddr::from(([127, 0, 0, 1], args.rpc_port)),
        ws_addr: SocketAddr::from(([127, 0, 0, 1], args.rpc_port + 1)),
        ..Config::default()
    };
    let (control, requests) = mpsc::channel(16);
    let net = Localnet::start(config, demo::control_methods(control).into()).await?;
    let client = Client::new(&net.rpc_url);
    let urls = (net.rpc_url.as_str(), net.ws_url.as_str());
    let (summary, admin) = demo::setup(&client, urls, args.seed, &args.out).await?;
    println!("{}", serde_json::to_string_pretty(&summary)?);
    let step = Duration::from_millis(args.price_step_ms);
    tokio::spawn(demo::drive(client, admin, args.seed, step, requests));

    let (stop, shutdown) = watch::channel(false);
    let keeper = if args.no_keeper {
        None
    } else {
        let config = KeeperConfig {
            rpc_url: net.rpc_url.clone(),
            ws_url: Some(net.ws_url.clone()),
            keypair: args.out.join("keeper.json"),
            counters_interval_s: 60,
            ..KeeperConfig::default()
        };
        let keeper = Keeper::from_config(config).await?;
        Some(tokio::spawn(keeper.run(shutdown)))
    };
    tracing::info!(
        rpc = %net.rpc_url,
        ws = %net.ws_url,
        keeper = !args.no_keeper,
        "local exchange running; Ctrl-C stops it"
    );
    tokio::signal::ctrl_c().await?;
    let _ = stop.send(true);
    if let Some(keeper) = keeper {
        let _ = keeper.await;
    }
    net.stop().await;
    Ok(())
}
