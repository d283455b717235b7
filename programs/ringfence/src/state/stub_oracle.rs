//! The admin-set price source for local networks and demos.

use crate::math::oracle::PriceReading;
use anchor_lang::prelude::*;

/// Seed of a `StubOracle` PDA: `["stub_oracle", market index LE]`.
pub const STUB_ORACLE_SEED: &[u8] = b"stub_oracle";

/// A price the admin sets, in Pyth's encoding; guarded like a Pyth price.
#[account]
#[derive(InitSpace, Debug)]
pub struct StubOracle {
    /// Market this oracle prices.
    pub market_index: u16,
    /// Price mantissa.
    pub price: i64,
    /// Confidence mantissa.
    pub conf: u64,
    /// Decimal exponent.
    pub exponent: i32,
    /// Unix time of the last `set_stub_price`, seconds.
    pub publish_time: i64,
    /// Bump of this PDA.
    pub bump: u8,
}

impl StubOracle {
    /// Account size including the discriminator.
    pub const SPACE: usize = 8 + Self::INIT_SPACE;

    /// The stored price as a reading; a stub has no EMA, so its EMA is its price.
    pub fn reading(&self) -> PriceReading {
        PriceReading {
            price: self.price,
            conf: self.conf,
            exponent: self.exponent,
            publish_time: self.publish_time,
            ema_price: self.price,
        }
    }
}
