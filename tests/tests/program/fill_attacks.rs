//! The outside review's attacks on the fill path (issue 14), each replayed through the runtime.
//! Every test asserts that the attack is refused or earns nothing: the attacker's wallet and
//! sub-accounts end no richer and the pool, insurance and fee ledgers no poorer. The figures the
//! review measured against the code before the fix are in each test's comment.

use ringfence::error::RingfenceError;
use ringfence::instructions::Side;
use ringfence::state::{MarketParams, SubAccountMode};
use ringfence_tests::params::{btc_params, BASE_UNIT, USD};
use ringfence_tests::trading::frictionless;
use ringfence_tests::{assert_error, builders, Harness, Wallet};
use solana_sdk::pubkey::Pubkey;

const BTC: u16 = 0;
const ALL: u64 = u64::MAX;
/// Base atoms per dollar at $50,000.
const ATOMS_PER_USD: i64 = BASE_UNIT / 50_000;

/// An owner's tokens wherever they are: its wallet plus every sub-account's collateral.
async fn wealth(h: &mut Harness, wallet: &Wallet, subs: &[Pubkey]) -> i128 {
    let mut total = i128::from(h.token_balance(&wallet.token).await);
    for sub in subs {
        total += i128::from(h.sub_account(sub).await.collateral);
    }
    total
}

/// What the protocol side holds: pool, insurance fund and protocol fees.
async fn house(h: &mut Harness) -> i128 {
    let exchange = h.exchange().await;
    i128::from(h.pool().await.balance)
        + i128::from(exchange.insurance_fund)
        + i128::from(exchange.protocol_fees)
}

/// A wallet with a user account and `count` funded cross sub-accounts of `each` dollars.
async fn owner(h: &mut Harness, count: usize, each: u64) -> (Wallet, Vec<Pubkey>) {
    let wallet = h.wallet(each * count as u64).await;
    h.create_user(&wallet).await;
    let mut subs = Vec::new();
    for _ in 0..count {
        let sub = h.create_sub_account(&wallet, SubAccountMode::Cross).await;
        h.deposit(&wallet, &sub, each * USD).await.unwrap();
        subs.push(sub);
    }
    (wallet, subs)
}

/// Size of the open position of `sub` in BTC (0 when none).
async fn held(h: &mut Harness, sub: &Pubkey) -> i64 {
    let (_, positions) = h.try_sub_account(sub).await.unwrap();
    positions
        .iter()
        .find(|p| p.is_open() && p.market_index == BTC)
        .map_or(0, |p| p.base)
}

