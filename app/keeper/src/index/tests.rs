//! The index against a full rescan (`scoring::rank`) on random accounts and random moves, and
//! one band edge worked out by hand.

use super::*;
use crate::scoring::rank;
use proptest::prelude::*;
use ringfence::funding::index_at;
use ringfence::health::health_with;
use ringfence::math::fixed_point::{mul_div, Round};
use ringfence::state::{Market, MarketParams, Position, RestingOrder, SubAccount};
use ringfence_sdk::presets::{btc_params, eth_params, BASE_UNIT, USD};

const NOW: i64 = 1_700_000_000;
const HORIZON_S: i64 = 30;

fn fx(s: &str) -> I80F48 {
    s.parse().unwrap()
}

fn market(index: u16, params: MarketParams, mark: I80F48) -> PricedMarket {
    let mut market: Market = bytemuck::Zeroable::zeroed();
    market.index = index;
    market.params = params;
    market.last_funding_ts = NOW;
    PricedMarket {
        key: Pubkey::new_unique(),
        market,
        mark: Ok(mark),
    }
}

fn view(collateral: i64, isolated: bool, positions: &[Position]) -> SubAccountView {
    let mut header: SubAccount = bytemuck::Zeroable::zeroed();
    header.collateral = collateral;
    header.mode = u8::from(isolated);
    header.has_positions = 1;
    let (slots, order_slots) = if isolated { (1, 1) } else { (8, 4) };
    let mut all = vec![Position::default(); slots];
    all[..positions.len()].copy_from_slice(positions);
    SubAccountView {
        header,
        positions: all,
        orders: vec![RestingOrder::default(); order_slots],
    }
}

fn position(market_index: u16, base: i64, entry: I80F48, leverage: u16) -> Position {
    let paid = mul_div(entry, i128::from(base), 1_000, Round::Down).unwrap();
    Position {
        base,
        quote_entry: -paid.to_num::<i64>(),
        market_index,
        leverage,
        ..Position::default()
    }
}

fn set_mark(markets: &mut [PricedMarket], index: u16, mark: I80F48) {
    markets[usize::from(index)].mark = Ok(mark);
}

#[test]
fn an_isolated_long_is_rescored_only_below_its_band_edge_worked_out_by_hand() {
    // BTC tiers without funding: 0.5% up to $1M. Long 0.2 BTC from 50,000 with $1,000.
    let params = MarketParams {
        max_funding_rate_ppm: 0,
        ..btc_params()
    };
    let mut markets = vec![market(0, params, fx("50000"))];
    let long = position(0, BASE_UNIT / 5, fx("50000"), 10);
    let key = Pubkey::new_unique();
    let mut index = LiquidationIndex::new(HORIZON_S);
    let built = index.rebuild(
        &[(key, view(1_000 * USD as i64, true, &[long]))],
        &markets,
        NOW,
    );
    assert!(built.candidates.is_empty());
    // Slack at 50,000: equity $1,000 − MM $50 = 950,000,000 native, less 2 (rounding) and 1
    // (funding rounding, no rate) = 949,999,997; 99% of it = 940,499,997.03. Each unit of
    // notional lost costs 1 − 0.5% = 0.995, so notional may fall by 945,226,127.67 from
    // 10,000,000,000 to 9,054,773,872.33, i.e. a price of 9,054,773,872.33 / 200,000
    // = 45,273.8694 (to four places).
    set_mark(&mut markets, 0, fx("45273.87"));
    let above = index.reprice(&markets, NOW);
    assert_eq!(above.work.rescored, 0);
    set_mark(&mut markets, 0, fx("45273.86"));
    let below = index.reprice(&markets, NOW);
    assert_eq!((below.work.crossed, below.work.rescored), (1, 1));
    assert!(below.candidates.is_empty(), "still above maintenance");
    // The liquidation price itself: 1,000 + 0.2 (P − 50,000) = 0.001 P, P = 9,000 / 0.199
    // = 45,226.1307. The account is re-scored on the way and found liquidatable only below it.
    set_mark(&mut markets, 0, fx("45226.14"));
    assert!(index.reprice(&markets, NOW).candidates.is_empty());
    set_mark(&mut markets, 0, fx("45226.13"));
    let liquidatable = index.reprice(&markets, NOW);
    assert_eq!(liquidatable.candidates.len(), 1);
    assert_eq!(liquidatable.candidates[0].key, key);
}

