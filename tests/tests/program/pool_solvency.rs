//! The outside review's attacks on the pool (issue 16), each replayed through the runtime, plus
//! an exchange of 128 markets. Every attack test asserts that the attack is refused or earns
//! nothing; the review's figures against the code before the fix are in each test's comment.
//! Expected numbers are worked out by hand from docs/POOL.md (frictionless markets: no fee, no
//! premium, so every dollar can be followed).

use ringfence::error::RingfenceError;
use ringfence::instructions::Side;
use ringfence::state::{LpAccount, MarketParams, SubAccountMode};
use ringfence_tests::params::{btc_params, eth_params, BASE_UNIT, USD};
use ringfence_tests::{assert_error, builders, Harness, Wallet};
use solana_sdk::pubkey::Pubkey;
use solana_sdk::transaction::TransactionError;

const BTC: u16 = 0;
const ETH: u16 = 1;
const ALL: u64 = u64::MAX;
const HOUR: u32 = 3_600;

/// `params` without fee or premium, keeping the preset's size term and pool caps.
fn frictionless(params: MarketParams) -> MarketParams {
    MarketParams {
        taker_fee_bps: 0,
        max_premium_bps: 0,
        ..params
    }
}

/// An exchange with `lp_cooldown_s` and a frictionless BTC market at $50,000.
async fn exchange(lp_cooldown_s: u32) -> Harness {
    let mut h = Harness::uninitialized().await;
    h.config.lp_cooldown_s = lp_cooldown_s;
    h.initialize_exchange().await.unwrap();
    h.stub_market("BTC-PERP", frictionless(btc_params()), 50_000)
        .await;
    h
}

/// A wallet with one funded sub-account of `mode`.
async fn trader(h: &mut Harness, usd: u64, mode: SubAccountMode) -> (Wallet, Pubkey) {
    let wallet = h.wallet(usd).await;
    h.create_user(&wallet).await;
    let sub = h.create_sub_account(&wallet, mode).await;
    h.deposit(&wallet, &sub, usd * USD).await.unwrap();
    (wallet, sub)
}

/// The LP's shares.
async fn shares(h: &mut Harness, lp: &Wallet) -> u64 {
    h.decode::<LpAccount>(&builders::lp_pda(&lp.key()))
        .await
        .shares
}

/// Redeems `count` shares into the LP's wallet.
async fn withdraw(h: &mut Harness, lp: &Wallet, count: u64) -> Result<(), TransactionError> {
    let ix = builders::pool_withdraw(&lp.key(), &lp.token, count);
    h.process(&[ix], &[&lp.keypair]).await
}

/// Deposits `usd` from the LP's wallet.
async fn deposit(h: &mut Harness, lp: &Wallet, usd: u64) -> Result<(), TransactionError> {
    let ix = builders::pool_deposit(&lp.key(), &lp.token, usd * USD);
    h.process(&[ix], &[&lp.keypair]).await
}

fn btc(units: i64) -> u64 {
    (units * BASE_UNIT) as u64
}

