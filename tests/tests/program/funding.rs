//! Funding: the sign of the rate, continuous accrual, lazy settlement, caps, zero-sum.
//!
//! The market has a $10,000 skew scale and a 100 ppm (0.01%) hourly cap at $50,000, so a
//! $5,000 net long skew pays 50 ppm/h: the index rises $2.50 per BTC per hour.

use proptest::prelude::*;
use ringfence::error::RingfenceError;
use ringfence::instructions::Side;
use ringfence::state::{MarketParams, SubAccountMode};
use ringfence_tests::params::{btc_params, BASE_UNIT, USD};
use ringfence_tests::trading::frictionless;
use ringfence_tests::{assert_error, builders, Harness, Wallet};
use solana_sdk::pubkey::Pubkey;

const HOUR: i64 = 3_600;
const TENTH_BTC: u64 = BASE_UNIT as u64 / 10;

fn funding_params() -> MarketParams {
    MarketParams {
        skew_scale: 10_000 * USD,
        max_funding_rate_ppm: 100,
        ..frictionless(btc_params())
    }
}

struct Book {
    h: Harness,
    start: i64,
}

impl Book {
    async fn new() -> Self {
        let mut h = Harness::new().await;
        h.stub_market("BTC-PERP", funding_params(), 50_000).await;
        h.seed_pool(1_000_000).await;
        let start = h.clock().await.unix_timestamp;
        Self { h, start }
    }

    /// A cross trader with $10,000 holding `tenths` × 0.1 BTC (negative = short).
    async fn trader(&mut self, tenths: i64) -> (Wallet, Pubkey) {
        let (wallet, sub) = self.h.trader(10_000).await;
        self.h.deposit(&wallet, &sub, 10_000 * USD).await.unwrap();
        if tenths != 0 {
            let side = if tenths > 0 { Side::Long } else { Side::Short };
            let base = tenths.unsigned_abs() * TENTH_BTC;
            self.h
                .open_at_market(&wallet, &sub, 0, side, base, 10)
                .await
                .unwrap();
        }
        (wallet, sub)
    }

    /// Moves the clock to `start + seconds` and republishes the $50,000 price.
    async fn at(&mut self, seconds: i64) {
        self.h.set_time(self.start + seconds).await;
        self.h.set_price(0, 50_000).await;
    }

    async fn settle(
        &mut self,
        subs: &[Pubkey],
    ) -> Result<(), solana_sdk::transaction::TransactionError> {
        let ix = builders::settle_funding(0, &builders::stub_oracle_pda(0), subs);
        self.h.process(&[ix], &[]).await
    }

    async fn collateral(&mut self, sub: &Pubkey) -> i64 {
        self.h.sub_account(sub).await.collateral
    }
}

const START: i64 = 10_000 * USD as i64;

#[tokio::test]
async fn positive_rate_longs_pay_and_shorts_receive() {
    let mut book = Book::new().await;
    let (_, long) = book.trader(2).await;
    let (_, short) = book.trader(-1).await;
    let pool = book.h.pool().await.balance;
    book.at(HOUR).await;
    book.settle(&[long, short]).await.unwrap();
    // Net long 0.1 BTC = $5,000: 50 ppm/h, index +$2.50: long pays 0.2 × 2.5, short gets 0.1 × 2.5.
    assert_eq!(book.collateral(&long).await, START - 500_000);
    assert_eq!(book.collateral(&short).await, START + 250_000);
    assert_eq!(book.h.pool().await.balance, pool + 250_000);
    assert_eq!(
        book.h.market(0).await.funding_ledger,
        0,
        "everything settled, nothing left over"
    );
}

#[tokio::test]
async fn negative_rate_shorts_pay_and_longs_receive() {
    let mut book = Book::new().await;
    let (_, short) = book.trader(-2).await;
    let (_, long) = book.trader(1).await;
    let pool = book.h.pool().await.balance;
    book.at(HOUR).await;
    book.settle(&[long, short]).await.unwrap();
    assert_eq!(book.collateral(&short).await, START - 500_000);
    assert_eq!(book.collateral(&long).await, START + 250_000);
    assert_eq!(book.h.pool().await.balance, pool + 250_000);
}

#[tokio::test]
async fn a_balanced_book_pays_no_funding() {
    let mut book = Book::new().await;
    let (_, long) = book.trader(1).await;
    let (_, short) = book.trader(-1).await;
    book.at(HOUR).await;
    book.settle(&[long, short]).await.unwrap();
    assert_eq!(book.collateral(&long).await, START);
    assert_eq!(book.collateral(&short).await, START);
}

#[tokio::test]
async fn half_the_interval_pays_half_and_settling_twice_pays_once() {
    let mut book = Book::new().await;
    let (_, long) = book.trader(2).await;
    let (_, short) = book.trader(-1).await;
    book.at(HOUR / 2).await;
    book.settle(&[long, short]).await.unwrap();
    assert_eq!(book.collateral(&long).await, START - 250_000);
    book.settle(&[long, short, long]).await.unwrap();
    assert_eq!(book.collateral(&long).await, START - 250_000);
    assert_eq!(book.collateral(&short).await, START + 125_000);
}