#[test]
fn due_puts_the_liquidatable_first_then_the_deepest_past_its_edge_then_the_expired() {
    let params = MarketParams {
        max_funding_rate_ppm: 0,
        ..btc_params()
    };
    let mut markets = vec![market(0, params, fx("50000"))];
    let long = position(0, BASE_UNIT / 5, fx("50000"), 10);
    let [liquidatable, near, far, safe] = [0; 4].map(|_| Pubkey::new_unique());
    let mut index = LiquidationIndex::new(HORIZON_S);
    let built = index.rebuild(
        &[
            // 0.2 BTC at 50,000 (notional $10,000, maintenance 0.5% = $50): $40 is under it.
            (liquidatable, view(40 * USD as i64, true, &[long])),
            // Band edges (the derivation above): $1,000 → 45,273.87; $2,000: slack (1,950 USD
            // less 3 native) × 99% / 0.995 = 1,940,201,001 native off 10,000,000,000, so
            // 8,059,798,999 / 200,000 = 40,298.99.
            (near, view(1_000 * USD as i64, true, &[long])),
            (far, view(2_000 * USD as i64, true, &[long])),
            // $100,000 of collateral: no band edge above zero.
            (safe, view(100_000 * USD as i64, true, &[long])),
        ],
        &markets,
        NOW,
    );
    assert_eq!(keys(&built.candidates), vec![liquidatable]);
    // At 40,000 the $1,000 account has passed 10,000 / 4,726.13 = 2.12 of its band's width
    // (all its slack), the $2,000 one 10,000 / 9,701.01 = 1.03.
    // Past the horizon every band has expired; only the safe account is due for that alone.
    set_mark(&mut markets, 0, fx("40000"));
    let (due, work) = index.due(&markets, NOW + HORIZON_S + 1);
    assert_eq!(due, vec![liquidatable, near, far, safe]);
    assert_eq!((work.always, work.crossed, work.expired), (1, 2, 3));
    let early = index.due(&markets, NOW).0;
    assert_eq!(early, vec![liquidatable, near, far], "nothing expired yet");
}

#[test]
fn a_band_reports_the_share_of_slack_a_move_consumed() {
    // Drawn at 50,000 down to 45,000 with a quarter of the slack: a fall to 40,000 passes twice
    // the band's width, half of the account's slack; a rise to 60,000 towards a cap of 100,000
    // passes a fifth of that width, 5%.
    let band = crate::band::Band {
        market_index: 0,
        low: Some(fx("45000")),
        high: Some(fx("100000")),
        mark: fx("50000"),
        share: fx("0.25"),
    };
    assert_eq!(band.consumed(fx("40000")), 0.5);
    assert_eq!(band.consumed(fx("60000")), 0.05);
    let unbounded = crate::band::Band { low: None, ..band };
    assert_eq!(unbounded.consumed(fx("1")), 0.0);
}

#[test]
fn a_rise_never_rescores_a_long_below_twice_its_mark() {
    let mut markets = vec![market(0, btc_params(), fx("50000"))];
    let long = position(0, BASE_UNIT / 5, fx("50000"), 10);
    let mut index = LiquidationIndex::new(HORIZON_S);
    index.rebuild(
        &[(
            Pubkey::new_unique(),
            view(1_000 * USD as i64, true, &[long]),
        )],
        &markets,
        NOW,
    );
    set_mark(&mut markets, 0, fx("99999"));
    assert_eq!(index.reprice(&markets, NOW).work.rescored, 0);
    set_mark(&mut markets, 0, fx("100001"));
    assert_eq!(index.reprice(&markets, NOW).work.rescored, 1);
}

/// One random market: parameters, mark (cents), funding state.
type MarketSeed = (u8, u64, u32, u32, u64, u64);
/// One random position: market slot, notional ($), long?, entry offset (bps), leverage.
type PositionSeed = (usize, u64, bool, i64, u16);
/// One random account: isolated?, positions, collateral offset (bps of notional), flagged?
type AccountSeed = (bool, Vec<PositionSeed>, i64, bool);

fn market_seed() -> impl Strategy<Value = MarketSeed> {
    (
        0u8..3,
        1_000u64..10_000_000,
        prop_oneof![Just(0u32), Just(100), Just(10_000)],
        0u32..7_200,
        0u64..5_000 * BASE_UNIT as u64,
        0u64..5_000 * BASE_UNIT as u64,
    )
}

