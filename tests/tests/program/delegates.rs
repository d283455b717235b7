//! Delegated trading keys: a sub-account's owner names one key that may open, close and set
//! triggers, and nothing else. Every refusal is asserted with its named error and with nothing
//! moved (the sub-accounts, the wallets and the vault byte for byte).

use ringfence::error::RingfenceError;
use ringfence::instructions::Side;
use ringfence::state::SubAccountMode;
use ringfence_tests::params::{btc_params, BASE_UNIT, USD};
use ringfence_tests::trading::{frictionless, market_order};
use ringfence_tests::{assert_error, builders, Harness, Wallet};
use solana_sdk::pubkey::Pubkey;

const BTC: u16 = 0;

/// A frictionless BTC market, an owner with a funded cross and a funded isolated sub-account, and
/// a delegate named on the cross one.
async fn setup() -> (Harness, Wallet, Pubkey, Pubkey, Wallet) {
    let mut h = Harness::new().await;
    h.stub_market("BTC-PERP", frictionless(btc_params()), 50_000)
        .await;
    h.seed_pool(1_000_000).await;
    let owner = h.wallet(20_000).await;
    h.create_user(&owner).await;
    let cross = h.create_sub_account(&owner, SubAccountMode::Cross).await;
    let isolated = h
        .create_sub_account(&owner, SubAccountMode::Isolated { market_index: BTC })
        .await;
    h.deposit(&owner, &cross, 10_000 * USD).await.unwrap();
    h.deposit(&owner, &isolated, 5_000 * USD).await.unwrap();
    let delegate = h.wallet(1_000).await;
    let ix = builders::set_delegate(&owner.key(), &cross, Some(delegate.key()));
    h.process(&[ix], &[&owner.keypair]).await.unwrap();
    (h, owner, cross, isolated, delegate)
}

#[tokio::test]
async fn a_delegate_opens_sets_triggers_and_closes_for_the_owner() {
    let (mut h, _owner, cross, _, delegate) = setup().await;
    assert_eq!(h.sub_account(&cross).await.delegate, delegate.key());
    let oracle = builders::stub_oracle_pda(BTC);
    let open = builders::open_position(
        &delegate.key(),
        &cross,
        BTC,
        &oracle,
        market_order(Side::Long, BASE_UNIT as u64 / 5, 10),
        &[],
    );
    h.process(&[open], &[&delegate.keypair]).await.unwrap();
    let triggers = builders::set_triggers(&delegate.key(), &cross, BTC, &oracle, 45_000 * USD, 0);
    h.process(&[triggers], &[&delegate.keypair]).await.unwrap();
    let (_, positions) = h.try_sub_account(&cross).await.unwrap();
    assert_eq!(
        (positions[0].base, positions[0].stop_loss),
        (BASE_UNIT / 5, 45_000 * USD)
    );
    // +$500 at 52,500, realized into the owner's collateral; the delegate's wallet is untouched.
    h.set_price(BTC, 52_500).await;
    let close = builders::close_position(&delegate.key(), &cross, BTC, &oracle, None, 0);
    h.process(&[close], &[&delegate.keypair]).await.unwrap();
    assert_eq!(h.sub_account(&cross).await.collateral, 10_500 * USD as i64);
    assert_eq!(h.token_balance(&delegate.token).await, 1_000 * USD);
}

