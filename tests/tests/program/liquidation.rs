//! Liquidation, bankruptcy, insurance and triggers. Every expected number is worked out in the
//! comments from the design's formulas: liquidation closes at the mark, the penalty is 0.25% of
//! the closed notional split 50/50 between the liquidator and the insurance fund, and the
//! liquidation-end target is MM + (IM − MM) / 2.

use ringfence::error::RingfenceError;
use ringfence::instructions::Side;
use ringfence::math::liquidation::liquidation_target;
use ringfence::state::SubAccountMode;
use ringfence_tests::params::{btc_params, eth_params, BASE_UNIT, USD};
use ringfence_tests::trading::frictionless;
use ringfence_tests::{assert_error, builders, Harness, Wallet};
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Signer;

const BTC: u16 = 0;
const ETH: u16 = 1;
const ALL: u64 = u64::MAX;

/// Frictionless BTC ($50,000) and ETH ($2,500) markets, a $1M pool, and a liquidator wallet.
async fn exchange() -> (Harness, Wallet) {
    let mut h = Harness::new().await;
    h.stub_market("BTC-PERP", frictionless(btc_params()), 50_000)
        .await;
    h.stub_market("ETH-PERP", frictionless(eth_params()), 2_500)
        .await;
    h.seed_pool(1_000_000).await;
    let liquidator = h.wallet(0).await;
    (h, liquidator)
}

async fn funded(h: &mut Harness, usd: u64) -> (Wallet, Pubkey) {
    let (trader, sub) = h.trader(usd).await;
    h.deposit(&trader, &sub, usd * USD).await.unwrap();
    (trader, sub)
}

fn usd(dollars: f64) -> i64 {
    (dollars * 1_000_000.0).round() as i64
}

#[tokio::test]
async fn isolated_five_thousand_dollar_account_loses_only_the_crashed_position() {
    let (mut h, liquidator) = exchange().await;
    let trader = h.wallet(5_000).await;
    h.create_user(&trader).await;
    let btc_sub = h
        .create_sub_account(&trader, SubAccountMode::Isolated { market_index: BTC })
        .await;
    let eth_sub = h
        .create_sub_account(&trader, SubAccountMode::Isolated { market_index: ETH })
        .await;
    h.deposit(&trader, &btc_sub, 1_000 * USD).await.unwrap();
    h.deposit(&trader, &eth_sub, 500 * USD).await.unwrap();
    h.open_at_market(&trader, &btc_sub, BTC, Side::Long, BASE_UNIT as u64 / 5, 10)
        .await
        .unwrap();
    h.open_at_market(&trader, &eth_sub, ETH, Side::Long, BASE_UNIT as u64, 5)
        .await
        .unwrap();
    let (_, bystander) = funded(&mut h, 700).await;

    // BTC −12%: the isolated BTC account's equity is 1,000 − 1,200 = −$200.
    h.set_price(BTC, 44_000).await;
    let untouched = [eth_sub, bystander, trader.token, builders::market_pda(ETH)];
    let before = h.snapshot(&untouched).await;
    let pool_before = h.pool().await.balance;
    h.liquidate(&liquidator, &btc_sub, BTC, ALL).await.unwrap();

    // The whole BTC position is closed (−$1,200 to the pool); nothing is left to pay a penalty,
    // and the $200 deficit is absorbed by the pool (the insurance fund is empty).
    let (header, positions) = h.try_sub_account(&btc_sub).await.unwrap();
    assert_eq!((header.collateral, header.has_positions), (0, 0));
    assert!(positions.iter().all(|p| !p.is_open()));
    assert_eq!(h.pool().await.balance, pool_before + 1_000 * USD);
    assert_eq!(h.token_balance(&liquidator.token).await, 0);
    // ETH sub-account, the free $3,500 and everyone else: byte for byte unchanged.
    assert_eq!(h.snapshot(&untouched).await, before);
    assert_eq!(h.token_balance(&trader.token).await, 3_500 * USD);
    // Total: $3,500 free + $500 of ETH equity = $4,000.
    assert_eq!(
        h.health(&eth_sub).await.equity,
        fixed::types::I80F48::from_num(500 * USD)
    );
}

