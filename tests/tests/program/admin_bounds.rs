//! Admin bounds (issue 15): parameter changes wait out a timelock fixed at creation and accrue
//! funding at the old parameters first; the liquidation penalty has an absolute cap; fees and
//! insurance surplus go only to the treasury fixed at creation; stub oracles only where the
//! exchange allows them; status changes are immediate and never stop risk from being reduced.
//! The review's figures against the code before the fix are in each test's comment.

use ringfence::error::RingfenceError;
use ringfence::instructions::{ExchangeConfig, OracleSource, Side};
use ringfence::state::{MarketParams, MarketStatus};
use ringfence_tests::params::{btc_params, BASE_UNIT, USD};
use ringfence_tests::pyth::PythPrice;
use ringfence_tests::trading::frictionless;
use ringfence_tests::{assert_error, builders, Harness, Wallet};
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signer};

const BTC: u16 = 0;
const HOUR: u32 = 3_600;

/// An exchange with a one-hour timelock and a frictionless stub BTC market at $50,000.
async fn timelocked(params: MarketParams) -> Harness {
    let mut h = Harness::uninitialized().await;
    h.config = ExchangeConfig {
        timelock_s: HOUR,
        allow_stub_oracles: true,
        ..h.config
    };
    h.initialize_exchange().await.unwrap();
    h.stub_market("BTC-PERP", params, 50_000).await;
    h.seed_pool(10_000_000).await;
    h
}

/// The parameters of the review's seizure: 1x, 99.99% maintenance, the largest penalty the
/// program accepts (1%, the review used 99.98%) and all of it to the liquidator.
fn seizing() -> MarketParams {
    MarketParams {
        tier_up_to_notional: [0; 4],
        tier_mm_bps: [9_999, 0, 0, 0],
        tier_count: 1,
        max_leverage: 1,
        liquidation_fee_bps: 100,
        liquidator_share_bps: 10_000,
        ..frictionless(btc_params())
    }
}

async fn victim(h: &mut Harness) -> (Wallet, Pubkey) {
    // $5,000, long 0.2 BTC at 5x: IM $2,000, MM $50.
    let (wallet, sub) = h.trader(5_000).await;
    h.deposit(&wallet, &sub, 5_000 * USD).await.unwrap();
    h.open_at_market(&wallet, &sub, BTC, Side::Long, BASE_UNIT as u64 / 5, 5)
        .await
        .unwrap();
    (wallet, sub)
}

