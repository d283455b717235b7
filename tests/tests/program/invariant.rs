//! Random operation sequences: conservation holds exactly after every transaction (checked by
//! the harness); no risk-adding instruction leaves its sub-account under initial margin;
//! liquidations succeed only below maintenance (or while flagged under the target); nothing
//! done to other sub-accounts touches the isolated one.

use proptest::prelude::*;
use ringfence::instructions::Side;
use ringfence::state::SubAccountMode;
use ringfence_tests::params::{btc_params, eth_params, BASE_UNIT, USD};
use ringfence_tests::trading::frictionless;
use ringfence_tests::{builders, Harness, Wallet};
use solana_sdk::pubkey::Pubkey;

/// One random step. `who`: 0 = a cross sub-account, 1 = the same owner's isolated BTC
/// sub-account, 2 = another trader's cross sub-account.
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
        usd: u64,
    },
    RemoveMargin {
        usd: u64,
    },
    Wait {
        seconds: i64,
    },
    Liquidate {
        who: usize,
        market: u16,
    },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0usize..3, 0u16..2, any::<bool>(), 1u64..400, 1u16..=20)
            .prop_map(|(who, market, long, milli_units, leverage)| Op::Open { who, market, long, milli_units, leverage }),
        2 => (0usize..3, 0u16..2, 1u64..=100).prop_map(|(who, market, percent)| Op::Close { who, market, percent }),
        3 => (0u16..2, -800i64..800).prop_map(|(market, bps)| Op::MovePrice { market, bps }),
        1 => (0usize..3, 1u64..2_000).prop_map(|(who, usd)| Op::Deposit { who, usd }),
        1 => (0usize..3, 1u64..2_000).prop_map(|(who, usd)| Op::Withdraw { who, usd }),
        1 => (1u64..1_000).prop_map(|usd| Op::AddMargin { usd }),
        1 => (1u64..1_000).prop_map(|usd| Op::RemoveMargin { usd }),
        1 => (1i64..3_600).prop_map(|seconds| Op::Wait { seconds }),
        2 => (0usize..3, 0u16..2).prop_map(|(who, market)| Op::Liquidate { who, market }),
    ]
}

struct World {
    h: Harness,
    wallets: [Wallet; 2],
    subs: [Pubkey; 3],
    prices: [i64; 2],
    opened: usize,
    now: i64,
}

impl World {
    async fn new() -> Self {
        let mut h = Harness::new().await;
        h.stub_market("BTC-PERP", btc_params(), 50_000).await;
        h.stub_market("ETH-PERP", frictionless(eth_params()), 2_500)
            .await;
        h.seed_pool(1_000_000).await;
        let (first, cross) = h.trader(20_000).await;
        let isolated = h
            .create_sub_account(&first, SubAccountMode::Isolated { market_index: 0 })
            .await;
        let (second, other) = h.trader(20_000).await;
        for (wallet, sub) in [(&first, &cross), (&first, &isolated), (&second, &other)] {
            h.deposit(wallet, sub, 3_000 * USD).await.unwrap();
        }
        Self {
            h,
            wallets: [first, second],
            subs: [cross, isolated, other],
            prices: [50_000_000_000, 2_500_000_000],
            opened: 0,
            now: 0,
        }
    }

    /// The wallet that owns sub-account `who`.
    fn wallet(&self, who: usize) -> Wallet {
        let wallet = &self.wallets[usize::from(who == 2)];
        Wallet {
            keypair: wallet.keypair.insecure_clone(),
            token: wallet.token,
        }
    }

    /// Applies `op`; anything done to another sub-account leaves the isolated one untouched.
    async fn step(&mut self, op: &Op) {
        let elsewhere = match *op {
            Op::Open { who, .. } | Op::Close { who, .. } | Op::Deposit { who, .. } => who != 1,
            Op::Withdraw { who, .. } | Op::Liquidate { who, .. } => who != 1,
            _ => false,
        };
        let isolated = [self.subs[1]];
        let before = self.h.snapshot(&isolated).await;
        self.apply(op).await;
        if elsewhere {
            assert_eq!(
                self.h.snapshot(&isolated).await,
                before,
                "{op:?} touched the isolated account"
            );
        }
    }

