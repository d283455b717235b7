//! Anyone moves a market's funding rounding remainder into the protocol's fee ledger. Only a
//! market with no open interest qualifies: then every position has settled, so its funding
//! ledger holds nothing owed to anyone, only the rounding that favoured the protocol.

use crate::error::RingfenceError;
use crate::events::FundingRemainderSwept;
use crate::state::{Exchange, Market, EXCHANGE_SEED};
use anchor_lang::prelude::*;

/// Accounts of `sweep_funding_remainder`.
#[derive(Accounts)]
pub struct SweepFundingRemainder<'info> {
    /// The exchange (its fee ledger).
    #[account(mut, seeds = [EXCHANGE_SEED], bump = exchange.bump)]
    pub exchange: Account<'info, Exchange>,
    /// The market; it must have no open interest.
    #[account(mut)]
    pub market: AccountLoader<'info, Market>,
}

impl SweepFundingRemainder<'_> {
    /// Moves a positive funding ledger of an empty market into protocol fees.
    pub fn handler(ctx: Context<SweepFundingRemainder>) -> Result<()> {
        let mut market = ctx.accounts.market.load_mut()?;
        require!(
            market.open_interest_long == 0 && market.open_interest_short == 0,
            RingfenceError::MarketHasOpenInterest
        );
        let amount = market.funding_ledger.max(0);
        let exchange = &mut ctx.accounts.exchange;
        exchange.protocol_fees = exchange
            .protocol_fees
            .checked_add(amount.unsigned_abs())
            .ok_or(RingfenceError::MathOverflow)?;
        market.funding_ledger -= amount;
        crate::events::emit(FundingRemainderSwept {
            index: market.index,
            amount,
        });
        Ok(())
    }
}
