//! The SDK's stress test (`ringfence_sdk::stress`) on the source material's $5,000 account,
//! against hand-computed outcomes and against what the program does when the same prices are
//! set on the runtime and a keeper liquidates, to the native unit.
//!
//! The account: an isolated BTC long of $1,000 margin at 10x (0.2 BTC at $50,000, $10,000
//! notional) and a cross sub-account with $4,000 holding an ETH long of $500 margin at 5x (1 ETH
//! at $2,500). Markets without fees or premium, so every number is worked out by hand:
//! maintenance 0.5% (BTC) and 1% (ETH) of notional, liquidation fee 25 bps, $1 keeper fee.

use ringfence::instructions::Side;
use ringfence::math::I80F48;
use ringfence::state::{StubOracle, SubAccountMode};
use ringfence_sdk::stress::{as_isolated, as_one_cross, run, Book, Holding, Outcome, Scenario};
use ringfence_tests::params::{btc_params, eth_params, BASE_UNIT, USD};
use ringfence_tests::trading::frictionless;
use ringfence_tests::{Harness, Wallet};
use solana_sdk::pubkey::Pubkey;

const BTC: u16 = 0;
const ETH: u16 = 1;

struct World {
    h: Harness,
    trader: Wallet,
    keeper: Wallet,
}

async fn world() -> World {
    let mut h = Harness::new().await;
    h.stub_market("BTC-PERP", frictionless(btc_params()), 50_000)
        .await;
    h.stub_market("ETH-PERP", frictionless(eth_params()), 2_500)
        .await;
    h.seed_pool(1_000_000).await;
    h.fund_insurance(100_000).await;
    let trader = h.wallet(20_000).await;
    h.create_user(&trader).await;
    let keeper = h.wallet(0).await;
    World { h, trader, keeper }
}

impl World {
    /// A sub-account of `mode` with `usd` and long positions `(market, base, leverage)`.
    async fn account(
        &mut self,
        mode: SubAccountMode,
        usd: u64,
        longs: &[(u16, i64, u16)],
    ) -> Pubkey {
        let sub = self.h.create_sub_account(&self.trader, mode).await;
        self.h.deposit(&self.trader, &sub, usd * USD).await.unwrap();
        for &(market, base, leverage) in longs {
            self.h
                .open_at_market(
                    &self.trader,
                    &sub,
                    market,
                    Side::Long,
                    base as u64,
                    leverage,
                )
                .await
                .unwrap();
        }
        sub
    }

    /// The seed account: isolated BTC and cross ETH.
    async fn seed(&mut self) -> Vec<Pubkey> {
        let isolated = SubAccountMode::Isolated { market_index: BTC };
        vec![
            self.account(isolated, 1_000, &[(BTC, BASE_UNIT / 5, 10)])
                .await,
            self.account(SubAccountMode::Cross, 4_000, &[(ETH, BASE_UNIT, 5)])
                .await,
        ]
    }

    async fn book(&mut self) -> Book {
        let mut markets = Vec::new();
        for index in [BTC, ETH] {
            let market = self.h.market(index).await;
            let stub: StubOracle = self.h.decode(&market.oracle).await;
            let mark =
                ringfence::math::fixed_point::scaled_by_power_of_ten(stub.price, stub.exponent)
                    .unwrap();
            markets.push((market, mark));
        }
        Book {
            markets,
            exchange: self.h.exchange().await,
            pool: self.h.pool().await,
            now: self.h.clock().await.unix_timestamp,
        }
    }

    async fn holdings(&mut self, keys: &[Pubkey]) -> Vec<Holding> {
        let mut holdings = Vec::new();
        for key in keys {
            let (header, positions) = self.h.try_sub_account(key).await.unwrap();
            holdings.push(Holding {
                key: *key,
                header,
                positions,
            });
        }
        holdings
    }

    /// Sets each market to its start moved by `bps` and liquidates, as the keeper does, every
    /// sub-account the program allows, largest maintenance first (the runtime's answer).
    async fn crash(&mut self, keys: &[Pubkey], moves: &[(u16, i64)]) {
        for &(market, bps) in moves {
            let start = if market == BTC { 50_000 } else { 2_500 } * USD as i64;
            self.h
                .set_price_micros(market, start * (10_000 + bps) / 10_000)
                .await;
        }
        let keeper = Wallet {
            keypair: self.keeper.keypair.insecure_clone(),
            token: self.keeper.token,
        };
        for key in keys {
            for _ in 0..16 {
                let health = self.h.health(key).await;
                let header = self.h.sub_account(key).await;
                let may = ringfence::math::liquidation::may_liquidate(
                    header.being_liquidated == 1,
                    &health,
                )
                .unwrap();
                if header.has_positions == 0 || !may {
                    break;
                }
                let target = self.largest_maintenance(key).await;
                self.h
                    .liquidate(&keeper, key, target, u64::MAX)
                    .await
                    .unwrap();
            }
        }
    }

