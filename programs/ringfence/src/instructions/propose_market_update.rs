//! The admin proposes new parameters for a market; they wait out the exchange's timelock in a
//! `MarketUpdate` account anyone can read, so traders see a change before it can touch them.
//! Every change takes this one path, loosening or tightening: no parameter applies at once.

use crate::error::RingfenceError;
use crate::events::MarketUpdateProposed;
use crate::state::{
    Exchange, Market, MarketParams, MarketUpdate, EXCHANGE_SEED, MARKET_UPDATE_SEED,
};
use crate::utils::{create_pda_account, write_account};
use anchor_lang::prelude::*;

/// Accounts of `propose_market_update`.
#[derive(Accounts)]
pub struct ProposeMarketUpdate<'info> {
    /// The admin; pays rent for the pending change.
    #[account(mut)]
    pub admin: Signer<'info>,
    /// The exchange (its timelock).
    #[account(seeds = [EXCHANGE_SEED], bump = exchange.bump, has_one = admin @ RingfenceError::NotAdmin)]
    pub exchange: Account<'info, Exchange>,
    /// The market to change.
    pub market: AccountLoader<'info, Market>,
    /// CHECK: created here at `["market_update", market index LE]`; one at a time per market.
    #[account(mut, seeds = [MARKET_UPDATE_SEED, &market.load()?.index.to_le_bytes()], bump)]
    pub market_update: UncheckedAccount<'info>,
    /// System program.
    pub system_program: Program<'info, System>,
}

impl ProposeMarketUpdate<'_> {
    /// Validates `params` and records them with `apply_after = now + timelock`.
    pub fn handler(ctx: Context<ProposeMarketUpdate>, params: MarketParams) -> Result<()> {
        params.validate()?;
        let accounts = &ctx.accounts;
        require!(
            accounts.market_update.data_is_empty(),
            RingfenceError::UpdateAlreadyPending
        );
        let index = accounts.market.load()?.index;
        let now = Clock::get()?.unix_timestamp;
        let apply_after = now
            .checked_add(i64::from(accounts.exchange.timelock_s))
            .ok_or(RingfenceError::MathOverflow)?;
        create_pda_account(
            &accounts.admin.to_account_info(),
            &accounts.market_update,
            &accounts.system_program.to_account_info(),
            &crate::ID,
            MarketUpdate::SPACE,
            &[
                MARKET_UPDATE_SEED,
                &index.to_le_bytes(),
                &[ctx.bumps.market_update],
            ],
        )?;
        let update = MarketUpdate {
            market_index: index,
            params,
            proposed_at: now,
            apply_after,
            bump: ctx.bumps.market_update,
        };
        write_account(&accounts.market_update, &update)?;
        crate::events::emit(MarketUpdateProposed {
            index,
            params,
            apply_after,
        });
        Ok(())
    }
}
