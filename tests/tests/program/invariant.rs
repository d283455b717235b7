//! Random operation sequences over four traders (each with a cross and an isolated
//! sub-account), an LP and two markets: conservation holds exactly after every transaction
//! (checked by the harness); funding is zero-sum; no open, withdrawal or margin move leaves its
//! source under initial margin; liquidations succeed only when the program's rule allows;
//! nothing done elsewhere touches an isolated sub-account; the pool's valuation is the
//! positions' own and counts no trader loss for withdrawals; the summed exposure cap holds after
//! every open that grows exposure and every LP withdrawal; an LP's deposit and withdrawal around
//! a flat price never pays it more than it put in, and around a move never more than its share. A proptest run (shrinking) and a
//! seeded run of 10,000 operations (replayable by seed).

use proptest::prelude::*;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use ringfence::instructions::Side;
use ringfence::math::liquidation::may_liquidate;
use ringfence::pool_equity::LpFlow;
use ringfence::state::LpAccount;
use ringfence::state::SubAccountMode;
use ringfence_tests::params::{btc_params, eth_params, BASE_UNIT, USD};
use ringfence_tests::trading::frictionless;
use ringfence_tests::{builders, Harness, Wallet};
use solana_sdk::account::Account;
use solana_sdk::pubkey::Pubkey;

/// Traders in the run; trader t owns cross sub-account `2t` and isolated sub-account `2t + 1`
/// (isolated on market t % 2).
const TRADERS: usize = 4;
/// Sub-accounts in the run.
const SUBS: usize = 2 * TRADERS;

/// One random step. `who` names a sub-account (see `TRADERS`).
#[derive(Debug, Clone)]
enum Op {
    Open {
        who: usize,
        market: u16,
        long: bool,
        milli_units: u64,
        leverage: u16,
    },
    Close {
        who: usize,
        market: u16,
        percent: u64,
    },
    MovePrice {
        market: u16,
        bps: i64,
    },
    Deposit {
        who: usize,
        usd: u64,
    },
    Withdraw {
        who: usize,
        usd: u64,
    },
    AddMargin {
        trader: usize,
        usd: u64,
    },
    RemoveMargin {
        trader: usize,
        usd: u64,
    },
    Wait {
        seconds: i64,
    },
    Liquidate {
        who: usize,
        market: u16,
    },
    PoolDeposit {
        usd: u64,
    },
    PoolWithdraw {
        percent: u64,
    },
    /// An LP deposits, a price moves and is revalued, and the LP withdraws what it deposited.
    PoolRoundTrip {
        usd: u64,
        market: u16,
        bps: i64,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..SUBS, 0u16..2, any::<bool>(), 1u64..400, 1u16..=20)
            .prop_map(|(who, market, long, milli_units, leverage)| Op::Open { who, market, long, milli_units, leverage }),
        2 => (0..SUBS, 0u16..2, 1u64..=100).prop_map(|(who, market, percent)| Op::Close { who, market, percent }),
        3 => (0u16..2, -800i64..800).prop_map(|(market, bps)| Op::MovePrice { market, bps }),
        1 => (0..SUBS, 1u64..2_000).prop_map(|(who, usd)| Op::Deposit { who, usd }),
        1 => (0..SUBS, 1u64..2_000).prop_map(|(who, usd)| Op::Withdraw { who, usd }),
        1 => (0..TRADERS, 1u64..1_000).prop_map(|(trader, usd)| Op::AddMargin { trader, usd }),
        1 => (0..TRADERS, 1u64..1_000).prop_map(|(trader, usd)| Op::RemoveMargin { trader, usd }),
        1 => (1i64..3_600).prop_map(|seconds| Op::Wait { seconds }),
        2 => (0..SUBS, 0u16..2).prop_map(|(who, market)| Op::Liquidate { who, market }),
        1 => (1u64..50_000).prop_map(|usd| Op::PoolDeposit { usd }),
        1 => (1u64..=30).prop_map(|percent| Op::PoolWithdraw { percent }),
        1 => (1u64..100_000, 0u16..2, prop_oneof![Just(0i64), -800i64..800]).prop_map(|(usd, market, bps)| Op::PoolRoundTrip { usd, market, bps }),
    ]
}