#[tokio::test]
async fn a_hostile_admin_cannot_seize_a_healthy_account() {
    // Review, before the fix: in one transaction the admin set 1x, 99.99% maintenance, a 99.98%
    // penalty and a 100% liquidator share, liquidated the victim to itself and restored the
    // parameters: $4,989.99 of the victim's $5,000 landed in the admin's account.
    let mut h = timelocked(frictionless(btc_params())).await;
    let (_, sub) = victim(&mut h).await;
    let admin = h.admin.insecure_clone();
    let admin_wallet = Wallet {
        keypair: admin.insecure_clone(),
        token: h.token_account(&admin.pubkey(), &h.mint.clone()).await,
    };
    let oracle = builders::stub_oracle_pda(BTC);
    let penalty_of_a_seizure = MarketParams {
        liquidation_fee_bps: 9_998,
        ..seizing()
    };
    let watched = [
        sub,
        builders::market_pda(BTC),
        builders::market_update_pda(BTC),
        admin_wallet.token,
    ];

    // The review's own parameters are out of bounds: the penalty is capped at 1%.
    let before = h.snapshot(&watched).await;
    let ix = builders::propose_market_update(&admin.pubkey(), BTC, penalty_of_a_seizure);
    assert_error(
        h.process(&[ix], &[&admin]).await,
        RingfenceError::LiquidationFeeTooHigh,
    );
    // The harshest legal set, proposed, applied and used in one transaction: refused whole.
    let liquidate = builders::liquidate(
        &admin.pubkey(),
        &admin_wallet.token,
        &sub,
        BTC,
        &oracle,
        u64::MAX,
        &[],
    );
    let ixs = [
        builders::propose_market_update(&admin.pubkey(), BTC, seizing()),
        builders::apply_market_update(&admin.pubkey(), BTC, &oracle),
        liquidate.clone(),
    ];
    let result = h.process(&ixs, &[&admin]).await;
    assert!(result.is_err());
    assert_eq!(h.snapshot(&watched).await, before);

    // Across transactions before the timelock: the proposal lands (and is public), the rest
    // is refused.
    let ix = builders::propose_market_update(&admin.pubkey(), BTC, seizing());
    h.process(&[ix], &[&admin]).await.unwrap();
    let ix = builders::apply_market_update(&admin.pubkey(), BTC, &oracle);
    assert_error(
        h.process(&[ix], &[&admin]).await,
        RingfenceError::UpdateTimelocked,
    );
    assert_error(
        h.process(std::slice::from_ref(&liquidate), &[&admin]).await,
        RingfenceError::NotLiquidatable,
    );
    assert_eq!(h.sub_account(&sub).await.collateral, 5_000 * USD as i64);
    assert_eq!(h.token_balance(&admin_wallet.token).await, 0);

    // After the hour (the victim could have left), the worst the harshest legal set can take,
    // liquidating for as long as the program allows, is the capped penalty on the whole
    // position: at most 1% of $10,000 = $100, not $4,989.99.
    let now = h.clock().await.unix_timestamp;
    h.set_time(now + i64::from(HOUR)).await;
    h.set_price(BTC, 50_000).await;
    let ix = builders::apply_market_update(&admin.pubkey(), BTC, &oracle);
    h.process(&[ix], &[&admin]).await.unwrap();
    h.process(std::slice::from_ref(&liquidate), &[&admin])
        .await
        .unwrap();
    for _ in 0..10 {
        if h.process(std::slice::from_ref(&liquidate), &[&admin])
            .await
            .is_err()
        {
            break;
        }
    }
    let taken = h.token_balance(&admin_wallet.token).await;
    assert!(taken > 0 && taken <= 100 * USD, "the admin took {taken}");
    // Besides the penalty the victim paid only the hour's funding: its $10,000 long is the
    // whole skew of a $10M scale, 0.1% of the 100 ppm cap: $0.001.
    assert_eq!(
        h.sub_account(&sub).await.collateral,
        5_000 * USD as i64 - taken as i64 - 1_000
    );
}

#[tokio::test]
async fn funding_elapsed_before_a_change_is_charged_at_the_old_rate() {
    // Review, before the fix: a $1M long held an hour at $10 an hour was charged $1,000 after
    // the admin raised the funding cap a hundredfold, the unaccrued hour priced at the new rate.
    let old = MarketParams {
        skew_scale: 1_000_000 * USD,
        max_funding_rate_ppm: 10,
        ..frictionless(btc_params())
    };
    let mut h = timelocked(old).await;
    let (wallet, sub) = h.trader(200_000).await;
    h.deposit(&wallet, &sub, 200_000 * USD).await.unwrap();
    // 20 BTC = $1M: the whole skew, 10 ppm an hour = $10 an hour.
    h.open_at_market(&wallet, &sub, BTC, Side::Long, 20 * BASE_UNIT as u64, 10)
        .await
        .unwrap();
    let admin = h.admin.insecure_clone();
    let raised = MarketParams {
        max_funding_rate_ppm: 1_000,
        ..old
    };
    let ix = builders::propose_market_update(&admin.pubkey(), BTC, raised);
    h.process(&[ix], &[&admin]).await.unwrap();
    let start = h.market(BTC).await.last_funding_ts;
    h.set_time(start + i64::from(HOUR)).await;
    h.set_price(BTC, 50_000).await;
    let oracle = builders::stub_oracle_pda(BTC);
    let apply = builders::apply_market_update(&admin.pubkey(), BTC, &oracle);
    let settle = builders::settle_funding(BTC, &oracle, &[sub]);
    h.process(&[apply, settle], &[&admin]).await.unwrap();
    assert_eq!(h.market(BTC).await.params, raised);
    assert_eq!(
        h.sub_account(&sub).await.collateral,
        (200_000 - 10) * USD as i64
    );
}