fn account_seed() -> impl Strategy<Value = AccountSeed> {
    let position = (
        0usize..8,
        100u64..5_000_000,
        any::<bool>(),
        -1_500i64..1_500,
        1u16..20,
    );
    (
        any::<bool>(),
        proptest::collection::vec(position, 1..=8),
        -300i64..2_000,
        proptest::bool::weighted(0.1),
    )
}

/// A move of the world, then a reprice.
#[derive(Debug, Clone)]
enum Step {
    /// A market's mark moves by this many bps (−9,000 ..).
    Move(usize, i64),
    /// The market's oracle is refused (stale) until it next moves.
    Stale(usize),
    /// Time passes.
    Wait(i64),
    /// Funding is accrued at the current mark, and traders change the skew.
    Crank(usize, u64, u64),
    /// An account's collateral changes by this many bps of its notional (a notification).
    Deposit(usize, i64),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (0usize..8, -200i64..200).prop_map(|(m, b)| Step::Move(m, b)),
        3 => (0usize..8, -5_000i64..5_000).prop_map(|(m, b)| Step::Move(m, b)),
        1 => (0usize..8, -9_000i64..20_000).prop_map(|(m, b)| Step::Move(m, b)),
        1 => (0usize..8).prop_map(Step::Stale),
        2 => prop_oneof![0i64..20, 0i64..120].prop_map(Step::Wait),
        1 => (0usize..8, 0u64..5_000 * BASE_UNIT as u64, 0u64..5_000 * BASE_UNIT as u64)
            .prop_map(|(m, l, s)| Step::Crank(m, l, s)),
        1 => (0usize..64, -300i64..300).prop_map(|(a, b)| Step::Deposit(a, b)),
    ]
}

fn build_market(index: usize, seed: &MarketSeed) -> PricedMarket {
    let (kind, cents, rate, pending, long, short) = *seed;
    let params = match kind {
        0 => btc_params(),
        1 => eth_params(),
        _ => MarketParams {
            tier_count: 1,
            tier_mm_bps: [300, 0, 0, 0],
            max_leverage: 20,
            ..btc_params()
        },
    };
    let mark = I80F48::from_num(cents) / 100;
    let mut priced = market(
        index as u16,
        MarketParams {
            max_funding_rate_ppm: rate,
            ..params
        },
        mark,
    );
    priced.market.last_funding_ts = NOW - i64::from(pending);
    priced.market.open_interest_long = long;
    priced.market.open_interest_short = short;
    priced
        .market
        .cumulative_funding
        .set(I80F48::from_num(cents % 977));
    priced
}

