//! Trading against the pool: fills, fees, realized PnL, leverage, isolated versus cross, and
//! every refusal with its named error. Expected numbers are worked out in the comments.

use fixed::types::I80F48;
use ringfence::error::RingfenceError;
use ringfence::instructions::{OpenPositionArgs, Side};
use ringfence::state::{MarketParams, MarketStatus, SubAccountMode};
use ringfence_tests::params::{btc_params, eth_params, BASE_UNIT, USD};
use ringfence_tests::trading::{frictionless, market_order};
use ringfence_tests::{assert_error, builders, Harness, Wallet};
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Signer;

const BTC_ATOMS_PER_DOLLAR_AT_50K: u64 = 20_000; // 1e9 atoms / 50,000

fn usd(dollars: i64) -> I80F48 {
    I80F48::from_num(dollars * USD as i64)
}

/// The margin ratio (a display value, rounded toward zero) to within 10⁻¹².
#[track_caller]
fn assert_ratio(health: &ringfence::math::margin::Health, expected: &str) {
    let expected: I80F48 = expected.parse().unwrap();
    let ratio = health.margin_ratio().unwrap().unwrap();
    assert!(
        (ratio - expected).abs() < "0.000000000001".parse::<I80F48>().unwrap(),
        "{ratio}"
    );
}

/// A frictionless BTC market at $50,000 and a pool holding $1M.
async fn btc_exchange() -> (Harness, u16) {
    let mut h = Harness::new().await;
    let btc = h
        .stub_market("BTC-PERP", frictionless(btc_params()), 50_000)
        .await;
    h.seed_pool(1_000_000).await;
    (h, btc)
}

/// A trader with a cross sub-account holding `collateral` dollars.
async fn funded(h: &mut Harness, collateral: u64) -> (Wallet, Pubkey) {
    let (trader, sub_account) = h.trader(collateral).await;
    h.deposit(&trader, &sub_account, collateral * USD)
        .await
        .unwrap();
    (trader, sub_account)
}

#[tokio::test]
async fn ten_x_on_a_hundred_dollars_controls_a_thousand_and_a_one_percent_move_costs_ten_percent() {
    let (mut h, btc) = btc_exchange().await;
    let (trader, sub_account) = funded(&mut h, 100).await;
    let pool_before = h.pool().await.balance;

    // $1,000 of BTC at $50,000 = 0.02 BTC; IM at 10x = $100, exactly the collateral.
    let base = 1_000 * BTC_ATOMS_PER_DOLLAR_AT_50K;
    h.open_at_market(&trader, &sub_account, btc, Side::Long, base, 10)
        .await
        .unwrap();
    let health = h.health(&sub_account).await;
    assert_eq!(health.notional, usd(1_000));
    assert_eq!(health.initial_requirement, usd(100));

    h.set_price(btc, 49_500).await;
    assert_eq!(
        h.health(&sub_account).await.equity,
        usd(90),
        "a 1% move costs $10 of $100"
    );
    h.close_at_market(&trader, &sub_account, btc, None)
        .await
        .unwrap();
    assert_eq!(
        h.sub_account(&sub_account).await.collateral,
        90 * USD as i64
    );
    assert_eq!(
        h.pool().await.balance,
        pool_before + 10 * USD,
        "the pool took the other side"
    );
    assert_eq!(h.sub_account(&sub_account).await.has_positions, 0);
}

#[tokio::test]
async fn the_bankruptcy_move_is_one_over_leverage() {
    let (mut h, btc) = btc_exchange().await;
    for (leverage, bankrupt_at) in [
        (2u16, 25_000),
        (5, 40_000),
        (10, 45_000),
        (25, 48_000),
        (40, 48_750),
    ] {
        h.set_price(btc, 50_000).await;
        // 0.2 BTC = $10,000 of notional on exactly its initial margin.
        let margin = 10_000 / leverage as u64;
        let (trader, sub_account) = funded(&mut h, margin).await;
        let base = (BASE_UNIT / 5) as u64;
        h.open_at_market(&trader, &sub_account, btc, Side::Long, base, leverage)
            .await
            .unwrap();
        h.set_price(btc, bankrupt_at).await;
        assert_eq!(
            h.health(&sub_account).await.equity,
            I80F48::ZERO,
            "{leverage}x"
        );
        h.close_at_market(&trader, &sub_account, btc, None)
            .await
            .unwrap();
        assert_eq!(
            h.sub_account(&sub_account).await.collateral,
            0,
            "{leverage}x"
        );
    }
}

