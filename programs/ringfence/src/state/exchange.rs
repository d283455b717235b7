//! The exchange: admin, collateral mint and vault, protocol ledgers.

use anchor_lang::prelude::*;

/// Seed of the `Exchange` PDA.
pub const EXCHANGE_SEED: &[u8] = b"exchange";
/// Seed of the vault token account PDA.
pub const VAULT_SEED: &[u8] = b"vault";
/// Longest timelock an exchange may be created with, seconds (30 days).
pub const MAX_TIMELOCK_S: u32 = 30 * 86_400;
/// Shortest timelock of an exchange without stub oracles (a real deployment), seconds (1 hour).
/// An exchange that allows stub oracles (local networks, demos) may use 1 second.
pub const MIN_REAL_TIMELOCK_S: u32 = 3_600;

/// Root of the protocol. One per program: PDA `["exchange"]`.
#[account]
#[derive(InitSpace, Debug)]
pub struct Exchange {
    /// Who may create and update markets and set stub prices.
    pub admin: Pubkey,
    /// Proposed next admin; takes over only when it signs `accept_admin`.
    pub pending_admin: Option<Pubkey>,
    /// The one collateral mint (6 decimals).
    pub collateral_mint: Pubkey,
    /// The token account (PDA `["vault"]`, owned by this PDA) holding every deposited token.
    pub vault: Pubkey,
    /// Insurance fund, quote native units (held in the vault).
    pub insurance_fund: u64,
    /// Protocol fees and rounding remainders, quote native units (held in the vault).
    pub protocol_fees: u64,
    /// Number of markets created; the next market's index.
    pub market_count: u16,
    /// Number of user accounts created.
    pub user_count: u64,
    /// Bump of this PDA.
    pub bump: u8,
    /// Bump of the vault PDA.
    pub vault_bump: u8,
    /// The token account (collateral mint) that protocol fees and insurance surplus may be paid
    /// to, fixed at creation: the admin can send them nowhere else.
    pub treasury: Pubkey,
    /// Seconds between proposing a market parameter change and applying it, fixed at creation.
    pub timelock_s: u32,
    /// Whether markets may use the admin-set stub oracle (local networks and demos), fixed at
    /// creation; clients show it.
    pub allow_stub_oracles: bool,
}

impl Exchange {
    /// Account size including the discriminator.
    pub const SPACE: usize = 8 + Self::INIT_SPACE;
}