    async fn largest_maintenance(&mut self, key: &Pubkey) -> u16 {
        let book = self.book().await;
        let (header, positions) = self.h.try_sub_account(key).await.unwrap();
        let detail = ringfence::health::health_detail_with(&header, &positions, book.now, |i| {
            book.markets
                .iter()
                .find(|(m, _)| m.index == i)
                .map(|(m, p)| (m, *p))
        })
        .unwrap();
        let slot = (0..positions.len())
            .filter(|&s| positions[s].is_open())
            .max_by(|&a, &b| {
                detail.maintenance[a]
                    .cmp(&detail.maintenance[b])
                    .then(b.cmp(&a))
            })
            .unwrap();
        positions[slot].market_index
    }

    /// Asserts the runtime's accounts are what `outcome`'s last step predicted, to the unit.
    async fn assert_matches(&mut self, keys: &[Pubkey], outcome: &Outcome) {
        let last = &outcome.steps.last().unwrap().accounts;
        for (key, predicted) in keys.iter().zip(last) {
            let (header, positions) = self.h.try_sub_account(key).await.unwrap();
            assert_eq!(
                header.collateral, predicted.collateral_after,
                "collateral of {key}"
            );
            let open = positions.iter().filter(|p| p.is_open()).count();
            assert_eq!(open, predicted.positions_left, "positions of {key}");
            let book = self.book().await;
            let holding = Holding {
                key: *key,
                header,
                positions,
            };
            assert_eq!(
                ringfence_sdk::stress::equity(&book, &holding).unwrap(),
                predicted.equity_after
            );
        }
    }
}

const fn usd(dollars: i64) -> I80F48 {
    I80F48::const_from_int(dollars as i128 * USD as i128)
}

#[tokio::test]
async fn btc_down_12_percent_liquidates_the_isolated_btc_and_leaves_the_rest_as_the_runtime_does() {
    let mut w = world().await;
    let keys = w.seed().await;
    let (book, holdings) = (w.book().await, w.holdings(&keys).await);
    let outcome = run(
        &book,
        &holdings,
        &Scenario::shock(&[BTC, ETH], &[(BTC, -1_200)], 0, &[]),
    )
    .unwrap();
    let step = &outcome.steps[0].accounts;
    // Isolated: equity $1,000 − $1,200 = −$200, bankrupt: the whole 0.2 BTC closes at $44,000
    // with no penalty, insurance covers the $200, the account ends at zero.
    assert_eq!(step[0].equity_before, usd(-200));
    assert_eq!(step[0].closures.len(), 1);
    assert!(step[0].closures[0].bankrupt);
    assert_eq!(step[0].closures[0].closed, BASE_UNIT / 5);
    assert_eq!(step[0].closures[0].realized_pnl, -1_200 * USD as i64);
    assert_eq!((step[0].collateral_after, step[0].positions_left), (0, 0));
    // Cross: ETH did not move; $4,000 untouched, nothing closed.
    assert!(step[1].closures.is_empty());
    assert_eq!(step[1].equity_after, usd(4_000));
    // The wallet: $5,000 → $4,000.
    assert_eq!(outcome.total_loss, usd(1_000));

    let insurance = w.h.exchange().await.insurance_fund;
    w.crash(&keys, &[(BTC, -1_200)]).await;
    w.assert_matches(&keys, &outcome).await;
    // The keeper's $1 bounty and the $200 deficit came from insurance, as predicted.
    assert_eq!(w.h.token_balance(&w.keeper.token).await, USD);
    assert_eq!(insurance - w.h.exchange().await.insurance_fund, 201 * USD);
}