#[tokio::test]
async fn opening_needs_initial_margin_after_the_fill() {
    let (mut h, btc) = btc_exchange().await;
    let (trader, sub_account) = funded(&mut h, 100).await;
    let watched = [sub_account, builders::market_pda(btc), builders::pool_pda()];
    let before = h.snapshot(&watched).await;
    // $1,000.00002 of notional at 10x needs a hair more than $100.
    let base = 1_000 * BTC_ATOMS_PER_DOLLAR_AT_50K + 1;
    let result = h
        .open_at_market(&trader, &sub_account, btc, Side::Long, base, 10)
        .await;
    assert_error(result, RingfenceError::InsufficientInitialMargin);
    assert_eq!(h.snapshot(&watched).await, before);
}

#[tokio::test]
async fn the_seed_position_is_liquidatable_at_45_226_13_and_not_one_cent_above() {
    let (mut h, btc) = btc_exchange().await;
    let (trader, sub_account) = funded(&mut h, 1_000).await;
    h.open_at_market(
        &trader,
        &sub_account,
        btc,
        Side::Long,
        (BASE_UNIT / 5) as u64,
        10,
    )
    .await
    .unwrap();
    // 1,000 + 0.2 (P − 50,000) = 0.005 × 0.2 P  ⇒  P = 9,000 / 0.199 = 45,226.1306...
    h.set_price_micros(btc, 45_226_140_000).await;
    assert!(!h.health(&sub_account).await.below_maintenance());
    h.set_price_micros(btc, 45_226_130_000).await;
    assert!(h.health(&sub_account).await.below_maintenance());
}

#[tokio::test]
async fn fees_and_the_skew_premium_are_charged_as_configured() {
    let mut h = Harness::new().await;
    let btc = h.stub_market("BTC-PERP", btc_params(), 50_000).await;
    h.seed_pool(1_000_000).await;
    let (trader, sub_account) = funded(&mut h, 2_000).await;
    let pool_before = h.pool().await.balance;

    // Skew $0 → $10,000: average $5,000 on a $10M scale = 5 bps (under the 10 bps cap), so the
    // fill is 50,000 × 1.0005 = 50,025 and 0.2 BTC costs $10,005. 0.0005 is no binary fraction:
    // the premium and the price are rounded up against the buyer, so the entry costs one native
    // unit more ($10,005.000001) and the 5 bps fee on it, $5.0025000005, rounds up to $5.002501,
    // of which 20% ($1.0005, rounded down) to the protocol and $4.002001 to the pool.
    h.open_at_market(
        &trader,
        &sub_account,
        btc,
        Side::Long,
        (BASE_UNIT / 5) as u64,
        10,
    )
    .await
    .unwrap();
    let (header, positions) = h.try_sub_account(&sub_account).await.unwrap();
    assert_eq!(positions[0].quote_entry, -10_005 * USD as i64 - 1);
    assert_eq!(header.collateral, 2_000 * USD as i64 - 5_002_501);
    assert_eq!(h.exchange().await.protocol_fees, 1_000_500);
    assert_eq!(h.pool().await.balance, pool_before + 4_002_001);

    // A limit below the fill is refused.
    let order = OpenPositionArgs {
        limit_price: 50_000 * USD,
        ..market_order(Side::Long, 1_000, 10)
    };
    let result = h.open(&trader, &sub_account, btc, order).await;
    assert_error(result, RingfenceError::SlippageExceeded);
}

#[tokio::test]
async fn partial_closes_release_entry_quote_in_proportion_and_realize_pnl() {
    let (mut h, btc) = btc_exchange().await;
    let (trader, sub_account) = funded(&mut h, 1_000).await;
    h.open_at_market(
        &trader,
        &sub_account,
        btc,
        Side::Short,
        (BASE_UNIT / 5) as u64,
        10,
    )
    .await
    .unwrap();
    h.set_price(btc, 48_000).await;
    // Closing a quarter (0.05 BTC) of a short from 50,000 at 48,000 realizes +$100.
    h.close_at_market(&trader, &sub_account, btc, Some((BASE_UNIT / 20) as u64))
        .await
        .unwrap();
    let (header, positions) = h.try_sub_account(&sub_account).await.unwrap();
    assert_eq!(header.collateral, 1_100 * USD as i64);
    assert_eq!(positions[0].base, -3 * BASE_UNIT / 20);
    assert_eq!(positions[0].quote_entry, 7_500 * USD as i64);
    let market = h.market(btc).await;
    assert_eq!(
        (market.open_interest_long, market.open_interest_short),
        (0, 3 * BASE_UNIT as u64 / 20)
    );
    assert_eq!(market.quote_entry_short, 7_500 * USD as i64);
}

