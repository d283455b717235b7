//! No free lunch (issue 14): a seeded random sequence of 2,000 operations over two owners, each
//! with two cross and two isolated sub-accounts on two markets of its own (real BTC and ETH
//! presets: taker fee, skew premium, funding), using every fill path: opens, partial and whole
//! closes, stop-losses (crossed ones refused, own ones fired), limit orders (opening and
//! reduce-only; resting, cancelled, pruned after expiry, executed by a keeper or by the owner),
//! and liquidations by a keeper or by the owner itself of accounts pushed under maintenance by
//! price moves that then return. Conservation is exact after every transaction (the harness).
//! At the end every position is closed at the starting oracle, and no owner is richer, the
//! owners and the keeper together are no richer, and the pool and fee ledgers are no poorer,
//! than at the start.
//!
//! What makes the claim exact: every voluntary fill happens at the starting oracle; at a moved
//! price only forced fills run, and only those that realize a loss for the owner (a stop-loss,
//! or a liquidation of a position the move went against; a keeper that would have to close a
//! position the move favoured waits for the price to return). A limit order is placed at a
//! moved price with its limit just past the start, so that only the return crosses it, and is
//! executed only at the starting oracle. A move that makes a trader money
//! is not a free lunch, so it stays outside the claim. Each owner trades only its own markets:
//! the skew premium pays whoever reduces another trader's skew, which is a price, not a leak.
//! Replay a failure with `RINGFENCE_NFL_SEED=<seed> cargo test -p ringfence-tests no_free_lunch`.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use ringfence::error::RingfenceError;
use ringfence::instructions::Side;
use ringfence::math::fixed_point::scaled_by_power_of_ten;
use ringfence::math::liquidation::may_liquidate;
use ringfence::math::margin::PositionRisk;
use ringfence::math::I80F48;
use ringfence::state::{StubOracle, SubAccountMode};
use ringfence_tests::params::{btc_params, eth_params, BASE_UNIT, USD};
use ringfence_tests::{assert_error, builders, Harness, Wallet};
use solana_sdk::pubkey::Pubkey;

mod orders;

const OWNERS: usize = 2;
/// Starting prices of the four markets, whole dollars: owner o trades markets 2o and 2o + 1.
const START: [i64; 4] = [50_000, 2_500, 50_000, 2_500];
const OPERATIONS: usize = 2_000;
/// Counts of what the run exercised (so it cannot pass by doing nothing).
#[derive(Default, Debug)]
struct Exercised {
    opens: u32,
    closes: u32,
    refused_triggers: u32,
    fired_triggers: u32,
    liquidations: u32,
    self_liquidations: u32,
    excursions: u32,
    orders_placed: u32,
    orders_executed: u32,
    orders_cancelled: u32,
    orders_pruned: u32,
}

struct Run {
    h: Harness,
    rng: ChaCha8Rng,
    owners: Vec<Wallet>,
    /// Per owner: cross, cross, isolated on its first market, isolated on its second.
    subs: Vec<[Pubkey; 4]>,
    keeper: Wallet,
    prices: [i64; 4],
    now: i64,
    seen: Exercised,
}

fn clone(wallet: &Wallet) -> Wallet {
    Wallet {
        keypair: wallet.keypair.insecure_clone(),
        token: wallet.token,
    }
}

impl Run {
    async fn new(seed: u64) -> Self {
        let mut h = Harness::new().await;
        for (i, dollars) in START.iter().enumerate() {
            let params = if i % 2 == 0 {
                btc_params()
            } else {
                eth_params()
            };
            h.stub_market(&format!("M{i}"), params, *dollars).await;
        }
        h.seed_pool(20_000_000).await;
        h.fund_insurance(100_000).await;
        let keeper = h.wallet(0).await;
        let mut owners = Vec::new();
        let mut subs = Vec::new();
        for o in 0..OWNERS {
            let wallet = h.wallet(2_000_000).await;
            h.create_user(&wallet).await;
            let (first, second) = (2 * o as u16, 2 * o as u16 + 1);
            let modes = [
                SubAccountMode::Cross,
                SubAccountMode::Cross,
                SubAccountMode::Isolated {
                    market_index: first,
                },
                SubAccountMode::Isolated {
                    market_index: second,
                },
            ];
            let mut keys = [Pubkey::default(); 4];
            for (key, mode) in keys.iter_mut().zip(modes) {
                *key = h.create_sub_account(&wallet, mode).await;
                h.deposit(&wallet, key, 20_000 * USD).await.unwrap();
            }
            owners.push(wallet);
            subs.push(keys);
        }
        let now = h.clock().await.unix_timestamp;
        Self {
            h,
            rng: ChaCha8Rng::seed_from_u64(seed),
            owners,
            subs,
            keeper,
            prices: START.map(|d| d * USD as i64),
            now,
            seen: Exercised::default(),
        }
    }

