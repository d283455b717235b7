//! `ringfence-local-exchange`: the local network with the demo exchange, a keeper, the indexer
//! and the web page, in one process, on the default ports (RPC 8899, websocket 8900, indexer
//! 8890, page 8080). Keypairs, `demo.json` and the indexer's SQLite file go to `.localnet/`.

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
    /// HTTP JSON-RPC port on 127.0.0.1 (websocket on the next port, demo controls on the one
    /// after, the indexer 9 below, the faucet 1,001 above).
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
    /// Port of the web page on 127.0.0.1.
    #[arg(long, default_value_t = 8080)]
    web_port: u16,
    /// The web page's static build (`npm run build` in app/web).
    #[arg(long, default_value = "app/web/dist")]
    web_dir: PathBuf,
}

/// Serves the page, `demo.json`, and the demo traders' keypairs for the page's burner wallet
/// (local network only: these keys hold nothing but demo tokens).
async fn serve_web(port: u16, web_dir: PathBuf, out: PathBuf) -> std::io::Result<()> {
    use axum::extract::{Path, State};
    use axum::http::StatusCode;
    use axum::routing::get;
    async fn demo(State(out): State<PathBuf>) -> Result<String, StatusCode> {
        std::fs::read_to_string(out.join("demo.json")).map_err(|_| StatusCode::NOT_FOUND)
    }
    async fn wallet(
        State(out): State<PathBuf>,
        Path(file): Path<String>,
    ) -> Result<String, StatusCode> {
        let name = file.strip_suffix(".json").unwrap_or(&file);
        let allowed = name.starts_with("trader-") && name[7..].chars().all(|c| c.is_ascii_digit());
        if !allowed {
            return Err(StatusCode::NOT_FOUND);
        }
        std::fs::read_to_string(out.join(format!("{name}.json"))).map_err(|_| StatusCode::NOT_FOUND)
    }
    let app = axum::Router::new()
        .route("/demo.json", get(demo))
        .route("/wallets/{file}", get(wallet))
        .with_state(out)
        .fallback_service(tower_http::services::ServeDir::new(web_dir));
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port))).await?;
    axum::serve(listener, app).await
}

type AnyError = Box<dyn std::error::Error + Send + Sync>;

/// The indexer on a fresh SQLite file in `out` (the ledger is fresh too), API on `port`.
async fn start_indexer(
    net: &Localnet,
    port: u16,
    out: &std::path::Path,
) -> Result<ringfence_indexer::Indexer, AnyError> {
    let database = out.join("indexer.sqlite");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", database.display()));
    }
    ringfence_indexer::Indexer::start(ringfence_indexer::Config {
        rpc_url: net.rpc_url.clone(),
        ws_url: Some(net.ws_url.clone()),
        database: database.to_string_lossy().into_owned(),
        listen: SocketAddr::from(([127, 0, 0, 1], port)),
        commitment: solana_commitment_config::CommitmentConfig::confirmed(),
        poll: Duration::from_secs(2),
    })
    .await
}

#[tokio::main]
async fn main() -> Result<(), AnyError> {
    ringfence_localnet::init_logging();
    let args = Args::parse();
    // Beside the RPC port (websocket on +1): demo controls on +2, the faucet 1,001 above
    // (9900 for 8899, agave's default pair).
    let config = Config {
        rpc_port: args.rpc_port,
        control_port: args.rpc_port + 2,
        faucet_port: args.rpc_port + 1_001,
        ledger: Some(args.out.join("ledger")),
        unique_ports: false,
    };
    let (control, requests) = mpsc::channel(16);
    let net = Localnet::start(config, demo::control_methods(control).into()).await?;
    let client = Client::new(&net.rpc_url);
    let (mut summary, admin) = demo::setup(&client, &net, args.seed, &args.out).await?;
    let indexer = start_indexer(&net, args.rpc_port - 9, &args.out).await?;
    summary.indexer_url = Some(format!("http://{}", indexer.api_addr));
    std::fs::write(
        args.out.join("demo.json"),
        serde_json::to_vec_pretty(&summary)?,
    )?;
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
    if args.web_dir.join("index.html").exists() {
        let (port, dir, out) = (args.web_port, args.web_dir.clone(), args.out.clone());
        tokio::spawn(async move {
            if let Err(e) = serve_web(port, dir, out).await {
                tracing::error!(error = %e, "web page server stopped");
            }
        });
        tracing::info!(url = %format!("http://127.0.0.1:{}", args.web_port), "web page");
    } else {
        tracing::warn!(dir = %args.web_dir.display(), "no web build: run `npm run build` in app/web");
    }
    tracing::info!(
        rpc = %net.rpc_url,
        ws = %net.ws_url,
        keeper = !args.no_keeper,
        indexer = %format!("http://{}", indexer.api_addr),
        "local exchange running; Ctrl-C stops it"
    );
    tokio::signal::ctrl_c().await?;
    let _ = stop.send(true);
    if let Some(keeper) = keeper {
        let _ = keeper.await;
    }
    indexer.stop().await;
    net.stop().await;
    Ok(())
}