#[tokio::test]
async fn fees_and_insurance_surplus_go_only_to_the_treasury() {
    let mut h = timelocked(btc_params()).await;
    let (wallet, sub) = h.trader(10_000).await;
    h.deposit(&wallet, &sub, 10_000 * USD).await.unwrap();
    // 1 BTC round trip on the preset: 5 bps each way, 20% of it the protocol's.
    h.open_at_market(&wallet, &sub, BTC, Side::Long, BASE_UNIT as u64, 10)
        .await
        .unwrap();
    h.close_at_market(&wallet, &sub, BTC, None).await.unwrap();
    let fees = h.exchange().await.protocol_fees;
    assert!(fees > 0);
    h.fund_insurance(1_000_000).await;

    let admin = h.admin.insecure_clone();
    let elsewhere = h.token_account(&admin.pubkey(), &h.mint.clone()).await;
    let watched = [builders::exchange_pda(), elsewhere, h.treasury];
    let before = h.snapshot(&watched).await;
    let ix = builders::withdraw_protocol_fees(&admin.pubkey(), &elsewhere, fees);
    assert_error(
        h.process(&[ix], &[&admin]).await,
        RingfenceError::NotTreasury,
    );
    let ix = builders::withdraw_insurance(&admin.pubkey(), &elsewhere, USD);
    assert_error(
        h.process(&[ix], &[&admin]).await,
        RingfenceError::NotTreasury,
    );
    let stranger = Keypair::new();
    h.airdrop(&stranger.pubkey(), 1_000_000_000).await;
    let ix = builders::withdraw_protocol_fees(&stranger.pubkey(), &h.treasury.clone(), fees);
    assert_error(
        h.process(&[ix], &[&stranger]).await,
        RingfenceError::NotAdmin,
    );
    let ix = builders::withdraw_protocol_fees(&admin.pubkey(), &h.treasury.clone(), fees + 1);
    assert!(h.process(&[ix], &[&admin]).await.is_err());
    assert_eq!(h.snapshot(&watched).await, before);

    let treasury = h.treasury;
    let ix = builders::withdraw_protocol_fees(&admin.pubkey(), &treasury, fees);
    h.process(&[ix], &[&admin]).await.unwrap();
    let ix = builders::withdraw_insurance(&admin.pubkey(), &treasury, USD);
    h.process(&[ix], &[&admin]).await.unwrap();
    assert_eq!(h.token_balance(&treasury).await, fees + USD);
    assert_eq!(h.exchange().await.protocol_fees, 0);
}

#[tokio::test]
async fn a_market_s_funding_remainder_is_swept_to_the_fee_ledger_once_it_is_empty() {
    let mut h = timelocked(MarketParams {
        skew_scale: 1_000_000 * USD,
        max_funding_rate_ppm: 7,
        ..frictionless(btc_params())
    })
    .await;
    let (wallet, sub) = h.trader(10_000).await;
    h.deposit(&wallet, &sub, 10_000 * USD).await.unwrap();
    h.open_at_market(&wallet, &sub, BTC, Side::Long, 3 * BASE_UNIT as u64 / 7, 10)
        .await
        .unwrap();
    assert_error(
        h.process(&[builders::sweep_funding_remainder(BTC)], &[])
            .await,
        RingfenceError::MarketHasOpenInterest,
    );
    let start = h.market(BTC).await.last_funding_ts;
    h.set_time(start + 1_234).await;
    h.set_price(BTC, 50_000).await;
    h.close_at_market(&wallet, &sub, BTC, None).await.unwrap();
    let (ledger, fees) = (
        h.market(BTC).await.funding_ledger,
        h.exchange().await.protocol_fees,
    );
    assert!(ledger >= 0, "traders' rounding covers the pool's side");
    h.process(&[builders::sweep_funding_remainder(BTC)], &[])
        .await
        .unwrap();
    assert_eq!(h.market(BTC).await.funding_ledger, 0);
    assert_eq!(h.exchange().await.protocol_fees, fees + ledger as u64);
}

#[tokio::test]
async fn stub_oracles_exist_only_where_the_exchange_allows_them() {
    let mut h = Harness::uninitialized().await;
    h.config = ExchangeConfig {
        timelock_s: HOUR,
        allow_stub_oracles: false,
        lp_cooldown_s: HOUR,
        ..h.config
    };
    h.initialize_exchange().await.unwrap();
    assert!(!h.exchange().await.allow_stub_oracles);
    let stub = OracleSource::Stub {
        price: 50_000 * USD as i64,
        conf: 0,
        exponent: -6,
    };
    let result = h
        .try_create_market("BTC-PERP", builders::stub_oracle_pda(0), stub, btc_params())
        .await;
    assert_error(result, RingfenceError::StubOraclesNotAllowed);
    assert!(h.account(&builders::stub_oracle_pda(0)).await.is_none());
    // A Pyth market is fine.
    let now = h.clock().await.unix_timestamp;
    let price = PythPrice::usd([0xb7; 32], 50_000, now);
    h.pyth_market("BTC-PERP", btc_params(), Pubkey::new_unique(), price)
        .await;
    assert_eq!(h.exchange().await.market_count, 1);
}