#[tokio::test]
async fn accrual_is_continuous_from_each_positions_opening_and_the_rate_is_clamped() {
    let mut book = Book::new().await;
    let (_, first) = book.trader(2).await;
    // Alone, 0.2 BTC = $10,000 of skew: the full 100 ppm/h, index +$5: first pays $1.
    book.at(HOUR).await;
    book.settle(&[first]).await.unwrap();
    assert_eq!(book.collateral(&first).await, START - USD as i64);
    // A second long joins now: skew $15,000 is clamped at 100 ppm/h too; the newcomer pays
    // only for the hour it held: 0.1 × 5 = $0.50; first pays another $1.
    let (_, second) = book.trader(1).await;
    book.at(2 * HOUR).await;
    book.settle(&[first, second]).await.unwrap();
    assert_eq!(book.collateral(&first).await, START - 2 * USD as i64);
    assert_eq!(book.collateral(&second).await, START - USD as i64 / 2);
}

#[tokio::test]
async fn one_accrual_covers_all_the_time_elapsed() {
    let mut book = Book::new().await;
    let (_, long) = book.trader(2).await;
    // Three hours without a crank: all three are charged ($1 an hour), none forgiven.
    book.at(3 * HOUR).await;
    book.settle(&[long]).await.unwrap();
    assert_eq!(book.collateral(&long).await, START - 3 * USD as i64);
}

#[tokio::test]
async fn a_stale_oracle_stops_the_crank_and_changes_nothing() {
    let mut book = Book::new().await;
    let (_, long) = book.trader(2).await;
    book.h.set_time(book.start + 61).await;
    let watched = [long, builders::market_pda(0), builders::pool_pda()];
    let before = book.h.snapshot(&watched).await;
    assert_error(book.settle(&[long]).await, RingfenceError::OracleStale);
    assert_eq!(book.h.snapshot(&watched).await, before);
}

#[tokio::test]
async fn the_crank_refuses_accounts_that_are_not_sub_accounts() {
    let mut book = Book::new().await;
    book.trader(2).await;
    let result = book.settle(&[builders::pool_pda()]).await;
    assert_error(result, RingfenceError::InvalidSubAccount);
}

#[tokio::test]
async fn funding_drains_an_isolated_account_toward_maintenance_and_nothing_else() {
    let mut book = Book::new().await;
    let owner = book.h.wallet(10_000).await;
    book.h.create_user(&owner).await;
    let cross = book
        .h
        .create_sub_account(&owner, SubAccountMode::Cross)
        .await;
    let isolated = book
        .h
        .create_sub_account(&owner, SubAccountMode::Isolated { market_index: 0 })
        .await;
    book.h.deposit(&owner, &cross, 5_000 * USD).await.unwrap();
    book.h
        .deposit(&owner, &isolated, 1_000 * USD)
        .await
        .unwrap();
    book.h
        .open_at_market(&owner, &isolated, 0, Side::Long, 2 * TENTH_BTC, 10)
        .await
        .unwrap();
    let mut cushion = book.h.health(&isolated).await;
    for hour in 1..=6 {
        book.at(hour * HOUR).await;
        // Unsettled funding already counts: the cushion over maintenance shrinks by $1 an hour.
        let health = book.h.health(&isolated).await;
        let shrink = (cushion.equity - cushion.maintenance_requirement)
            - (health.equity - health.maintenance_requirement);
        assert_eq!(shrink, fixed::types::I80F48::from_num(USD), "hour {hour}");
        book.settle(&[isolated]).await.unwrap();
        cushion = book.h.health(&isolated).await;
        assert_eq!(
            cushion.equity, health.equity,
            "settling moves funding, not equity"
        );
    }
    assert_eq!(book.collateral(&isolated).await, 994 * USD as i64);
    assert_eq!(book.collateral(&cross).await, 5_000 * USD as i64);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn invariant_funding_is_zero_sum_with_the_remainder_to_the_protocol(
        sizes in prop::collection::vec(-7i64..=7, 3..5),
        steps in prop::collection::vec((1i64..4_000, prop::collection::vec(any::<bool>(), 5)), 5..25),
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let mut book = Book::new().await;
            let mut subs = Vec::new();
            for &tenths in &sizes {
                subs.push(book.trader(tenths).await.1);
            }
            let pool_start = book.h.pool().await.balance as i64;
            // Each settlement rounds a trader's payment up by under one unit and each accrual
            // rounds the pool's share down by under one unit: the remainder is below their sum.
            let (mut elapsed, mut settlements, mut accruals) = (0, 0, 0);
            for (seconds, chosen) in &steps {
                elapsed += seconds;
                book.at(elapsed).await;
                let picked: Vec<Pubkey> = subs.iter().zip(chosen).filter(|(_, &c)| c).map(|(s, _)| *s).collect();
                settlements += picked.len() as i64;
                accruals += 1;
                book.settle(&picked).await.unwrap();
            }
            book.settle(&subs).await.unwrap();
            settlements += subs.len() as i64;
            accruals += 1;

            let mut traders_paid = 0;
            for sub in &subs {
                traders_paid += START - book.collateral(sub).await;
            }
            let pool_received = book.h.pool().await.balance as i64 - pool_start;
            let remainder = book.h.market(0).await.funding_ledger;
            assert_eq!(traders_paid, pool_received + remainder, "zero-sum");
            assert!((0..settlements + accruals).contains(&remainder), "remainder {remainder} is the protocol's rounding");
        });
    }
}