    /// An owner's tokens wherever they are.
    async fn wealth(&mut self, o: usize) -> i128 {
        let mut total = i128::from(self.h.token_balance(&self.owners[o].token).await);
        for sub in self.subs[o] {
            total += i128::from(self.h.sub_account(&sub).await.collateral);
        }
        total
    }

    /// The keeper's tokens (liquidation rewards and keeper fees).
    async fn keeper_wealth(&mut self) -> i128 {
        i128::from(self.h.token_balance(&self.keeper.token).await)
    }

    /// Pool balance plus protocol fees.
    async fn pool_and_fees(&mut self) -> i128 {
        let fees = self.h.exchange().await.protocol_fees;
        i128::from(self.h.pool().await.balance) + i128::from(fees)
    }

    async fn set_price(&mut self, market: u16, micros: i64) {
        self.prices[usize::from(market)] = micros;
        self.h.set_price_micros(market, micros).await;
    }

    /// A random sub-account of owner `o` and a market it may trade.
    fn pick(&mut self, o: usize) -> (Pubkey, u16) {
        let slot = self.rng.gen_range(0..4);
        let market = match slot {
            2 => 2 * o as u16,
            3 => 2 * o as u16 + 1,
            _ => 2 * o as u16 + self.rng.gen_range(0..2u16),
        };
        (self.subs[o][slot], market)
    }

    async fn position(&mut self, sub: &Pubkey, market: u16) -> Option<ringfence::state::Position> {
        let (_, positions) = self.h.try_sub_account(sub).await?;
        positions
            .into_iter()
            .find(|p| p.is_open() && p.market_index == market)
    }

    async fn step(&mut self) {
        let o = self.rng.gen_range(0..OWNERS);
        match self.rng.gen_range(0..20) {
            0..=6 => self.open(o).await,
            7..=9 => self.close(o).await,
            10..=11 => self.set_stop(o).await,
            12 => self.fire_own_trigger_at_start(o).await,
            13..=16 => self.excursion().await,
            17 => self.move_collateral(o).await,
            18 => self.place_resting_order(o).await,
            19 if self.rng.gen() => self.remove_orders(o).await,
            _ => self.wait().await,
        }
    }

    async fn open(&mut self, o: usize) {
        let (sub, market) = self.pick(o);
        let dollars = self.rng.gen_range(500..400_000i64);
        let base =
            (dollars as i128 * BASE_UNIT as i128 / START[usize::from(market)] as i128) as u64;
        let max = if market % 2 == 0 { 40 } else { 20 };
        let leverage = if self.rng.gen_bool(0.6) {
            self.rng.gen_range(max / 2..=max)
        } else {
            self.rng.gen_range(1..=max)
        };
        let side = if self.rng.gen() {
            Side::Long
        } else {
            Side::Short
        };
        let owner = clone(&self.owners[o]);
        let result = self
            .h
            .open_at_market(&owner, &sub, market, side, base.max(1), leverage)
            .await;
        self.seen.opens += u32::from(result.is_ok());
    }

    async fn close(&mut self, o: usize) {
        let (sub, market) = self.pick(o);
        let Some(position) = self.position(&sub, market).await else {
            return;
        };
        let size = if self.rng.gen_bool(0.4) {
            None
        } else {
            let percent = self.rng.gen_range(1..=100u64);
            Some((position.base.unsigned_abs() * percent / 100).max(1))
        };
        let owner = clone(&self.owners[o]);
        self.h
            .close_at_market(&owner, &sub, market, size)
            .await
            .expect("a close at the starting oracle succeeds");
        self.seen.closes += 1;
    }