#[tokio::test]
async fn the_first_lp_out_does_not_escape_bad_debt() {
    // Review, before the fix: two $1M LPs; an isolated 8 BTC long at 40x on $10,000 gaps from
    // 50,000 to 45,000 (−$40,000, of which $30,000 is beyond its collateral). The first LP out
    // (before the liquidation) got $1,020,000, the second $990,000; fair is $1,005,000 each
    // (the pool ends with $2,000,000 + $10,000 of collateral collected).
    let mut h = exchange(0).await;
    let lp1 = h.seed_pool(1_000_000).await;
    let lp2 = h.seed_pool(1_000_000).await;
    let (wallet, sub) = trader(
        &mut h,
        10_000,
        SubAccountMode::Isolated { market_index: BTC },
    )
    .await;
    // 8 BTC = $400,000 at 40x: IM $10,000 (the size term, 400k² / 50M = $3,200, is below it).
    h.open_at_market(&wallet, &sub, BTC, Side::Long, btc(8), 40)
        .await
        .unwrap();
    h.set_price(BTC, 45_000).await;
    h.refresh_all().await;

    // The withdrawal valuation counts no trader loss: LP1 gets its $1,000,000 back, not more.
    let count = shares(&mut h, &lp1).await;
    withdraw(&mut h, &lp1, count).await.unwrap();
    let first = h.token_balance(&lp1.token).await;
    assert_eq!(first, 1_000_000 * USD);

    // The liquidation collects $10,000 and the pool absorbs the $30,000 beyond it (no insurance):
    // $1,000,000 + $40,000 − $30,000 = $1,010,000, all LP2's.
    let keeper = h.wallet(0).await;
    h.liquidate(&keeper, &sub, BTC, ALL).await.unwrap();
    let count = shares(&mut h, &lp2).await;
    withdraw(&mut h, &lp2, count).await.unwrap();
    let second = h.token_balance(&lp2.token).await;
    assert_eq!(second, 1_010_000 * USD);
    let fair = 1_005_000 * USD;
    assert!(first <= fair + USD && second + USD >= fair);
    assert_eq!(first + second, 2_010_000 * USD);
}

#[tokio::test]
async fn a_just_in_time_lp_takes_nothing_from_a_known_price_step() {
    // Review, before the fix: traders net long $1M; an LP deposited $1M one price update before
    // a known −2% mark and withdrew right after: +$10,000 in two transactions.
    let mut h = exchange(HOUR).await;
    let _incumbent = h.seed_pool(1_000_000).await;
    let (wallet, sub) = trader(&mut h, 200_000, SubAccountMode::Cross).await;
    h.open_at_market(&wallet, &sub, BTC, Side::Long, btc(20), 10)
        .await
        .unwrap();
    let jit = h.wallet(1_000_000).await;
    deposit(&mut h, &jit, 1_000_000).await.unwrap();
    // The known −2%: traders lose $20,000, realized at once by the trader's close.
    h.set_price(BTC, 49_000).await;
    h.close_at_market(&wallet, &sub, BTC, None).await.unwrap();
    let watched = [
        builders::pool_pda(),
        builders::lp_pda(&jit.key()),
        jit.token,
    ];
    let before = h.snapshot(&watched).await;
    let count = shares(&mut h, &jit).await;
    assert_error(
        withdraw(&mut h, &jit, count).await,
        RingfenceError::LpCooldown,
    );
    assert_eq!(h.snapshot(&watched).await, before);

    // Without the cooldown's protection (a fresh exchange with none), the lower valuation still
    // gives nothing for a loss that is only unrealized: deposit, −2%, refresh, withdraw.
    let mut h = exchange(0).await;
    h.seed_pool(1_000_000).await;
    let (wallet, sub) = trader(&mut h, 200_000, SubAccountMode::Cross).await;
    h.open_at_market(&wallet, &sub, BTC, Side::Long, btc(20), 10)
        .await
        .unwrap();
    let jit = h.wallet(1_000_000).await;
    deposit(&mut h, &jit, 1_000_000).await.unwrap();
    h.set_price(BTC, 49_000).await;
    h.refresh_all().await;
    let count = shares(&mut h, &jit).await;
    withdraw(&mut h, &jit, count).await.unwrap();
    assert!(h.token_balance(&jit.token).await <= 1_000_000 * USD);
}