#[tokio::test]
async fn cross_absorbs_twelve_percent_and_a_deeper_fall_liquidates_both_positions() {
    let (mut h, liquidator) = exchange().await;
    h.fund_insurance(300).await;
    let (trader, sub) = h.trader(5_000).await;
    h.deposit(&trader, &sub, 1_500 * USD).await.unwrap();
    h.open_at_market(&trader, &sub, BTC, Side::Long, BASE_UNIT as u64 / 5, 10)
        .await
        .unwrap();
    h.open_at_market(&trader, &sub, ETH, Side::Long, BASE_UNIT as u64, 5)
        .await
        .unwrap();

    // −12%: equity $300 ≥ MM $69.
    h.set_price(BTC, 44_000).await;
    assert_error(
        h.liquidate(&liquidator, &sub, BTC, ALL).await,
        RingfenceError::NotLiquidatable,
    );

    // −20%: equity 1,500 − 2,000 = −$500. BTC goes whole (realized −$2,000, collateral −$500),
    // then ETH (realized $0). A bankrupt account pays no penalty; each call pays the liquidator
    // the $1 bounty (the market's keeper fee, below 0.25% of the notional closed) out of the
    // insurance fund, leaving $298 of it for the $500 deficit and $202 to the pool.
    h.set_price(BTC, 40_000).await;
    let pool_before = h.pool().await.balance;
    h.liquidate(&liquidator, &sub, BTC, ALL).await.unwrap();
    let header = h.sub_account(&sub).await;
    assert_eq!(
        (header.collateral, header.being_liquidated),
        (-500 * USD as i64, 1)
    );
    h.liquidate(&liquidator, &sub, ETH, ALL).await.unwrap();
    let header = h.sub_account(&sub).await;
    assert_eq!(
        (
            header.collateral,
            header.has_positions,
            header.being_liquidated
        ),
        (0, 0, 0)
    );
    assert_eq!(h.exchange().await.insurance_fund, 0);
    assert_eq!(
        h.pool().await.balance,
        pool_before + 2_000 * USD - 202 * USD
    );
    assert_eq!(h.token_balance(&liquidator.token).await, 2 * USD);
    assert_eq!(h.token_balance(&trader.token).await, 3_500 * USD);
}

#[tokio::test]
async fn the_profitable_short_is_liquidated_after_the_wick() {
    let (mut h, liquidator) = exchange().await;
    let (trader, sub) = funded(&mut h, 500).await;
    // $500: ETH long 3.2 at 2,500 ($8,000, 20x, IM $400); BTC short 0.08 at 50,000 ($4,000,
    // 40x, IM $100).
    h.open_at_market(&trader, &sub, ETH, Side::Long, 3_200_000_000, 20)
        .await
        .unwrap();
    h.open_at_market(&trader, &sub, BTC, Side::Short, 80_000_000, 40)
        .await
        .unwrap();
    // ETH at −$120 (2,462.50), BTC short at +$40 (49,500): equity $420 ≥ MM $98.60.
    h.set_price_micros(ETH, 2_462_500_000).await;
    h.set_price(BTC, 49_500).await;
    assert_error(
        h.liquidate(&liquidator, &sub, BTC, ALL).await,
        RingfenceError::NotLiquidatable,
    );

    // ETH wicks to −$480 (2,350): equity $60 < MM 75.20 + 19.80 = $95. The account is
    // liquidated as one, largest maintenance first: the profitable BTC short may not be taken
    // before the ETH long, and the refusal changes nothing.
    h.set_price(ETH, 2_350).await;
    let before = h.snapshot(&[sub]).await;
    assert_error(
        h.liquidate(&liquidator, &sub, BTC, ALL).await,
        RingfenceError::NotLargestMaintenance,
    );
    assert_eq!(h.snapshot(&[sub]).await, before);

    // ETH: IM 376, MM 75.20, penalty 0.25% × 7,520 = $18.80, so its relief (376 + 75.20) / 2 −
    // 18.80 = $206.80 is short of the gap to the target ((475 + 95) / 2 − 60 = $225): it goes
    // whole. Collateral 500 − 480 − 18.80 = $1.20 ($9.40 each to the liquidator and insurance).
    h.liquidate(&liquidator, &sub, ETH, ALL).await.unwrap();
    let (header, positions) = h.try_sub_account(&sub).await.unwrap();
    assert!(!positions
        .iter()
        .any(|p| p.is_open() && p.market_index == ETH));
    assert_eq!(header.collateral, usd(1.20));
    assert_eq!(h.token_balance(&liquidator.token).await, 9_400_000);
    assert_eq!(h.exchange().await.insurance_fund, 9_400_000);
    assert_eq!(
        header.being_liquidated, 1,
        "equity 1.20 + 40 = $41.20 is short of the BTC target (99 + 19.80) / 2 = $59.40"
    );

    // So the profitable BTC short is liquidated too, partly: relief 59.40 − 9.90 = $49.50
    // against a $18.20 gap closes 36.77% of it, about 0.0294 BTC, leaving about 0.0506 BTC.
    h.liquidate(&liquidator, &sub, BTC, ALL).await.unwrap();
    let (header, positions) = h.try_sub_account(&sub).await.unwrap();
    let btc = positions.iter().find(|p| p.is_open()).expect("BTC left");
    assert!(
        (-51_000_000..=-50_500_000).contains(&btc.base),
        "{}",
        btc.base
    );
    assert_eq!(header.being_liquidated, 0);
    let health = h.health(&sub).await;
    assert!(health.equity >= liquidation_target(&health).unwrap());
}

