//! Ringfence's local network: agave's own test validator (`solana-test-validator`) with the
//! host-built program registered in its banks as a builtin, and agave's faucet. Its JSON-RPC,
//! websocket subscriptions, ledger, commitment levels, fees and token parsing are agave's, so
//! every client talks to it exactly as to a real cluster. Program logs and Anchor events reach
//! the transactions' logs through `ringfence-host`.

pub mod demo;
pub mod price_path;

use jsonrpsee::server::{Server, ServerHandle};
use jsonrpsee::Methods;
use solana_net_utils::SocketAddrSpace;
use solana_program_runtime::program_cache_entry::ProgramCacheEntry;
use solana_rpc::rpc::JsonRpcConfig;
use solana_sdk::account::{Account, AccountSharedData};
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Keypair;
use solana_test_validator::{TestValidator, TestValidatorGenesis};
use std::collections::HashSet;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tower_http::cors::CorsLayer;

/// The program's name in the validator's builtin table and in its program account.
const PROGRAM_NAME: &str = "ringfence";

/// Where the local network listens and keeps its ledger.
#[derive(Debug, Clone)]
pub struct Config {
    /// JSON-RPC port on 127.0.0.1; the websocket is on the next port (agave's convention).
    /// 0 picks free ports.
    pub rpc_port: u16,
    /// Faucet port on 127.0.0.1 (0 picks a free port).
    pub faucet_port: u16,
    /// Port of the extra (demo control) JSON-RPC methods (0 picks a free port).
    pub control_port: u16,
    /// Ledger directory, emptied at start; `None` uses a fresh temporary directory.
    pub ledger: Option<PathBuf>,
    /// Validator gossip, TPU and repair ports: agave's default range, or (tests) a range
    /// unique to this process so several networks can run side by side.
    pub unique_ports: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            rpc_port: 8899,
            faucet_port: 9900,
            control_port: 8901,
            ledger: Some(PathBuf::from(".localnet/ledger")),
            unique_ports: false,
        }
    }
}

impl Config {
    /// Free ports and a temporary ledger (tests).
    pub fn ephemeral() -> Self {
        Self {
            rpc_port: 0,
            faucet_port: 0,
            control_port: 0,
            ledger: None,
            unique_ports: true,
        }
    }
}

/// A running local network.
pub struct Localnet {
    /// HTTP JSON-RPC URL.
    pub rpc_url: String,
    /// Websocket URL.
    pub ws_url: String,
    /// URL of the extra JSON-RPC methods, when any were given.
    pub control_url: Option<String>,
    /// The genesis mint's keypair (the faucet's, holding the network's SOL).
    pub mint: Keypair,
    validator: TestValidator,
    control: Option<ServerHandle>,
    _ledger: Option<tempfile::TempDir>,
    /// This process's turn to run a validator (released last, after the validator stopped).
    _turn: tokio::sync::MutexGuard<'static, ()>,
}

/// One validator per process at a time: agave's banking threads poll without sleeping, so
/// two validators on a two-core machine starve each other (and every test in a binary would
/// start one). A second `Localnet::start` waits until the first is dropped.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Log filter when `RUST_LOG` is unset: Ringfence's own lines at `info`, agave's only when
/// they are errors, without those every local run prints: no permission to raise the
/// open-file limit and no saved vote tower (a one-node test validator never has one) at
/// start, closed channels at stop.
pub const DEFAULT_LOG_FILTER: &str = "info,solana=error,agave=error,tarpc=error,\
solana_metrics=off,solana_core::resource_limits=off,solana_core::validator=off,\
agave_bls_sigverify=off,solana_core::block_creation_loop=off";

/// Logs to stdout at `RUST_LOG`, by default [`DEFAULT_LOG_FILTER`].
pub fn init_logging() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| DEFAULT_LOG_FILTER.into()),
        )
        .init();
}

type AnyError = Box<dyn std::error::Error + Send + Sync>;

impl Localnet {
    /// Starts the faucet, the validator with the program, and (when `extra` has methods) the
    /// control server answering them. Waits while another `Localnet` of this process runs.
    pub async fn start(config: Config, extra: Methods) -> Result<Self, AnyError> {
        Self::start_with_accounts(config, extra, Vec::new()).await
    }

