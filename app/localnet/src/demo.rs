//! The demo: over the local network's own JSON-RPC (as any client would), create the
//! collateral mint, deploy the exchange and the markets of `migrations/markets.localnet.toml`,
//! fill the pool and the insurance fund, fund demo wallets (keypair files written out), open
//! the source material's example positions for one of them, then move the stub prices along a
//! seeded path. Crash scenarios and price shifts are applied on demand through two
//! JSON-RPC methods on the local network's control port, `ringfence_demoScenario` and
//! `ringfence_demoShift`.

use crate::price_path::{PricePath, Scenario};
use jsonrpsee::types::ErrorObjectOwned;
use jsonrpsee::RpcModule;
use ringfence::instructions::{OpenPositionArgs, Side};
use ringfence::math::I80F48;
use ringfence::state::SubAccountMode;
use ringfence_sdk::builders;
use ringfence_sdk::client::Client;
use ringfence_sdk::deploy::{deploy, MarketList, OracleSpec};
use ringfence_sdk::presets::{BASE_UNIT, USD};
use serde::Serialize;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{write_keypair_file, Keypair, Signer};
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// The market list the demo deploys.
pub const MARKETS: &str = include_str!("../../../migrations/markets.localnet.toml");

/// Any error, boxed.
pub type AnyError = Box<dyn std::error::Error + Send + Sync>;

/// A demo wallet: its name, keypair file and token account.
#[derive(Debug, Clone, Serialize)]
pub struct DemoWallet {
    /// "admin", "keeper", "trader-1", ...
    pub name: String,
    /// Address.
    pub pubkey: String,
    /// Keypair file (Solana's JSON format).
    pub keypair_path: PathBuf,
    /// Collateral token account.
    pub token_account: String,
    /// Collateral minted to it, whole dollars.
    pub usd: u64,
}

/// Everything the demo made (also written to `demo.json`).
#[derive(Debug, Clone, Serialize)]
pub struct DemoSummary {
    /// HTTP JSON-RPC URL.
    pub rpc_url: String,
    /// Websocket URL.
    pub ws_url: String,
    /// URL of the demo's control methods (`ringfence_demoScenario`, `ringfence_demoShift`).
    pub control_url: Option<String>,
    /// The indexer's HTTP API, when the local exchange runs one (the page's history).
    pub indexer_url: Option<String>,
    /// Program id.
    pub program_id: String,
    /// Collateral mint.
    pub collateral_mint: String,
    /// Market names in index order.
    pub markets: Vec<String>,
    /// Wallets.
    pub wallets: Vec<DemoWallet>,
}

/// A request to the price driver.
#[derive(Debug)]
pub enum Control {
    /// Apply a crash scenario now.
    Scenario(Scenario, oneshot::Sender<Vec<i64>>),
    /// Move market `index` by `percent` now.
    Shift(usize, f64, oneshot::Sender<Vec<i64>>),
}

/// The two demo RPC methods, feeding the price driver through `control`.
pub fn control_methods(control: mpsc::Sender<Control>) -> RpcModule<mpsc::Sender<Control>> {
    let mut module = RpcModule::new(control);
    module
        .register_async_method("ringfence_demoScenario", |params, control, _| async move {
            let (name,): (String,) = params.parse()?;
            let scenario: Scenario = name.parse().map_err(invalid_params)?;
            request(&control, |reply| Control::Scenario(scenario, reply)).await
        })
        .expect("registered once");
    module
        .register_async_method("ringfence_demoShift", |params, control, _| async move {
            let (index, percent): (usize, f64) = params.parse()?;
            if !(-99.0..=1_000.0).contains(&percent) {
                return Err(invalid_params("percent must be within -99 ..= 1000"));
            }
            request(&control, |reply| Control::Shift(index, percent, reply)).await
        })
        .expect("registered once");
    module
}

/// A JSON-RPC "invalid params" error (-32602) saying `message`.
fn invalid_params(message: impl ToString) -> ErrorObjectOwned {
    ErrorObjectOwned::owned(
        jsonrpsee::types::error::INVALID_PARAMS_CODE,
        message.to_string(),
        None::<()>,
    )
}

async fn request(
    control: &mpsc::Sender<Control>,
    make: impl FnOnce(oneshot::Sender<Vec<i64>>) -> Control,
) -> Result<Vec<i64>, ErrorObjectOwned> {
    let (reply, answer) = oneshot::channel();
    let unavailable = || invalid_params("the demo price driver is not running");
    control.send(make(reply)).await.map_err(|_| unavailable())?;
    answer.await.map_err(|_| unavailable())
}

