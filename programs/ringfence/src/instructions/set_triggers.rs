//! The owner sets a position's stop-loss and take-profit prices (0 clears one).

use crate::error::RingfenceError;
use crate::events::TriggersSet;
use crate::state::{load_sub_account_mut, position_slot, Market, SubAccount};
use anchor_lang::prelude::*;

/// Accounts of `set_triggers`.
#[derive(Accounts)]
pub struct SetTriggers<'info> {
    /// The sub-account's owner.
    pub owner: Signer<'info>,
    /// The sub-account.
    #[account(mut, has_one = owner @ RingfenceError::NotOwner)]
    pub sub_account: AccountLoader<'info, SubAccount>,
    /// The market of the position.
    pub market: AccountLoader<'info, Market>,
}

impl SetTriggers<'_> {
    /// Stores the trigger prices, quote native units per whole base unit.
    pub fn handler(ctx: Context<SetTriggers>, stop_loss: u64, take_profit: u64) -> Result<()> {
        let market_index = ctx.accounts.market.load()?.index;
        let info = ctx.accounts.sub_account.to_account_info();
        let (_, mut positions) = load_sub_account_mut(&info)?;
        let slot = position_slot(&positions, market_index).ok_or(RingfenceError::NoPosition)?;
        positions[slot].stop_loss = stop_loss;
        positions[slot].take_profit = take_profit;
        emit!(TriggersSet {
            sub_account: info.key(),
            market_index,
            stop_loss,
            take_profit,
        });
        Ok(())
    }
}
