//! Creates the exchange, its vault and the pool. The first caller becomes admin: the deploy
//! script calls it right after deploying (see docs/ACCOUNTS.md). The treasury, the timelock on
//! parameter changes and whether stub oracles are allowed are fixed here for good.

use crate::error::RingfenceError;
use crate::events::ExchangeInitialized;
use crate::math::units::QUOTE_DECIMALS;
use crate::state::{
    Exchange, Pool, EXCHANGE_SEED, MAX_LP_COOLDOWN_S, MAX_TIMELOCK_S, MAX_VALUATION_AGE_S,
    MIN_REAL_LP_COOLDOWN_S, MIN_REAL_TIMELOCK_S, MIN_VALUATION_AGE_S, POOL_SEED, VAULT_SEED,
};
use crate::utils::{create_pda_account, write_account};
use anchor_lang::prelude::*;
use anchor_spl::token::{self, InitializeAccount3, Mint, Token, TokenAccount};

/// The exchange's permanent settings.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct ExchangeConfig {
    /// Seconds between proposing and applying a market parameter change: 1 ..= 30 days, and at
    /// least 1 hour unless stub oracles are allowed.
    pub timelock_s: u32,
    /// Whether markets may use the admin-set stub oracle (local networks and demos only).
    pub allow_stub_oracles: bool,
    /// Seconds an LP waits after a deposit before redeeming: ..= 7 days, and at least 1 hour
    /// unless stub oracles are allowed.
    pub lp_cooldown_s: u32,
    /// Oldest pool valuation LP flows accept, seconds: 2 ..= 600.
    pub max_valuation_age_s: u32,
}

impl ExchangeConfig {
    /// Checks the timelock's bounds.
    pub fn validate(&self) -> Result<()> {
        let floor = if self.allow_stub_oracles {
            1
        } else {
            MIN_REAL_TIMELOCK_S
        };
        require!(
            (floor..=MAX_TIMELOCK_S).contains(&self.timelock_s),
            RingfenceError::InvalidTimelock
        );
        let cooldown_floor = if self.allow_stub_oracles {
            0
        } else {
            MIN_REAL_LP_COOLDOWN_S
        };
        require!(
            (cooldown_floor..=MAX_LP_COOLDOWN_S).contains(&self.lp_cooldown_s)
                && (MIN_VALUATION_AGE_S..=MAX_VALUATION_AGE_S).contains(&self.max_valuation_age_s),
            RingfenceError::InvalidPoolConfig
        );
        Ok(())
    }
}

/// Accounts of `initialize_exchange`.
#[derive(Accounts)]
pub struct InitializeExchange<'info> {
    /// First admin; pays rent.
    #[account(mut)]
    pub admin: Signer<'info>,
    /// CHECK: created here at its PDA (pre-funded-safe).
    #[account(mut, seeds = [EXCHANGE_SEED], bump)]
    pub exchange: UncheckedAccount<'info>,
    /// CHECK: created here as the exchange's token account of `collateral_mint`.
    #[account(mut, seeds = [VAULT_SEED], bump)]
    pub vault: UncheckedAccount<'info>,
    /// CHECK: created here at its PDA.
    #[account(mut, seeds = [POOL_SEED], bump)]
    pub pool: UncheckedAccount<'info>,
    /// The one collateral mint (6 decimals).
    pub collateral_mint: Account<'info, Mint>,
    /// Where protocol fees and insurance surplus will go: a token account of the mint.
    #[account(constraint = treasury.mint == collateral_mint.key() @ RingfenceError::WrongMint)]
    pub treasury: Account<'info, TokenAccount>,
    /// SPL Token.
    pub token_program: Program<'info, Token>,
    /// System program.
    pub system_program: Program<'info, System>,
}

impl InitializeExchange<'_> {
    /// Creates the exchange, vault and pool with `config`.
    pub fn handler(ctx: Context<InitializeExchange>, config: ExchangeConfig) -> Result<()> {
        config.validate()?;
        let accounts = &ctx.accounts;
        require_eq!(
            u32::from(accounts.collateral_mint.decimals),
            QUOTE_DECIMALS,
            RingfenceError::UnsupportedMintDecimals
        );
        let payer = accounts.admin.to_account_info();
        let system = accounts.system_program.to_account_info();
        let bumps = &ctx.bumps;

        create_pda_account(
            &payer,
            &accounts.exchange,
            &system,
            &crate::ID,
            Exchange::SPACE,
            &[EXCHANGE_SEED, &[bumps.exchange]],
        )?;
        let exchange = Exchange {
            admin: accounts.admin.key(),
            pending_admin: None,
            collateral_mint: accounts.collateral_mint.key(),
            vault: accounts.vault.key(),
            insurance_fund: 0,
            protocol_fees: 0,
            market_count: 0,
            user_count: 0,
            bump: bumps.exchange,
            vault_bump: bumps.vault,
            treasury: accounts.treasury.key(),
            timelock_s: config.timelock_s,
            allow_stub_oracles: config.allow_stub_oracles,
        };
        write_account(&accounts.exchange, &exchange)?;

        create_pda_account(
            &payer,
            &accounts.vault,
            &system,
            &token::ID,
            TokenAccount::LEN,
            &[VAULT_SEED, &[bumps.vault]],
        )?;
        let init_vault = InitializeAccount3 {
            account: accounts.vault.to_account_info(),
            mint: accounts.collateral_mint.to_account_info(),
            authority: accounts.exchange.to_account_info(),
        };
        token::initialize_account3(CpiContext::new(token::ID, init_vault))?;

        create_pda_account(
            &payer,
            &accounts.pool,
            &system,
            &crate::ID,
            Pool::SPACE,
            &[POOL_SEED, &[bumps.pool]],
        )?;
        let pool = Pool::new(bumps.pool, config.lp_cooldown_s, config.max_valuation_age_s);
        write_account(&accounts.pool, &pool)?;

        crate::events::emit(ExchangeInitialized {
            admin: exchange.admin,
            collateral_mint: exchange.collateral_mint,
            vault: exchange.vault,
            treasury: exchange.treasury,
            timelock_s: exchange.timelock_s,
            allow_stub_oracles: exchange.allow_stub_oracles,
        });
        Ok(())
    }
}