fn seeded_keypair(seed: u64, name: &str) -> Keypair {
    let mut secret = [0u8; 32];
    for (i, byte) in seed.to_le_bytes().iter().chain(name.as_bytes()).enumerate() {
        secret[i % 32] ^= byte.rotate_left(i as u32 % 8);
    }
    secret[31] ^= 0x5a;
    Keypair::new_from_array(secret)
}

/// Airdrops SOL to `admin`, creates the collateral mint at `mint` (6 decimals, `admin` its
/// authority), deploys `list` and deposits `pool_usd` of fresh collateral into the pool.
pub async fn bootstrap(
    client: &Client,
    admin: &Keypair,
    mint: &Keypair,
    mut list: MarketList,
    pool_usd: u64,
) -> Result<(), AnyError> {
    let rpc = &client.rpc;
    client.airdrop(&admin.pubkey(), 1_000_000_000_000).await?;
    let rent = rpc.get_minimum_balance_for_rent_exemption(82).await?;
    let ixs = builders::create_mint(&admin.pubkey(), &mint.pubkey(), &admin.pubkey(), 6, rent);
    client.send(&ixs, admin, &[mint]).await?;
    list.collateral_mint = Some(mint.pubkey().to_string());
    deploy(client, admin, &list).await?;
    let admin_token = fund(client, admin, &mint.pubkey(), &admin.pubkey(), pool_usd).await?;
    let pool = builders::pool_deposit(&admin.pubkey(), &admin_token, pool_usd * USD);
    client.send(&[pool], admin, &[]).await?;
    Ok(())
}

/// Creates `owner`'s collateral token account if needed and mints `usd` dollars into it.
pub async fn fund(
    client: &Client,
    admin: &Keypair,
    mint: &Pubkey,
    owner: &Pubkey,
    usd: u64,
) -> Result<Pubkey, AnyError> {
    let token = builders::token_account(owner, mint);
    let mut ixs = vec![builders::create_token_account(&admin.pubkey(), owner, mint)];
    if usd > 0 {
        ixs.push(builders::mint_to(mint, &token, &admin.pubkey(), usd * USD));
    }
    client.send(&ixs, admin, &[]).await?;
    Ok(token)
}

/// Builds the demo on the network at `client`; keypair files and `demo.json` go to `out`.
pub async fn setup(
    client: &Client,
    net: &crate::Localnet,
    seed: u64,
    out: &Path,
) -> Result<(DemoSummary, Keypair), AnyError> {
    std::fs::create_dir_all(out)?;
    let admin = seeded_keypair(seed, "admin");
    let mint = seeded_keypair(seed, "mint");
    let list = MarketList::parse(MARKETS)?;
    bootstrap(client, &admin, &mint, list.clone(), 10_000_000).await?;

    let mut wallets = Vec::new();
    for (name, usd) in [
        ("admin", 200_000u64),
        ("keeper", 0),
        ("trader-1", 5_000),
        ("trader-2", 100_000),
        ("trader-3", 100_000),
    ] {
        let keypair = if name == "admin" {
            admin.insecure_clone()
        } else {
            seeded_keypair(seed, name)
        };
        wallets.push(fund_wallet(client, &admin, &mint.pubkey(), name, keypair, usd, out).await?);
    }

    let admin_token = builders::token_account(&admin.pubkey(), &mint.pubkey());
    let insurance = builders::fund_insurance(&admin.pubkey(), &admin_token, 100_000 * USD);
    client.send(&[insurance], &admin, &[]).await?;
    open_seed_positions(client, &admin, seed, &mint.pubkey()).await?;

    let summary = DemoSummary {
        rpc_url: net.rpc_url.clone(),
        ws_url: net.ws_url.clone(),
        control_url: net.control_url.clone(),
        indexer_url: None,
        program_id: ringfence::ID.to_string(),
        collateral_mint: mint.pubkey().to_string(),
        markets: list.markets.iter().map(|m| m.name.clone()).collect(),
        wallets,
    };
    std::fs::write(out.join("demo.json"), serde_json::to_vec_pretty(&summary)?)?;
    Ok((summary, admin))
}

async fn fund_wallet(
    client: &Client,
    admin: &Keypair,
    mint: &Pubkey,
    name: &str,
    keypair: Keypair,
    usd: u64,
    out: &Path,
) -> Result<DemoWallet, AnyError> {
    let owner = keypair.pubkey();
    if owner != admin.pubkey() {
        client.airdrop(&owner, 100_000_000_000).await?;
    }
    let token = builders::token_account(&owner, mint);
    let mut ixs = vec![builders::create_token_account(
        &admin.pubkey(),
        &owner,
        mint,
    )];
    if usd > 0 {
        ixs.push(builders::mint_to(mint, &token, &admin.pubkey(), usd * USD));
    }
    client.send(&ixs, admin, &[]).await?;
    let keypair_path = out.join(format!("{name}.json"));
    write_keypair_file(&keypair, &keypair_path).map_err(|e| e.to_string())?;
    Ok(DemoWallet {
        name: name.to_string(),
        pubkey: owner.to_string(),
        keypair_path,
        token_account: token.to_string(),
        usd,
    })
}