#[tokio::test]
async fn liquidation_starts_one_native_unit_below_maintenance() {
    let (mut h, liquidator) = exchange().await;
    // Long 0.2 BTC at 50,000; at 45,000 MM = $45 and equity = collateral − $1,000.
    let (_, at_mm) = {
        let (trader, sub) = funded(&mut h, 1_045).await;
        h.open_at_market(&trader, &sub, BTC, Side::Long, BASE_UNIT as u64 / 5, 10)
            .await
            .unwrap();
        (trader, sub)
    };
    let (trader, below) = h.trader(1_045).await;
    h.deposit(&trader, &below, 1_045 * USD - 1).await.unwrap();
    h.open_at_market(&trader, &below, BTC, Side::Long, BASE_UNIT as u64 / 5, 10)
        .await
        .unwrap();
    h.set_price(BTC, 45_000).await;

    let before = h.snapshot(&[at_mm]).await;
    assert_error(
        h.liquidate(&liquidator, &at_mm, BTC, ALL).await,
        RingfenceError::NotLiquidatable,
    );
    assert_eq!(h.snapshot(&[at_mm]).await, before);
    h.liquidate(&liquidator, &below, BTC, ALL).await.unwrap();
}

#[tokio::test]
async fn partial_then_complete_honouring_max_base_and_improving_each_time() {
    let (mut h, liquidator) = exchange().await;
    let (_, sub) = {
        let (trader, sub) = funded(&mut h, 1_000).await;
        h.open_at_market(&trader, &sub, BTC, Side::Long, BASE_UNIT as u64 / 5, 10)
            .await
            .unwrap();
        (trader, sub)
    };
    // At 45,200: equity $40 < MM $45.20.
    h.set_price(BTC, 45_200).await;
    let ratio_before = h.health(&sub).await.margin_ratio().unwrap().unwrap();

    // Capped at 0.1 BTC: realized 0.1 × −4,800 = −$480, penalty 0.1 × 45,200 × 0.25% = $11.30.
    h.liquidate(&liquidator, &sub, BTC, BASE_UNIT as u64 / 10)
        .await
        .unwrap();
    let (header, positions) = h.try_sub_account(&sub).await.unwrap();
    assert_eq!(positions[0].base, BASE_UNIT / 10);
    assert_eq!(header.collateral, usd(1_000.0 - 480.0 - 11.30));
    assert_eq!(h.token_balance(&liquidator.token).await, 5_650_000);
    assert_eq!(
        header.being_liquidated, 1,
        "equity $28.70 is short of the $237.30 target"
    );
    let health = h.health(&sub).await;
    assert!(!health.below_maintenance(), "equity $28.70 ≥ MM $22.60");
    assert!(health.margin_ratio().unwrap().unwrap() > ratio_before);

    // The flag keeps it liquidatable until the target; the next call reaches it.
    h.liquidate(&liquidator, &sub, BTC, ALL).await.unwrap();
    let header = h.sub_account(&sub).await;
    let health = h.health(&sub).await;
    assert_eq!(header.being_liquidated, 0);
    assert!(health.equity >= liquidation_target(&health).unwrap());
    assert_error(
        h.liquidate(&liquidator, &sub, BTC, ALL).await,
        RingfenceError::NotLiquidatable,
    );
}

#[tokio::test]
async fn a_gap_move_bankruptcy_is_paid_by_insurance_then_the_pool() {
    let (mut h, liquidator) = exchange().await;
    h.fund_insurance(150).await;
    let trader = h.wallet(1_000).await;
    h.create_user(&trader).await;
    let sub = h
        .create_sub_account(&trader, SubAccountMode::Isolated { market_index: BTC })
        .await;
    h.deposit(&trader, &sub, 1_000 * USD).await.unwrap();
    h.open_at_market(&trader, &sub, BTC, Side::Long, BASE_UNIT as u64 / 5, 10)
        .await
        .unwrap();
    let pool_before = h.pool().await.balance;

    // 50,000 → 40,000 in one print: realized −$2,000 on $1,000 of collateral. No penalty comes
    // out of negative equity; the liquidator's $1 bounty comes out of insurance first.
    h.set_price(BTC, 40_000).await;
    h.liquidate(&liquidator, &sub, BTC, ALL).await.unwrap();
    assert_eq!(h.sub_account(&sub).await.collateral, 0);
    assert_eq!(h.token_balance(&liquidator.token).await, USD);
    assert_eq!(
        h.exchange().await.insurance_fund,
        0,
        "insurance paid $1 + $149"
    );
    // The pool received $2,000 and absorbed the other $851 of the $1,000 deficit.
    assert_eq!(
        h.pool().await.balance,
        pool_before + 2_000 * USD - 851 * USD
    );
}