    async fn apply(&mut self, op: &Op) {
        match *op {
            Op::Open {
                who,
                market,
                long,
                milli_units,
                leverage,
            } => {
                let market = if who == 1 { 0 } else { market };
                let side = if long { Side::Long } else { Side::Short };
                let base = milli_units * BASE_UNIT as u64 / 1_000;
                let sub = self.subs[who];
                let wallet = self.wallets[usize::from(who == 2)].keypair.insecure_clone();
                let wallet = Wallet {
                    keypair: wallet,
                    token: self.wallet(who).token,
                };
                if self
                    .h
                    .open_at_market(&wallet, &sub, market, side, base, leverage)
                    .await
                    .is_ok()
                {
                    let health = self.h.health(&sub).await;
                    assert!(
                        health.meets_initial(),
                        "open left {who} under IM: {health:?}"
                    );
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
                    let wallet = Wallet {
                        keypair: self.wallet(who).keypair.insecure_clone(),
                        token: self.wallet(who).token,
                    };
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
                let wallet = Wallet {
                    keypair: self.wallet(who).keypair.insecure_clone(),
                    token: self.wallet(who).token,
                };
                let _ = self.h.deposit(&wallet, &self.subs[who], usd * USD).await;
            }
            Op::Withdraw { who, usd } => {
                let sub = self.subs[who];
                let pairs = self.h.position_pairs(&sub, None).await;
                let wallet = self.wallet(who);
                let ix = builders::withdraw(&wallet.key(), &sub, &wallet.token, usd * USD, &pairs);
                let _ = self.h.process(&[ix], &[&wallet.keypair]).await;
            }
            Op::AddMargin { usd } => {
                let pairs = self.h.position_pairs(&self.subs[0], None).await;
                let ix = builders::add_margin(
                    &self.wallets[0].key(),
                    &self.subs[0],
                    &self.subs[1],
                    usd * USD,
                    &pairs,
                );
                let signer = self.wallets[0].keypair.insecure_clone();
                let _ = self.h.process(&[ix], &[&signer]).await;
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
                    self.h.process(&[ix], &[]).await.expect("settle_funding");
                }
            }
            Op::Liquidate { who, market } => {
                let sub = self.subs[who];
                let health = self.h.health(&sub).await;
                let flagged = self.h.sub_account(&sub).await.being_liquidated == 1;
                let liquidator = self.wallets[0].keypair.insecure_clone();
                let liquidator = Wallet {
                    keypair: liquidator,
                    token: self.wallets[0].token,
                };
                if self
                    .h
                    .liquidate(&liquidator, &sub, market, u64::MAX)
                    .await
                    .is_ok()
                {
                    let target = ringfence::math::liquidation::liquidation_target(&health).unwrap();
                    assert!(
                        health.below_maintenance() || (flagged && health.equity < target),
                        "liquidated a healthy account: {health:?}"
                    );
                }
            }
            Op::RemoveMargin { usd } => {
                let pairs = self.h.position_pairs(&self.subs[1], None).await;
                let ix = builders::remove_margin(
                    &self.wallets[0].key(),
                    &self.subs[1],
                    &self.subs[0],
                    usd * USD,
                    &pairs,
                );
                let signer = self.wallets[0].keypair.insecure_clone();
                let _ = self.h.process(&[ix], &[&signer]).await;
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 8, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn invariant_random_trading_conserves_tokens_and_respects_initial_margin(ops in prop::collection::vec(op(), 20..40)) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let opens = ops.iter().filter(|op| matches!(op, Op::Open { milli_units: 1..=20, leverage: 5.., .. })).count();
        runtime.block_on(async {
            let mut world = World::new().await;
            for op in &ops {
                world.step(op).await;
            }
            world.h.assert_conservation().await;
            // Small orders at 5x or more on $3,000 always fit, so the sequence really trades
            // (unless a price move or a loss has eaten the collateral first).
            if opens >= 3 {
                assert!(world.opened > 0, "no open succeeded in {ops:?}");
            }
        });
    }
}
