//! Ringfence's indexer: follows the program's transactions over standard Solana RPC, decodes
//! its events from `Program data:` lines with the program's own types, stores them in SQLite
//! or PostgreSQL (one schema, `migrations/`), and serves them over HTTP JSON
//! (docs/INDEXER.md).

pub mod api;
pub mod decode;
pub mod follow;
pub mod rows;
pub mod store;

use solana_commitment_config::CommitmentConfig;
use std::net::SocketAddr;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Notify};

/// Counters, served at `/health`.
#[derive(Debug, Default)]
pub struct Stats {
    /// Transactions stored since start.
    pub transactions: AtomicU64,
    /// `Program data:` lines in the program's frame that did not decode (skipped).
    pub malformed: AtomicU64,
    /// `Program data:` lines of other programs (skipped).
    pub foreign: AtomicU64,
    /// Transactions whose logs the runtime truncated.
    pub truncated: AtomicU64,
    /// Failed catch-ups (RPC or database), each retried.
    pub rpc_errors: AtomicU64,
}

/// What to follow, where to store it and where to serve it.
#[derive(Debug, Clone)]
pub struct Config {
    /// HTTP JSON-RPC URL of the cluster.
    pub rpc_url: String,
    /// Its websocket URL, for `logsSubscribe` wake-ups (`None`: polling only).
    pub ws_url: Option<String>,
    /// A SQLite file path, `sqlite:…`, or `postgres://…`.
    pub database: String,
    /// Address of the HTTP API.
    pub listen: SocketAddr,
    /// Store transactions once confirmed or only once finalized.
    pub commitment: CommitmentConfig,
    /// Catch up at least this often, notifications or not.
    pub poll: Duration,
}

/// A running indexer.
pub struct Indexer {
    /// Where the API listens.
    pub api_addr: SocketAddr,
    /// Its counters.
    pub stats: Arc<Stats>,
    stop: watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

type AnyError = Box<dyn std::error::Error + Send + Sync>;

impl Indexer {
    /// Opens the database, then starts following and serving.
    pub async fn start(config: Config) -> Result<Self, AnyError> {
        let store = store::Store::open(&config.database).await?;
        let stats = Arc::new(Stats::default());
        let (stop, shutdown) = watch::channel(false);
        let wake = Arc::new(Notify::new());
        let follower = follow::Follower::new(
            &config.rpc_url,
            store.clone(),
            ringfence::ID,
            config.commitment,
            stats.clone(),
        )
        .await?;
        let listener = tokio::net::TcpListener::bind(config.listen).await?;
        let api_addr = listener.local_addr()?;
        let app = api::router(store, stats.clone());
        let mut api_shutdown = shutdown.clone();
        let mut tasks = vec![
            tokio::spawn(follower.run(wake.clone(), config.poll, shutdown.clone())),
            tokio::spawn(async move {
                let stopped = async move {
                    let _ = api_shutdown.changed().await;
                };
                if let Err(e) = axum::serve(listener, app)
                    .with_graceful_shutdown(stopped)
                    .await
                {
                    tracing::error!(error = %e, "indexer API stopped");
                }
            }),
        ];
        if let Some(ws) = config.ws_url {
            tasks.push(tokio::spawn(follow::wake_on_logs(
                ws,
                ringfence::ID,
                config.commitment,
                wake,
                shutdown,
            )));
        }
        tracing::info!(api = %api_addr, database = %redacted(&config.database), "indexer running");
        Ok(Self {
            api_addr,
            stats,
            stop,
            tasks,
        })
    }

    /// Stops following and serving, and waits for both.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
    }
}

/// A database URL without its password, for logs.
pub fn redacted(database: &str) -> String {
    match (database.find("://"), database.find('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &database[scheme + 3..at];
            let user = credentials.split(':').next().unwrap_or("");
            format!("{}{user}:***{}", &database[..scheme + 3], &database[at..])
        }
        _ => database.to_string(),
    }
}