/// The same mix as `op()`, drawn from a seeded generator (the long, replayable run).
fn seeded_op(rng: &mut ChaCha8Rng) -> Op {
    let who = rng.gen_range(0..SUBS);
    let market = rng.gen_range(0u16..2);
    match rng.gen_range(0..21) {
        0..=3 => Op::Open {
            who,
            market,
            long: rng.gen(),
            milli_units: rng.gen_range(1..400),
            leverage: rng.gen_range(1..=20),
        },
        4..=5 => Op::Close {
            who,
            market,
            percent: rng.gen_range(1..=100),
        },
        6..=8 => Op::MovePrice {
            market,
            bps: rng.gen_range(-800..800),
        },
        9 => Op::Deposit {
            who,
            usd: rng.gen_range(1..2_000),
        },
        10 => Op::Withdraw {
            who,
            usd: rng.gen_range(1..2_000),
        },
        11 => Op::AddMargin {
            trader: who / 2,
            usd: rng.gen_range(1..1_000),
        },
        12 => Op::RemoveMargin {
            trader: who / 2,
            usd: rng.gen_range(1..1_000),
        },
        13 => Op::Wait {
            seconds: rng.gen_range(1..3_600),
        },
        14..=16 => Op::Liquidate { who, market },
        17 => Op::PoolDeposit {
            usd: rng.gen_range(1..50_000),
        },
        18 => Op::PoolWithdraw {
            percent: rng.gen_range(1..=30),
        },
        _ => Op::PoolRoundTrip {
            usd: rng.gen_range(1..100_000),
            market,
            bps: if rng.gen_bool(0.4) {
                0
            } else {
                rng.gen_range(-800..800)
            },
        },
    }
}

struct World {
    h: Harness,
    traders: Vec<Wallet>,
    lp: Wallet,
    subs: Vec<Pubkey>,
    prices: [i64; 2],
    opened: usize,
    now: i64,
    /// Settlements and accruals so far: each may leave at most one native unit of rounding.
    roundings: i64,
    /// Every sub-account as the previous step left it.
    last: Vec<Option<Account>>,
}

fn clone(wallet: &Wallet) -> Wallet {
    Wallet {
        keypair: wallet.keypair.insecure_clone(),
        token: wallet.token,
    }
}

impl World {
    async fn new() -> Self {
        let mut h = Harness::new().await;
        h.stub_market("BTC-PERP", btc_params(), 50_000).await;
        h.stub_market("ETH-PERP", frictionless(eth_params()), 2_500)
            .await;
        let lp = h.seed_pool(1_000_000).await;
        let mut traders = Vec::new();
        let mut subs = Vec::new();
        for t in 0..TRADERS {
            let (wallet, cross) = h.trader(20_000).await;
            let market_index = (t % 2) as u16;
            let isolated = h
                .create_sub_account(&wallet, SubAccountMode::Isolated { market_index })
                .await;
            for sub in [&cross, &isolated] {
                h.deposit(&wallet, sub, 3_000 * USD).await.unwrap();
            }
            subs.extend([cross, isolated]);
            traders.push(wallet);
        }
        // The LP keeps $1,000,000 in its wallet for pool deposits during the run.
        h.mint_to(&lp.token, 1_000_000 * USD).await;
        Self {
            h,
            traders,
            lp,
            subs,
            prices: [50_000_000_000, 2_500_000_000],
            opened: 0,
            now: 0,
            roundings: 0,
            last: Vec::new(),
        }
    }

    /// The wallet that owns sub-account `who`.
    fn owner(&self, who: usize) -> Wallet {
        clone(&self.traders[who / 2])
    }

    fn isolated_market(who: usize) -> Option<u16> {
        (who % 2 == 1).then_some(((who / 2) % 2) as u16)
    }

    /// The sub-accounts `op` may change.
    fn touched(op: &Op) -> Vec<usize> {
        match *op {
            Op::Open { who, .. }
            | Op::Close { who, .. }
            | Op::Deposit { who, .. }
            | Op::Withdraw { who, .. }
            | Op::Liquidate { who, .. } => vec![who],
            Op::AddMargin { trader, .. } | Op::RemoveMargin { trader, .. } => {
                vec![2 * trader, 2 * trader + 1]
            }
            Op::Wait { .. } => (0..SUBS).collect(),
            Op::MovePrice { .. }
            | Op::PoolDeposit { .. }
            | Op::PoolWithdraw { .. }
            | Op::PoolRoundTrip { .. } => vec![],
        }
    }