#[tokio::test]
async fn a_deposit_just_before_a_funding_crank_cannot_be_redeemed_after_it() {
    // Review, before the fix: a deposit just before a funding crank took $499.83 of funding
    // earned before it arrived. The cooldown holds the shares past any crank it could time.
    let mut h = exchange(HOUR).await;
    h.seed_pool(1_000_000).await;
    let (wallet, sub) = trader(&mut h, 200_000, SubAccountMode::Cross).await;
    h.open_at_market(&wallet, &sub, BTC, Side::Long, btc(20), 10)
        .await
        .unwrap();
    let now = h.clock().await.unix_timestamp;
    h.set_time(now + 250).await;
    h.set_price(BTC, 50_000).await;
    let jit = h.wallet(1_000_000).await;
    deposit(&mut h, &jit, 1_000_000).await.unwrap();
    h.refresh_all().await; // the crank: funding paid by the net long lands in the pool
    let count = shares(&mut h, &jit).await;
    assert_error(
        withdraw(&mut h, &jit, count).await,
        RingfenceError::LpCooldown,
    );
    assert!(h.token_balance(&jit.token).await == 0);
}

#[tokio::test]
async fn exposure_caps_sum_over_markets_so_correlated_winners_are_all_paid() {
    // Review, before the fix: each market's exposure was checked against the balance alone.
    // With $1M net long in BTC and $1M in ETH the LP withdrew half of a $2M pool; both markets
    // +60% → the first winner was paid $600,000 and the second close failed, owed $600,000.
    let mut h = exchange(0).await;
    h.stub_market("ETH-PERP", frictionless(eth_params()), 2_500)
        .await;
    let lp = h.seed_pool(2_000_000).await;
    let (a, a_sub) = trader(&mut h, 100_000, SubAccountMode::Cross).await;
    let (b, b_sub) = trader(&mut h, 100_000, SubAccountMode::Cross).await;
    h.open_at_market(&a, &a_sub, BTC, Side::Long, btc(20), 10)
        .await
        .unwrap();
    h.open_at_market(&b, &b_sub, ETH, Side::Long, btc(400), 10)
        .await
        .unwrap();
    assert_eq!(h.pool().await.total_exposure, 2_000_000 * USD);

    // Σ |net exposure| = $2M = the pool's equity: no withdrawal at all is possible now.
    let watched = [builders::pool_pda(), builders::lp_pda(&lp.key()), lp.token];
    let before = h.snapshot(&watched).await;
    let half = shares(&mut h, &lp).await / 2;
    assert_error(
        withdraw(&mut h, &lp, half).await,
        RingfenceError::PoolExposureExceeded,
    );
    assert_eq!(h.snapshot(&watched).await, before);
    // Nor may a third trader add exposure on either market.
    let (c, c_sub) = trader(&mut h, 100_000, SubAccountMode::Cross).await;
    assert_error(
        h.open_at_market(&c, &c_sub, BTC, Side::Long, btc(1), 10)
            .await,
        RingfenceError::PoolExposureExceeded,
    );

    // Both +60%: each winner closes and is paid its $600,000 in full.
    h.set_price(BTC, 80_000).await;
    h.set_price(ETH, 4_000).await;
    h.close_at_market(&a, &a_sub, BTC, None).await.unwrap();
    h.close_at_market(&b, &b_sub, ETH, None).await.unwrap();
    for sub in [a_sub, b_sub] {
        let header = h.sub_account(&sub).await;
        assert_eq!(header.collateral, 700_000 * USD as i64);
        assert_eq!(header.claim, 0);
    }
    assert_eq!(h.pool().await.balance, 800_000 * USD);
}

