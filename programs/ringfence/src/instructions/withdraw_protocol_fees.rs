//! The admin pays protocol fees (taker-fee shares and swept funding remainders) to the treasury
//! fixed at the exchange's creation; nowhere else.

use crate::error::RingfenceError;
use crate::events::ProtocolFeesWithdrawn;
use crate::state::{Exchange, EXCHANGE_SEED};
use crate::utils::pay_out_of_vault;
use anchor_lang::prelude::*;
use anchor_spl::token::{Token, TokenAccount};

/// Accounts of `withdraw_protocol_fees`.
#[derive(Accounts)]
pub struct WithdrawProtocolFees<'info> {
    /// The admin.
    pub admin: Signer<'info>,
    /// The exchange (its fee ledger; vault authority).
    #[account(mut, seeds = [EXCHANGE_SEED], bump = exchange.bump, has_one = admin @ RingfenceError::NotAdmin)]
    pub exchange: Account<'info, Exchange>,
    /// The exchange's vault.
    #[account(mut, address = exchange.vault @ RingfenceError::InvalidVault)]
    pub vault: Account<'info, TokenAccount>,
    /// The treasury, fixed at creation.
    #[account(mut, address = exchange.treasury @ RingfenceError::NotTreasury)]
    pub treasury: Account<'info, TokenAccount>,
    /// SPL Token.
    pub token_program: Program<'info, Token>,
}

impl WithdrawProtocolFees<'_> {
    /// Pays `amount` of protocol fees to the treasury.
    pub fn handler(ctx: Context<WithdrawProtocolFees>, amount: u64) -> Result<()> {
        require_gt!(amount, 0, RingfenceError::ZeroAmount);
        let accounts = ctx.accounts;
        let remaining = accounts
            .exchange
            .protocol_fees
            .checked_sub(amount)
            .ok_or(RingfenceError::InsufficientFreeCollateral)?;
        accounts.exchange.protocol_fees = remaining;
        pay_out_of_vault(
            &accounts.token_program.to_account_info(),
            &accounts.vault.to_account_info(),
            &accounts.treasury.to_account_info(),
            &accounts.exchange.to_account_info(),
            accounts.exchange.bump,
            amount,
        )?;
        crate::events::emit(ProtocolFeesWithdrawn {
            treasury: accounts.treasury.key(),
            amount,
            remaining,
        });
        Ok(())
    }
}
