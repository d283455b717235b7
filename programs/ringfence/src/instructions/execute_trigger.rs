//! Anyone closes a position whose mark has crossed its stop-loss or take-profit: reduce-only,
//! through the one fill path (premium and taker fee included), for a small keeper fee from the
//! position's collateral.

use crate::authority::{may, Right};
use crate::error::RingfenceError;
use crate::events::TriggerExecuted;
use crate::instructions::close_position::reduce;
use crate::math::fixed_point::{from_u64, mul_div, Round};
use crate::math::units::QUOTE_DECIMALS;
use crate::state::{
    load_sub_account_mut, position_slot, Exchange, Market, Pool, Position, SubAccount,
    EXCHANGE_SEED, POOL_SEED,
};
use crate::trade::{fresh_mark_with_funding, keeper_fee_for, Charge, Order};
use crate::utils::pay_out_of_vault;
use anchor_lang::prelude::*;
use anchor_spl::token::{Token, TokenAccount};
use fixed::types::I80F48;

/// Accounts of `execute_trigger`.
#[derive(Accounts)]
pub struct ExecuteTrigger<'info> {
    /// Anyone.
    pub keeper: Signer<'info>,
    /// The keeper's own token account of the collateral mint, for its fee.
    #[account(
        mut,
        constraint = keeper_token.mint == exchange.collateral_mint @ RingfenceError::WrongMint,
        constraint = keeper_token.owner == keeper.key() @ RingfenceError::TokenAccountNotOwned
    )]
    pub keeper_token: Account<'info, TokenAccount>,
    /// The exchange (insurance fund for a bankruptcy; vault authority).
    #[account(mut, seeds = [EXCHANGE_SEED], bump = exchange.bump)]
    pub exchange: Account<'info, Exchange>,
    /// The pool, counterparty of the close.
    #[account(mut, seeds = [POOL_SEED], bump = pool.bump)]
    pub pool: Account<'info, Pool>,
    /// The exchange's vault.
    #[account(mut, address = exchange.vault @ RingfenceError::InvalidVault)]
    pub vault: Account<'info, TokenAccount>,
    /// The sub-account.
    #[account(mut)]
    pub sub_account: AccountLoader<'info, SubAccount>,
    /// The market, in any status: reducing risk is always allowed.
    #[account(mut)]
    pub market: AccountLoader<'info, Market>,
    /// CHECK: the market's oracle, checked by `oracle::mark_price`.
    pub oracle: UncheckedAccount<'info>,
    /// SPL Token.
    pub token_program: Program<'info, Token>,
}

/// Whether `mark` has crossed one of `position`'s triggers: a long's stop-loss at or below, its
/// take-profit at or above; the reverse for a short (keepers use the same function to find
/// work, and `set_triggers` refuses a trigger it already reports).
pub fn triggered(position: &Position, mark: I80F48) -> Result<bool> {
    let mark = mul_div(mark, 10i128.pow(QUOTE_DECIMALS), 1, Round::Down)?;
    let long = position.base > 0;
    let crossed = |price: u64, fires_below: bool| {
        price > 0
            && if fires_below {
                mark <= from_u64(price)
            } else {
                mark >= from_u64(price)
            }
    };
    Ok(crossed(position.stop_loss, long) || crossed(position.take_profit, !long))
}

impl ExecuteTrigger<'_> {
    /// Closes the whole position through the one fill path if a trigger has been crossed.
    pub fn handler(ctx: Context<ExecuteTrigger>) -> Result<()> {
        let accounts = ctx.accounts;
        let clock = Clock::get()?;
        let key = accounts.sub_account.key();
        let mut market = accounts.market.load_mut()?;
        let info = accounts.sub_account.to_account_info();
        let (mut sub_account, mut positions) = load_sub_account_mut(&info)?;
        let slot = position_slot(&positions, market.index).ok_or(RingfenceError::NoPosition)?;
        let mark =
            fresh_mark_with_funding(&mut market, &mut accounts.pool, &accounts.oracle, &clock)?;
        require!(
            triggered(&positions[slot], mark.price())?,
            RingfenceError::NotTriggered
        );
        let closing = positions[slot].base;
        // The sub-account's own traders (owner, delegate) earn no keeper fee from it.
        let keeper_fee = if may(&sub_account, accounts.keeper.key, Right::Trade) {
            0
        } else {
            keeper_fee_for(&market.params, closing, mark.price())?
        };
        let (filled, fee) = reduce(
            &mut accounts.exchange,
            &mut accounts.pool,
            key,
            (&mut sub_account, &mut positions, slot),
            &mut market,
            mark,
            Order::forced_close(closing, Charge::TakerFee),
            keeper_fee,
        )?;
        crate::events::emit(TriggerExecuted {
            sub_account: key,
            market_index: market.index,
            keeper: accounts.keeper.key(),
            closed: closing,
            fill_price_bits: filled.price.to_bits(),
            mark_bits: filled.mark.to_bits(),
            realized_pnl: filled.realized_pnl,
            taker_fee: filled.fee,
            protocol_fee: filled.protocol_fee,
            keeper_fee: fee,
        });
        drop((sub_account, positions, market));
        if fee > 0 {
            pay_out_of_vault(
                &accounts.token_program.to_account_info(),
                &accounts.vault.to_account_info(),
                &accounts.keeper_token.to_account_info(),
                &accounts.exchange.to_account_info(),
                accounts.exchange.bump,
                fee,
            )?;
        }
        Ok(())
    }
}