#[tokio::test]
async fn a_long_and_a_short_in_two_isolated_sub_accounts_cannot_farm_a_gap() {
    // Review, before the fix: one wallet, 100 BTC long and 100 BTC short at 40x in two isolated
    // sub-accounts ($265,000 in all). One +5% update bankrupted the short while the long was
    // paid in full: attacker +$112,497, insurance −$50,000, pool −$63,498.
    let mut h = exchange(0).await;
    h.seed_pool(10_000_000).await;
    let attacker = h.wallet(1_100_000).await;
    h.create_user(&attacker).await;
    let long = h
        .create_sub_account(&attacker, SubAccountMode::Isolated { market_index: BTC })
        .await;
    let short = h
        .create_sub_account(&attacker, SubAccountMode::Isolated { market_index: BTC })
        .await;
    for sub in [long, short] {
        h.deposit(&attacker, &sub, 132_500 * USD).await.unwrap();
    }
    // $5M at 40x would need $125,000, but the size term asks 5M² / 50M = $500,000 (10%).
    let before = h.snapshot(&[long, short, builders::pool_pda()]).await;
    assert_error(
        h.open_at_market(&attacker, &long, BTC, Side::Long, btc(100), 40)
            .await,
        RingfenceError::InsufficientInitialMargin,
    );
    assert_eq!(
        h.snapshot(&[long, short, builders::pool_pda()]).await,
        before
    );

    // At the size term's 10% (10x) the pair opens, and the same +5% bankrupts nobody: the
    // short loses $250,000 of $550,000, the long gains it, and closing both returns the stake.
    for sub in [long, short] {
        h.deposit(&attacker, &sub, 417_500 * USD).await.unwrap();
    }
    let pool_before = h.pool().await.balance;
    h.open_at_market(&attacker, &long, BTC, Side::Long, btc(100), 10)
        .await
        .unwrap();
    h.open_at_market(&attacker, &short, BTC, Side::Short, btc(100), 10)
        .await
        .unwrap();
    h.set_price(BTC, 52_500).await;
    let keeper = h.wallet(0).await;
    assert_error(
        h.liquidate(&keeper, &short, BTC, ALL).await,
        RingfenceError::NotLiquidatable,
    );
    for sub in [long, short] {
        h.close_at_market(&attacker, &sub, BTC, None).await.unwrap();
    }
    let stake = h.sub_account(&long).await.collateral + h.sub_account(&short).await.collateral;
    assert_eq!(stake, 1_100_000 * USD as i64);
    assert!(h.pool().await.balance >= pool_before);
}

#[tokio::test]
async fn a_winner_the_pool_cannot_pay_closes_and_is_paid_from_later_inflows() {
    // Review, before the fix: a close whose profit the pool could not pay was refused
    // (`PoolCannotPay`) and the winning position stayed open.
    let mut h = exchange(0).await;
    h.seed_pool(1_000_000).await;
    let (a, a_sub) = trader(&mut h, 100_000, SubAccountMode::Cross).await;
    let (b, b_sub) = trader(&mut h, 700_000, SubAccountMode::Cross).await;
    // A long 20 BTC ($1M) at 10x, B short 8 BTC ($400k) at 1x: net $600k ≤ the $1M pool.
    h.open_at_market(&a, &a_sub, BTC, Side::Long, btc(20), 10)
        .await
        .unwrap();
    h.open_at_market(&b, &b_sub, BTC, Side::Short, btc(8), 1)
        .await
        .unwrap();
    // +150%: A is up 20 × 75,000 = $1,500,000, B down 8 × 75,000 = $600,000.
    h.set_price(BTC, 125_000).await;
    h.close_at_market(&a, &a_sub, BTC, None).await.unwrap();
    // The pool paid all it held ($1M); the other $500,000 is A's claim.
    let header = h.sub_account(&a_sub).await;
    assert_eq!(header.collateral, 1_100_000 * USD as i64);
    assert_eq!(header.claim, 500_000 * USD);
    assert_eq!(h.pool().await.balance, 0);
    let watched = [a_sub, builders::pool_pda()];
    let before = h.snapshot(&watched).await;
    let redeem = builders::redeem_claim(&a_sub);
    assert_error(
        h.process(std::slice::from_ref(&redeem), &[]).await,
        RingfenceError::ClaimNotRedeemable,
    );
    assert_eq!(h.snapshot(&watched).await, before);

    // B's $600,000 loss funds the claim first: $500,000 to the pot, $100,000 to the balance.
    h.close_at_market(&b, &b_sub, BTC, None).await.unwrap();
    let pool = h.pool().await;
    assert_eq!(
        (pool.claim_pot, pool.balance),
        (500_000 * USD, 100_000 * USD)
    );
    h.process(&[redeem], &[]).await.unwrap();
    let header = h.sub_account(&a_sub).await;
    assert_eq!(
        (header.collateral, header.claim),
        (1_600_000 * USD as i64, 0)
    );
    h.withdraw(&a, &a_sub, 1_600_000 * USD).await.unwrap();
    assert_eq!(h.token_balance(&a.token).await, 1_600_000 * USD);
}

