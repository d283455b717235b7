//! The admin withdraws insurance surplus to the treasury: only what lies above a floor of 5% of
//! the pool's balance, a protocol constant the admin cannot change, and never what the pool's
//! open-interest cap counts on (on a recent valuation).

use crate::error::RingfenceError;
use crate::events::InsuranceMoved;
use crate::math::units::BPS;
use crate::pool_equity::check_insurance_floor;
use crate::state::{Exchange, Pool, EXCHANGE_SEED, POOL_SEED};
use crate::utils::pay_out_of_vault;
use anchor_lang::prelude::*;
use anchor_spl::token::{Token, TokenAccount};

/// The insurance fund's floor, basis points of the pool's balance.
pub const INSURANCE_FLOOR_BPS: u64 = 500;

/// Accounts of `withdraw_insurance`.
#[derive(Accounts)]
pub struct WithdrawInsurance<'info> {
    /// The admin.
    pub admin: Signer<'info>,
    /// The exchange.
    #[account(mut, seeds = [EXCHANGE_SEED], bump = exchange.bump, has_one = admin @ RingfenceError::NotAdmin)]
    pub exchange: Account<'info, Exchange>,
    /// The pool, whose balance sets the floor.
    #[account(seeds = [POOL_SEED], bump = pool.bump)]
    pub pool: Account<'info, Pool>,
    /// The exchange's vault.
    #[account(mut, address = exchange.vault @ RingfenceError::InvalidVault)]
    pub vault: Account<'info, TokenAccount>,
    /// The exchange's treasury, fixed at creation.
    #[account(mut, address = exchange.treasury @ RingfenceError::NotTreasury)]
    pub destination: Account<'info, TokenAccount>,
    /// SPL Token.
    pub token_program: Program<'info, Token>,
}

impl WithdrawInsurance<'_> {
    /// Pays `amount` of insurance surplus to `destination`.
    pub fn handler(ctx: Context<WithdrawInsurance>, amount: u64) -> Result<()> {
        require_gt!(amount, 0, RingfenceError::ZeroAmount);
        let accounts = ctx.accounts;
        let floor =
            u128::from(accounts.pool.balance) * u128::from(INSURANCE_FLOOR_BPS) / u128::from(BPS);
        let after = accounts
            .exchange
            .insurance_fund
            .checked_sub(amount)
            .ok_or(RingfenceError::InsuranceBelowFloor)?;
        require!(
            u128::from(after) >= floor,
            RingfenceError::InsuranceBelowFloor
        );
        check_insurance_floor(&accounts.pool, after, Clock::get()?.unix_timestamp)?;
        accounts.exchange.insurance_fund = after;
        pay_out_of_vault(
            &accounts.token_program.to_account_info(),
            &accounts.vault.to_account_info(),
            &accounts.destination.to_account_info(),
            &accounts.exchange.to_account_info(),
            accounts.exchange.bump,
            amount,
        )?;
        crate::events::emit(InsuranceMoved {
            account: accounts.destination.key(),
            amount: -i64::try_from(amount).map_err(|_| RingfenceError::MathOverflow)?,
            insurance_fund: after,
        });
        Ok(())
    }
}
