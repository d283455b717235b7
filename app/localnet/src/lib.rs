//! Ringfence's local network: the program, built for the host, in `solana-program-test`'s bank,
//! behind the standard Solana JSON-RPC (HTTP) and its websocket subscriptions, so every
//! off-chain part talks to it exactly as to a real cluster. Not an SBF validator: no BPF
//! loader, no consensus, one bank advanced on a timer.

pub mod chain;
pub mod demo;
pub mod price_path;
pub mod pubsub;
pub mod rpc;

use chain::ChainHandle;
use jsonrpsee::server::{Server, ServerHandle};
use jsonrpsee::Methods;
use std::net::SocketAddr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tower_http::cors::CorsLayer;

/// Where and how fast the local network runs.
#[derive(Debug, Clone)]
pub struct Config {
    /// HTTP JSON-RPC address (port 0 picks a free port).
    pub rpc_addr: SocketAddr,
    /// Websocket address (port 0 picks a free port).
    pub ws_addr: SocketAddr,
    /// Slot length.
    pub slot: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            rpc_addr: SocketAddr::from(([127, 0, 0, 1], 8899)),
            ws_addr: SocketAddr::from(([127, 0, 0, 1], 8900)),
            slot: Duration::from_millis(400),
        }
    }
}

impl Config {
    /// Both servers on free loopback ports (tests).
    pub fn ephemeral() -> Self {
        Self {
            rpc_addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            ws_addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            ..Self::default()
        }
    }
}

/// A running local network.
pub struct Localnet {
    /// The chain.
    pub chain: ChainHandle,
    /// HTTP JSON-RPC URL.
    pub rpc_url: String,
    /// Websocket URL.
    pub ws_url: String,
    servers: Vec<ServerHandle>,
    clock: tokio::task::JoinHandle<()>,
}

/// Logs to stderr at `RUST_LOG`, by default `info` with the Solana runtime's and the test
/// bank's transport chatter turned down.
pub fn init_logging() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,tarpc=error,solana=warn,solana_metrics=error".into()),
        )
        .init();
}

/// Wall-clock unix time, seconds.
pub fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

async fn serve(
    addr: SocketAddr,
    chain: &ChainHandle,
    extra: &Methods,
) -> std::io::Result<(SocketAddr, ServerHandle)> {
    let mut module = rpc::methods(chain.clone());
    pubsub::add_subscriptions(&mut module);
    module
        .merge(extra.clone())
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    let cors = tower::ServiceBuilder::new().layer(CorsLayer::permissive());
    let server = Server::builder()
        .set_http_middleware(cors)
        .build(addr)
        .await?;
    let local = server.local_addr()?;
    Ok((local, server.start(module)))
}

impl Localnet {
    /// Starts the chain, the slot clock and both servers, which also answer `extra` methods.
    pub async fn start(config: Config, extra: Methods) -> std::io::Result<Self> {
        let chain = ChainHandle::start(unix_now());
        let (rpc_addr, rpc) = serve(config.rpc_addr, &chain, &extra).await?;
        let (ws_addr, ws) = serve(config.ws_addr, &chain, &extra).await?;
        let ticking = chain.clone();
        let clock = tokio::spawn(async move {
            let mut interval = tokio::time::interval(config.slot);
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
            loop {
                interval.tick().await;
                if ticking.call(|c| c.advance_slot(unix_now())).await.is_err() {
                    break;
                }
            }
        });
        Ok(Self {
            chain,
            rpc_url: format!("http://{rpc_addr}"),
            ws_url: format!("ws://{ws_addr}"),
            servers: vec![rpc, ws],
            clock,
        })
    }

    /// Stops the servers and the clock.
    pub async fn stop(self) {
        self.clock.abort();
        for server in self.servers {
            let _ = server.stop();
            server.stopped().await;
        }
    }
}