#[tokio::test]
async fn unrealized_profit_counts_for_opening_only_at_the_market_weight() {
    let mut h = Harness::new().await;
    let btc = h
        .stub_market("BTC-PERP", frictionless(btc_params()), 50_000)
        .await;
    let eth = h
        .stub_market("ETH-PERP", frictionless(eth_params()), 2_500)
        .await;
    h.seed_pool(1_000_000).await;
    let (trader, sub_account) = funded(&mut h, 1_000).await;
    h.open_at_market(
        &trader,
        &sub_account,
        btc,
        Side::Long,
        (BASE_UNIT / 5) as u64,
        10,
    )
    .await
    .unwrap();
    h.set_price(btc, 55_000).await;
    // +$1,000 unrealized counts at 50% for opening: 1,000 + 500 = $1,500 against BTC's IM of
    // $1,100 leaves $400 of IM for ETH: $4,000 at 10x = 1.6 ETH, and not one atom more.
    let result = h
        .open_at_market(&trader, &sub_account, eth, Side::Long, 1_600_000_001, 10)
        .await;
    assert_error(result, RingfenceError::InsufficientInitialMargin);
    h.open_at_market(&trader, &sub_account, eth, Side::Long, 1_600_000_000, 10)
        .await
        .unwrap();
    // None of the profit can be withdrawn.
    let pairs = h.position_pairs(&sub_account, None).await;
    let ix = builders::withdraw(&trader.key(), &sub_account, &trader.token, 1, &pairs);
    assert_error(
        h.process(&[ix], &[&trader.keypair]).await,
        RingfenceError::InsufficientFreeCollateral,
    );
}

#[tokio::test]
async fn isolated_and_cross_on_the_five_thousand_dollar_account() {
    let mut h = Harness::new().await;
    let btc = h
        .stub_market("BTC-PERP", frictionless(btc_params()), 50_000)
        .await;
    let eth = h
        .stub_market("ETH-PERP", frictionless(eth_params()), 2_500)
        .await;
    h.seed_pool(1_000_000).await;
    let btc_long = (BASE_UNIT / 5) as u64; // $10,000 at 10x on $1,000
    let eth_long = BASE_UNIT as u64; // $2,500 at 5x on $500

    // Isolated: two ring-fenced sub-accounts; $3,500 stays in the wallet.
    let isolated = h.wallet(5_000).await;
    h.create_user(&isolated).await;
    let btc_sub = h
        .create_sub_account(&isolated, SubAccountMode::Isolated { market_index: btc })
        .await;
    let eth_sub = h
        .create_sub_account(&isolated, SubAccountMode::Isolated { market_index: eth })
        .await;
    h.deposit(&isolated, &btc_sub, 1_000 * USD).await.unwrap();
    h.deposit(&isolated, &eth_sub, 500 * USD).await.unwrap();
    h.open_at_market(&isolated, &btc_sub, btc, Side::Long, btc_long, 10)
        .await
        .unwrap();
    h.open_at_market(&isolated, &eth_sub, eth, Side::Long, eth_long, 5)
        .await
        .unwrap();

    // Cross: the same trades from one balance of $1,500; $3,500 stays in the wallet.
    let (cross, cross_sub) = h.trader(5_000).await;
    h.deposit(&cross, &cross_sub, 1_500 * USD).await.unwrap();
    h.open_at_market(&cross, &cross_sub, btc, Side::Long, btc_long, 10)
        .await
        .unwrap();
    h.open_at_market(&cross, &cross_sub, eth, Side::Long, eth_long, 5)
        .await
        .unwrap();
    let health = h.health(&cross_sub).await;
    assert_eq!((health.equity, health.notional), (usd(1_500), usd(12_500)));
    assert_ratio(&health, "0.12");

    // BTC −12% (44,000): the isolated BTC account is under maintenance (equity 1,000 − 1,200 =
    // −$200 < MM $44); the ETH one is untouched (equity $500, MM $25); the wallet keeps $3,500.
    h.set_price(btc, 44_000).await;
    let btc_health = h.health(&btc_sub).await;
    assert_eq!(
        (btc_health.equity, btc_health.maintenance_requirement),
        (usd(-200), usd(44))
    );
    assert!(btc_health.below_maintenance());
    let eth_health = h.health(&eth_sub).await;
    assert_eq!(
        (eth_health.equity, eth_health.maintenance_requirement),
        (usd(500), usd(25))
    );
    assert_ratio(&eth_health, "0.2");
    assert_eq!(h.token_balance(&isolated.token).await, 3_500 * USD);

    // Cross absorbs it: equity 1,500 − 1,200 = $300 against MM 44 + 25 = $69.
    let health = h.health(&cross_sub).await;
    assert_eq!(
        (health.equity, health.maintenance_requirement),
        (usd(300), usd(69))
    );
    assert!(!health.below_maintenance());

    // BTC −20% (40,000): the shared balance is gone (1,500 − 2,000 = −$500 < $65): both
    // positions are now at risk together.
    h.set_price(btc, 40_000).await;
    let health = h.health(&cross_sub).await;
    assert_eq!(
        (health.equity, health.maintenance_requirement),
        (usd(-500), usd(65))
    );
    assert!(health.below_maintenance());
    assert_eq!(h.token_balance(&cross.token).await, 3_500 * USD);
}