#[tokio::test]
async fn a_delegate_cannot_move_collateral_close_the_account_or_change_the_delegate() {
    let (mut h, owner, cross, isolated, delegate) = setup().await;
    let watched = [
        cross,
        isolated,
        owner.token,
        delegate.token,
        builders::vault_pda(),
    ];
    let before = h.snapshot(&watched).await;
    let d = delegate.key();
    let refused = [
        builders::withdraw(&d, &cross, &delegate.token, USD, &[]),
        builders::deposit(&d, &cross, &delegate.token, USD),
        builders::add_margin(&d, &cross, &isolated, USD, &[]),
        builders::remove_margin(&d, &isolated, &cross, USD, &[]),
        builders::set_delegate(&d, &cross, Some(Pubkey::new_unique())),
        builders::set_delegate(&d, &cross, None),
    ];
    for ix in refused {
        assert_error(
            h.process(&[ix], &[&delegate.keypair]).await,
            RingfenceError::NotOwner,
        );
    }
    // Closing needs the owner's user account: the delegate has none to name.
    let close = builders::close_sub_account(&d, &cross);
    assert!(h.process(&[close], &[&delegate.keypair]).await.is_err());
    // The delegate of one sub-account may not trade the owner's others.
    let oracle = builders::stub_oracle_pda(BTC);
    let open = builders::open_position(
        &d,
        &isolated,
        BTC,
        &oracle,
        market_order(Side::Long, BASE_UNIT as u64 / 5, 10),
        &[],
    );
    assert_error(
        h.process(&[open], &[&delegate.keypair]).await,
        RingfenceError::NotOwnerOrDelegate,
    );
    assert_eq!(h.snapshot(&watched).await, before);
}

#[tokio::test]
async fn a_stranger_or_a_cleared_delegate_cannot_trade() {
    let (mut h, owner, cross, _, delegate) = setup().await;
    let oracle = builders::stub_oracle_pda(BTC);
    let order = market_order(Side::Long, BASE_UNIT as u64 / 5, 10);
    let stranger = h.wallet(0).await;
    let watched = [cross, builders::vault_pda()];
    let before = h.snapshot(&watched).await;
    let open = builders::open_position(&stranger.key(), &cross, BTC, &oracle, order, &[]);
    assert_error(
        h.process(&[open], &[&stranger.keypair]).await,
        RingfenceError::NotOwnerOrDelegate,
    );
    assert_eq!(h.snapshot(&watched).await, before);
    let clear = builders::set_delegate(&owner.key(), &cross, None);
    h.process(&[clear], &[&owner.keypair]).await.unwrap();
    assert_eq!(h.sub_account(&cross).await.delegate, Pubkey::default());
    let open = builders::open_position(&delegate.key(), &cross, BTC, &oracle, order, &[]);
    assert_error(
        h.process(&[open], &[&delegate.keypair]).await,
        RingfenceError::NotOwnerOrDelegate,
    );
    // The owner itself and the zero key are not delegates.
    for named in [Some(owner.key()), Some(Pubkey::default())] {
        let ix = builders::set_delegate(&owner.key(), &cross, named);
        assert_error(
            h.process(&[ix], &[&owner.keypair]).await,
            RingfenceError::InvalidDelegate,
        );
    }
    assert_eq!(h.sub_account(&cross).await.delegate, Pubkey::default());
}

#[tokio::test]
async fn a_delegate_executing_the_owners_trigger_earns_no_keeper_fee() {
    let (mut h, _owner, cross, _, delegate) = setup().await;
    let oracle = builders::stub_oracle_pda(BTC);
    let open = builders::open_position(
        &delegate.key(),
        &cross,
        BTC,
        &oracle,
        market_order(Side::Long, BASE_UNIT as u64 / 5, 10),
        &[],
    );
    h.process(&[open], &[&delegate.keypair]).await.unwrap();
    let stop = builders::set_triggers(&delegate.key(), &cross, BTC, &oracle, 49_000 * USD, 0);
    h.process(&[stop], &[&delegate.keypair]).await.unwrap();
    h.set_price(BTC, 49_000).await;
    let ix = builders::execute_trigger(&delegate.key(), &delegate.token, &cross, BTC, &oracle);
    h.process(&[ix], &[&delegate.keypair]).await.unwrap();
    // Frictionless: the −$200 of 0.2 BTC from $50,000 to $49,000 is all that left; the
    // delegate's wallet kept its $1,000 (no $1 keeper fee for itself).
    assert_eq!(h.sub_account(&cross).await.collateral, 9_800 * USD as i64);
    assert_eq!(h.token_balance(&delegate.token).await, 1_000 * USD);
}