    /// Applies `op`, then reads every sub-account once: each isolated sub-account `op` does not
    /// name is byte for byte what it was after the previous step, and funding is zero-sum.
    async fn step(&mut self, op: &Op) {
        if self.last.is_empty() {
            self.last = self.h.snapshot(&self.subs.clone()).await;
        }
        self.apply(op).await;
        let now = self.h.snapshot(&self.subs.clone()).await;
        let touched = Self::touched(op);
        for who in (0..SUBS).filter(|who| who % 2 == 1 && !touched.contains(who)) {
            assert_eq!(
                now[who], self.last[who],
                "{op:?} touched isolated sub-account {who}, which it does not name"
            );
        }
        self.assert_funding_zero_sum(op, &now).await;
        self.h.assert_pool_valuation(&self.subs.clone()).await;
        self.last = now;
    }

    /// What open positions owe in funding and have not settled, plus the market's ledger
    /// (what the pool was paid or charged and positions have not settled), is never negative
    /// (the pool is never paid funding nobody owes) and never more than the rounding so far.
    async fn assert_funding_zero_sum(&mut self, op: &Op, accounts: &[Option<Account>]) {
        for index in 0..2u16 {
            let market = self.h.market(index).await;
            let mut owed = i128::from(market.funding_ledger);
            for account in accounts.iter().flatten() {
                let view = ringfence_sdk::accounts::sub_account(&account.data).unwrap();
                for p in view.open_positions().filter(|p| p.market_index == index) {
                    let unsettled =
                        ringfence::funding::funding_owed(p, market.cumulative_funding.get())
                            .unwrap();
                    owed += i128::from(unsettled);
                }
            }
            assert!(
                (0..=i128::from(self.roundings)).contains(&owed),
                "funding of market {index} is not zero-sum after {op:?}: {owed} (rounding room {})",
                self.roundings
            );
        }
    }

    async fn assert_initial(&mut self, who: usize, what: &str) {
        let health = self.h.health(&self.subs[who]).await;
        assert!(
            health.meets_initial(),
            "{what} left {who} under IM: {health:?}"
        );
    }