#[tokio::test]
async fn insurance_surplus_can_be_withdrawn_only_down_to_its_floor() {
    let (mut h, _) = exchange().await;
    h.fund_insurance(60_000).await;
    let admin = h.admin.insecure_clone();
    // Only to the treasury fixed at creation. Floor: 5% of the $1M pool = $50,000.
    let destination = h.treasury;
    let ix = builders::withdraw_insurance(&admin.pubkey(), &destination, 10_000 * USD + 1);
    assert_error(
        h.process(&[ix], &[&admin]).await,
        RingfenceError::InsuranceBelowFloor,
    );
    let ix = builders::withdraw_insurance(&admin.pubkey(), &destination, 10_000 * USD);
    h.process(&[ix], &[&admin]).await.unwrap();
    assert_eq!(h.token_balance(&destination).await, 10_000 * USD);
    assert_eq!(h.exchange().await.insurance_fund, 50_000 * USD);

    let stranger = h.wallet(0).await;
    let ix = builders::withdraw_insurance(&stranger.key(), &stranger.token, 1);
    assert_error(
        h.process(&[ix], &[&stranger.keypair]).await,
        RingfenceError::NotAdmin,
    );
}

#[tokio::test]
async fn triggers_fire_only_across_their_price_and_only_once() {
    let (mut h, keeper) = exchange().await;
    let (trader, sub) = funded(&mut h, 2_000).await;
    h.open_at_market(&trader, &sub, BTC, Side::Long, BASE_UNIT as u64 / 5, 10)
        .await
        .unwrap();
    let ix = builders::set_triggers(
        &trader.key(),
        &sub,
        BTC,
        &builders::stub_oracle_pda(BTC),
        48_000 * USD,
        55_000 * USD,
    );
    h.process(&[ix], &[&trader.keypair]).await.unwrap();
    let ix = builders::execute_trigger(
        &keeper.key(),
        &keeper.token,
        &sub,
        BTC,
        &builders::stub_oracle_pda(BTC),
    );

    h.set_price_micros(BTC, 48_000_000_001).await;
    let before = h.snapshot(&[sub]).await;
    assert_error(
        h.process(std::slice::from_ref(&ix), &[&keeper.keypair])
            .await,
        RingfenceError::NotTriggered,
    );
    assert_eq!(h.snapshot(&[sub]).await, before);

    // At the stop: closed at 48,000 (−$400), $1 to the keeper.
    h.set_price(BTC, 48_000).await;
    h.process(std::slice::from_ref(&ix), &[&keeper.keypair])
        .await
        .unwrap();
    let header = h.sub_account(&sub).await;
    assert_eq!(
        (header.collateral, header.has_positions),
        (2_000 * USD as i64 - 400 * USD as i64 - USD as i64, 0)
    );
    assert_eq!(h.token_balance(&keeper.token).await, USD);
    assert_error(
        h.process(&[ix], &[&keeper.keypair]).await,
        RingfenceError::NoPosition,
    );
}

#[tokio::test]
async fn a_short_takes_profit_below_and_stops_above() {
    let (mut h, keeper) = exchange().await;
    let (trader, sub) = funded(&mut h, 2_000).await;
    h.open_at_market(&trader, &sub, BTC, Side::Short, BASE_UNIT as u64 / 5, 10)
        .await
        .unwrap();
    let ix = builders::set_triggers(
        &trader.key(),
        &sub,
        BTC,
        &builders::stub_oracle_pda(BTC),
        52_000 * USD,
        45_000 * USD,
    );
    h.process(&[ix], &[&trader.keypair]).await.unwrap();
    let ix = builders::execute_trigger(
        &keeper.key(),
        &keeper.token,
        &sub,
        BTC,
        &builders::stub_oracle_pda(BTC),
    );
    for price in [51_999, 45_001] {
        h.set_price(BTC, price).await;
        assert_error(
            h.process(std::slice::from_ref(&ix), &[&keeper.keypair])
                .await,
            RingfenceError::NotTriggered,
        );
    }
    h.set_price(BTC, 45_000).await;
    h.process(&[ix], &[&keeper.keypair]).await.unwrap();
    // +$1,000 realized, $1 keeper fee.
    assert_eq!(h.sub_account(&sub).await.collateral, 2_999 * USD as i64);
}