/// A funded cross trader on a fresh BTC exchange, for the refusal cases.
async fn refusal_setup() -> (Harness, u16, Wallet, Pubkey) {
    let (mut h, btc) = btc_exchange().await;
    let (trader, sub_account) = funded(&mut h, 10_000).await;
    (h, btc, trader, sub_account)
}

async fn assert_open_refused(
    h: &mut Harness,
    trader: &Wallet,
    sub_account: &Pubkey,
    index: u16,
    order: OpenPositionArgs,
    error: RingfenceError,
) {
    let watched = [
        *sub_account,
        builders::market_pda(index),
        builders::pool_pda(),
        builders::exchange_pda(),
    ];
    let before = h.snapshot(&watched).await;
    let result = h.open(trader, sub_account, index, order).await;
    assert_error(result, error);
    assert_eq!(
        h.snapshot(&watched).await,
        before,
        "{error:?} changed nothing"
    );
}

#[tokio::test]
async fn bad_orders_get_named_errors_and_move_nothing() {
    let (mut h, btc, trader, sub_account) = refusal_setup().await;
    let base = (BASE_UNIT / 100) as u64;
    assert_open_refused(
        &mut h,
        &trader,
        &sub_account,
        btc,
        market_order(Side::Long, 0, 10),
        RingfenceError::ZeroSize,
    )
    .await;
    assert_open_refused(
        &mut h,
        &trader,
        &sub_account,
        btc,
        market_order(Side::Long, base, 41),
        RingfenceError::InvalidLeverage,
    )
    .await;
    assert_open_refused(
        &mut h,
        &trader,
        &sub_account,
        btc,
        market_order(Side::Long, base, 0),
        RingfenceError::InvalidLeverage,
    )
    .await;
    h.open_at_market(&trader, &sub_account, btc, Side::Long, base, 10)
        .await
        .unwrap();
    assert_open_refused(
        &mut h,
        &trader,
        &sub_account,
        btc,
        market_order(Side::Long, base, 5),
        RingfenceError::LeverageMismatch,
    )
    .await;
    assert_open_refused(
        &mut h,
        &trader,
        &sub_account,
        btc,
        market_order(Side::Short, base, 10),
        RingfenceError::PositionSideMismatch,
    )
    .await;
    assert_open_refused(
        &mut h,
        &trader,
        &sub_account,
        btc,
        market_order(Side::Long, u64::MAX, 10),
        RingfenceError::MathOverflow,
    )
    .await;
}