#[tokio::test]
async fn the_timelock_and_treasury_are_checked_at_creation() {
    for (config, ok) in [
        ((59 * 60, false), false),
        ((HOUR, false), true),
        ((1, true), true),
        ((0, true), false),
        ((30 * 86_400 + 1, true), false),
    ] {
        let mut h = Harness::uninitialized().await;
        h.config = ExchangeConfig {
            timelock_s: config.0,
            allow_stub_oracles: config.1,
            lp_cooldown_s: HOUR,
            ..h.config
        };
        let result = h.initialize_exchange().await;
        if ok {
            result.unwrap();
            assert_eq!(h.exchange().await.timelock_s, config.0);
        } else {
            assert_error(result, RingfenceError::InvalidTimelock);
        }
    }
    // A treasury of another mint is refused.
    let mut h = Harness::uninitialized().await;
    let other_mint = h.create_mint(6).await;
    h.treasury = h.token_account(&h.admin.pubkey(), &other_mint).await;
    assert_error(h.initialize_exchange().await, RingfenceError::WrongMint);
}

#[tokio::test]
async fn a_paused_market_still_closes_liquidates_and_cranks_funding() {
    let mut h = timelocked(frictionless(btc_params())).await;
    let admin = h.admin.insecure_clone();
    let (wallet, sub) = h.trader(2_000).await;
    h.deposit(&wallet, &sub, 2_000 * USD).await.unwrap();
    h.open_at_market(&wallet, &sub, BTC, Side::Long, BASE_UNIT as u64 / 5, 10)
        .await
        .unwrap();
    let (other, other_sub) = h.trader(1_000).await;
    h.deposit(&other, &other_sub, 1_000 * USD).await.unwrap();
    h.open_at_market(
        &other,
        &other_sub,
        BTC,
        Side::Long,
        BASE_UNIT as u64 / 5,
        10,
    )
    .await
    .unwrap();
    let oracle = builders::stub_oracle_pda(BTC);
    let ix = builders::set_triggers(&wallet.key(), &sub, BTC, &oracle, 45_500 * USD, 0);
    h.process(&[ix], &[&wallet.keypair]).await.unwrap();
    let ix = builders::set_market_status(&admin.pubkey(), BTC, MarketStatus::Paused);
    h.process(&[ix], &[&admin]).await.unwrap();

    assert_error(
        h.open_at_market(&wallet, &sub, BTC, Side::Long, 1_000, 10)
            .await,
        RingfenceError::MarketNotActive,
    );
    let ix = builders::set_triggers(&wallet.key(), &sub, BTC, &oracle, 40_000 * USD, 0);
    assert_error(
        h.process(&[ix], &[&wallet.keypair]).await,
        RingfenceError::MarketPaused,
    );
    h.close_at_market(&wallet, &sub, BTC, Some(BASE_UNIT as u64 / 10))
        .await
        .unwrap();
    h.process(&[builders::settle_funding(BTC, &oracle, &[sub])], &[])
        .await
        .unwrap();
    // At 45,200 the other account falls under maintenance and is liquidated, and the first
    // one's 45,500 stop fires, both while paused.
    h.set_price(BTC, 45_200).await;
    let liquidator = h.wallet(0).await;
    h.liquidate(&liquidator, &other_sub, BTC, u64::MAX)
        .await
        .unwrap();
    let ix = builders::execute_trigger(&liquidator.key(), &liquidator.token, &sub, BTC, &oracle);
    h.process(&[ix], &[&liquidator.keypair]).await.unwrap();
    assert_eq!(h.sub_account(&sub).await.has_positions, 0);
}