    /// A stop-loss `offset_bps` away on the losing side; a negative offset is already crossed
    /// and must be refused.
    async fn set_stop(&mut self, o: usize) {
        let (sub, market) = self.pick(o);
        let Some(position) = self.position(&sub, market).await else {
            return;
        };
        let offset = self.rng.gen_range(-300..600i64);
        let start = START[usize::from(market)] * USD as i64;
        let stop = if position.base > 0 {
            start - start * offset / 10_000
        } else {
            start + start * offset / 10_000
        };
        let owner = clone(&self.owners[o]);
        let oracle = builders::stub_oracle_pda(market);
        let ix = builders::set_triggers(&owner.key(), &sub, market, &oracle, stop as u64, 0);
        let result = self.h.process(&[ix], &[&owner.keypair]).await;
        if offset <= 0 {
            assert_error(result, RingfenceError::TriggerAlreadyCrossed);
            self.seen.refused_triggers += 1;
        } else {
            result.expect("an uncrossed stop is accepted");
        }
    }

    /// At the starting oracle no stop has been crossed: the owner cannot fire one.
    async fn fire_own_trigger_at_start(&mut self, o: usize) {
        let (sub, market) = self.pick(o);
        let owner = clone(&self.owners[o]);
        let oracle = builders::stub_oracle_pda(market);
        let ix = builders::execute_trigger(&owner.key(), &owner.token, &sub, market, &oracle);
        assert!(self.h.process(&[ix], &[&owner.keypair]).await.is_err());
    }

    /// A market moves, forced fills run on it, and it returns to its start.
    async fn excursion(&mut self) {
        let market = self.rng.gen_range(0..4u16);
        let bps = self.rng.gen_range(100..900i64) * if self.rng.gen() { 1 } else { -1 };
        let start = START[usize::from(market)] * USD as i64;
        self.set_price(market, start + start * bps / 10_000).await;
        self.seen.excursions += 1;
        self.sweep(market).await;
        if self.rng.gen_bool(0.6) {
            self.place_return_order(market, bps).await;
        }
        self.set_price(market, start).await;
        self.sweep(market).await;
        self.execute_orders(market).await;
    }

    /// Liquidates every sub-account of `market`'s owner that the program allows (largest
    /// maintenance first), unless that would realize a gain from the move, then fires every
    /// crossed stop-loss in `market`. Each liquidator is the keeper or the owner itself.
    async fn sweep(&mut self, market: u16) {
        let o = usize::from(market) / 2;
        for sub in self.subs[o] {
            for _ in 0..12 {
                let header = self.h.sub_account(&sub).await;
                if header.has_positions == 0 {
                    break;
                }
                let health = self.h.health(&sub).await;
                if !may_liquidate(header.being_liquidated == 1, &health).unwrap() {
                    break;
                }
                let (target, move_pnl) = self.largest_maintenance(&sub).await;
                if move_pnl > 0 {
                    break;
                }
                let liquidator = if self.rng.gen_bool(0.3) {
                    self.seen.self_liquidations += 1;
                    clone(&self.owners[o])
                } else {
                    clone(&self.keeper)
                };
                let max_base = if self.rng.gen_bool(0.3) {
                    self.rng.gen_range(1..BASE_UNIT as u64)
                } else {
                    u64::MAX
                };
                self.h
                    .liquidate(&liquidator, &sub, target, max_base)
                    .await
                    .expect("the program allows this liquidation");
                self.seen.liquidations += 1;
            }
            self.fire_crossed_stop(o, sub, market).await;
        }
    }

    async fn fire_crossed_stop(&mut self, o: usize, sub: Pubkey, market: u16) {
        let Some(position) = self.position(&sub, market).await else {
            return;
        };
        let price = self.prices[usize::from(market)] as u64;
        let crossed = position.stop_loss > 0
            && if position.base > 0 {
                price <= position.stop_loss
            } else {
                price >= position.stop_loss
            };
        if !crossed {
            return;
        }
        let executor = if self.rng.gen() {
            clone(&self.owners[o])
        } else {
            clone(&self.keeper)
        };
        let oracle = builders::stub_oracle_pda(market);
        let ix = builders::execute_trigger(&executor.key(), &executor.token, &sub, market, &oracle);
        self.h
            .process(&[ix], &[&executor.keypair])
            .await
            .expect("a crossed stop fires");
        self.seen.fired_triggers += 1;
    }

