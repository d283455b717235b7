//! One event per state change, carrying every amount that moved.

use crate::state::{MarketParams, MarketStatus, OracleKind, SubAccountMode};
use anchor_lang::prelude::*;

/// The exchange, its vault and pool were created.
#[event]
pub struct ExchangeInitialized {
    /// First admin.
    pub admin: Pubkey,
    /// Collateral mint.
    pub collateral_mint: Pubkey,
    /// Vault token account.
    pub vault: Pubkey,
}

/// A market was created.
#[event]
pub struct MarketCreated {
    /// Market index.
    pub index: u16,
    /// Market account.
    pub market: Pubkey,
    /// Oracle account.
    pub oracle: Pubkey,
    /// Oracle kind.
    pub oracle_kind: OracleKind,
    /// Parameters.
    pub params: MarketParams,
}

/// A market's parameters were replaced.
#[event]
pub struct MarketUpdated {
    /// Market index.
    pub index: u16,
    /// Parameters before.
    pub previous: MarketParams,
    /// Parameters after.
    pub params: MarketParams,
}

/// A market's status changed.
#[event]
pub struct MarketStatusSet {
    /// Market index.
    pub index: u16,
    /// New status.
    pub status: MarketStatus,
}

/// The admin proposed a successor.
#[event]
pub struct AdminProposed {
    /// Current admin.
    pub admin: Pubkey,
    /// Proposed admin.
    pub proposed: Pubkey,
}

/// The proposed admin took over.
#[event]
pub struct AdminAccepted {
    /// Admin before.
    pub previous: Pubkey,
    /// Admin now.
    pub admin: Pubkey,
}

/// The admin set a stub oracle's price.
#[event]
pub struct StubPriceSet {
    /// Market index.
    pub market_index: u16,
    /// Price mantissa.
    pub price: i64,
    /// Confidence mantissa.
    pub conf: u64,
    /// Exponent.
    pub exponent: i32,
    /// Publish time stamped, unix seconds.
    pub publish_time: i64,
}

/// A wallet created its user account.
#[event]
pub struct UserCreated {
    /// The wallet.
    pub owner: Pubkey,
}

/// A sub-account was created.
#[event]
pub struct SubAccountCreated {
    /// The wallet.
    pub owner: Pubkey,
    /// Sub-account id.
    pub id: u16,
    /// Sub-account address.
    pub sub_account: Pubkey,
    /// Margin mode.
    pub mode: SubAccountMode,
}

/// Collateral moved from a wallet into a sub-account.
#[event]
pub struct Deposited {
    /// Sub-account.
    pub sub_account: Pubkey,
    /// Amount, quote native units.
    pub amount: u64,
    /// Collateral after, quote native units.
    pub collateral: i64,
}

/// Collateral moved from a sub-account to a token account.
#[event]
pub struct Withdrawn {
    /// Sub-account.
    pub sub_account: Pubkey,
    /// Destination token account.
    pub destination: Pubkey,
    /// Amount, quote native units.
    pub amount: u64,
    /// Collateral after, quote native units.
    pub collateral: i64,
}

/// An empty sub-account was closed and its rent returned.
#[event]
pub struct SubAccountClosed {
    /// The wallet.
    pub owner: Pubkey,
    /// Sub-account id.
    pub id: u16,
    /// Lamports of rent returned.
    pub rent_returned: u64,
}