#[tokio::test]
async fn one_pending_change_per_market_which_the_admin_may_cancel() {
    let mut h = timelocked(frictionless(btc_params())).await;
    let admin = h.admin.insecure_clone();
    let first = MarketParams {
        taker_fee_bps: 9,
        ..frictionless(btc_params())
    };
    let ix = builders::propose_market_update(&admin.pubkey(), BTC, first);
    h.process(&[ix], &[&admin]).await.unwrap();
    let pending = [builders::market_update_pda(BTC)];
    let before = h.snapshot(&pending).await;
    let ix = builders::propose_market_update(&admin.pubkey(), BTC, btc_params());
    assert_error(
        h.process(&[ix], &[&admin]).await,
        RingfenceError::UpdateAlreadyPending,
    );
    assert_eq!(h.snapshot(&pending).await, before);
    let stranger = Keypair::new();
    h.airdrop(&stranger.pubkey(), 1_000_000_000).await;
    let ix = builders::cancel_market_update(&stranger.pubkey(), BTC);
    assert_error(
        h.process(&[ix], &[&stranger]).await,
        RingfenceError::NotAdmin,
    );
    let ix = builders::cancel_market_update(&admin.pubkey(), BTC);
    h.process(&[ix], &[&admin]).await.unwrap();
    assert!(h.account(&pending[0]).await.is_none());
    // After a cancel nothing can be applied, even past the timelock.
    let now = h.clock().await.unix_timestamp;
    h.set_time(now + i64::from(HOUR)).await;
    h.set_price(BTC, 50_000).await;
    let ix = builders::apply_market_update(&admin.pubkey(), BTC, &builders::stub_oracle_pda(BTC));
    assert!(h.process(&[ix], &[&admin]).await.is_err());
    assert_eq!(h.market(BTC).await.params, frictionless(btc_params()));
}

#[tokio::test]
async fn a_premium_change_cannot_reprice_open_skew() {
    // Found reviewing the timelock: raising the premium cap from 10 to 100 bps between a $10M
    // open and its close paid the trader ≈ $79,450 from the pool at a flat oracle, in one
    // transaction [open, apply, close] for the admin, or for anyone watching the pending change.
    let mut h = timelocked(btc_params()).await;
    // $10M needs the size term's 20% (10M² / 50M = $2M), above 1/10.
    let (wallet, sub) = h.trader(2_100_000).await;
    h.deposit(&wallet, &sub, 2_100_000 * USD).await.unwrap();
    let admin = h.admin.insecure_clone();
    let wider = MarketParams {
        max_premium_bps: 100,
        ..btc_params()
    };
    let ix = builders::propose_market_update(&admin.pubkey(), BTC, wider);
    h.process(&[ix], &[&admin]).await.unwrap();
    let now = h.clock().await.unix_timestamp;
    h.set_time(now + i64::from(HOUR)).await;
    h.set_price(BTC, 50_000).await;
    let wealth_before = h.sub_account(&sub).await.collateral;
    let house_before = h.pool().await.balance + h.exchange().await.protocol_fees;

    h.open_at_market(&wallet, &sub, BTC, Side::Long, 200 * BASE_UNIT as u64, 10)
        .await
        .unwrap();
    let oracle = builders::stub_oracle_pda(BTC);
    let apply = builders::apply_market_update(&admin.pubkey(), BTC, &oracle);
    let close = builders::close_position(&wallet.key(), &sub, BTC, &oracle, None, 0);
    let result = h
        .process(&[apply.clone(), close], &[&admin, &wallet.keypair])
        .await;
    assert_error(result, RingfenceError::PremiumChangeWithOpenSkew);
    h.close_at_market(&wallet, &sub, BTC, None).await.unwrap();
    assert!(h.sub_account(&sub).await.collateral < wealth_before);
    assert!(h.pool().await.balance + h.exchange().await.protocol_fees > house_before);
    // With the skew back at zero the change applies.
    h.process(&[apply], &[&admin]).await.unwrap();
    assert_eq!(h.market(BTC).await.params, wider);
}

#[tokio::test]
async fn a_pending_change_expires_a_week_after_its_timelock() {
    let mut h = timelocked(frictionless(btc_params())).await;
    let admin = h.admin.insecure_clone();
    let ix = builders::propose_market_update(&admin.pubkey(), BTC, btc_params());
    h.process(&[ix], &[&admin]).await.unwrap();
    let pending: ringfence::state::MarketUpdate = h.decode(&builders::market_update_pda(BTC)).await;
    h.set_time(pending.apply_after + 7 * 86_400 + 1).await;
    h.set_price(BTC, 50_000).await;
    let ix = builders::apply_market_update(&admin.pubkey(), BTC, &builders::stub_oracle_pda(BTC));
    assert_error(
        h.process(&[ix], &[&admin]).await,
        RingfenceError::UpdateExpired,
    );
    assert_eq!(h.market(BTC).await.params, frictionless(btc_params()));
}

