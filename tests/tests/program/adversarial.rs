//! Attacks, one per test (names contain `adversarial`): each asserts the exact error and that
//! nothing moved. Other suites hold more (see docs/SECURITY.md).

use anchor_lang::error::ErrorCode as AnchorError;
use ringfence::error::RingfenceError;
use ringfence::instructions::Side;
use ringfence::state::Position;
use ringfence_tests::params::{btc_params, eth_params, BASE_UNIT, USD};
use ringfence_tests::pyth::{receiver_program, PythPrice};
use ringfence_tests::trading::frictionless;
use ringfence_tests::{anchor_error, assert_error, builders, program_error, Harness, Wallet};
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Signer;

async fn trader_with(h: &mut Harness, usd: u64) -> (Wallet, Pubkey) {
    let (trader, sub) = h.trader(usd).await;
    h.deposit(&trader, &sub, usd * USD).await.unwrap();
    (trader, sub)
}

#[tokio::test]
async fn adversarial_a_market_cannot_pose_as_a_sub_account() {
    let mut h = Harness::new().await;
    h.stub_market("BTC-PERP", btc_params(), 50_000).await;
    let (trader, _) = trader_with(&mut h, 10).await;
    let ix = builders::deposit(&trader.key(), &builders::market_pda(0), &trader.token, USD);
    let result = h.process(&[ix], &[&trader.keypair]).await;
    assert_eq!(
        result,
        Err(anchor_error(AnchorError::AccountDiscriminatorMismatch))
    );
    assert_eq!(h.token_balance(&trader.token).await, 0);
}

#[tokio::test]
async fn adversarial_a_sub_account_cannot_pose_as_a_market_in_a_margin_check() {
    let mut h = Harness::new().await;
    let btc = h.stub_market("BTC-PERP", btc_params(), 50_000).await;
    let (trader, sub) = trader_with(&mut h, 1_000).await;
    let position = Position {
        base: BASE_UNIT / 100,
        quote_entry: -500 * USD as i64,
        market_index: btc,
        leverage: 10,
        ..Position::default()
    };
    h.inject_position(&sub, 0, position).await;
    let ix = builders::withdraw(
        &trader.key(),
        &sub,
        &trader.token,
        USD,
        &[sub, builders::stub_oracle_pda(btc)],
    );
    assert_error(
        h.process(&[ix], &[&trader.keypair]).await,
        RingfenceError::InvalidMarketAccount,
    );
}

#[tokio::test]
async fn adversarial_a_copy_of_a_sub_account_owned_by_another_program_is_refused() {
    let mut h = Harness::new().await;
    let (trader, sub) = trader_with(&mut h, 100).await;
    let mut copy = h.account(&sub).await.unwrap();
    copy.owner = Pubkey::new_unique();
    let fake = Pubkey::new_unique();
    h.set_account(&fake, copy);
    let ix = builders::withdraw(&trader.key(), &fake, &trader.token, USD, &[]);
    let result = h.process(&[ix], &[&trader.keypair]).await;
    assert_eq!(
        result,
        Err(anchor_error(AnchorError::AccountOwnedByWrongProgram))
    );
    assert_eq!(h.token_balance(&trader.token).await, 0);
}

#[tokio::test]
async fn adversarial_a_copy_of_the_exchange_at_a_non_canonical_pda_is_refused() {
    let mut h = Harness::new().await;
    let (trader, sub) = h.trader(100).await;
    // The same seeds with a smaller, non-canonical bump give another valid program address;
    // a byte-for-byte copy of the exchange placed there must not pass for the exchange.
    let canonical = builders::exchange_pda();
    let seed = ringfence::state::EXCHANGE_SEED;
    let (_, bump) = Pubkey::find_program_address(&[seed], &ringfence::ID);
    let fake = (0..bump)
        .rev()
        .find_map(|b| Pubkey::create_program_address(&[seed, &[b]], &ringfence::ID).ok())
        .expect("a non-canonical bump exists");
    let copy = h.account(&canonical).await.unwrap();
    h.set_account(&fake, copy);
    let mut ix = builders::deposit(&trader.key(), &sub, &trader.token, USD);
    for meta in ix.accounts.iter_mut().filter(|m| m.pubkey == canonical) {
        meta.pubkey = fake;
    }
    let before = h.snapshot(&[sub, trader.token]).await;
    let result = h.process(&[ix], &[&trader.keypair]).await;
    assert_eq!(result, Err(anchor_error(AnchorError::ConstraintSeeds)));
    assert_eq!(h.snapshot(&[sub, trader.token]).await, before);
}