/// Moves the BTC skew to `target_usd` of net long notional with two sub-accounts (one holds
/// shorts, one longs): a buy first closes shorts, then opens longs, and a sell the reverse.
async fn move_skew_to(
    h: &mut Harness,
    wallet: &Wallet,
    short: &Pubkey,
    long: &Pubkey,
    target_usd: i64,
) {
    let net = h.market(BTC).await.net_base().unwrap();
    let mut delta = target_usd * ATOMS_PER_USD - net;
    let (reduce, grow, side) = if delta > 0 {
        (short, long, Side::Long)
    } else {
        (long, short, Side::Short)
    };
    let reducible = held(h, reduce)
        .await
        .unsigned_abs()
        .min(delta.unsigned_abs());
    if reducible > 0 {
        h.close_at_market(wallet, reduce, BTC, Some(reducible))
            .await
            .unwrap();
        delta -= delta.signum() * reducible as i64;
    }
    if delta != 0 {
        h.open_at_market(wallet, grow, BTC, side, delta.unsigned_abs(), 10)
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn swinging_the_skew_across_zero_earns_nothing_at_a_flat_oracle() {
    // Review, before the fix (clamped average of the endpoints): +$7,199 to the attacker,
    // −$9,039 to the pool over $18M of volume, oracle flat at $50,000.
    let mut h = Harness::new().await;
    h.stub_market("BTC-PERP", btc_params(), 50_000).await;
    h.seed_pool(10_000_000).await;
    let (attacker, subs) = owner(&mut h, 3, 1_000_000).await;
    let (a, short, long) = (subs[0], subs[1], subs[2]);
    let (wealth_before, house_before) =
        (wealth(&mut h, &attacker, &subs).await, house(&mut h).await);

    // A goes long $1M; B swings the skew across zero ten times, each swing $40k smaller.
    h.open_at_market(
        &attacker,
        &a,
        BTC,
        Side::Long,
        (1_000_000 * ATOMS_PER_USD) as u64,
        10,
    )
    .await
    .unwrap();
    let mut target = -960_000i64;
    for _ in 0..10 {
        move_skew_to(&mut h, &attacker, &short, &long, target).await;
        target = -target.signum() * (target.abs() - 40_000);
    }
    for sub in subs.iter() {
        if held(&mut h, sub).await != 0 {
            h.close_at_market(&attacker, sub, BTC, None).await.unwrap();
        }
    }

    let gained = wealth(&mut h, &attacker, &subs).await - wealth_before;
    let house_gained = house(&mut h).await - house_before;
    assert!(gained <= 0, "attacker gained {gained}");
    assert!(house_gained >= 0, "house lost {house_gained}");
    // Nothing was created or destroyed between them.
    assert_eq!(gained + house_gained, 0);
}

#[tokio::test]
async fn an_owner_cannot_set_a_crossed_trigger_or_fire_its_own_for_free() {
    // Review, before the fix: short 38 BTC into a +$1M skew, stop-loss = 1, executed as the
    // owner's own keeper in one transaction: +$948 a round trip (the same round trip through
    // close_position costs −$1,902); over ten rounds +$6,588 to the attacker, −$9,070 to the pool.
    let mut h = Harness::new().await;
    h.stub_market("BTC-PERP", btc_params(), 50_000).await;
    h.seed_pool(10_000_000).await;
    let (honest, honest_subs) = owner(&mut h, 1, 200_000).await;
    h.open_at_market(
        &honest,
        &honest_subs[0],
        BTC,
        Side::Long,
        (1_000_000 * ATOMS_PER_USD) as u64,
        10,
    )
    .await
    .unwrap();
    let (attacker, subs) = owner(&mut h, 1, 200_000).await;
    let sub = subs[0];
    let (wealth_before, house_before) =
        (wealth(&mut h, &attacker, &subs).await, house(&mut h).await);
    let oracle = builders::stub_oracle_pda(BTC);

    for _ in 0..10 {
        h.open_at_market(&attacker, &sub, BTC, Side::Short, 38 * BASE_UNIT as u64, 20)
            .await
            .unwrap();
        let before = h.snapshot(&[sub]).await;
        // A short's stop-loss fires at or above it, its take-profit at or below: both crossed.
        for (stop, take) in [(1, 0), (0, u64::MAX), (50_000 * USD, 0)] {
            let ix = builders::set_triggers(&attacker.key(), &sub, BTC, &oracle, stop, take);
            let result = h.process(&[ix], &[&attacker.keypair]).await;
            assert_error(result, RingfenceError::TriggerAlreadyCrossed);
        }
        let ix = builders::execute_trigger(&attacker.key(), &attacker.token, &sub, BTC, &oracle);
        assert_error(
            h.process(&[ix], &[&attacker.keypair]).await,
            RingfenceError::NotTriggered,
        );
        assert_eq!(h.snapshot(&[sub]).await, before);
        h.close_at_market(&attacker, &sub, BTC, None).await.unwrap();
    }

    let gained = wealth(&mut h, &attacker, &subs).await - wealth_before;
    assert!(
        gained < 0,
        "ten round trips must cost their fees, gained {gained}"
    );
    h.close_at_market(&honest, &honest_subs[0], BTC, None)
        .await
        .unwrap();
    assert!(house(&mut h).await >= house_before);
}

#[tokio::test]
async fn a_crossed_trigger_fills_through_the_close_path_with_its_fee() {
    // No premium, 5 bps taker fee, $1 keeper fee: every number by hand.
    let mut h = Harness::new().await;
    let params = MarketParams {
        max_premium_bps: 0,
        ..btc_params()
    };
    h.stub_market("BTC-PERP", params, 50_000).await;
    h.seed_pool(1_000_000).await;
    let (trader, subs) = owner(&mut h, 1, 10_000).await;
    let sub = subs[0];
    let keeper = h.wallet(0).await;
    // Long 1 BTC at 50,000, 10x: fee 5 bps of $50,000 = $25 ($5 to the protocol).
    h.open_at_market(&trader, &sub, BTC, Side::Long, BASE_UNIT as u64, 10)
        .await
        .unwrap();
    let oracle = builders::stub_oracle_pda(BTC);
    let ix = builders::set_triggers(&trader.key(), &sub, BTC, &oracle, 49_000 * USD, 0);
    h.process(&[ix], &[&trader.keypair]).await.unwrap();

    // The mark gaps to 48,000: the stop fills at 48,000 (−$2,000), pays 5 bps of $48,000 = $24
    // ($4.80 to the protocol) and the $1 keeper fee.
    h.set_price(BTC, 48_000).await;
    let ix = builders::execute_trigger(&keeper.key(), &keeper.token, &sub, BTC, &oracle);
    h.process(&[ix], &[&keeper.keypair]).await.unwrap();
    assert_eq!(held(&mut h, &sub).await, 0);
    assert_eq!(
        h.sub_account(&sub).await.collateral,
        (10_000 - 25 - 2_000 - 24 - 1) * USD as i64
    );
    assert_eq!(h.token_balance(&keeper.token).await, USD);
    assert_eq!(h.exchange().await.protocol_fees, 9_800_000);
}

#[tokio::test]
async fn a_position_at_the_open_interest_cap_closes_triggers_and_liquidates_whole() {
    // Review, before the fix: the released entry quote overflowed i128 above about $5.5M of BTC
    // at $50k (440 ETH closed, 460 did not); a 120 BTC stop-loss and the keeper's whole
    // liquidation failed with MathOverflow. 1,000 BTC at $50,000 is the $50M cap exactly.
    let mut h = Harness::new().await;
    h.stub_market("BTC-PERP", frictionless(btc_params()), 50_000)
        .await;
    h.seed_pool(60_000_000).await;
    h.fund_insurance(1_000_000).await;
    let cap = 1_000 * BASE_UNIT as u64;
    let keeper = h.wallet(0).await;
    let oracle = builders::stub_oracle_pda(BTC);

    // A whole close at the cap returns the collateral exactly (frictionless, flat).
    let (trader, subs) = owner(&mut h, 1, 2_000_000).await;
    h.open_at_market(&trader, &subs[0], BTC, Side::Long, cap, 40)
        .await
        .unwrap();
    h.close_at_market(&trader, &subs[0], BTC, None)
        .await
        .unwrap();
    assert_eq!(
        h.sub_account(&subs[0]).await.collateral,
        2_000_000 * USD as i64
    );

    // A whole stop-loss at the cap: 1,000 × −$1,001 realized, $1 keeper fee.
    h.open_at_market(&trader, &subs[0], BTC, Side::Long, cap, 40)
        .await
        .unwrap();
    let ix = builders::set_triggers(&trader.key(), &subs[0], BTC, &oracle, 49_000 * USD, 0);
    h.process(&[ix], &[&trader.keypair]).await.unwrap();
    h.set_price(BTC, 48_999).await;
    let ix = builders::execute_trigger(&keeper.key(), &keeper.token, &subs[0], BTC, &oracle);
    h.process(&[ix], &[&keeper.keypair]).await.unwrap();
    assert_eq!(held(&mut h, &subs[0]).await, 0);
    assert_eq!(
        h.sub_account(&subs[0]).await.collateral,
        (2_000_000 - 1_001_000 - 1) * USD as i64
    );

    // A whole liquidation at the cap: $1.3M on 1,000 BTC from 48,999, gapping to 47,500 loses
    // $1,499,000, so the account is bankrupt and the position goes in one call.
    let (victim, victim_subs) = owner(&mut h, 1, 1_300_000).await;
    h.open_at_market(&victim, &victim_subs[0], BTC, Side::Long, cap, 40)
        .await
        .unwrap();
    h.set_price(BTC, 47_500).await;
    h.liquidate(&keeper, &victim_subs[0], BTC, ALL)
        .await
        .unwrap();
    let header = h.sub_account(&victim_subs[0]).await;
    assert_eq!((header.has_positions, header.collateral), (0, 0));
}

#[tokio::test]
async fn a_fill_refuses_a_price_older_than_the_fill_age_or_than_one_already_used() {
    use ringfence_tests::pyth::PythPrice;
    // Review, before the fix: any price up to max_oracle_age_s (60 s) filled, so a trader
    // opened on the old price, posted the newer update it had already seen and closed:
    // +$3,500 on $1M at a +0.5% move.
    let mut h = Harness::new().await;
    let feed = [0xb7; 32];
    let address = Pubkey::new_unique();
    let now = h.clock().await.unix_timestamp;
    let params = frictionless(btc_params());
    h.pyth_market(
        "BTC-PERP",
        params,
        address,
        PythPrice::usd(feed, 50_000, now),
    )
    .await;
    h.seed_pool(10_000_000).await;
    let (trader, subs) = owner(&mut h, 1, 200_000).await;
    let sub = subs[0];
    let watched = [sub, builders::market_pda(BTC), builders::pool_pda()];
    let size = (1_000_000 * ATOMS_PER_USD) as u64;

    // 30 s old: fine for a margin check (60 s), too old to fill at (10 s).
    h.write_pyth(&address, &PythPrice::usd(feed, 50_000, now - 30));
    let before = h.snapshot(&watched).await;
    let result = h
        .open_at_market(&trader, &sub, BTC, Side::Long, size, 10)
        .await;
    assert_error(result, RingfenceError::OracleTooOldForFill);
    assert_eq!(h.snapshot(&watched).await, before);

    // A fresh price fills and is recorded; an older one, though within 10 s, is refused.
    h.write_pyth(&address, &PythPrice::usd(feed, 50_000, now));
    h.open_at_market(&trader, &sub, BTC, Side::Long, size, 10)
        .await
        .unwrap();
    assert_eq!(h.market(BTC).await.last_fill_publish_time, now);
    h.write_pyth(&address, &PythPrice::usd(feed, 50_250, now - 5));
    let before = h.snapshot(&watched).await;
    let result = h.close_at_market(&trader, &sub, BTC, None).await;
    assert_error(result, RingfenceError::OracleOlderThanUsed);
    assert_eq!(h.snapshot(&watched).await, before);
    // Back at the price it opened on, the round trip earns nothing.
    h.write_pyth(&address, &PythPrice::usd(feed, 50_000, now));
    h.close_at_market(&trader, &sub, BTC, None).await.unwrap();
    assert_eq!(h.sub_account(&sub).await.collateral, 200_000 * USD as i64);
}

#[tokio::test]
async fn chunked_liquidation_of_a_bankrupt_account_pays_no_penalty_and_one_bounded_bounty() {
    // Review, before the fix: the penalty came out of collateral even below zero equity, so
    // 1 BTC chunks paid liquidators $363.75 that the pool then lost (the 120 BTC case: $4,800),
    // while a whole close paid nothing.
    let mut h = Harness::new().await;
    h.stub_market("BTC-PERP", frictionless(btc_params()), 50_000)
        .await;
    h.seed_pool(10_000_000).await;
    h.fund_insurance(10_000).await;
    let trader = h.wallet(150_000).await;
    h.create_user(&trader).await;
    let sub = h
        .create_sub_account(&trader, SubAccountMode::Isolated { market_index: BTC })
        .await;
    h.deposit(&trader, &sub, 150_000 * USD).await.unwrap();
    // 120 BTC at 40x ($6M, IM $150,000).
    h.open_at_market(&trader, &sub, BTC, Side::Long, 120 * BASE_UNIT as u64, 40)
        .await
        .unwrap();
    let liquidator = h.wallet(0).await;
    let house_before = house(&mut h).await;

    // A gap to 47,000 loses $360,000: equity −$210,000. Liquidated 1 BTC at a time.
    h.set_price(BTC, 47_000).await;
    for _ in 0..120 {
        h.liquidate(&liquidator, &sub, BTC, BASE_UNIT as u64)
            .await
            .unwrap();
    }
    let header = h.sub_account(&sub).await;
    assert_eq!((header.has_positions, header.collateral), (0, 0));
    // The liquidator earned only the bounty of the call that closed the position: at most the
    // $1 keeper fee.
    let earned = h.token_balance(&liquidator.token).await;
    assert_eq!(earned, USD, "one $1 bounty for the whole position");
    // The house gained the trader's $150,000 collateral, less that bounty, and nothing else.
    assert_eq!(
        house(&mut h).await - house_before,
        i128::from(150_000 * USD) - i128::from(earned)
    );
}

#[tokio::test]
async fn a_rescued_account_is_unflagged_by_its_deposit() {
    // Review, before the fix: after one partial liquidation the owner deposited $2,000; later,
    // at equity $218 above maintenance $35.64, the stale flag still let a liquidator close it.
    let mut h = Harness::new().await;
    h.stub_market("BTC-PERP", frictionless(btc_params()), 50_000)
        .await;
    h.seed_pool(1_000_000).await;
    let (trader, subs) = owner(&mut h, 1, 3_000).await;
    let sub = subs[0];
    h.withdraw(&trader, &sub, 2_000 * USD).await.unwrap();
    let liquidator = h.wallet(0).await;
    // Seed long 0.2 BTC at 50,000, 10x, $1,000. At 45,200 equity $40 < MM $45.20; a 0.1 BTC
    // liquidation leaves equity $28.70 under the $237.30 target: flagged.
    h.open_at_market(&trader, &sub, BTC, Side::Long, BASE_UNIT as u64 / 5, 10)
        .await
        .unwrap();
    h.set_price(BTC, 45_200).await;
    h.liquidate(&liquidator, &sub, BTC, BASE_UNIT as u64 / 10)
        .await
        .unwrap();
    assert_eq!(h.sub_account(&sub).await.being_liquidated, 1);

    // The owner deposits $2,000 with its markets: equity $2,028.70 ≥ target, unflagged.
    let pairs = h.position_pairs(&sub, None).await;
    let ix =
        builders::deposit_with_markets(&trader.key(), &sub, &trader.token, 2_000 * USD, &pairs);
    h.process(&[ix], &[&trader.keypair]).await.unwrap();
    assert_eq!(h.sub_account(&sub).await.being_liquidated, 0);

    // At 26,000: equity 2,508.70 − 2,400 = $108.70, above MM $13, below the $136.50 target.
    h.set_price(BTC, 26_000).await;
    let before = h.snapshot(&[sub]).await;
    assert_error(
        h.liquidate(&liquidator, &sub, BTC, ALL).await,
        RingfenceError::NotLiquidatable,
    );
    assert_eq!(h.snapshot(&[sub]).await, before);
}

/// A market with $1M of skew scale and 0.1% an hour of maximum funding: $1M long pays $1,000 an
/// hour.
fn hourly_thousand() -> MarketParams {
    MarketParams {
        skew_scale: 1_000_000 * USD,
        max_funding_rate_ppm: 1_000,
        ..frictionless(btc_params())
    }
}

#[tokio::test]
async fn funding_time_without_a_crank_is_charged_in_full() {
    // Review, before the fix: with an elapsed cap of 1 h, ten hours without a crank at full
    // skew charged one hour ($1,000 instead of $10,000).
    let mut h = Harness::new().await;
    h.stub_market("BTC-PERP", hourly_thousand(), 50_000).await;
    h.seed_pool(10_000_000).await;
    let (trader, subs) = owner(&mut h, 1, 200_000).await;
    let sub = subs[0];
    // Long $1M = 20 BTC: full skew, 0.1% an hour of $50,000 = $50 per BTC, $1,000 an hour.
    h.open_at_market(&trader, &sub, BTC, Side::Long, 20 * BASE_UNIT as u64, 10)
        .await
        .unwrap();
    let start = h.market(BTC).await.last_funding_ts;
    h.set_time(start + 10 * 3_600).await;
    h.set_price(BTC, 50_000).await;
    let oracle = builders::stub_oracle_pda(BTC);
    for _ in 0..3 {
        let ix = builders::settle_funding(BTC, &oracle, &[sub]);
        h.process(&[ix], &[]).await.unwrap();
    }
    // The first crank charges all ten hours; the next ones have nothing left to charge.
    assert_eq!(
        h.sub_account(&sub).await.collateral,
        (200_000 - 10_000) * USD as i64
    );
}

#[tokio::test]
async fn a_newcomer_cannot_collect_funding_for_time_before_it_arrived() {
    // Found by our own review of the first fix (carrying capped time to later accruals): after
    // a long pause, a short opened and then cranked settle_funding many times in one sequence,
    // collecting each carried hour at the skew it had just reduced (+$12,990 in the worked
    // example: 200 BTC short against a $20M long skew after 24 idle hours).
    let mut h = Harness::new().await;
    h.stub_market("BTC-PERP", hourly_thousand(), 50_000).await;
    h.seed_pool(10_000_000).await;
    let (honest, honest_subs) = owner(&mut h, 1, 200_000).await;
    h.open_at_market(
        &honest,
        &honest_subs[0],
        BTC,
        Side::Long,
        20 * BASE_UNIT as u64,
        10,
    )
    .await
    .unwrap();
    let (attacker, subs) = owner(&mut h, 1, 200_000).await;
    let wealth_before = wealth(&mut h, &attacker, &subs).await;
    let start = h.market(BTC).await.last_funding_ts;
    h.set_time(start + 10 * 3_600).await;
    h.set_price(BTC, 50_000).await;

    h.open_at_market(
        &attacker,
        &subs[0],
        BTC,
        Side::Short,
        10 * BASE_UNIT as u64,
        10,
    )
    .await
    .unwrap();
    let oracle = builders::stub_oracle_pda(BTC);
    for _ in 0..10 {
        let ix = builders::settle_funding(BTC, &oracle, &[subs[0], honest_subs[0]]);
        h.process(&[ix], &[]).await.unwrap();
    }
    h.close_at_market(&attacker, &subs[0], BTC, None)
        .await
        .unwrap();

    assert!(wealth(&mut h, &attacker, &subs).await <= wealth_before);
    // The ten hours were charged to the long that was there, at its own skew.
    assert_eq!(
        h.sub_account(&honest_subs[0]).await.collateral,
        (200_000 - 10_000) * USD as i64
    );
}
