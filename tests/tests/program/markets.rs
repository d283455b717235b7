//! Market creation, parameter bounds, updates, status and stub prices.

use ringfence::error::RingfenceError;
use ringfence::instructions::OracleSource;
use ringfence::state::{MarketParams, MarketStatus, MarketUpdate, OracleKind};
use ringfence_tests::params::{btc_params, eth_params, USD};
use ringfence_tests::{anchor_error, assert_error, builders, Harness};
use solana_sdk::signature::{Keypair, Signer};

fn stub_at(dollars: i64) -> OracleSource {
    OracleSource::Stub {
        price: dollars * 1_000_000,
        conf: 0,
        exponent: -6,
    }
}

#[tokio::test]
async fn a_stub_market_stores_what_was_asked_and_counts_up() {
    let mut h = Harness::new().await;
    let btc = h.stub_market("BTC-PERP", btc_params(), 50_000).await;
    let eth = h.stub_market("ETH-PERP", eth_params(), 3_000).await;
    assert_eq!((btc, eth), (0, 1));
    assert_eq!(h.exchange().await.market_count, 2);

    let market = h.market(eth).await;
    assert_eq!(market.index, 1);
    assert_eq!(&market.name[..8], b"ETH-PERP");
    assert_eq!(market.name[8..], [0u8; 8]);
    assert_eq!(market.params, eth_params());
    assert_eq!(market.oracle, builders::stub_oracle_pda(1));
    assert_eq!(market.oracle_kind(), OracleKind::Stub);
    assert_eq!(market.status(), MarketStatus::Active);
}

/// Each parameter that breaks a protocol limit, with the error it must get.
fn bad_params() -> Vec<(&'static str, MarketParams, RingfenceError)> {
    let ok = btc_params();
    vec![
        (
            "leverage 0",
            MarketParams {
                max_leverage: 0,
                ..ok
            },
            RingfenceError::InvalidMaxLeverage,
        ),
        (
            "leverage above ceiling",
            MarketParams {
                max_leverage: 101,
                ..ok
            },
            RingfenceError::InvalidMaxLeverage,
        ),
        // 2.5% maintenance at 40x equals the 2.5% initial ratio: mm must stay below im.
        (
            "mm = im at max leverage",
            MarketParams {
                tier_mm_bps: [50, 100, 250, 0],
                ..ok
            },
            RingfenceError::MaintenanceNotBelowInitial,
        ),
        (
            "mm > im",
            MarketParams {
                tier_mm_bps: [500, 600, 700, 0],
                max_leverage: 20,
                ..ok
            },
            RingfenceError::MaintenanceNotBelowInitial,
        ),
        (
            "no tiers",
            MarketParams {
                tier_count: 0,
                ..ok
            },
            RingfenceError::InvalidMarginTiers,
        ),
        (
            "five tiers",
            MarketParams {
                tier_count: 5,
                ..ok
            },
            RingfenceError::InvalidMarginTiers,
        ),
        (
            "ratios falling",
            MarketParams {
                tier_mm_bps: [100, 50, 200, 0],
                ..ok
            },
            RingfenceError::InvalidMarginTiers,
        ),
        (
            "bounds falling",
            MarketParams {
                tier_up_to_notional: [5_000_000 * USD, 1_000_000 * USD, 0, 0],
                ..ok
            },
            RingfenceError::InvalidMarginTiers,
        ),
        (
            "zero ratio",
            MarketParams {
                tier_mm_bps: [0, 100, 200, 0],
                liquidation_fee_bps: 0,
                ..ok
            },
            RingfenceError::InvalidMarginTiers,
        ),
        (
            "liquidation fee = mm",
            MarketParams {
                liquidation_fee_bps: 50,
                ..ok
            },
            RingfenceError::LiquidationFeeTooHigh,
        ),
        (
            "taker fee above ceiling",
            MarketParams {
                taker_fee_bps: 101,
                ..ok
            },
            RingfenceError::FeeTooHigh,
        ),
        (
            "trigger fee above ceiling",
            MarketParams {
                trigger_keeper_fee: 10 * USD + 1,
                ..ok
            },
            RingfenceError::FeeTooHigh,
        ),
        (
            "fee share above 100%",
            MarketParams {
                protocol_fee_share_bps: 10_001,
                ..ok
            },
            RingfenceError::InvalidFeeShare,
        ),
        (
            "liquidator share above 100%",
            MarketParams {
                liquidator_share_bps: 10_001,
                ..ok
            },
            RingfenceError::InvalidFeeShare,
        ),
        (
            "profit weight above 100%",
            MarketParams {
                upnl_initial_weight_bps: 10_001,
                ..ok
            },
            RingfenceError::InvalidUpnlWeight,
        ),
        (
            "skew scale 0",
            MarketParams {
                skew_scale: 0,
                ..ok
            },
            RingfenceError::InvalidFundingParams,
        ),
        (
            "funding rate above ceiling",
            MarketParams {
                max_funding_rate_ppm: 10_001,
                ..ok
            },
            RingfenceError::InvalidFundingParams,
        ),
        (
            "no open-interest share of the pool",
            MarketParams {
                max_side_oi_pool_bps: 0,
                ..ok
            },
            RingfenceError::InvalidOpenInterestCap,
        ),
        (
            "premium above ceiling",
            MarketParams {
                max_premium_bps: 101,
                ..ok
            },
            RingfenceError::PremiumTooHigh,
        ),
        (
            "oracle age 0",
            MarketParams {
                max_oracle_age_s: 0,
                ..ok
            },
            RingfenceError::InvalidOracleGuards,
        ),
        (
            "oracle age above ceiling",
            MarketParams {
                max_oracle_age_s: 301,
                ..ok
            },
            RingfenceError::InvalidOracleGuards,
        ),
        (
            "confidence above ceiling",
            MarketParams {
                max_conf_bps: 501,
                ..ok
            },
            RingfenceError::InvalidOracleGuards,
        ),
        (
            "ema divergence 0",
            MarketParams {
                max_ema_divergence_bps: 0,
                ..ok
            },
            RingfenceError::InvalidOracleGuards,
        ),
        (
            "open interest cap 0",
            MarketParams {
                max_open_interest: 0,
                ..ok
            },
            RingfenceError::InvalidOpenInterestCap,
        ),
    ]
}

