//! add_margin and remove_margin between one owner's sub-accounts.

use ringfence::error::RingfenceError;
use ringfence::instructions::Side;
use ringfence::state::SubAccountMode;
use ringfence_tests::params::{btc_params, BASE_UNIT, USD};
use ringfence_tests::trading::frictionless;
use ringfence_tests::{assert_error, builders, Harness, Wallet};
use solana_sdk::pubkey::Pubkey;

/// A BTC market at 50,000, a pool, and a trader with a cross sub-account holding $2,000 and an
/// isolated BTC sub-account holding $1,000 with a 10x long of 0.2 BTC (IM $1,000).
async fn setup() -> (Harness, Wallet, Pubkey, Pubkey) {
    let mut h = Harness::new().await;
    let btc = h
        .stub_market("BTC-PERP", frictionless(btc_params()), 50_000)
        .await;
    h.seed_pool(1_000_000).await;
    let (trader, cross) = h.trader(3_000).await;
    let isolated = h
        .create_sub_account(&trader, SubAccountMode::Isolated { market_index: btc })
        .await;
    h.deposit(&trader, &cross, 2_000 * USD).await.unwrap();
    h.deposit(&trader, &isolated, 1_000 * USD).await.unwrap();
    h.open_at_market(
        &trader,
        &isolated,
        btc,
        Side::Long,
        (BASE_UNIT / 5) as u64,
        10,
    )
    .await
    .unwrap();
    (h, trader, cross, isolated)
}

async fn send(
    h: &mut Harness,
    trader: &Wallet,
    ix: solana_sdk::instruction::Instruction,
) -> Result<(), solana_sdk::transaction::TransactionError> {
    h.process(&[ix], &[&trader.keypair]).await
}

#[tokio::test]
async fn margin_moves_into_and_out_of_an_isolated_sub_account() {
    let (mut h, trader, cross, isolated) = setup().await;
    let owner = trader.key();
    send(
        &mut h,
        &trader,
        builders::add_margin(&owner, &cross, &isolated, 500 * USD, &[]),
    )
    .await
    .unwrap();
    assert_eq!(h.sub_account(&cross).await.collateral, 1_500 * USD as i64);
    assert_eq!(
        h.sub_account(&isolated).await.collateral,
        1_500 * USD as i64
    );

    // Back out: $1,500 less IM $1,000 leaves exactly $500 free.
    let pairs = h.position_pairs(&isolated, None).await;
    let too_much = builders::remove_margin(&owner, &isolated, &cross, 500 * USD + 1, &pairs);
    assert_error(
        send(&mut h, &trader, too_much).await,
        RingfenceError::InsufficientFreeCollateral,
    );
    send(
        &mut h,
        &trader,
        builders::remove_margin(&owner, &isolated, &cross, 500 * USD, &pairs),
    )
    .await
    .unwrap();
    assert_eq!(
        h.sub_account(&isolated).await.collateral,
        1_000 * USD as i64
    );
}

#[tokio::test]
async fn remove_margin_never_moves_unrealized_profit() {
    let (mut h, trader, cross, isolated) = setup().await;
    // At 60,000 the long is up $2,000, but IM is now $1,200 against $1,000 of collateral.
    h.set_price(0, 60_000).await;
    let pairs = h.position_pairs(&isolated, None).await;
    let ix = builders::remove_margin(&trader.key(), &isolated, &cross, 1, &pairs);
    assert_error(
        send(&mut h, &trader, ix).await,
        RingfenceError::InsufficientFreeCollateral,
    );
}

#[tokio::test]
async fn margin_moves_need_an_isolated_side_two_accounts_and_one_owner() {
    let (mut h, trader, cross, isolated) = setup().await;
    let owner = trader.key();
    let second_cross = h.create_sub_account(&trader, SubAccountMode::Cross).await;
    let pairs = h.position_pairs(&isolated, None).await;
    let cases = [
        (
            "add into cross",
            builders::add_margin(&owner, &cross, &second_cross, USD, &[]),
            RingfenceError::NotIsolated,
        ),
        (
            "remove from cross",
            builders::remove_margin(&owner, &cross, &isolated, USD, &[]),
            RingfenceError::NotIsolated,
        ),
        (
            "same account twice",
            builders::remove_margin(&owner, &isolated, &isolated, USD, &pairs),
            RingfenceError::SameSubAccount,
        ),
        (
            "zero",
            builders::add_margin(&owner, &cross, &isolated, 0, &[]),
            RingfenceError::ZeroAmount,
        ),
    ];
    let watched = [cross, isolated, second_cross];
    let before = h.snapshot(&watched).await;
    for (case, ix, error) in cases {
        assert_eq!(
            send(&mut h, &trader, ix).await,
            Err(ringfence_tests::program_error(error)),
            "{case}"
        );
    }
    assert_eq!(h.snapshot(&watched).await, before);

    let (stranger, stranger_cross) = h.trader(100).await;
    h.deposit(&stranger, &stranger_cross, 100 * USD)
        .await
        .unwrap();
    let ix = builders::add_margin(&stranger.key(), &stranger_cross, &isolated, USD, &[]);
    assert_error(send(&mut h, &stranger, ix).await, RingfenceError::NotOwner);
}