    async fn apply(&mut self, op: &Op) {
        // Any instruction may settle or accrue funding: each leaves at most a native unit.
        self.roundings += 2 * SUBS as i64 + 2;
        match *op {
            Op::Open {
                who,
                market,
                long,
                milli_units,
                leverage,
            } => {
                let market = Self::isolated_market(who).unwrap_or(market);
                let side = if long { Side::Long } else { Side::Short };
                let base = milli_units * BASE_UNIT as u64 / 1_000;
                let sub = self.subs[who];
                let wallet = self.owner(who);
                let net_before = self.h.market(market).await.net_base().unwrap();
                let opened = self
                    .h
                    .open_at_market(&wallet, &sub, market, side, base, leverage)
                    .await;
                if opened.is_ok() {
                    self.opened += 1;
                    self.assert_initial(who, "open").await;
                    let net = self.h.market(market).await.net_base().unwrap();
                    if net.unsigned_abs() > net_before.unsigned_abs() {
                        self.assert_summed_cap("an open").await;
                    }
                }
            }
            Op::Close {
                who,
                market,
                percent,
            } => {
                let sub = self.subs[who];
                let (_, positions) = self.h.try_sub_account(&sub).await.unwrap();
                if let Some(p) = positions
                    .iter()
                    .find(|p| p.is_open() && p.market_index == market)
                {
                    let base = (p.base.unsigned_abs() * percent / 100).max(1);
                    let wallet = self.owner(who);
                    let _ = self
                        .h
                        .close_at_market(&wallet, &sub, market, Some(base))
                        .await;
                }
            }
            Op::MovePrice { market, bps } => {
                let price = &mut self.prices[usize::from(market)];
                *price = (*price + *price * bps / 10_000).max(1_000_000);
                let micros = *price;
                self.h.set_price_micros(market, micros).await;
            }
            Op::Deposit { who, usd } => {
                let wallet = self.owner(who);
                let _ = self.h.deposit(&wallet, &self.subs[who], usd * USD).await;
            }
            Op::Withdraw { who, usd } => {
                let sub = self.subs[who];
                let pairs = self.h.position_pairs(&sub, None).await;
                let wallet = self.owner(who);
                let ix = builders::withdraw(&wallet.key(), &sub, &wallet.token, usd * USD, &pairs);
                if self.h.process(&[ix], &[&wallet.keypair]).await.is_ok() {
                    self.assert_initial(who, "withdraw").await;
                }
            }
            Op::AddMargin { trader, usd } => {
                self.move_margin(2 * trader, 2 * trader + 1, usd, true)
                    .await;
            }
            Op::RemoveMargin { trader, usd } => {
                self.move_margin(2 * trader + 1, 2 * trader, usd, false)
                    .await;
            }
            Op::Wait { seconds } => {
                // Time passes: prices are republished and funding is cranked for everyone.
                if self.now == 0 {
                    self.now = self.h.clock().await.unix_timestamp;
                }
                self.now += seconds;
                self.h.set_time(self.now).await;
                for market in 0..2u16 {
                    self.h
                        .set_price_micros(market, self.prices[usize::from(market)])
                        .await;
                    let ix = builders::settle_funding(
                        market,
                        &builders::stub_oracle_pda(market),
                        &self.subs,
                    );
                    // An empty pool may be unable to pay its side (docs/SECURITY.md).
                    let _ = self.h.process(&[ix], &[]).await;
                }
            }
            Op::Liquidate { who, market } => {
                let sub = self.subs[who];
                let health = self.h.health(&sub).await;
                let flagged = self.h.sub_account(&sub).await.being_liquidated == 1;
                let liquidator = clone(&self.lp);
                if self
                    .h
                    .liquidate(&liquidator, &sub, market, u64::MAX)
                    .await
                    .is_ok()
                {
                    assert!(
                        may_liquidate(flagged, &health).unwrap(),
                        "liquidated a healthy account: {health:?}"
                    );
                }
            }
            Op::PoolDeposit { usd } => {
                let lp = clone(&self.lp);
                let ix = builders::pool_deposit(&lp.key(), &lp.token, usd * USD);
                let _ = self.h.process(&[ix], &[&lp.keypair]).await;
            }
            Op::PoolWithdraw { percent } => {
                let lp = clone(&self.lp);
                let account: LpAccount = self.h.decode(&builders::lp_pda(&lp.key())).await;
                let shares = account.shares * percent / 100;
                if shares > 0 {
                    let ix = builders::pool_withdraw(&lp.key(), &lp.token, shares);
                    if self.h.process(&[ix], &[&lp.keypair]).await.is_ok() {
                        self.assert_summed_cap("a withdrawal").await;
                    }
                }
            }
            Op::PoolRoundTrip { usd, market, bps } => self.pool_round_trip(usd, market, bps).await,
        }
    }

    /// After an open that grew exposure or an LP withdrawal: Σ |net exposure| ≤ lower equity.
    async fn assert_summed_cap(&mut self, what: &str) {
        let exposure = i128::from(self.h.pool().await.total_exposure);
        let equity = self.h.pool_equity(LpFlow::Withdrawal).await;
        assert!(
            exposure <= equity,
            "{what} left exposure {exposure} above equity {equity}"
        );
    }