#[tokio::test]
async fn lp_flows_need_a_recent_valuation_of_every_market_with_open_interest() {
    let mut h = exchange(0).await;
    h.stub_market("ETH-PERP", frictionless(eth_params()), 2_500)
        .await;
    let lp = h.seed_pool(1_000_000).await;
    let (a, a_sub) = trader(&mut h, 100_000, SubAccountMode::Cross).await;
    h.open_at_market(&a, &a_sub, BTC, Side::Long, btc(1), 10)
        .await
        .unwrap();
    h.open_at_market(&a, &a_sub, ETH, Side::Long, btc(10), 10)
        .await
        .unwrap();
    let limit = i64::from(h.pool().await.max_valuation_age_s);
    let now = h.clock().await.unix_timestamp;
    h.set_time(now + limit + 1).await;
    h.set_price(BTC, 50_000).await;
    h.set_price(ETH, 2_500).await;
    assert_error(
        withdraw(&mut h, &lp, 1).await,
        RingfenceError::PoolValuationStale,
    );
    // BTC alone is not enough: ETH's term is still old.
    let btc_pair = [builders::market_pda(BTC), h.oracle_of(BTC).await];
    h.process(&[builders::refresh_pool_valuation(&btc_pair)], &[])
        .await
        .unwrap();
    assert_error(
        withdraw(&mut h, &lp, 1).await,
        RingfenceError::PoolValuationStale,
    );
    let eth_pair = [builders::market_pda(ETH), h.oracle_of(ETH).await];
    h.process(&[builders::refresh_pool_valuation(&eth_pair)], &[])
        .await
        .unwrap();
    withdraw(&mut h, &lp, 1).await.unwrap();
    // A market whose account is not writable, or a foreign oracle, is refused.
    let mut readonly = builders::refresh_pool_valuation(&btc_pair);
    readonly.accounts[1].is_writable = false;
    assert_error(
        h.process(&[readonly], &[]).await,
        RingfenceError::InvalidRefreshAccounts,
    );
    let foreign = [builders::market_pda(BTC), h.oracle_of(ETH).await];
    assert_error(
        h.process(&[builders::refresh_pool_valuation(&foreign)], &[])
            .await,
        RingfenceError::OracleAccountMismatch,
    );
}

#[tokio::test]
async fn an_exchange_of_128_markets_values_its_pool_without_market_accounts() {
    let mut h = exchange(0).await;
    for index in 1..128u16 {
        h.stub_market(
            &format!("M{index}-PERP"),
            frictionless(btc_params()),
            50_000,
        )
        .await;
    }
    assert_eq!(h.exchange().await.market_count, 128);
    let lp = h.seed_pool(10_000_000).await;
    let (a, a_sub) = trader(&mut h, 100_000, SubAccountMode::Cross).await;
    for index in [3u16, 64, 127] {
        h.open_at_market(&a, &a_sub, index, Side::Long, btc(1), 10)
            .await
            .unwrap();
    }
    assert_eq!(h.pool().await.active_markets, 3);
    // Time passes; the three markets move +10%; the keeper refreshes every market.
    let limit = i64::from(h.pool().await.max_valuation_age_s);
    let now = h.clock().await.unix_timestamp;
    h.set_time(now + limit + 1).await;
    for index in 0..128u16 {
        h.set_price(index, 55_000).await;
    }
    assert_error(
        withdraw(&mut h, &lp, 1).await,
        RingfenceError::PoolValuationStale,
    );
    h.refresh_all().await;
    // Traders are up 3 × $5,000: the lower valuation is $10,000,000 − $15,000.
    let pool = h.pool().await;
    // Plus each market's funding credited to the pool and not yet paid by the long: 1 BTC of
    // skew at $55,000 against a $10M scale is 0.55% of 100 ppm an hour, so 601 s of it is
    // 0.0055 × 0.0001 × 55,000 × 601 / 3,600 = $0.0050501 a market, floored to 5,050 units.
    assert_eq!(pool.traders_profit, 15_000 * USD + 3 * 5_050);
    assert_eq!(pool.total_exposure, 165_000 * USD);
    let count = shares(&mut h, &lp).await;
    withdraw(&mut h, &lp, count / 2).await.unwrap();
    assert_eq!(h.token_balance(&lp.token).await, 4_992_500 * USD);
}