/// trader-1 holds the source material's example: $5,000 with an isolated BTC long of $1,000
/// notional margin at 10x and a cross ETH long of $500 at 5x, the rest free in the cross
/// account. The isolated account gets $1,020: fees and the skew premium come out of it too.
async fn open_seed_positions(
    client: &Client,
    admin: &Keypair,
    seed: u64,
    mint: &Pubkey,
) -> Result<(), AnyError> {
    let trader = seeded_keypair(seed, "trader-1");
    let owner = trader.pubkey();
    let token = builders::token_account(&owner, mint);
    let cross = builders::sub_account_pda(&owner, 0);
    let isolated = builders::sub_account_pda(&owner, 1);
    client
        .send(
            &[
                builders::create_user(&owner),
                builders::create_sub_account(&owner, 0, SubAccountMode::Cross),
                builders::create_sub_account(
                    &owner,
                    1,
                    SubAccountMode::Isolated { market_index: 0 },
                ),
                builders::deposit(&owner, &cross, &token, 3_980 * USD),
                builders::deposit(&owner, &isolated, &token, 1_020 * USD),
            ],
            &trader,
            &[],
        )
        .await?;
    let markets = client.markets().await?;
    let order =
        |index: usize, margin_usd: u64, leverage: u16| -> Result<OpenPositionArgs, AnyError> {
            let mark = markets[index].mark.clone()?;
            let notional_usd = I80F48::from_num(margin_usd * u64::from(leverage));
            let base = (notional_usd / mark * I80F48::from_num(BASE_UNIT)).to_num::<u64>();
            Ok(OpenPositionArgs {
                side: Side::Long,
                base,
                leverage,
                limit_price: u64::MAX,
            })
        };
    let (btc, eth) = (&markets[0], &markets[1]);
    let btc_open = builders::open_position(
        &owner,
        &isolated,
        0,
        &btc.market.oracle,
        order(0, 1_000, 10)?,
        &[],
    );
    let eth_open = builders::open_position(
        &owner,
        &cross,
        1,
        &eth.market.oracle,
        order(1, 500, 5)?,
        &[],
    );
    // The setup above took many slots: post the same start prices again in the opening
    // transaction, so the fills see fresh oracles (max_fill_age_s).
    let prices = start_prices();
    let refresh = |index: u16| {
        builders::set_stub_price(&admin.pubkey(), index, prices[usize::from(index)], 0, -6)
    };
    let ixs = [refresh(0), refresh(1), btc_open, eth_open];
    client.send(&ixs, &trader, &[admin]).await?;
    Ok(())
}

/// Starting prices of the demo list, micro-dollars.
pub fn start_prices() -> Vec<i64> {
    MarketList::parse(MARKETS)
        .map(|list| list_prices(&list))
        .unwrap_or_default()
}

/// Each market's stub price in `list`, micro-dollars (0 for a Pyth market).
pub fn list_prices(list: &MarketList) -> Vec<i64> {
    list.markets
        .iter()
        .map(|m| match m.oracle {
            OracleSpec::Stub { price_usd } => price_usd * USD as i64,
            OracleSpec::Pyth { .. } => 0,
        })
        .collect()
}

/// Moves the stub prices every `step`, applying `control` requests at once; runs until the
/// control channel closes.
pub async fn drive(
    client: Client,
    admin: Keypair,
    seed: u64,
    step: Duration,
    mut control: mpsc::Receiver<Control>,
) {
    let mut path = PricePath::new(seed, start_prices());
    let mut timer = tokio::time::interval(step);
    loop {
        let reply = tokio::select! {
            _ = timer.tick() => {
                path.step();
                None
            }
            request = control.recv() => match request {
                None => return,
                Some(Control::Scenario(scenario, reply)) => {
                    path.apply(scenario);
                    Some(reply)
                }
                Some(Control::Shift(index, percent, reply)) => {
                    path.shift(index, percent);
                    Some(reply)
                }
            },
        };
        let ixs: Vec<_> = path
            .prices
            .iter()
            .enumerate()
            .map(|(i, price)| builders::set_stub_price(&admin.pubkey(), i as u16, *price, 0, -6))
            .collect();
        if let Err(e) = client.send(&ixs, &admin, &[]).await {
            tracing::warn!(error = %e, "price update failed");
        }
        if let Some(reply) = reply {
            let _ = reply.send(path.prices.clone());
        }
    }
}
