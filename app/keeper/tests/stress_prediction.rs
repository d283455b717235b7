//! The stress test's prediction against what really happens: the SDK predicts a BTC move from
//! the accounts read over RPC, then the price is set on the local network and the keeper
//! liquidates. Every sub-account's collateral, open positions and size left must match the
//! prediction (collateral to $0.001: funding accrues over the seconds between the prediction
//! and the keeper's transactions; sizes to 2 atoms), and the seed scenario's numbers are also
//! checked by hand.

mod common;

use common::{world, World};
use ringfence::instructions::{OpenPositionArgs, Side};
use ringfence::state::SubAccountMode;
use ringfence_keeper::Keeper;
use ringfence_sdk::builders;
use ringfence_sdk::presets::USD;
use ringfence_sdk::stress::{holdings, run, AccountStep, Book, Scenario};
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};
use std::collections::HashMap;
use std::sync::Arc;

const BTC: u16 = 0;
const ETH: u16 = 1;
const TENTH_BTC: u64 = 100_000_000;
/// Funding over the seconds between prediction and liquidation: at most a tenth of a cent.
const COLLATERAL_TOLERANCE: i64 = 1_000;

/// The source material's $5,000 wallet: cross #0 with $3,980 and an ETH long of $2,500 at 5x
/// ($500 of margin), isolated #1 with $1,020 and a BTC long of $10,000 at 10x.
async fn seed_wallet(w: &World) -> Keypair {
    let (trader, token) = w.wallet(5_000).await;
    let owner = trader.pubkey();
    let (cross, isolated) = (
        builders::sub_account_pda(&owner, 0),
        builders::sub_account_pda(&owner, 1),
    );
    let long = |base, leverage| OpenPositionArgs {
        side: Side::Long,
        base,
        leverage,
        limit_price: u64::MAX,
    };
    let eth = builders::stub_oracle_pda(ETH);
    let btc = builders::stub_oracle_pda(BTC);
    let ixs = [
        builders::create_user(&owner),
        builders::create_sub_account(&owner, 0, SubAccountMode::Cross),
        builders::create_sub_account(&owner, 1, SubAccountMode::Isolated { market_index: BTC }),
        builders::deposit(&owner, &cross, &token, 3_980 * USD),
        builders::deposit(&owner, &isolated, &token, 1_020 * USD),
        builders::open_position(&owner, &cross, ETH, &eth, long(833_333_333, 5), &[]),
        builders::open_position(&owner, &isolated, BTC, &btc, long(2 * TENTH_BTC, 10), &[]),
    ];
    w.client.send(&ixs, &trader, &[]).await.unwrap();
    trader
}

/// What the SDK predicts for every sub-account of `owners` if BTC moves by `bps` now.
async fn predict(w: &World, owners: &[Pubkey], bps: i64) -> HashMap<Pubkey, AccountStep> {
    let markets = w.client.markets().await.unwrap();
    let book = Book::from_read(
        &markets,
        w.client.exchange().await.unwrap().unwrap(),
        w.client.pool().await.unwrap().unwrap(),
        w.client.now().await.unwrap(),
    );
    let mut all = Vec::new();
    for owner in owners {
        all.extend(holdings(w.client.sub_accounts_of(owner).await.unwrap()));
    }
    let scenario = Scenario::shock(&[BTC, ETH], &[(BTC, bps)], 0, &[]);
    let outcome = run(&book, &all, &scenario).unwrap();
    let step = outcome.steps.into_iter().next().unwrap();
    step.accounts.into_iter().map(|a| (a.key, a)).collect()
}

/// Moves BTC's stub price by `bps` from its current mark, exactly as the SDK moves it.
async fn move_btc(w: &World, bps: i64) {
    let mark = w.client.markets().await.unwrap()[usize::from(BTC)]
        .mark
        .clone()
        .unwrap();
    let micros = (mark * 1_000_000).to_num::<i64>() * (10_000 + bps) / 10_000;
    let ix = builders::set_stub_price(&w.admin.pubkey(), BTC, micros, 0, -6);
    w.client.send(&[ix], &w.admin, &[]).await.unwrap();
}