#[tokio::test]
async fn a_claim_is_set_against_its_holders_own_bad_debt_before_insurance_pays() {
    // Found red-teaming the claims: a sub-account holding an unfunded claim went bankrupt on
    // another position; insurance covered its deficit and the claim was later paid in full, so
    // the owner kept $25,000 of losses the insurance fund paid.
    let mut h = exchange(0).await;
    h.stub_market("ETH-PERP", frictionless(eth_params()), 2_500)
        .await;
    h.seed_pool(100_000).await;
    h.fund_insurance(10_000).await;
    let (s, s_sub) = trader(&mut h, 12_000, SubAccountMode::Cross).await;
    let (l, l_sub) = trader(&mut h, 200_000, SubAccountMode::Cross).await;
    // S long 1 BTC and 20 ETH ($50,000 each) at 10x; L short 1 BTC at 1x.
    h.open_at_market(&s, &s_sub, BTC, Side::Long, btc(1), 10)
        .await
        .unwrap();
    h.open_at_market(&l, &l_sub, BTC, Side::Short, btc(1), 1)
        .await
        .unwrap();
    h.open_at_market(&s, &s_sub, ETH, Side::Long, btc(20), 10)
        .await
        .unwrap();
    // BTC to $200,000: S closes +$150,000; the pool pays its $100,000, owes $50,000.
    h.set_price(BTC, 200_000).await;
    h.close_at_market(&s, &s_sub, BTC, None).await.unwrap();
    assert_eq!(h.sub_account(&s_sub).await.claim, 50_000 * USD);
    // S takes out what is free ($112,000 less ETH's $5,000 IM), then ETH gaps to $1,000:
    // −$30,000 on $5,000 of collateral.
    let pairs = h.position_pairs(&s_sub, None).await;
    let ix = builders::withdraw(&s.key(), &s_sub, &s.token, 107_000 * USD, &pairs);
    h.process(&[ix], &[&s.keypair]).await.unwrap();
    h.set_price(ETH, 1_000).await;
    let insurance_before = h.exchange().await.insurance_fund;
    let keeper = h.wallet(0).await;
    h.liquidate(&keeper, &s_sub, ETH, ALL).await.unwrap();
    // The $25,000 beyond collateral is S's debt to the pool, waiting on S's own claim:
    // insurance pays none of it (at most the $1 bankruptcy bounty to the keeper).
    let header = h.sub_account(&s_sub).await;
    assert_eq!(header.collateral, -25_000 * USD as i64);
    assert_eq!(header.pool_debt, 25_000 * USD);
    assert!(h.exchange().await.insurance_fund + USD >= insurance_before);
    // L's $150,000 loss funds the claim; redeeming it repays the debt first.
    h.close_at_market(&l, &l_sub, BTC, None).await.unwrap();
    h.process(&[builders::redeem_claim(&s_sub)], &[])
        .await
        .unwrap();
    let header = h.sub_account(&s_sub).await;
    assert_eq!(
        (header.collateral, header.claim, header.pool_debt),
        (25_000 * USD as i64, 0, 0)
    );
    // S's fair result: $12,000 + $150,000 − $30,000 = $132,000, and not a dollar more.
    let wealth = h.token_balance(&s.token).await as i64 + header.collateral;
    assert_eq!(wealth, 132_000 * USD as i64);
    assert_eq!(h.pool().await.receivable, 0);
}