#[tokio::test]
async fn in_one_cross_account_minus_12_percent_liquidates_nothing_and_a_deeper_fall_everything() {
    let mut w = world().await;
    let seed = w.seed().await;
    let (book, holdings) = (w.book().await, w.holdings(&seed).await);
    let cross = as_one_cross(&book, &holdings).unwrap();
    assert_eq!(cross.header.collateral, 5_000 * USD as i64);
    // −12% on BTC: equity $5,000 − $1,200 = $3,800 against maintenance 0.5% × $8,800 + 1% ×
    // $2,500 = $69: nothing closes; the loss is the $1,200 move.
    let outcome = run(
        &book,
        std::slice::from_ref(&cross),
        &Scenario::shock(&[BTC, ETH], &[(BTC, -1_200)], 0, &[]),
    )
    .unwrap();
    assert!(outcome.steps[0].accounts[0].closures.is_empty());
    assert_eq!(outcome.total_loss, usd(1_200));
    // Correlated falls: equity 5,000 − 12,500x against maintenance 75(1 − x) crosses at
    // x = 4,925 / 12,425 = 39.64%. At −39% nothing closes; at −45% (equity −$625) both close,
    // BTC first (larger maintenance), and the wallet loses all $5,000.
    let at = |factor| Scenario::shock(&[BTC, ETH], &[], factor, &[]);
    let outcome = run(&book, std::slice::from_ref(&cross), &at(-3_900)).unwrap();
    assert!(outcome.steps[0].accounts[0].closures.is_empty());
    let outcome = run(&book, std::slice::from_ref(&cross), &at(-4_500)).unwrap();
    let closures = &outcome.steps[0].accounts[0].closures;
    assert_eq!(
        closures.iter().map(|c| c.market_index).collect::<Vec<_>>(),
        [BTC, ETH]
    );
    assert_eq!(outcome.total_loss, usd(5_000));

    // The runtime agrees: the same positions in a real cross sub-account, the same fall.
    let real = w
        .account(
            SubAccountMode::Cross,
            5_000,
            &[(BTC, BASE_UNIT / 5, 10), (ETH, BASE_UNIT, 5)],
        )
        .await;
    let (book, holdings) = (w.book().await, w.holdings(&[real]).await);
    let outcome = run(&book, &holdings, &at(-4_500)).unwrap();
    w.crash(&[real], &[(BTC, -4_500), (ETH, -4_500)]).await;
    w.assert_matches(&[real], &outcome).await;
}

#[tokio::test]
async fn a_partial_liquidation_matches_the_runtime_to_the_unit() {
    let mut w = world().await;
    let real = w
        .account(SubAccountMode::Cross, 1_000, &[(BTC, BASE_UNIT / 5, 10)])
        .await;
    let (book, holdings) = (w.book().await, w.holdings(&[real]).await);
    // BTC −9.6% to $45,200: equity $1,000 − $960 = $40 against maintenance 0.5% × $9,040 =
    // $45.20: liquidatable, not bankrupt. Closing f of the position lifts equity toward the
    // target ($904 + $45.20) / 2 by f × ($474.60 − $22.60 penalty): f ≈ 0.96, a partial close
    // with a penalty, the rest (over $10) left open.
    let scenario = Scenario::shock(&[BTC, ETH], &[(BTC, -960)], 0, &[]);
    let outcome = run(&book, &holdings, &scenario).unwrap();
    let closures = &outcome.steps[0].accounts[0].closures;
    assert_eq!(closures.len(), 1, "{closures:?}");
    assert!(!closures[0].bankrupt && closures[0].penalty > 0);
    let closed = closures[0].closed;
    assert!(
        (BASE_UNIT / 5 * 95 / 100..BASE_UNIT / 5).contains(&closed),
        "partial: {closed}"
    );
    w.crash(&[real], &[(BTC, -960)]).await;
    w.assert_matches(&[real], &outcome).await;
}

#[tokio::test]
async fn split_into_isolated_accounts_only_the_btc_margin_is_lost_and_a_path_with_a_gap() {
    let mut w = world().await;
    let cross = w
        .account(
            SubAccountMode::Cross,
            5_000,
            &[(BTC, BASE_UNIT / 5, 10), (ETH, BASE_UNIT, 5)],
        )
        .await;
    let (book, holdings) = (w.book().await, w.holdings(&[cross]).await);
    let split = as_isolated(&book, &holdings).unwrap();
    // Margins are the initial requirements: $10,000 / 10 and $2,500 / 5; $3,500 stays free.
    let collateral: Vec<i64> = split
        .iter()
        .map(|h| h.header.collateral / USD as i64)
        .collect();
    assert_eq!(collateral, [1_000, 500, 3_500]);
    let outcome = run(
        &book,
        &split,
        &Scenario::shock(&[BTC, ETH], &[(BTC, -1_200)], 0, &[]),
    )
    .unwrap();
    assert_eq!(outcome.total_loss, usd(1_000));
    // A path: −5% (healthy everywhere), then a gap straight to −12%.
    let path = Scenario {
        steps: vec![vec![(BTC, -500)], vec![(BTC, -1_200)]],
    };
    let outcome = run(&book, &split, &path).unwrap();
    assert!(outcome.steps[0]
        .accounts
        .iter()
        .all(|a| a.closures.is_empty()));
    assert_eq!(outcome.steps[1].accounts[0].closures.len(), 1);
    assert_eq!(outcome.total_loss, usd(1_000));
}