#[tokio::test]
async fn adversarial_a_closed_sub_account_cannot_be_used_or_recreated() {
    let mut h = Harness::new().await;
    let (trader, sub) = h.trader(10).await;
    h.process(
        &[builders::close_sub_account(&trader.key(), &sub)],
        &[&trader.keypair],
    )
    .await
    .unwrap();
    // Gone (or re-funded by someone, it would be the system program's): not a sub-account.
    let ix = builders::deposit(&trader.key(), &sub, &trader.token, USD);
    let result = h.process(&[ix], &[&trader.keypair]).await;
    assert_eq!(
        result,
        Err(anchor_error(AnchorError::AccountOwnedByWrongProgram))
    );
    let result = h
        .try_create_sub_account(&trader, 0, ringfence::state::SubAccountMode::Cross)
        .await;
    assert_eq!(result, Err(program_error(RingfenceError::SubAccountIdUsed)));
    assert_eq!(h.token_balance(&trader.token).await, 10 * USD);
}

#[tokio::test]
async fn adversarial_prices_at_the_edges_of_i80f48_are_named_errors_not_panics() {
    let mut h = Harness::new().await;
    let btc = h.stub_market("BTC-PERP", btc_params(), 50_000).await;
    let (trader, sub) = trader_with(&mut h, 1_000).await;
    let position = Position {
        base: BASE_UNIT,
        quote_entry: -50_000 * USD as i64,
        market_index: btc,
        leverage: 10,
        ..Position::default()
    };
    h.inject_position(&sub, 0, position).await;
    let pairs = [builders::market_pda(btc), builders::stub_oracle_pda(btc)];
    let admin = h.admin.insecure_clone();
    // i64::MAX × 10^18 does not fit I80F48; i64::MAX × 10^0 fits but its notional overflows.
    for (exponent, error) in [
        (18, RingfenceError::OracleUnrepresentable),
        (0, RingfenceError::MathOverflow),
    ] {
        let ix = builders::set_stub_price(&admin.pubkey(), btc, i64::MAX, 0, exponent);
        h.process(&[ix], &[&admin]).await.unwrap();
        let before = h.snapshot(&[sub, trader.token]).await;
        let ix = builders::withdraw(&trader.key(), &sub, &trader.token, USD, &pairs);
        assert_error(h.process(&[ix], &[&trader.keypair]).await, error);
        assert_eq!(h.snapshot(&[sub, trader.token]).await, before);
    }
}

#[tokio::test]
async fn adversarial_a_liquidation_larger_than_the_position_closes_only_the_position() {
    let mut h = Harness::new().await;
    h.stub_market("BTC-PERP", frictionless(btc_params()), 50_000)
        .await;
    h.seed_pool(1_000_000).await;
    let (trader, sub) = trader_with(&mut h, 1_000).await;
    h.open_at_market(&trader, &sub, 0, Side::Long, BASE_UNIT as u64 / 5, 10)
        .await
        .unwrap();
    h.set_price(0, 44_000).await;
    let liquidator = h.wallet(0).await;
    h.liquidate(&liquidator, &sub, 0, u64::MAX).await.unwrap();
    let market = h.market(0).await;
    assert_eq!(
        (market.open_interest_long, market.open_interest_short),
        (0, 0)
    );
    assert_eq!(h.sub_account(&sub).await.has_positions, 0);
}