    /// As [`Localnet::start`], with `accounts` written into genesis exactly as given (address,
    /// lamports, owner, data): large account sets without a transaction each (the keeper
    /// benchmark writes its sub-accounts so). The genesis archive's size limit is lifted.
    pub async fn start_with_accounts(
        config: Config,
        extra: Methods,
        accounts: Vec<(Pubkey, AccountSharedData)>,
    ) -> Result<Self, AnyError> {
        let turn = ONE_AT_A_TIME.lock().await;
        ringfence_host::prepare_process().await;
        let mint = Keypair::new();
        let faucet = start_faucet(mint.insecure_clone(), config.faucet_port).await?;
        let (ledger, temp) = ledger_dir(&config)?;
        let mut genesis = TestValidatorGenesis::default();
        // As agave's `solana-test-validator` command: transaction history (getTransaction,
        // getSignaturesForAddress, getBlock) with token balances and inner instructions.
        genesis.rpc_config(JsonRpcConfig {
            enable_rpc_transaction_history: true,
            enable_extended_tx_metadata_storage: true,
            ..JsonRpcConfig::default_for_test()
        });
        genesis
            .ledger_path(ledger)
            .faucet_addr(Some(faucet))
            .add_account(ringfence::ID, program_account());
        if !accounts.is_empty() {
            genesis.max_genesis_archive_unpacked_size = Some(u64::MAX);
            genesis.add_accounts(accounts);
        }
        if config.rpc_port != 0 {
            genesis.rpc_port(config.rpc_port);
        }
        if config.unique_ports {
            let range = solana_net_utils::sockets::localhost_port_range_for_tests();
            genesis.port_range(range).gossip_port(range.0);
        }
        let validator = genesis
            .start_async_with_mint_address(&mint, SocketAddrSpace::new(true))
            .await
            .map_err(|e| e.to_string())?;
        register_program(&validator).await;
        let has_extra = extra.method_names().next().is_some();
        let control = if has_extra {
            Some(serve_control(config.control_port, extra).await?)
        } else {
            None
        };
        Ok(Self {
            rpc_url: validator.rpc_url(),
            ws_url: validator.rpc_pubsub_url(),
            control_url: control.as_ref().map(|(addr, _)| format!("http://{addr}")),
            mint,
            validator,
            control: control.map(|(_, handle)| handle),
            _ledger: temp,
            _turn: turn,
        })
    }

    /// Stops the control server and the validator.
    pub async fn stop(self) {
        if let Some(control) = self.control {
            let _ = control.stop();
            control.stopped().await;
        }
        drop(self.validator);
    }
}

/// The program's account in genesis: executable and owned by the native loader, as every
/// builtin's is. Registering a builtin whose account is missing panics on a frozen bank.
fn program_account() -> AccountSharedData {
    AccountSharedData::from(Account {
        lamports: 1,
        data: PROGRAM_NAME.as_bytes().to_vec(),
        owner: solana_sdk_ids::native_loader::id(),
        executable: true,
        rent_epoch: 0,
    })
}

/// Adds the program to every bank the validator holds, then again to any bank created
/// meanwhile, so all commitment levels (and the banks built on them) run it.
async fn register_program(validator: &TestValidator) {
    let forks = validator.bank_forks();
    let mut done = HashSet::new();
    for _ in 0..3 {
        let banks: Vec<_> = {
            let forks = forks.read().expect("bank forks lock");
            let mut banks: Vec<_> = forks
                .banks()
                .values()
                .map(|bank| bank.clone_without_scheduler())
                .collect();
            banks.push(forks.working_bank());
            banks
        };
        for bank in banks {
            if done.insert(bank.slot()) {
                let entry = ProgramCacheEntry::new_builtin(
                    0,
                    PROGRAM_NAME.len(),
                    ringfence_host::builtin!(ringfence::native::process_instruction)
                        .expect("a builtin entrypoint"),
                );
                bank.add_builtin(ringfence::ID, PROGRAM_NAME, entry);
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// Starts agave's faucet (no caps) with `keypair` on 127.0.0.1:`port`; returns its address.
async fn start_faucet(keypair: Keypair, port: u16) -> Result<SocketAddr, AnyError> {
    use solana_faucet::faucet::{run_faucet, Faucet};
    let faucet = Arc::new(Mutex::new(Faucet::new(keypair, None, None, None)));
    let (sender, receiver) = crossbeam_channel::bounded(1);
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    tokio::spawn(run_faucet(faucet, addr, Some(sender)));
    let bound = tokio::task::spawn_blocking(move || receiver.recv_timeout(Duration::from_secs(10)))
        .await??;
    Ok(bound?)
}

/// The ledger directory, emptied, or a temporary one (kept alive by the returned guard).
fn ledger_dir(config: &Config) -> Result<(PathBuf, Option<tempfile::TempDir>), AnyError> {
    match &config.ledger {
        Some(path) => {
            if path.exists() {
                std::fs::remove_dir_all(path)?;
            }
            std::fs::create_dir_all(path)?;
            Ok((path.clone(), None))
        }
        None => {
            let temp = tempfile::tempdir()?;
            Ok((temp.path().to_path_buf(), Some(temp)))
        }
    }
}

/// Serves `methods` over HTTP JSON-RPC on 127.0.0.1:`port`, CORS open (the page calls it).
async fn serve_control(port: u16, methods: Methods) -> std::io::Result<(SocketAddr, ServerHandle)> {
    let cors = tower::ServiceBuilder::new().layer(CorsLayer::permissive());
    let server = Server::builder()
        .set_http_middleware(cors)
        .build(SocketAddr::from(([127, 0, 0, 1], port)))
        .await?;
    let addr = server.local_addr()?;
    Ok((addr, server.start(methods)))
}
