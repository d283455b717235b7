//! Moves collateral from the owner's wallet into a sub-account. Always allowed: deposits need
//! no price, so no stale oracle or paused market can block them. Remaining accounts, optional:
//! `[market, oracle]` for every open position, so that a sub-account flagged as being
//! liquidated whose equity is back at the liquidation-end target is unflagged.

use crate::authority::{permits, Right};
use crate::error::RingfenceError;
use crate::events::Deposited;
use crate::health::unflag_if_recovered;
use crate::state::{load_sub_account_mut, Exchange, Pool, SubAccount, EXCHANGE_SEED, POOL_SEED};
use crate::trade::repay_pool_debt;
use crate::utils::pay_into_vault;
use anchor_lang::prelude::*;
use anchor_spl::token::{Token, TokenAccount};

/// Accounts of `deposit`.
#[derive(Accounts)]
pub struct Deposit<'info> {
    /// The sub-account's owner, authority of `owner_token`.
    pub owner: Signer<'info>,
    /// The exchange.
    #[account(seeds = [EXCHANGE_SEED], bump = exchange.bump)]
    pub exchange: Account<'info, Exchange>,
    /// The pool: a deposit into a sub-account that owes it a realized loss repays it first.
    #[account(mut, seeds = [POOL_SEED], bump = pool.bump)]
    pub pool: Account<'info, Pool>,
    /// The sub-account credited.
    #[account(
        mut,
        constraint = permits(&sub_account, owner.key, Right::Owner)? @ RingfenceError::NotOwner
    )]
    pub sub_account: AccountLoader<'info, SubAccount>,
    /// The exchange's vault.
    #[account(mut, address = exchange.vault @ RingfenceError::InvalidVault)]
    pub vault: Account<'info, TokenAccount>,
    /// The owner's token account of the collateral mint.
    #[account(
        mut,
        constraint = owner_token.mint == exchange.collateral_mint @ RingfenceError::WrongMint,
        constraint = owner_token.owner == owner.key() @ RingfenceError::TokenAccountNotOwned
    )]
    pub owner_token: Account<'info, TokenAccount>,
    /// SPL Token.
    pub token_program: Program<'info, Token>,
}

impl<'info> Deposit<'info> {
    /// Credits `amount` (quote native units) to the sub-account.
    pub fn handler(ctx: Context<'info, Deposit<'info>>, amount: u64) -> Result<()> {
        require_gt!(amount, 0, RingfenceError::ZeroAmount);
        let accounts = ctx.accounts;
        let sub_account_info = accounts.sub_account.to_account_info();
        let (mut sub_account, positions) = load_sub_account_mut(&sub_account_info)?;
        let credit = i64::try_from(amount).map_err(|_| RingfenceError::MathOverflow)?;
        sub_account.collateral = sub_account
            .collateral
            .checked_add(credit)
            .ok_or(RingfenceError::MathOverflow)?;
        repay_pool_debt(&mut sub_account, &mut accounts.pool)?;
        unflag_if_recovered(&mut sub_account, &positions, ctx.remaining_accounts)?;
        drop(positions);
        let collateral = sub_account.collateral;
        drop(sub_account);

        pay_into_vault(
            &accounts.token_program.to_account_info(),
            &accounts.owner_token.to_account_info(),
            &accounts.vault.to_account_info(),
            &accounts.owner.to_account_info(),
            amount,
        )?;
        crate::events::emit(Deposited {
            sub_account: sub_account_info.key(),
            amount,
            collateral,
        });
        Ok(())
    }
}