#[tokio::test]
async fn an_lp_cannot_take_funding_earned_before_it_deposited() {
    // Found reviewing the funding change: the pool's valuation ignored funding not yet accrued,
    // so an LP depositing just before a crank took a share of it ($21,600 of $24,000 for a $90M
    // deposit against a $10M pool; the pool issue reported $499.83 in its test).
    let params = MarketParams {
        skew_scale: 1_000_000 * USD,
        max_funding_rate_ppm: 1_000,
        ..frictionless(btc_params())
    };
    let mut h = timelocked(params).await;
    let (wallet, sub) = h.trader(200_000).await;
    h.deposit(&wallet, &sub, 200_000 * USD).await.unwrap();
    // $1M long: $1,000 an hour of funding to the pool.
    h.open_at_market(&wallet, &sub, BTC, Side::Long, 20 * BASE_UNIT as u64, 10)
        .await
        .unwrap();
    let start = h.market(BTC).await.last_funding_ts;
    h.set_time(start + 24 * 3_600).await;
    h.set_price(BTC, 50_000).await;

    let lp = h.wallet(90_000_000).await;
    let oracle = builders::stub_oracle_pda(BTC);
    let deposit = builders::pool_deposit(&lp.key(), &lp.token, 90_000_000 * USD);
    // The pool's valuation is a day old: no LP flow runs on it.
    assert_error(
        h.process(std::slice::from_ref(&deposit), &[&lp.keypair])
            .await,
        RingfenceError::PoolValuationStale,
    );
    // Refreshing it accrues the day's funding into the pool first, so the late LP buys shares
    // at a price that already holds it.
    h.refresh_all().await;
    h.process(&[deposit], &[&lp.keypair]).await.unwrap();
    let crank = builders::settle_funding(BTC, &oracle, &[sub]);
    h.process(&[crank], &[]).await.unwrap();
    let shares: ringfence::state::LpAccount = h.decode(&builders::lp_pda(&lp.key())).await;
    let withdraw = builders::pool_withdraw(&lp.key(), &lp.token, shares.shares);
    h.process(&[withdraw], &[&lp.keypair]).await.unwrap();
    assert!(
        h.token_balance(&lp.token).await <= 90_000_000 * USD,
        "the late LP took part of the $24,000"
    );
}

#[tokio::test]
async fn substituted_oracles_are_refused_where_the_change_added_them() {
    // set_triggers and apply_market_update gained an oracle account: another market's oracle
    // is refused with a named error and nothing moves.
    let mut h = timelocked(frictionless(btc_params())).await;
    h.stub_market("ETH-PERP", frictionless(btc_params()), 2_500)
        .await;
    let (wallet, sub) = h.trader(2_000).await;
    h.deposit(&wallet, &sub, 2_000 * USD).await.unwrap();
    h.open_at_market(&wallet, &sub, BTC, Side::Long, BASE_UNIT as u64 / 5, 10)
        .await
        .unwrap();
    let foreign = builders::stub_oracle_pda(1);
    let watched = [
        sub,
        builders::market_pda(BTC),
        builders::market_update_pda(BTC),
    ];
    let before = h.snapshot(&watched).await;
    let ix = builders::set_triggers(&wallet.key(), &sub, BTC, &foreign, 40_000 * USD, 0);
    assert_error(
        h.process(&[ix], &[&wallet.keypair]).await,
        RingfenceError::OracleAccountMismatch,
    );
    assert_eq!(h.snapshot(&watched).await, before);
    let admin = h.admin.insecure_clone();
    let ix = builders::propose_market_update(&admin.pubkey(), BTC, btc_params());
    h.process(&[ix], &[&admin]).await.unwrap();
    let now = h.clock().await.unix_timestamp;
    h.set_time(now + i64::from(HOUR)).await;
    h.set_price(BTC, 50_000).await;
    h.set_price(1, 2_500).await;
    let pending = h.snapshot(&watched).await;
    let ix = builders::apply_market_update(&admin.pubkey(), BTC, &foreign);
    assert_error(
        h.process(&[ix], &[&admin]).await,
        RingfenceError::OracleAccountMismatch,
    );
    assert_eq!(h.snapshot(&watched).await, pending);
}
