//! The demo's seeded price path: a random walk with occasional jumps, and the source
//! material's crash scenarios applied on demand. Off chain only (floats are fine here).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A shock the demo applies on demand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scenario {
    /// BTC falls 12%: isolated BTC longs at 10x are liquidated, cross accounts absorb it.
    BtcDrop12,
    /// BTC falls 25%: deep enough to liquidate the cross account of the seed example too.
    BtcDrop25,
    /// ETH wicks down 30% for one step, then returns.
    EthWick,
}

impl std::str::FromStr for Scenario {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, String> {
        match name {
            "btc-12" => Ok(Self::BtcDrop12),
            "btc-25" => Ok(Self::BtcDrop25),
            "eth-wick" => Ok(Self::EthWick),
            other => Err(format!(
                "unknown scenario {other}: btc-12, btc-25 or eth-wick"
            )),
        }
    }
}

/// Prices of the demo markets in quote native units (micro-dollars), stepped by a seeded walk.
#[derive(Debug, Clone)]
pub struct PricePath {
    rng: ChaCha8Rng,
    /// Current price of each market, micro-dollars.
    pub prices: Vec<i64>,
    /// Prices to restore after a one-step wick.
    restore: Vec<Option<i64>>,
    /// Volatility per step (standard deviation of the log return).
    pub step_volatility: f64,
    /// Chance of a jump per market per step.
    pub jump_chance: f64,
    /// Size of a jump (log return).
    pub jump_size: f64,
}

impl PricePath {
    /// A path from `start` prices with `seed`.
    pub fn new(seed: u64, start: Vec<i64>) -> Self {
        let count = start.len();
        Self {
            rng: ChaCha8Rng::seed_from_u64(seed),
            prices: start,
            restore: vec![None; count],
            step_volatility: 0.001,
            jump_chance: 0.01,
            jump_size: 0.03,
        }
    }

    /// Moves every price one step; a wick returns to where it came from.
    pub fn step(&mut self) -> &[i64] {
        for i in 0..self.prices.len() {
            if let Some(price) = self.restore[i].take() {
                self.prices[i] = price;
                continue;
            }
            let normal: f64 = (0..12).map(|_| self.rng.gen::<f64>()).sum::<f64>() - 6.0;
            let mut log_return = normal * self.step_volatility;
            if self.rng.gen::<f64>() < self.jump_chance {
                let down = self.rng.gen::<bool>();
                log_return += if down {
                    -self.jump_size
                } else {
                    self.jump_size
                };
            }
            self.prices[i] = scale(self.prices[i], log_return.exp());
        }
        &self.prices
    }

    /// Moves market `index` by `percent` (−12 = a 12% fall) at once.
    pub fn shift(&mut self, index: usize, percent: f64) {
        if let Some(price) = self.prices.get_mut(index) {
            *price = scale(*price, 1.0 + percent / 100.0);
        }
    }

    /// Applies a crash scenario (market 0 is BTC, 1 is ETH in the demo list).
    pub fn apply(&mut self, scenario: Scenario) {
        match scenario {
            Scenario::BtcDrop12 => self.shift(0, -12.0),
            Scenario::BtcDrop25 => self.shift(0, -25.0),
            Scenario::EthWick => {
                if self.prices.len() > 1 {
                    self.restore[1] = Some(self.prices[1]);
                    self.shift(1, -30.0);
                }
            }
        }
    }
}

fn scale(price: i64, factor: f64) -> i64 {
    ((price as f64) * factor).round().max(1.0) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_walks_the_same_path() {
        let start = vec![50_000_000_000, 3_000_000_000];
        let mut a = PricePath::new(7, start.clone());
        let mut b = PricePath::new(7, start.clone());
        for _ in 0..100 {
            assert_eq!(a.step(), b.step());
        }
        assert_ne!(a.prices, start, "the walk moves");
    }

    #[test]
    fn scenarios_move_the_named_markets_by_the_named_amounts() {
        let mut path = PricePath::new(1, vec![50_000_000_000, 3_000_000_000]);
        path.apply(Scenario::BtcDrop12);
        assert_eq!(path.prices[0], 44_000_000_000);
        path.apply(Scenario::EthWick);
        assert_eq!(path.prices[1], 2_100_000_000);
        path.step();
        assert_eq!(path.prices[1], 3_000_000_000, "a wick returns");
        assert_eq!("btc-25".parse(), Ok(Scenario::BtcDrop25));
        assert!("btc-99".parse::<Scenario>().is_err());
    }
}
