//! The keeper's test world: a local network with the frictionless BTC and ETH markets, funded
//! wallets, sub-accounts with a long, stub prices, the conservation check and a keeper.

#![allow(dead_code)] // each test binary uses part of it

use ringfence::instructions::{OpenPositionArgs, Side};
use ringfence::state::{Position, SubAccountMode};
use ringfence_keeper::{Keeper, KeeperConfig};
use ringfence_localnet::{demo, Config, Localnet};
use ringfence_sdk::builders;
use ringfence_sdk::client::Client;
use ringfence_sdk::deploy::MarketList;
use ringfence_sdk::presets::USD;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};
use std::sync::Arc;
use std::time::Duration;

pub const FRICTIONLESS: &str = include_str!("../../../localnet/tests/fixtures/frictionless.toml");

/// The local network and its admin.
pub struct World {
    pub net: Localnet,
    pub client: Client,
    pub admin: Keypair,
    pub mint: Pubkey,
}

/// A fresh local network with the frictionless markets and a $1M pool.
pub async fn world() -> World {
    let net = Localnet::start(Config::ephemeral(), jsonrpsee::Methods::new())
        .await
        .unwrap();
    let client = Client::new(&net.rpc_url);
    let (admin, mint) = (Keypair::new(), Keypair::new());
    demo::bootstrap(
        &client,
        &admin,
        &mint,
        MarketList::parse(FRICTIONLESS).unwrap(),
        1_000_000,
    )
    .await
    .unwrap();
    World {
        net,
        client,
        admin,
        mint: mint.pubkey(),
    }
}

impl World {
    /// A wallet with SOL and `usd` of collateral; returns it and its token account.
    pub async fn wallet(&self, usd: u64) -> (Keypair, Pubkey) {
        let wallet = Keypair::new();
        self.client
            .airdrop(&wallet.pubkey(), 10_000_000_000)
            .await
            .unwrap();
        let token = demo::fund(&self.client, &self.admin, &self.mint, &wallet.pubkey(), usd)
            .await
            .unwrap();
        (wallet, token)
    }

    /// A sub-account with `usd` deposited and a long of `base` atoms at `leverage` in `market`.
    pub async fn trader(
        &self,
        mode: SubAccountMode,
        usd: u64,
        market: u16,
        base: u64,
        leverage: u16,
    ) -> (Keypair, Pubkey) {
        let (trader, token) = self.wallet(usd).await;
        let owner = trader.pubkey();
        let sub = builders::sub_account_pda(&owner, 0);
        let oracle = builders::stub_oracle_pda(market);
        let order = OpenPositionArgs {
            side: Side::Long,
            base,
            leverage,
            limit_price: u64::MAX,
        };
        let ixs = [
            builders::create_user(&owner),
            builders::create_sub_account(&owner, 0, mode),
            builders::deposit(&owner, &sub, &token, usd * USD),
            builders::open_position(&owner, &sub, market, &oracle, order, &[]),
        ];
        self.client.send(&ixs, &trader, &[]).await.unwrap();
        (trader, sub)
    }

    /// Sets `index`'s stub price to `dollars`.
    pub async fn set_price(&self, index: u16, dollars: i64) {
        let ix = builders::set_stub_price(&self.admin.pubkey(), index, dollars * 1_000_000, 0, -6);
        self.client.send(&[ix], &self.admin, &[]).await.unwrap();
    }

    /// The position slots of `sub`.
    pub async fn positions(&self, sub: &Pubkey) -> Vec<Position> {
        self.client
            .sub_account(sub)
            .await
            .unwrap()
            .unwrap()
            .positions
    }

    /// The vault balance equals the sum of every ledger claiming it.
    pub async fn assert_conservation(&self) {
        let (vault, ledgers) = self.client.vault_and_ledgers().await.unwrap();
        assert_eq!(
            i128::from(vault),
            ledgers,
            "vault balance must equal the ledgers"
        );
    }

    /// A keeper with SOL, scanning every 200 ms.
    pub async fn keeper(&self, rpc_url: &str) -> Arc<Keeper> {
        let keeper = Keypair::new();
        self.client
            .airdrop(&keeper.pubkey(), 10_000_000_000)
            .await
            .unwrap();
        let config = KeeperConfig {
            rpc_url: rpc_url.to_string(),
            scan_interval_ms: 200,
            funding_interval_s: 1,
            max_in_flight: 1,
            rpc_timeout_ms: 2_000,
            max_backoff_ms: 400,
            ..KeeperConfig::default()
        };
        Keeper::new(config, keeper).await.unwrap()
    }
}

/// Polls `done` every 200 ms for a minute; panics with `what` if it never holds.
pub async fn eventually(what: &str, mut done: impl AsyncFnMut() -> bool) {
    for _ in 0..300 {
        if done().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("timed out waiting for {what}");
}