#[tokio::test]
async fn adversarial_liquidations_get_named_errors_and_move_nothing() {
    let (mut h, liquidator) = exchange().await;
    let (victim, sub) = funded(&mut h, 1_000).await;
    h.open_at_market(&victim, &sub, BTC, Side::Long, BASE_UNIT as u64 / 5, 10)
        .await
        .unwrap();
    let watched = [
        sub,
        liquidator.token,
        victim.token,
        builders::vault_pda(),
        builders::pool_pda(),
        builders::exchange_pda(),
    ];

    // Healthy.
    let before = h.snapshot(&watched).await;
    assert_error(
        h.liquidate(&liquidator, &sub, BTC, ALL).await,
        RingfenceError::NotLiquidatable,
    );
    assert_eq!(h.snapshot(&watched).await, before);
    h.set_price(BTC, 45_100).await;
    let before_attacks = h.snapshot(&watched).await;

    let mint = h.mint;
    let other_mint = h.create_mint(6).await;
    let foreign_mint_token = h.token_account(&liquidator.key(), &other_mint).await;
    let fake_vault = h.token_account(&liquidator.key(), &mint).await;
    let oracle = builders::stub_oracle_pda(BTC);
    let base = |token: &Pubkey| {
        builders::liquidate(&liquidator.key(), token, &sub, BTC, &oracle, ALL, &[])
    };
    let mut eth_oracle = base(&liquidator.token);
    eth_oracle.accounts[7].pubkey = builders::stub_oracle_pda(ETH);
    let mut eth_market = base(&liquidator.token);
    eth_market.accounts[6].pubkey = builders::market_pda(ETH);
    eth_market.accounts[7].pubkey = builders::stub_oracle_pda(ETH);
    let mut vault = base(&liquidator.token);
    vault.accounts[4].pubkey = fake_vault;
    let cases = [
        (
            "another market's oracle",
            eth_oracle,
            RingfenceError::OracleAccountMismatch,
        ),
        (
            "a market without the position",
            eth_market,
            RingfenceError::NoPosition,
        ),
        ("a substituted vault", vault, RingfenceError::InvalidVault),
        (
            "reward to another mint",
            base(&foreign_mint_token),
            RingfenceError::WrongMint,
        ),
        (
            "reward to someone else's account",
            base(&victim.token),
            RingfenceError::TokenAccountNotOwned,
        ),
    ];
    for (case, ix, error) in cases {
        let result = h.process(&[ix], &[&liquidator.keypair]).await;
        assert_eq!(result, Err(ringfence_tests::program_error(error)), "{case}");
        assert_eq!(h.snapshot(&watched).await, before_attacks, "{case}");
    }
    h.liquidate(&liquidator, &sub, BTC, ALL).await.unwrap();
}

#[tokio::test]
async fn a_rescued_account_is_released_from_liquidation() {
    let (mut h, liquidator) = exchange().await;
    let (trader, sub) = funded(&mut h, 2_000).await;
    h.withdraw(&trader, &sub, 1_000 * USD).await.unwrap();
    h.open_at_market(&trader, &sub, BTC, Side::Long, BASE_UNIT as u64 / 5, 10)
        .await
        .unwrap();
    h.set_price(BTC, 45_200).await;
    h.liquidate(&liquidator, &sub, BTC, BASE_UNIT as u64 / 10)
        .await
        .unwrap();
    assert_eq!(h.sub_account(&sub).await.being_liquidated, 1);

    // The owner may still reduce risk while flagged.
    h.close_at_market(&trader, &sub, BTC, Some(BASE_UNIT as u64 / 100))
        .await
        .unwrap();
    // A deposit lifts equity past the target: liquidators must stop...
    h.deposit(&trader, &sub, 1_000 * USD).await.unwrap();
    assert_error(
        h.liquidate(&liquidator, &sub, BTC, ALL).await,
        RingfenceError::NotLiquidatable,
    );
    // ...and the owner's next action that passes initial margin releases the flag.
    let pairs = h.position_pairs(&sub, None).await;
    let ix = builders::withdraw(&trader.key(), &sub, &trader.token, USD, &pairs);
    h.process(&[ix], &[&trader.keypair]).await.unwrap();
    assert_eq!(h.sub_account(&sub).await.being_liquidated, 0);
}