    /// On a valuation at today's prices, a second LP deposits, a price moves (or not) and every
    /// market is revalued, and it withdraws every share it got. At a flat price it never gets back more than it put in;
    /// after a move, never more than its shares of the pool's higher valuation (its gain can
    /// only be the pool's own, from traders' losses, never a valuation gap).
    async fn pool_round_trip(&mut self, usd: u64, market: u16, bps: i64) {
        // From a valuation at today's prices (a keeper's refresh): a valuation lagging the
        // oracle is a bounded, documented gap the cooldown makes the LP carry (docs/POOL.md).
        self.h.refresh_all().await;
        let timer = self.h.wallet(usd).await;
        let deposit = builders::pool_deposit(&timer.key(), &timer.token, usd * USD);
        if self.h.process(&[deposit], &[&timer.keypair]).await.is_err() {
            return;
        }
        let price = &mut self.prices[usize::from(market)];
        *price = (*price + *price * bps / 10_000).max(1_000_000);
        let micros = *price;
        self.h.set_price_micros(market, micros).await;
        self.h.refresh_all().await;
        let higher = self.h.pool_equity(LpFlow::Deposit).await;
        let pool = self.h.pool().await;
        let account: LpAccount = self.h.decode(&builders::lp_pda(&timer.key())).await;
        let bound = i128::from(account.shares) * higher / i128::from(pool.total_shares);
        let ix = builders::pool_withdraw(&timer.key(), &timer.token, account.shares);
        if self.h.process(&[ix], &[&timer.keypair]).await.is_ok() {
            self.assert_summed_cap("a withdrawal").await;
            let back = self.h.token_balance(&timer.token).await;
            assert!(
                i128::from(back) <= bound,
                "an LP got {back}, above its share {bound}"
            );
            if bps == 0 {
                assert!(
                    back <= usd * USD,
                    "an LP round trip at a flat price got {back} for {usd}"
                );
            }
        }
    }

    async fn move_margin(&mut self, from: usize, to: usize, usd: u64, add: bool) {
        let pairs = self.h.position_pairs(&self.subs[from], None).await;
        let owner = self.owner(from);
        let (source, destination) = (self.subs[from], self.subs[to]);
        let ix = if add {
            builders::add_margin(&owner.key(), &source, &destination, usd * USD, &pairs)
        } else {
            builders::remove_margin(&owner.key(), &source, &destination, usd * USD, &pairs)
        };
        if self.h.process(&[ix], &[&owner.keypair]).await.is_ok() {
            self.assert_initial(from, "a margin move").await;
        }
    }
}

async fn run(ops: impl IntoIterator<Item = Op>) -> World {
    let mut world = World::new().await;
    for op in ops {
        world.step(&op).await;
    }
    world.h.assert_conservation().await;
    world
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 8, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn invariant_random_trading_conserves_tokens_and_respects_initial_margin(ops in prop::collection::vec(op(), 20..40)) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let opens = ops.iter().filter(|op| matches!(op, Op::Open { milli_units: 1..=20, leverage: 5.., .. })).count();
        runtime.block_on(async {
            let world = run(ops.clone()).await;
            // Small orders at 5x or more on $3,000 always fit, so the sequence really trades
            // (unless a price move or a loss has eaten the collateral first).
            if opens >= 3 {
                assert!(world.opened > 0, "no open succeeded in {ops:?}");
            }
        });
    }
}

/// Seeds of the long run: `RINGFENCE_INVARIANT_SEEDS=7,8` replays chosen seeds.
fn seeds() -> Vec<u64> {
    std::env::var("RINGFENCE_INVARIANT_SEEDS")
        .ok()
        .map(|text| {
            text.split(',')
                .filter_map(|s| s.trim().parse().ok())
                .collect()
        })
        .unwrap_or_else(|| vec![1, 2, 3, 4])
}

/// Operations per seed: `RINGFENCE_INVARIANT_OPS` (default 2,500; four seeds make 10,000).
fn operations_per_seed() -> usize {
    std::env::var("RINGFENCE_INVARIANT_OPS")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(2_500)
}

#[test]
fn invariant_ten_thousand_seeded_operations_across_wallets_modes_and_the_pool() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let per_seed = operations_per_seed();
    let mut total = 0;
    for seed in seeds() {
        // Printed first, so a failure names its seed: replay it with
        // RINGFENCE_INVARIANT_SEEDS=<seed> cargo test -p ringfence-tests invariant_ten
        eprintln!("invariant seed {seed}: {per_seed} operations");
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let ops: Vec<Op> = (0..per_seed).map(|_| seeded_op(&mut rng)).collect();
        let world = runtime.block_on(run(ops));
        assert!(world.opened > 0, "seed {seed} never traded");
        total += per_seed;
    }
    eprintln!("invariant: {total} operations checked");
}
