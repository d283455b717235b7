//! The owner sets a position's stop-loss and take-profit prices (0 clears one). A trigger the
//! mark has already crossed is refused: it would only be a close that skips the close path.

use crate::authority::{permits, Right};
use crate::error::RingfenceError;
use crate::events::TriggersSet;
use crate::instructions::execute_trigger::triggered;
use crate::oracle::mark_price;
use crate::state::{
    load_sub_account_mut, position_slot, Market, MarketStatus, Position, SubAccount,
};
use anchor_lang::prelude::*;

/// Accounts of `set_triggers`.
#[derive(Accounts)]
pub struct SetTriggers<'info> {
    /// The sub-account's owner or its delegate.
    pub trader: Signer<'info>,
    /// The sub-account.
    #[account(mut, constraint = permits(&sub_account, trader.key, Right::Trade)? @ RingfenceError::NotOwnerOrDelegate)]
    pub sub_account: AccountLoader<'info, SubAccount>,
    /// The market of the position.
    pub market: AccountLoader<'info, Market>,
    /// CHECK: the market's oracle, checked by `oracle::mark_price` when a trigger is set.
    #[account(address = market.load()?.oracle @ RingfenceError::OracleAccountMismatch)]
    pub oracle: UncheckedAccount<'info>,
}

impl SetTriggers<'_> {
    /// Stores the trigger prices, quote native units per whole base unit.
    pub fn handler(ctx: Context<SetTriggers>, stop_loss: u64, take_profit: u64) -> Result<()> {
        let market = ctx.accounts.market.load()?;
        let info = ctx.accounts.sub_account.to_account_info();
        let (_, mut positions) = load_sub_account_mut(&info)?;
        let slot = position_slot(&positions, market.index).ok_or(RingfenceError::NoPosition)?;
        let proposed = Position {
            stop_loss,
            take_profit,
            ..positions[slot]
        };
        if stop_loss > 0 || take_profit > 0 {
            require!(
                market.status() != MarketStatus::Paused,
                RingfenceError::MarketPaused
            );
            let mark = mark_price(&market, &ctx.accounts.oracle, &Clock::get()?)?;
            require!(
                !triggered(&proposed, mark)?,
                RingfenceError::TriggerAlreadyCrossed
            );
        }
        positions[slot] = proposed;
        crate::events::emit(TriggersSet {
            sub_account: info.key(),
            market_index: market.index,
            stop_loss,
            take_profit,
        });
        Ok(())
    }
}