#[tokio::test]
async fn a_loss_beyond_collateral_is_never_pool_money_even_between_partial_liquidations() {
    // Found red-teaming the claims: a bankrupt position liquidated in parts credited the pool
    // with its whole loss at once, so claims were funded (and LPs could withdraw) with money
    // that did not exist; the deficit left after the last part stayed unresolved.
    let mut h = exchange(0).await;
    h.stub_market("ETH-PERP", frictionless(eth_params()), 2_500)
        .await;
    h.seed_pool(600_000).await;
    h.fund_insurance(10_000).await;
    let (w, w_sub) = trader(&mut h, 20_000, SubAccountMode::Cross).await;
    let (l, l_sub) = trader(
        &mut h,
        25_000,
        SubAccountMode::Isolated { market_index: ETH },
    )
    .await;
    h.open_at_market(&w, &w_sub, BTC, Side::Long, btc(2), 10)
        .await
        .unwrap();
    // L: 200 ETH = $500,000 at 20x on $25,000.
    h.open_at_market(&l, &l_sub, ETH, Side::Long, btc(200), 20)
        .await
        .unwrap();
    // BTC to $360,000: W is up $620,000, the pool pays $600,000 and owes $20,000.
    h.set_price(BTC, 360_000).await;
    h.close_at_market(&w, &w_sub, BTC, None).await.unwrap();
    assert_eq!(h.sub_account(&w_sub).await.claim, 20_000 * USD);
    // ETH −6%: L is down $30,000 on $25,000. A keeper liquidates 190 ETH (−$28,500) first.
    h.set_price(ETH, 2_350).await;
    let keeper = h.wallet(0).await;
    h.liquidate(&keeper, &l_sub, ETH, 190 * BASE_UNIT as u64)
        .await
        .unwrap();
    // Only the $25,000 collected is money: $20,000 funds W's claim, $5,000 is balance; the
    // other $3,500 is L's debt, a receivable.
    let pool = h.pool().await;
    assert_eq!(pool.balance + pool.claim_pot, 25_000 * USD);
    assert_eq!(pool.receivable, 3_500 * USD);
    h.process(&[builders::redeem_claim(&w_sub)], &[])
        .await
        .unwrap();
    // The last 10 ETH (−$1,500 more): the $5,000 deficit is paid by insurance, which reaches the
    // pool as the debt's repayment.
    h.liquidate(&keeper, &l_sub, ETH, ALL).await.unwrap();
    let header = h.sub_account(&l_sub).await;
    assert_eq!((header.collateral, header.pool_debt), (0, 0));
    let pool = h.pool().await;
    assert_eq!(pool.receivable, 0);
    assert_eq!(pool.balance, 10_000 * USD);
    assert!(h.exchange().await.insurance_fund + USD >= 5_000 * USD);
}

