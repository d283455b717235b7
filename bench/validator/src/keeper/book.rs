//! The benchmark's sub-accounts: cross and isolated, 1–8 positions, sizes from $100 to $50,000
//! a position, each with a chosen liquidation price. Most hold a BTC long whose liquidation price
//! lies uniformly in a band below the start price, so a BTC fall of a known size makes a known
//! share liquidatable; the rest are BTC shorts or isolated positions in other markets, which a
//! fall does not touch. Collateral is whatever puts equity exactly at maintenance at the chosen
//! price, by the program's own `health_with`.

use ringfence::health::health_with;
use ringfence::math::I80F48;
use ringfence::state::{Position, RestingOrder, SubAccount, SubAccountMode, SUB_ACCOUNT_SEED};
use ringfence_sdk::accounts::SubAccountView;
use ringfence_sdk::client::PricedMarket;
use ringfence_sdk::presets::BASE_UNIT;
use solana_sdk::pubkey::Pubkey;
use std::ops::Range;

/// Market index of BTC, the market the benchmark moves.
pub const BTC: u16 = 0;
/// Where BTC longs' liquidation prices lie, as fractions of the start price.
pub const BAND: Range<f64> = 0.70..0.995;
/// How far from the mark the other liquidation prices lie (adverse side), as fractions.
const DISTANCE: Range<f64> = 0.02..0.30;
/// Notional of a position, dollars (drawn log-uniformly).
const NOTIONAL_USD: Range<f64> = 100.0..50_000.0;
/// Leverages a position is opened with (capped at the market's).
const LEVERAGES: [u16; 6] = [3, 5, 10, 20, 25, 40];

/// A small, seeded generator (SplitMix64): the same seed gives the same accounts.
pub struct Rng(u64);