/// Scans until the keeper finds nothing more to liquidate.
async fn keeper_settles(keeper: &Arc<Keeper>) {
    for _ in 0..20 {
        if keeper.scan_once().await.unwrap().is_empty() {
            return;
        }
    }
    panic!("the keeper kept finding liquidations");
}

/// Each predicted sub-account as it now stands on chain; returns the closures per key.
async fn assert_as_predicted(w: &World, predicted: &HashMap<Pubkey, AccountStep>) {
    for (key, step) in predicted {
        let view = w.client.sub_account(key).await.unwrap().unwrap();
        let collateral = view.header.collateral;
        assert!(
            (collateral - step.collateral_after).abs() <= COLLATERAL_TOLERANCE,
            "{key}: collateral {collateral}, predicted {}",
            step.collateral_after
        );
        assert_eq!(view.open_positions().count(), step.positions_left, "{key}");
        assert!(step.complete);
    }
    w.assert_conservation().await;
}

/// Atoms left in `key`'s position in `market` (0 when closed).
async fn base(w: &World, key: &Pubkey, market: u16) -> i64 {
    let view = w.client.sub_account(key).await.unwrap().unwrap();
    let mut open = view.open_positions();
    open.find(|p| p.market_index == market)
        .map_or(0, |p| p.base)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_keeper_does_what_the_stress_test_predicted() {
    let w = world().await;
    let seed = seed_wallet(&w).await;
    let (cross, isolated) = (
        builders::sub_account_pda(&seed.pubkey(), 0),
        builders::sub_account_pda(&seed.pubkey(), 1),
    );
    // A second wallet, cross: $1,000 behind 0.2 BTC at 10x.
    let (other, partial) = w
        .trader(SubAccountMode::Cross, 1_000, BTC, 2 * TENTH_BTC, 10)
        .await;
    let owners = [seed.pubkey(), other.pubkey()];
    let keeper = w.keeper(&w.net.rpc_url).await;

    // BTC −9.6% to $45,200. The second wallet: equity 1,000 − 0.2 × 4,800 = $40 against
    // maintenance 0.5% × $9,040 = $45.20, so part of it is closed, with a penalty. The seed's
    // isolated BTC: 1,020 − 960 = $60 against $45.20: untouched.
    let first = predict(&w, &owners, -960).await;
    let closed = |step: &AccountStep| step.closures.iter().map(|c| c.closed).sum::<i64>();
    let partial_closed = closed(&first[&partial]);
    assert!(partial_closed > 0 && partial_closed < (2 * TENTH_BTC) as i64);
    assert!(first[&partial].closures.iter().any(|c| c.penalty > 0));
    assert!(first[&isolated].closures.is_empty() && first[&cross].closures.is_empty());
    move_btc(&w, -960).await;
    keeper_settles(&keeper).await;
    assert_as_predicted(&w, &first).await;
    let left = base(&w, &partial, BTC).await;
    assert!(
        (left - (2 * TENTH_BTC as i64 - partial_closed)).abs() <= 2,
        "{left} atoms left, {partial_closed} predicted closed"
    );
    assert_eq!(
        w.client
            .sub_account(&isolated)
            .await
            .unwrap()
            .unwrap()
            .header
            .collateral,
        1_020 * USD as i64
    );

    // BTC another −2.66% (to about $44,000, −12% from the start). The isolated BTC's equity is
    // 1,020 − 0.2 × 6,002 = −$180.46: bankrupt, closed whole, nothing left; the deficit is
    // covered. Cross #0 (ETH) keeps its $3,980: the wallet loses exactly the isolated $1,020.
    let second = predict(&w, &owners, -266).await;
    assert!(second[&isolated].closures.iter().all(|c| c.bankrupt));
    assert_eq!(second[&isolated].collateral_after, 0);
    assert_eq!(second[&cross].collateral_after, 3_980 * USD as i64);
    move_btc(&w, -266).await;
    keeper_settles(&keeper).await;
    assert_as_predicted(&w, &second).await;
    assert_eq!(base(&w, &isolated, BTC).await, 0);
    assert_eq!(base(&w, &cross, ETH).await, 833_333_333);
    assert!(!keeper.landed_liquidations().is_empty());
}