    /// The market of `sub`'s position with the largest maintenance requirement, and what that
    /// position has gained from the move away from its market's start (quote native).
    async fn largest_maintenance(&mut self, sub: &Pubkey) -> (u16, i128) {
        let (_, positions) = self.h.try_sub_account(sub).await.unwrap();
        let mut best: Option<(I80F48, u16, i128)> = None;
        for position in positions.iter().filter(|p| p.is_open()) {
            let market = self.h.market(position.market_index).await;
            let stub: StubOracle = self.h.decode(&market.oracle).await;
            let mark = scaled_by_power_of_ten(stub.price, stub.exponent).unwrap();
            let risk = PositionRisk::new(
                &market.position_input(position),
                &market.risk(mark),
                I80F48::ZERO,
            )
            .unwrap();
            let moved =
                i128::from(stub.price - START[usize::from(position.market_index)] * USD as i64);
            let move_pnl = i128::from(position.base) * moved / BASE_UNIT as i128;
            if best.is_none_or(|(mm, _, _)| risk.maintenance_requirement > mm) {
                best = Some((
                    risk.maintenance_requirement,
                    position.market_index,
                    move_pnl,
                ));
            }
        }
        let (_, market, move_pnl) = best.expect("an open position");
        (market, move_pnl)
    }

    async fn move_collateral(&mut self, o: usize) {
        let (sub, _) = self.pick(o);
        let owner = clone(&self.owners[o]);
        let amount = self.rng.gen_range(1..5_000u64) * USD;
        if self.rng.gen() {
            let _ = self.h.deposit(&owner, &sub, amount).await;
        } else {
            let pairs = self.h.position_pairs(&sub, None).await;
            let ix = builders::withdraw(&owner.key(), &sub, &owner.token, amount, &pairs);
            let _ = self.h.process(&[ix], &[&owner.keypair]).await;
        }
    }

    /// Time passes at the starting prices: funding accrues and is settled for everyone.
    async fn wait(&mut self) {
        self.now += self.rng.gen_range(1..3_600i64);
        self.h.set_time(self.now).await;
        let all: Vec<Pubkey> = self.subs.iter().flatten().copied().collect();
        for market in 0..4u16 {
            let price = self.prices[usize::from(market)];
            self.set_price(market, price).await;
            let ix = builders::settle_funding(market, &builders::stub_oracle_pda(market), &all);
            self.h.process(&[ix], &[]).await.expect("funding settles");
        }
    }

    /// Closes every position at the starting oracle.
    async fn close_everything(&mut self) {
        for o in 0..OWNERS {
            for sub in self.subs[o] {
                for market in [2 * o as u16, 2 * o as u16 + 1] {
                    if self.position(&sub, market).await.is_some() {
                        let owner = clone(&self.owners[o]);
                        self.h
                            .close_at_market(&owner, &sub, market, None)
                            .await
                            .expect("every position closes at the end");
                    }
                }
            }
        }
    }
}

#[tokio::test]
async fn no_sequence_of_fills_makes_an_owner_richer_or_the_pool_poorer() {
    let seed = std::env::var("RINGFENCE_NFL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(14);
    let mut run = Run::new(seed).await;
    let mut before = Vec::new();
    for o in 0..OWNERS {
        before.push(run.wealth(o).await);
    }
    let pool_before = run.pool_and_fees().await;
    let keeper_before = run.keeper_wealth().await;

    for _ in 0..OPERATIONS {
        run.step().await;
    }
    run.close_everything().await;

    for (o, start) in before.iter().enumerate() {
        let gained = run.wealth(o).await - start;
        assert!(
            gained <= 0,
            "seed {seed}: owner {o} gained {gained} ({:?})",
            run.seen
        );
    }
    let mut together = run.keeper_wealth().await - keeper_before;
    for (o, start) in before.iter().enumerate() {
        together += run.wealth(o).await - start;
    }
    assert!(
        together <= 0,
        "seed {seed}: the owners and the keeper together gained {together}"
    );
    let pool_gained = run.pool_and_fees().await - pool_before;
    assert!(
        pool_gained >= 0,
        "seed {seed}: pool and fees lost {pool_gained}"
    );
    let seen = &run.seen;
    assert!(
        seen.opens > 50
            && seen.closes > 30
            && seen.liquidations > 5
            && seen.self_liquidations > 0
            && seen.fired_triggers > 0
            && seen.refused_triggers > 0
            && seen.orders_executed > 10
            && seen.orders_cancelled > 0
            && seen.orders_pruned > 0,
        "seed {seed}: the run must exercise every fill path: {seen:?}"
    );
}