#[tokio::test]
async fn market_parameters_outside_protocol_limits_are_refused_and_nothing_is_created() {
    let mut h = Harness::new().await;
    let watched = [
        builders::exchange_pda(),
        builders::market_pda(0),
        builders::stub_oracle_pda(0),
    ];
    let before = h.snapshot(&watched).await;
    for (case, params, error) in bad_params() {
        let result = h
            .try_create_market(
                "BTC-PERP",
                builders::stub_oracle_pda(0),
                stub_at(50_000),
                params,
            )
            .await;
        assert_eq!(result, Err(ringfence_tests::program_error(error)), "{case}");
        assert_eq!(h.snapshot(&watched).await, before, "{case}");
    }
}

#[tokio::test]
async fn market_names_must_be_one_to_sixteen_bytes() {
    let mut h = Harness::new().await;
    for name in ["", "SEVENTEEN-BYTES-X"] {
        let result = h
            .try_create_market(
                name,
                builders::stub_oracle_pda(0),
                stub_at(50_000),
                btc_params(),
            )
            .await;
        assert_error(result, RingfenceError::InvalidMarketName);
    }
    h.stub_market("SIXTEEN-BYTES-XX", btc_params(), 1).await;
}

#[tokio::test]
async fn only_the_admin_creates_markets() {
    let mut h = Harness::new().await;
    let stranger = Keypair::new();
    h.airdrop(&stranger.pubkey(), 1_000_000_000).await;
    h.admin = stranger;
    let result = h
        .try_create_market(
            "BTC-PERP",
            builders::stub_oracle_pda(0),
            stub_at(50_000),
            btc_params(),
        )
        .await;
    assert_error(result, RingfenceError::NotAdmin);
    assert!(h.account(&builders::market_pda(0)).await.is_none());
}

#[tokio::test]
async fn a_stub_market_must_use_its_own_stub_address() {
    let mut h = Harness::new().await;
    let result = h
        .try_create_market(
            "BTC-PERP",
            builders::stub_oracle_pda(7),
            stub_at(50_000),
            btc_params(),
        )
        .await;
    assert_error(result, RingfenceError::OracleAccountMismatch);
    assert!(h.account(&builders::stub_oracle_pda(7)).await.is_none());
}