#[tokio::test]
async fn open_interest_and_pool_exposure_caps_hold() {
    let mut h = Harness::new().await;
    let capped = MarketParams {
        max_open_interest: 20_000 * USD,
        ..frictionless(btc_params())
    };
    let btc = h.stub_market("BTC-PERP", capped, 50_000).await;
    h.seed_pool(15_000).await;
    let (trader, sub_account) = funded(&mut h, 10_000).await;
    // 0.4 BTC = $20,000: at the OI cap but above the pool's $15,000.
    assert_open_refused(
        &mut h,
        &trader,
        &sub_account,
        btc,
        market_order(Side::Long, (2 * BASE_UNIT / 5) as u64, 10),
        RingfenceError::PoolExposureExceeded,
    )
    .await;
    h.seed_pool(100_000).await;
    assert_open_refused(
        &mut h,
        &trader,
        &sub_account,
        btc,
        market_order(Side::Long, (2 * BASE_UNIT / 5) as u64 + 1, 10),
        RingfenceError::OpenInterestCapExceeded,
    )
    .await;
    h.open_at_market(
        &trader,
        &sub_account,
        btc,
        Side::Long,
        (2 * BASE_UNIT / 5) as u64,
        10,
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn a_cross_sub_account_holds_eight_positions_and_no_ninth() {
    let mut h = Harness::new().await;
    let mut markets = Vec::new();
    for i in 0..9 {
        markets.push(
            h.stub_market(&format!("M{i}"), frictionless(eth_params()), 100)
                .await,
        );
    }
    h.seed_pool(1_000_000).await;
    let (trader, sub_account) = funded(&mut h, 10_000).await;
    for &market in &markets[..8] {
        h.open_at_market(
            &trader,
            &sub_account,
            market,
            Side::Long,
            BASE_UNIT as u64,
            5,
        )
        .await
        .unwrap();
    }
    assert_open_refused(
        &mut h,
        &trader,
        &sub_account,
        markets[8],
        market_order(Side::Long, BASE_UNIT as u64, 5),
        RingfenceError::TooManyPositions,
    )
    .await;
}

#[tokio::test]
async fn an_isolated_sub_account_trades_only_its_market() {
    let mut h = Harness::new().await;
    let btc = h
        .stub_market("BTC-PERP", frictionless(btc_params()), 50_000)
        .await;
    let eth = h
        .stub_market("ETH-PERP", frictionless(eth_params()), 2_500)
        .await;
    h.seed_pool(1_000_000).await;
    let trader = h.wallet(1_000).await;
    h.create_user(&trader).await;
    let sub_account = h
        .create_sub_account(&trader, SubAccountMode::Isolated { market_index: btc })
        .await;
    h.deposit(&trader, &sub_account, 1_000 * USD).await.unwrap();
    assert_open_refused(
        &mut h,
        &trader,
        &sub_account,
        eth,
        market_order(Side::Long, BASE_UNIT as u64 / 10, 5),
        RingfenceError::IsolatedMarketMismatch,
    )
    .await;
    h.open_at_market(
        &trader,
        &sub_account,
        btc,
        Side::Long,
        BASE_UNIT as u64 / 100,
        5,
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn opening_checks_exactly_the_other_positions_markets() {
    let mut h = Harness::new().await;
    let btc = h
        .stub_market("BTC-PERP", frictionless(btc_params()), 50_000)
        .await;
    let eth = h
        .stub_market("ETH-PERP", frictionless(eth_params()), 2_500)
        .await;
    let sol = h
        .stub_market("SOL-PERP", frictionless(eth_params()), 100)
        .await;
    h.seed_pool(1_000_000).await;
    let (trader, sub_account) = funded(&mut h, 10_000).await;
    h.open_at_market(&trader, &sub_account, eth, Side::Long, BASE_UNIT as u64, 5)
        .await
        .unwrap();
    let btc_oracle = h.oracle_of(btc).await;
    let args = ringfence::instructions::OpenPositionArgs {
        side: Side::Long,
        base: 1_000_000,
        leverage: 10,
        limit_price: u64::MAX,
    };
    let eth_pair = [builders::market_pda(eth), builders::stub_oracle_pda(eth)];
    let cases = [
        ("missing", vec![], RingfenceError::MissingMarketAccount),
        (
            "extra",
            [
                eth_pair.to_vec(),
                vec![builders::market_pda(sol), builders::stub_oracle_pda(sol)],
            ]
            .concat(),
            RingfenceError::UnexpectedMarketAccount,
        ),
        (
            "foreign",
            vec![builders::market_pda(sol), builders::stub_oracle_pda(sol)],
            RingfenceError::UnexpectedMarketAccount,
        ),
        (
            "traded market again",
            vec![builders::market_pda(btc), btc_oracle],
            RingfenceError::DuplicateMarketAccount,
        ),
        (
            "wrong oracle",
            vec![builders::market_pda(eth), builders::stub_oracle_pda(sol)],
            RingfenceError::OracleAccountMismatch,
        ),
    ];
    for (case, pairs, error) in cases {
        let ix =
            builders::open_position(&trader.key(), &sub_account, btc, &btc_oracle, args, &pairs);
        let result = h.process(&[ix], &[&trader.keypair]).await;
        assert_eq!(result, Err(ringfence_tests::program_error(error)), "{case}");
    }
    let ix = builders::open_position(
        &trader.key(),
        &sub_account,
        btc,
        &btc_oracle,
        args,
        &eth_pair,
    );
    h.process(&[ix], &[&trader.keypair]).await.unwrap();
}

#[tokio::test]
async fn a_stale_oracle_blocks_trading_that_market() {
    let (mut h, btc, trader, sub_account) = refusal_setup().await;
    let now = h.clock().await.unix_timestamp;
    h.set_time(now + 61).await;
    assert_open_refused(
        &mut h,
        &trader,
        &sub_account,
        btc,
        market_order(Side::Long, 1_000, 10),
        RingfenceError::OracleStale,
    )
    .await;
}

#[tokio::test]
async fn market_status_gates_opening_and_closing() {
    let (mut h, btc, trader, sub_account) = refusal_setup().await;
    h.open_at_market(&trader, &sub_account, btc, Side::Long, 2_000_000, 10)
        .await
        .unwrap();
    let admin = h.admin.insecure_clone();
    let set = |status| builders::set_market_status(&admin.pubkey(), btc, status);

    h.process(&[set(MarketStatus::ReduceOnly)], &[&admin])
        .await
        .unwrap();
    assert_open_refused(
        &mut h,
        &trader,
        &sub_account,
        btc,
        market_order(Side::Long, 1_000, 10),
        RingfenceError::MarketNotActive,
    )
    .await;
    h.close_at_market(&trader, &sub_account, btc, Some(1_000_000))
        .await
        .unwrap();

    h.process(&[set(MarketStatus::Paused)], &[&admin])
        .await
        .unwrap();
    assert_open_refused(
        &mut h,
        &trader,
        &sub_account,
        btc,
        market_order(Side::Long, 1_000, 10),
        RingfenceError::MarketNotActive,
    )
    .await;
    // Reducing risk is never blocked: a paused market still closes.
    h.close_at_market(&trader, &sub_account, btc, None)
        .await
        .unwrap();
}

#[tokio::test]
async fn closing_is_reduce_only_and_allowed_under_initial_margin() {
    let (mut h, btc, trader, sub_account) = refusal_setup().await;
    assert_error(
        h.close_at_market(&trader, &sub_account, btc, None).await,
        RingfenceError::NoPosition,
    );
    let base = (BASE_UNIT / 2) as u64; // $25,000 at 10x on $10,000
    h.open_at_market(&trader, &sub_account, btc, Side::Long, base, 10)
        .await
        .unwrap();
    let result = h
        .close_at_market(&trader, &sub_account, btc, Some(base + 1))
        .await;
    assert_error(result, RingfenceError::CloseSizeTooLarge);
    assert_error(
        h.close_at_market(&trader, &sub_account, btc, Some(0)).await,
        RingfenceError::ZeroSize,
    );

    // At 32,000: equity 10,000 + 0.5 × (32,000 − 50,000) = $1,000 < IM 16,000 / 10 = $1,600.
    // Closing half realizes 0.25 × −18,000 = −$4,500: collateral $5,500.
    h.set_price(btc, 32_000).await;
    assert!(!h.health(&sub_account).await.meets_initial());
    // Under IM nothing may add risk, not even one atom.
    assert_open_refused(
        &mut h,
        &trader,
        &sub_account,
        btc,
        market_order(Side::Long, 1, 10),
        RingfenceError::InsufficientInitialMargin,
    )
    .await;
    h.close_at_market(&trader, &sub_account, btc, Some(base / 2))
        .await
        .unwrap();
    assert_eq!(
        h.sub_account(&sub_account).await.collateral,
        5_500 * USD as i64
    );
}

#[tokio::test]
async fn pool_shares_track_pool_equity() {
    let (mut h, btc) = btc_exchange().await;
    let lp = h.wallet(0).await;
    let (trader, sub_account) = funded(&mut h, 1_000).await;
    h.open_at_market(
        &trader,
        &sub_account,
        btc,
        Side::Long,
        (BASE_UNIT / 5) as u64,
        10,
    )
    .await
    .unwrap();
    // Traders are up $500 at 52,500: pool equity = 1,000,000 − 500 = $999,500 once the
    // market's term is refreshed at the new price.
    h.set_price(btc, 52_500).await;
    h.refresh_all().await;
    h.mint_to(&lp.token, 999_500 * USD).await;
    let ix = builders::pool_deposit(&lp.key(), &lp.token, 999_500 * USD);
    h.process(&[ix], &[&lp.keypair]).await.unwrap();
    // 999,500 × 1,000,000,000,000 shares / 999,500 equity: the same count as the first LP's $1M.
    let shares: ringfence::state::LpAccount = h.decode(&builders::lp_pda(&lp.key())).await;
    assert_eq!(shares.shares, 1_000_000 * USD);

    // Redeeming them all returns exactly $999,500.
    let ix = builders::pool_withdraw(&lp.key(), &lp.token, shares.shares);
    h.process(&[ix], &[&lp.keypair]).await.unwrap();
    assert_eq!(h.token_balance(&lp.token).await, 999_500 * USD);
}

#[tokio::test]
async fn lp_withdrawals_cannot_leave_the_pool_unable_to_cover_exposure() {
    let mut h = Harness::new().await;
    let btc = h
        .stub_market("BTC-PERP", frictionless(btc_params()), 50_000)
        .await;
    let lp = h.seed_pool(20_000).await;
    let (trader, sub_account) = funded(&mut h, 10_000).await;
    // Traders are net long 0.2 BTC = $10,000 of exposure: the pool must keep $10,000.
    h.open_at_market(
        &trader,
        &sub_account,
        btc,
        Side::Long,
        (BASE_UNIT / 5) as u64,
        10,
    )
    .await
    .unwrap();
    let shares = |usd: u64| usd * USD; // the pool's equity is still $20,000 for 20,000e6 shares
    let watched = [builders::pool_pda(), builders::lp_pda(&lp.key()), lp.token];
    let before = h.snapshot(&watched).await;

    let ix = builders::pool_withdraw(&lp.key(), &lp.token, shares(10_000) + 1);
    let result = h.process(&[ix], &[&lp.keypair]).await;
    assert_error(result, RingfenceError::PoolExposureExceeded);
    let ix = builders::pool_withdraw(&lp.key(), &lp.token, shares(20_000) + 1);
    assert_error(
        h.process(&[ix], &[&lp.keypair]).await,
        RingfenceError::InvalidShares,
    );
    assert_eq!(h.snapshot(&watched).await, before);

    let ix = builders::pool_withdraw(&lp.key(), &lp.token, shares(10_000));
    h.process(&[ix], &[&lp.keypair]).await.unwrap();
    assert_eq!(h.token_balance(&lp.token).await, 10_000 * USD);
}

#[tokio::test]
async fn the_sdk_preview_predicts_what_the_program_does() {
    let mut h = Harness::new().await;
    let btc = h.stub_market("BTC-PERP", btc_params(), 50_000).await;
    h.seed_pool(1_000_000).await;
    let order = ringfence_sdk::preview::Order {
        market_index: btc,
        side: Side::Long,
        base: (BASE_UNIT / 5) as u64,
        leverage: 10,
    };
    for (collateral, accepted) in [(1_000, false), (2_000, true)] {
        let (trader, sub) = funded(&mut h, collateral).await;
        let (header, positions) = h.try_sub_account(&sub).await.unwrap();
        let market = h.market(btc).await;
        let now = h.clock().await.unix_timestamp;
        let markets = [(market, I80F48::from_num(50_000))];
        let preview =
            ringfence_sdk::preview::preview(&header, &positions, &markets, order, now).unwrap();
        assert_eq!(preview.meets_initial, accepted, "${collateral}");
        let result = h
            .open_at_market(&trader, &sub, btc, order.side, order.base, order.leverage)
            .await;
        if accepted {
            result.unwrap();
            let after = h.sub_account(&sub).await.collateral;
            assert_eq!(header.collateral - after, preview.fee as i64);
        } else {
            assert_error(result, RingfenceError::InsufficientInitialMargin);
        }
    }
}
