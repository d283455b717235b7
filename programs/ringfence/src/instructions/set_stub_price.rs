//! The admin sets a stub market's price (local networks and demos); stamped with the clock.

use crate::error::RingfenceError;
use crate::events::StubPriceSet;
use crate::state::{Exchange, Market, OracleKind, StubOracle, EXCHANGE_SEED};
use anchor_lang::prelude::*;

/// Accounts of `set_stub_price`.
#[derive(Accounts)]
pub struct SetStubPrice<'info> {
    /// The admin.
    pub admin: Signer<'info>,
    /// The exchange.
    #[account(seeds = [EXCHANGE_SEED], bump = exchange.bump, has_one = admin @ RingfenceError::NotAdmin)]
    pub exchange: Account<'info, Exchange>,
    /// A market whose oracle kind is `Stub`.
    #[account(
        constraint = market.load()?.oracle_kind() == OracleKind::Stub @ RingfenceError::NotStubOracle
    )]
    pub market: AccountLoader<'info, Market>,
    /// The market's stub oracle.
    #[account(mut, address = market.load()?.oracle @ RingfenceError::OracleAccountMismatch)]
    pub oracle: Account<'info, StubOracle>,
}

impl SetStubPrice<'_> {
    /// Stores `price × 10^exponent ± conf`, published now.
    pub fn handler(ctx: Context<SetStubPrice>, price: i64, conf: u64, exponent: i32) -> Result<()> {
        let publish_time = Clock::get()?.unix_timestamp;
        let oracle = &mut ctx.accounts.oracle;
        oracle.price = price;
        oracle.conf = conf;
        oracle.exponent = exponent;
        oracle.publish_time = publish_time;
        crate::events::emit(StubPriceSet {
            market_index: oracle.market_index,
            price,
            conf,
            exponent,
            publish_time,
        });
        Ok(())
    }
}