fn marks<'m>(markets: &'m [PricedMarket]) -> impl FnMut(u16) -> Option<(&'m Market, I80F48)> + 'm {
    |i| {
        let m = markets.get(usize::from(i))?;
        Some((&m.market, m.mark.clone().ok()?))
    }
}

/// An account from its seed, its collateral set so equity is maintenance plus `offset` bps of
/// its notional (negative: under maintenance).
fn build_account(seed: &AccountSeed, markets: &[PricedMarket]) -> SubAccountView {
    let (isolated, positions, offset, flagged) = seed;
    let mut held: Vec<Position> = Vec::new();
    for (slot, usd, long, entry_bps, leverage) in positions {
        let m = &markets[slot % markets.len()];
        if held.iter().any(|p| p.market_index == m.market.index) {
            continue;
        }
        let mark = m.mark.clone().unwrap();
        let size = (I80F48::from_num(*usd) * 1_000 / mark)
            .to_num::<i64>()
            .max(1);
        let entry = mark * I80F48::from_num(10_000 + entry_bps) / 10_000;
        let mut p = position(
            m.market.index,
            if *long { size } else { -size },
            entry,
            *leverage,
        );
        p.funding_snapshot
            .set(m.market.cumulative_funding.get() - I80F48::from_num(entry_bps % 7));
        held.push(p);
        if *isolated {
            break;
        }
    }
    let mut account = view(0, *isolated, &held);
    let at_zero = health_with(&account.header, &account.positions, NOW, marks(markets)).unwrap();
    let cushion = at_zero.notional * I80F48::from_num(*offset) / 10_000;
    let collateral = at_zero.maintenance_requirement - at_zero.equity + cushion;
    account.header.collateral = collateral.to_num::<i64>();
    account.header.being_liquidated = u8::from(*flagged);
    account
}

/// The keys a full rescan finds liquidatable, worst first.
fn rescan(
    accounts: &[(Pubkey, SubAccountView)],
    markets: &[PricedMarket],
    now: i64,
) -> Vec<Pubkey> {
    rank(accounts, markets, now)
        .0
        .iter()
        .map(|c| c.key)
        .collect()
}

fn keys(candidates: &[Candidate]) -> Vec<Pubkey> {
    candidates.iter().map(|c| c.key).collect()
}

/// The markets, the accounts as they are on chain, each market's last good mark, the time.
struct World {
    markets: Vec<PricedMarket>,
    accounts: Vec<(Pubkey, SubAccountView)>,
    last: Vec<I80F48>,
    now: i64,
}

impl World {
    /// Applies one step (an account's change is also notified to `index`).
    fn apply(&mut self, step: &Step, index: &mut LiquidationIndex) {
        let n = self.markets.len();
        match *step {
            Step::Move(m, bps) => {
                let moved =
                    (self.last[m % n] * I80F48::from_num(10_000 + bps) / 10_000).max(fx("0.01"));
                self.last[m % n] = moved;
                self.markets[m % n].mark = Ok(moved);
            }
            Step::Stale(m) => self.markets[m % n].mark = Err("stale".into()),
            Step::Wait(seconds) => self.now += seconds,
            Step::Crank(m, long, short) => {
                let (now, mark) = (self.now, self.last[m % n]);
                let market = &mut self.markets[m % n].market;
                let accrued = index_at(market, mark, now).unwrap();
                market.cumulative_funding.set(accrued);
                market.last_funding_ts = now;
                market.open_interest_long = long;
                market.open_interest_short = short;
            }
            Step::Deposit(a, bps) => {
                let slot = a % self.accounts.len();
                let (key, view) = &mut self.accounts[slot];
                let priced = marks(&self.markets);
                if let Ok(health) = health_with(&view.header, &view.positions, self.now, priced) {
                    let delta = health.notional * I80F48::from_num(bps) / 10_000;
                    view.header.collateral += delta.to_num::<i64>();
                    let _ = index.upsert(*key, view.clone(), &self.markets, self.now);
                }
            }
        }
    }
}

/// `due`, then `rescore` three accounts at a time, the finds merged worst first.
fn chunked(index: &mut LiquidationIndex, markets: &[PricedMarket], now: i64) -> Pass {
    let (due, work) = index.due(markets, now);
    let mut all = Pass {
        work,
        ..Pass::default()
    };
    for chunk in due.chunks(3) {
        let pass = index.rescore(chunk, markets, now);
        all.candidates.extend(pass.candidates);
        all.unpriced.extend(pass.unpriced);
    }
    worst_first(&mut all.candidates);
    all
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1_000))]

    #[test]
    fn the_index_finds_exactly_what_a_full_rescan_finds(
        market_seeds in proptest::collection::vec(market_seed(), 1..=8),
        account_seeds in proptest::collection::vec(account_seed(), 1..40),
        steps in proptest::collection::vec(step(), 1..40),
    ) {
        let markets: Vec<PricedMarket> =
            market_seeds.iter().enumerate().map(|(i, s)| build_market(i, s)).collect();
        let accounts: Vec<(Pubkey, SubAccountView)> = account_seeds
            .iter()
            .map(|s| (Pubkey::new_unique(), build_account(s, &markets)))
            .collect();
        let last = markets.iter().map(|m| m.mark.clone().unwrap()).collect();
        let mut world = World { markets, accounts, last, now: NOW };
        let mut index = LiquidationIndex::new(HORIZON_S);
        let built = index.rebuild(&world.accounts, &world.markets, NOW);
        prop_assert_eq!(keys(&built.candidates), rescan(&world.accounts, &world.markets, NOW));
        for (i, step) in steps.iter().enumerate() {
            world.apply(step, &mut index);
            // Every other step as the keeper does it: what is due, re-scored in small chunks.
            let pass = if i % 2 == 0 {
                index.reprice(&world.markets, world.now)
            } else {
                chunked(&mut index, &world.markets, world.now)
            };
            let expected = rescan(&world.accounts, &world.markets, world.now);
            prop_assert_eq!(keys(&pass.candidates), expected.clone(), "after {:?}", step);
            prop_assert_eq!(keys(&index.liquidatable()), expected);
        }
    }
}