#[tokio::test]
async fn a_proposed_change_applies_after_the_timelock_within_limits_only() {
    let mut h = Harness::new().await;
    let btc = h.stub_market("BTC-PERP", btc_params(), 50_000).await;
    let admin = h.admin.insecure_clone();

    let tighter = MarketParams {
        max_leverage: 20,
        taker_fee_bps: 7,
        ..btc_params()
    };
    let ix = builders::propose_market_update(&admin.pubkey(), btc, tighter);
    h.process(&[ix], &[&admin]).await.unwrap();
    let pending: MarketUpdate = h.decode(&builders::market_update_pda(btc)).await;
    assert_eq!((pending.market_index, pending.params), (btc, tighter));
    assert_eq!(
        pending.apply_after,
        pending.proposed_at + 1,
        "the harness's 1 s timelock"
    );
    assert_eq!(
        h.market(btc).await.params,
        btc_params(),
        "nothing applies at once"
    );
    h.set_time(pending.apply_after).await;
    h.set_price(btc, 50_000).await;
    let oracle = builders::stub_oracle_pda(btc);
    let ix = builders::apply_market_update(&admin.pubkey(), btc, &oracle);
    h.process(&[ix], &[&admin]).await.unwrap();
    assert_eq!(h.market(btc).await.params, tighter);
    assert!(h.account(&builders::market_update_pda(btc)).await.is_none());

    let before = h
        .snapshot(&[builders::market_pda(btc), builders::market_update_pda(btc)])
        .await;
    for (case, params, error) in bad_params() {
        let ix = builders::propose_market_update(&admin.pubkey(), btc, params);
        let result = h.process(&[ix], &[&admin]).await;
        assert_eq!(result, Err(ringfence_tests::program_error(error)), "{case}");
    }
    let stranger = Keypair::new();
    h.airdrop(&stranger.pubkey(), 1_000_000_000).await;
    let ix = builders::propose_market_update(&stranger.pubkey(), btc, btc_params());
    assert_error(
        h.process(&[ix], &[&stranger]).await,
        RingfenceError::NotAdmin,
    );
    assert_eq!(
        h.snapshot(&[builders::market_pda(btc), builders::market_update_pda(btc)])
            .await,
        before
    );
}

#[tokio::test]
async fn a_change_proposal_refuses_an_account_that_is_not_a_market() {
    let mut h = Harness::new().await;
    h.stub_market("BTC-PERP", btc_params(), 50_000).await;
    let admin = h.admin.insecure_clone();
    let mut ix = builders::propose_market_update(&admin.pubkey(), 0, btc_params());
    ix.accounts[2].pubkey = builders::stub_oracle_pda(0); // a program account of another type
    let result = h.process(&[ix], &[&admin]).await;
    assert_eq!(
        result,
        Err(anchor_error(
            anchor_lang::error::ErrorCode::AccountDiscriminatorMismatch
        ))
    );
}

#[tokio::test]
async fn market_status_moves_between_active_reduce_only_and_paused() {
    let mut h = Harness::new().await;
    let btc = h.stub_market("BTC-PERP", btc_params(), 50_000).await;
    let admin = h.admin.insecure_clone();
    for status in [
        MarketStatus::ReduceOnly,
        MarketStatus::Paused,
        MarketStatus::Active,
    ] {
        let ix = builders::set_market_status(&admin.pubkey(), btc, status);
        h.process(&[ix], &[&admin]).await.unwrap();
        assert_eq!(h.market(btc).await.status(), status);
    }
    let stranger = Keypair::new();
    let ix = builders::set_market_status(&stranger.pubkey(), btc, MarketStatus::Paused);
    assert_error(
        h.process(&[ix], &[&stranger]).await,
        RingfenceError::NotAdmin,
    );
    assert_eq!(h.market(btc).await.status(), MarketStatus::Active);
}

#[tokio::test]
async fn set_stub_price_stamps_the_clock_and_only_the_admin_may() {
    let mut h = Harness::new().await;
    let btc = h.stub_market("BTC-PERP", btc_params(), 50_000).await;
    let admin = h.admin.insecure_clone();
    h.set_time(1_800_000_000).await;

    let ix = builders::set_stub_price(&admin.pubkey(), btc, 44_000_000_000, 1_000_000, -6);
    h.process(&[ix], &[&admin]).await.unwrap();
    let stub: ringfence::state::StubOracle = h.decode(&builders::stub_oracle_pda(btc)).await;
    assert_eq!(
        (stub.price, stub.conf, stub.exponent),
        (44_000_000_000, 1_000_000, -6)
    );
    assert_eq!(stub.publish_time, 1_800_000_000);

    let stranger = Keypair::new();
    let ix = builders::set_stub_price(&stranger.pubkey(), btc, 1, 0, 0);
    assert_error(
        h.process(&[ix], &[&stranger]).await,
        RingfenceError::NotAdmin,
    );
}
