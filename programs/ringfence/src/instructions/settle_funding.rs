//! Permissionless funding crank: accrues a market's funding to now with its checked mark price,
//! and settles the funding of any sub-accounts passed.

use crate::error::RingfenceError;
use crate::funding::{accrue, settle};
use crate::oracle::mark_price;
use crate::pool_equity::revalue;
use crate::state::{load_sub_account_mut, position_slot, Market, Pool, SubAccount, POOL_SEED};
use crate::trade::repay_pool_debt;
use anchor_lang::prelude::*;

/// Accounts of `settle_funding`. Remaining accounts: writable sub-accounts to settle; those
/// without a position in this market are skipped (a keeper's list may be a moment old).
#[derive(Accounts)]
pub struct SettleFunding<'info> {
    /// The market.
    #[account(mut)]
    pub market: AccountLoader<'info, Market>,
    /// CHECK: the market's oracle, checked by `oracle::mark_price`.
    pub oracle: UncheckedAccount<'info>,
    /// The pool, which takes the traders' net side.
    #[account(mut, seeds = [POOL_SEED], bump = pool.bump)]
    pub pool: Account<'info, Pool>,
}

impl<'info> SettleFunding<'info> {
    /// Accrues, then settles each sub-account's position in this market.
    pub fn handler(ctx: Context<'info, SettleFunding<'info>>) -> Result<()> {
        let accounts = ctx.accounts;
        let clock = Clock::get()?;
        let mut market = accounts.market.load_mut()?;
        let mark = mark_price(&market, &accounts.oracle, &clock)?;
        accrue(&mut market, &mut accounts.pool, mark, clock.unix_timestamp)?;
        for info in ctx.remaining_accounts {
            AccountLoader::<SubAccount>::try_from(info)
                .map_err(|_| RingfenceError::InvalidSubAccount)?;
            require!(info.is_writable, RingfenceError::InvalidSubAccount);
            let (mut sub_account, mut positions) = load_sub_account_mut(info)?;
            if let Some(slot) = position_slot(&positions, market.index) {
                settle(
                    &mut sub_account,
                    &mut positions[slot],
                    &mut market,
                    info.key(),
                )?;
                repay_pool_debt(&mut sub_account, &mut accounts.pool)?;
            }
        }
        revalue(&mut market, &mut accounts.pool, mark, clock.unix_timestamp)
    }
}