#[tokio::test]
async fn a_deposit_that_covers_a_debt_to_the_pool_repays_it_at_once() {
    // Found red-teaming the receivable: a deposit into a cross sub-account that owed the pool a
    // realized loss left the debt booked as a receivable after the deposit had covered it, so
    // the pool never received the $200 the owner paid.
    let mut h = exchange(0).await;
    h.stub_market("ETH-PERP", frictionless(eth_params()), 2_500)
        .await;
    h.seed_pool(1_000_000).await;
    let (s, s_sub) = trader(&mut h, 1_500, SubAccountMode::Cross).await;
    // $2,000: long 0.2 BTC ($10,000) and 4 ETH ($10,000) at 10x, $1,000 of IM each.
    h.mint_to(&s.token, 500 * USD).await;
    h.deposit(&s, &s_sub, 500 * USD).await.unwrap();
    h.open_at_market(&s, &s_sub, BTC, Side::Long, btc(1) / 5, 10)
        .await
        .unwrap();
    h.open_at_market(&s, &s_sub, ETH, Side::Long, btc(4), 10)
        .await
        .unwrap();
    // BTC to $39,000 (−$2,200) while ETH is up $1,000: equity $800 is above maintenance, and
    // the owner closes BTC, realizing −$2,200 on $2,000 of collateral.
    h.set_price(ETH, 2_750).await;
    h.set_price(BTC, 39_000).await;
    h.close_at_market(&s, &s_sub, BTC, None).await.unwrap();
    let header = h.sub_account(&s_sub).await;
    assert_eq!(header.collateral, -200 * USD as i64);
    assert_eq!(
        (header.pool_debt, h.pool().await.receivable),
        (200 * USD, 200 * USD)
    );
    let balance_before = h.pool().await.balance;
    // A $1,000 deposit covers the $200: it is the pool's money at once.
    h.mint_to(&s.token, 1_000 * USD).await;
    h.deposit(&s, &s_sub, 1_000 * USD).await.unwrap();
    let header = h.sub_account(&s_sub).await;
    assert_eq!((header.collateral, header.pool_debt), (800 * USD as i64, 0));
    let pool = h.pool().await;
    assert_eq!(
        (pool.receivable, pool.balance),
        (0, balance_before + 200 * USD)
    );
}

#[tokio::test]
async fn a_cross_account_trading_on_unrealized_profit_pays_every_taker_fee() {
    // Found red-teaming the fee cap: fees were charged only out of positive collateral, so a
    // cross account whose collateral a realized loss had used up traded for free on its other
    // position's unrealized profit ($90,110 of fees skipped over $90M of volume).
    let fee = |params| ringfence::state::MarketParams {
        taker_fee_bps: 5,
        ..ringfence_tests::trading::frictionless(params)
    };
    let mut h = Harness::new().await;
    h.stub_market("BTC-PERP", fee(btc_params()), 50_000).await;
    h.stub_market("ETH-PERP", fee(eth_params()), 2_500).await;
    h.seed_pool(1_000_000).await;
    let (x, x_sub) = trader(&mut h, 20_200, SubAccountMode::Cross).await;
    // 4 BTC long at 40x and 80 ETH short at 20x: $200,000 each, $100 of fee each.
    h.open_at_market(&x, &x_sub, BTC, Side::Long, btc(4), 40)
        .await
        .unwrap();
    h.open_at_market(&x, &x_sub, ETH, Side::Short, btc(80), 20)
        .await
        .unwrap();
    // Both +10%: closing ETH realizes −$20,000, all the collateral; its $110 fee is owed in full,
    // a debt to the pool while BTC (+$20,000) stays open.
    h.set_price(BTC, 55_000).await;
    h.set_price(ETH, 2_750).await;
    h.close_at_market(&x, &x_sub, ETH, None).await.unwrap();
    let header = h.sub_account(&x_sub).await;
    assert_eq!(
        (header.collateral, header.pool_debt),
        (-110 * USD as i64, 110 * USD)
    );
    // Closing BTC nets the debt against the profit and pays its own $110 fee.
    h.close_at_market(&x, &x_sub, BTC, None).await.unwrap();
    let header = h.sub_account(&x_sub).await;
    // $20,200 − fees of $100 + $100 + $110 + $110; the two price moves cancel.
    assert_eq!(
        (header.collateral, header.pool_debt),
        (19_780 * USD as i64, 0)
    );
    // The pool took 80% of the covered fees ($80 + $80 + $88) and all of the fee owed as debt.
    assert_eq!(h.pool().await.balance, 1_000_358 * USD);
    assert_eq!(h.exchange().await.protocol_fees, 62 * USD);
}