impl Rng {
    /// A generator from `seed`.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `range`.
    pub fn uniform(&mut self, range: Range<f64>) -> f64 {
        let unit = (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64;
        range.start + unit * (range.end - range.start)
    }

    /// Uniform below `n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

/// One generated sub-account: its address, PDA bump, decoded view and, for a BTC long of the
/// band, its BTC liquidation price (dollars).
pub struct Generated {
    /// Address.
    pub key: Pubkey,
    /// The view the program's bytes decode to.
    pub view: SubAccountView,
    /// BTC liquidation price when the account is a BTC long of the band.
    pub band_price: Option<f64>,
}

/// `n` sub-accounts: owner `k` holds a cross sub-account (id 0) and an isolated one (id 1).
pub fn generate(n: usize, seed: u64, markets: &[PricedMarket], now: i64) -> Vec<Generated> {
    let mut rng = Rng::new(seed);
    let mut owner = Pubkey::default();
    (0..n)
        .map(|i| {
            if i % 2 == 0 {
                owner = Pubkey::new_from_array(std::array::from_fn(|_| rng.next_u64() as u8));
            }
            account(&mut rng, owner, (i % 2) as u16, markets, now)
        })
        .collect()
}

/// The dollar mark of market `index`.
pub fn mark(markets: &[PricedMarket], index: u16) -> f64 {
    markets[usize::from(index)]
        .mark
        .clone()
        .map_or(0.0, |m| m.to_num::<f64>())
}

struct Driver {
    market: u16,
    long: bool,
    liquidation: f64,
}

fn driver(rng: &mut Rng, cross: bool, markets: &[PricedMarket]) -> Driver {
    let roll = rng.uniform(0.0..1.0);
    let btc = mark(markets, BTC);
    let band = (cross && roll < 0.9) || (!cross && roll < 0.7);
    if band {
        return Driver {
            market: BTC,
            long: true,
            liquidation: btc * rng.uniform(BAND),
        };
    }
    let market = if cross || roll < 0.8 {
        BTC
    } else {
        1 + rng.below(markets.len() - 1) as u16
    };
    let long = market != BTC && rng.below(2) == 0;
    let d = rng.uniform(DISTANCE);
    let at = mark(markets, market);
    let liquidation = if long { at * (1.0 - d) } else { at * (1.0 + d) };
    Driver {
        market,
        long,
        liquidation,
    }
}

fn account(rng: &mut Rng, owner: Pubkey, id: u16, markets: &[PricedMarket], now: i64) -> Generated {
    let cross = id == 0;
    let mode = if cross {
        SubAccountMode::Cross
    } else {
        SubAccountMode::Isolated { market_index: 0 }
    };
    let driver = driver(rng, cross, markets);
    let mut positions = vec![Position::default(); mode.slots()];
    positions[0] = driver_position(rng, &driver, markets);
    if cross {
        let mut others: Vec<u16> = (0..markets.len() as u16)
            .filter(|&m| m != driver.market)
            .collect();
        for slot in positions.iter_mut().skip(1).take(rng.below(8)) {
            let market = others.swap_remove(rng.below(others.len()));
            *slot = other_position(rng, market, markets);
        }
    }
    let (key, bump) = Pubkey::find_program_address(
        &[SUB_ACCOUNT_SEED, owner.as_ref(), &id.to_le_bytes()],
        &ringfence::ID,
    );
    let mut header: SubAccount = bytemuck::Zeroable::zeroed();
    header.owner = owner;
    header.id = id;
    header.mode = u8::from(!cross);
    header.isolated_market = if cross { 0 } else { driver.market };
    header.has_positions = 1;
    header.bump = bump;
    let mut view = SubAccountView {
        header,
        positions,
        orders: vec![RestingOrder::default(); mode.order_slots()],
    };
    view.header.collateral = collateral(&view, markets, &driver, now).unwrap_or_else(|| {
        // Other positions' profit left nothing to deposit: open them at the mark instead.
        for p in view.positions.iter_mut().skip(1).filter(|p| p.is_open()) {
            p.quote_entry = quote_entry(p.base, mark(markets, p.market_index));
        }
        collateral(&view, markets, &driver, now).expect("a position at its mark needs margin")
    });
    let band_price = (driver.market == BTC && driver.long).then_some(driver.liquidation);
    Generated {
        key,
        view,
        band_price,
    }
}

/// Base atoms of `notional` dollars at `price`, signed by side.
fn base(notional: f64, price: f64, long: bool) -> i64 {
    let atoms = (notional / price * BASE_UNIT as f64).round().max(1.0) as i64;
    if long {
        atoms
    } else {
        -atoms
    }
}

/// Quote paid on entry for `base` atoms at `price` dollars, quote native (negative for a long).
fn quote_entry(base: i64, price: f64) -> i64 {
    -(base as f64 * price * 1e6 / BASE_UNIT as f64).round() as i64
}

fn notional(rng: &mut Rng) -> f64 {
    (rng.uniform(NOTIONAL_USD.start.ln()..NOTIONAL_USD.end.ln())).exp()
}

fn leverage(rng: &mut Rng, market: &PricedMarket) -> u16 {
    LEVERAGES[rng.below(LEVERAGES.len())].min(market.market.params.max_leverage)
}

/// The position that sets the liquidation price: opened where an isolated position at its
/// leverage would be liquidated at `driver.liquidation` (long: entry = L (1 − mm) / (1 − 1/lev)).
fn driver_position(rng: &mut Rng, driver: &Driver, markets: &[PricedMarket]) -> Position {
    let market = &markets[usize::from(driver.market)];
    let leverage = leverage(rng, market);
    let mm = f64::from(market.market.params.tier_mm_bps[0]) / 1e4;
    let inverse = 1.0 / f64::from(leverage);
    let entry = if driver.long {
        driver.liquidation * (1.0 - mm) / (1.0 - inverse)
    } else {
        driver.liquidation * (1.0 + mm) / (1.0 + inverse)
    };
    let base = base(notional(rng), mark(markets, driver.market), driver.long);
    position(market, base, entry, leverage)
}

/// A position in another market, opened within 3% of its mark.
fn other_position(rng: &mut Rng, index: u16, markets: &[PricedMarket]) -> Position {
    let market = &markets[usize::from(index)];
    let at = mark(markets, index);
    let base = base(notional(rng), at, rng.below(2) == 0);
    let entry = at * rng.uniform(0.97..1.03);
    position(market, base, entry, leverage(rng, market))
}

fn position(market: &PricedMarket, base: i64, entry: f64, leverage: u16) -> Position {
    Position {
        base,
        quote_entry: quote_entry(base, entry),
        funding_snapshot: market.market.cumulative_funding,
        market_index: market.market.index,
        leverage,
        ..Position::default()
    }
}

/// Collateral putting equity exactly at maintenance when `driver`'s market is at its
/// liquidation price (the other marks unchanged), by the program's `health_with`; `None` when
/// that is not positive.
fn collateral(
    view: &SubAccountView,
    markets: &[PricedMarket],
    driver: &Driver,
    now: i64,
) -> Option<i64> {
    let mut header = view.header;
    header.collateral = 0;
    let at = I80F48::from_num(driver.liquidation);
    let health = health_with(&header, &view.positions, now, |index| {
        let market = markets.iter().find(|m| m.market.index == index)?;
        let price = if index == driver.market {
            at
        } else {
            market.mark.clone().ok()?
        };
        Some((&market.market, price))
    })
    .ok()?;
    let needed = (health.maintenance_requirement - health.equity).ceil();
    let needed: i64 = needed.checked_to_num()?;
    (needed > 0).then_some(needed)
}
