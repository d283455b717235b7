//! Keeper fees of limit orders: none to the sub-account's own traders, at most 10 bps of the
//! executed notional, and for a reduce-only fill only out of the equity left above the
//! maintenance requirement. Amounts worked out by hand from the BTC preset without premium
//! (5 bps taker fee, $1 keeper fee, maintenance 50 bps below $1M).

use super::{order, world, BTC};
use ringfence::instructions::Side;
use ringfence::state::SubAccountMode;
use ringfence_tests::builders;
use ringfence_tests::params::{BASE_UNIT, USD};

#[tokio::test]
async fn a_delegate_executing_the_owners_order_earns_no_keeper_fee() {
    let mut w = world().await;
    let delegate = w.h.wallet(0).await;
    let ix = builders::set_delegate(&w.trader.key(), &w.cross, Some(delegate.key()));
    w.h.process(&[ix], &[&w.trader.keypair]).await.unwrap();
    let now = w.now().await;
    let oracle = builders::stub_oracle_pda(BTC);
    let place = builders::place_order(
        &delegate.key(),
        &w.cross,
        BTC,
        &oracle,
        order(Side::Long, BASE_UNIT / 10, 49_000, now + 600, false),
    );
    w.h.process(&[place], &[&delegate.keypair]).await.unwrap();
    w.h.next_slot().await;
    w.h.set_price(BTC, 48_900).await;
    let collateral = w.h.sub_account(&w.cross).await.collateral;
    let ix = builders::execute_order(
        &delegate.key(),
        &delegate.token,
        &w.cross,
        BTC,
        &oracle,
        0,
        &[],
    );
    w.h.process(&[ix], &[&delegate.keypair]).await.unwrap();
    // Only the taker fee (5 bps of $4,890) left the collateral; the delegate got nothing.
    assert_eq!(
        w.h.sub_account(&w.cross).await.collateral,
        collateral - 2_445_000
    );
    assert_eq!(w.h.token_balance(&delegate.token).await, 0);
}

#[tokio::test]
async fn a_tiny_order_pays_a_keeper_fee_of_at_most_ten_bps_of_its_notional() {
    let mut w = world().await;
    let now = w.now().await;
    // 0.0001 BTC: $4.89 of notional at $48,900.
    w.place(order(
        Side::Long,
        BASE_UNIT / 10_000,
        49_000,
        now + 600,
        false,
    ))
    .await
    .unwrap();
    w.h.next_slot().await;
    w.h.set_price(BTC, 48_900).await;
    let collateral = w.h.sub_account(&w.cross).await.collateral;
    w.execute(0).await.unwrap();
    // Keeper: 10 bps of $4.89 = 4,890 native (not the $1 of the market); taker: 5 bps = 2,445.
    assert_eq!(w.h.token_balance(&w.keeper.token).await, 4_890);
    assert_eq!(
        w.h.sub_account(&w.cross).await.collateral,
        collateral - 4_890 - 2_445
    );
}

/// A cross sub-account with $1,300 opens 1 BTC long at 40x at $50,000 (fee $25: collateral
/// $1,275), falls to $48,900 (under maintenance), and places a reduce-only sell of 0.1 BTC at
/// `limit_usd`, which the keeper executes once the oracle reaches it. Returns what the keeper
/// was paid and the collateral after, native units.
async fn reduce_near_maintenance(limit_usd: u64) -> (u64, i64) {
    let mut w = world().await;
    let tight =
        w.h.create_sub_account(&w.trader, SubAccountMode::Cross)
            .await;
    w.h.deposit(&w.trader, &tight, 1_300 * USD).await.unwrap();
    w.h.open_at_market(&w.trader, &tight, BTC, Side::Long, BASE_UNIT as u64, 40)
        .await
        .unwrap();
    w.h.set_price(BTC, 48_900).await;
    let now = w.now().await;
    let oracle = builders::stub_oracle_pda(BTC);
    let args = order(Side::Short, BASE_UNIT / 10, limit_usd, now + 600, true);
    let place = builders::place_order(&w.trader.key(), &tight, BTC, &oracle, args);
    w.h.process(&[place], &[&w.trader.keypair]).await.unwrap();
    w.h.next_slot().await;
    w.h.set_price(BTC, limit_usd as i64).await;
    let ix = builders::execute_order(
        &w.keeper.key(),
        &w.keeper.token,
        &tight,
        BTC,
        &oracle,
        0,
        &[],
    );
    w.h.process(&[ix], &[&w.keeper.keypair]).await.unwrap();
    let (_, positions) = w.h.try_sub_account(&tight).await.unwrap();
    assert_eq!(positions[0].base, BASE_UNIT * 9 / 10, "0.1 BTC closed");
    let paid = w.h.token_balance(&w.keeper.token).await;
    (paid, w.h.sub_account(&tight).await.collateral)
}

#[tokio::test]
async fn a_reduce_only_fill_pays_its_keeper_only_out_of_equity_above_maintenance() {
    // At $48,948: realized −$105.20, taker fee 5 bps of $4,894.80 = $2.4474. Equity after is
    // $1,275 − $2.4474 − $1,052 = $220.5526 against maintenance 0.5% × 0.9 × $48,948 =
    // $220.266: the keeper gets the $0.2866 between them, not its $1.
    let (paid, collateral) = reduce_near_maintenance(48_948).await;
    assert_eq!(paid, 286_600);
    assert_eq!(
        collateral,
        1_275_000_000 - 105_200_000 - 2_447_400 - 286_600
    );

    // At $48,940 the account is still under maintenance after the reduce ($212.553 against
    // $220.23): the order fills and the keeper gets nothing.
    let (paid, collateral) = reduce_near_maintenance(48_940).await;
    assert_eq!(paid, 0);
    assert_eq!(collateral, 1_275_000_000 - 106_000_000 - 2_447_000);
}