/// Mango, October 2022: a thin oracle was pumped and the inflated unrealized profit borrowed
/// against. Here, within the oracle guards (a stub moves freely), the pumped profit can neither
/// leave nor back more than the IM weight allows, and the pool pays only what it holds.
#[tokio::test]
async fn adversarial_a_threefold_oracle_pump_cannot_be_withdrawn_or_overdrawn() {
    let mut h = Harness::new().await;
    let btc = h
        .stub_market("BTC-PERP", frictionless(btc_params()), 50_000)
        .await;
    let eth = h
        .stub_market("ETH-PERP", frictionless(eth_params()), 2_500)
        .await;
    h.seed_pool(12_000).await;
    let (attacker, sub) = trader_with(&mut h, 1_000).await;
    h.open_at_market(&attacker, &sub, btc, Side::Long, BASE_UNIT as u64 / 5, 10)
        .await
        .unwrap();

    h.set_price(btc, 150_000).await; // +$20,000 unrealized on $1,000
    let watched = [
        sub,
        attacker.token,
        builders::pool_pda(),
        builders::vault_pda(),
    ];
    let before = h.snapshot(&watched).await;
    let pairs = h.position_pairs(&sub, None).await;
    let ix = builders::withdraw(&attacker.key(), &sub, &attacker.token, 1, &pairs);
    assert_error(
        h.process(&[ix], &[&attacker.keypair]).await,
        RingfenceError::InsufficientFreeCollateral,
    );
    assert_eq!(h.snapshot(&watched).await, before);

    // For opening, the profit counts at 50%: 1,000 + 10,000 = $11,000 against BTC's IM of
    // $3,000 leaves $8,000 of IM, i.e. $80,000 of ETH at 10x, but the pool's exposure cap sums
    // over markets: BTC's $10,000 (valued at its last fill) + $2,500 of ETH > the $12,000 pool.
    let result = h
        .open_at_market(&attacker, &sub, eth, Side::Long, BASE_UNIT as u64, 10)
        .await;
    assert_error(result, RingfenceError::PoolExposureExceeded);

    // Closing realizes $20,000 from a pool holding $12,000: the pool pays what it holds and owes
    // the other $8,000 as a claim paid only from later inflows. Nothing is minted: only the
    // $13,000 of collateral can leave.
    h.close_at_market(&attacker, &sub, btc, None).await.unwrap();
    let header = h.sub_account(&sub).await;
    assert_eq!(
        (header.collateral, header.claim),
        (13_000 * USD as i64, 8_000 * USD)
    );
    assert_eq!(h.pool().await.balance, 0);
    assert_error(
        h.withdraw(&attacker, &sub, 13_000 * USD + 1).await,
        RingfenceError::InsufficientFreeCollateral,
    );
    h.withdraw(&attacker, &sub, 13_000 * USD).await.unwrap();
}

/// Beyond the guards: a Pyth price three times its EMA is refused outright.
#[tokio::test]
async fn adversarial_a_pyth_pump_past_the_ema_guard_is_refused() {
    let mut h = Harness::new().await;
    let now = h.clock().await.unix_timestamp;
    let feed = [0xb7; 32];
    let address = Pubkey::new_unique();
    let btc = h
        .pyth_market(
            "BTC-PERP",
            btc_params(),
            address,
            PythPrice::usd(feed, 50_000, now),
        )
        .await;
    let (attacker, sub) = trader_with(&mut h, 1_000).await;
    let position = Position {
        base: BASE_UNIT / 5,
        quote_entry: -10_000 * USD as i64,
        market_index: btc,
        leverage: 10,
        ..Position::default()
    };
    h.inject_position(&sub, 0, position).await;
    let pumped = PythPrice {
        price: 15_000_000_000_000,
        conf: 0,
        ..PythPrice::usd(feed, 50_000, now)
    };
    h.set_account(&address, pumped.to_account(receiver_program()));
    let ix = builders::withdraw(
        &attacker.key(),
        &sub,
        &attacker.token,
        1,
        &[builders::market_pda(btc), address],
    );
    assert_error(
        h.process(&[ix], &[&attacker.keypair]).await,
        RingfenceError::OracleEmaDivergence,
    );
}
