//! Decoders for the program's accounts from raw bytes (as any RPC returns them), with the
//! program's own layouts, plus the checked mark of a market from its oracle account's bytes.

use anchor_lang::prelude::{AccountInfo, Clock, Pubkey};
use anchor_lang::{AccountDeserialize, Discriminator};
use ringfence::health::health_with;
use ringfence::math::margin::Health;
use ringfence::math::I80F48;
use ringfence::state::{Market, MarketParams, MarketUpdate, Position, RestingOrder, SubAccount};
use std::mem::size_of;

/// A sub-account's header, its position slots and its resting-order slots.
#[derive(Debug, Clone)]
pub struct SubAccountView {
    /// The fixed header.
    pub header: SubAccount,
    /// Every slot, open or free (8 for cross, 1 for isolated).
    pub positions: Vec<Position>,
    /// Every resting-order slot, open or free (4 for cross, 1 for isolated).
    pub orders: Vec<RestingOrder>,
}

impl SubAccountView {
    /// The open positions.
    pub fn open_positions(&self) -> impl Iterator<Item = &Position> {
        self.positions.iter().filter(|p| p.is_open())
    }

    /// Health with every open position's market priced by `priced` (market and checked mark).
    pub fn health<'m>(
        &self,
        now: i64,
        priced: impl FnMut(u16) -> Option<(&'m Market, I80F48)>,
    ) -> anchor_lang::Result<Health> {
        health_with(&self.header, &self.positions, now, priced)
    }
}

/// Decodes a sub-account's bytes (discriminator and the mode's exact size checked), or `None`.
pub fn sub_account(data: &[u8]) -> Option<SubAccountView> {
    let header_end = 8 + size_of::<SubAccount>();
    if data.len() < header_end || data[..8] != *SubAccount::DISCRIMINATOR {
        return None;
    }
    let header: SubAccount = bytemuck::pod_read_unaligned(&data[8..header_end]);
    let mode = header.mode();
    if data.len() != mode.space() {
        return None;
    }
    let positions_end = header_end + mode.slots() * size_of::<Position>();
    Some(SubAccountView {
        header,
        positions: data[header_end..positions_end]
            .chunks_exact(size_of::<Position>())
            .map(bytemuck::pod_read_unaligned)
            .collect(),
        orders: data[positions_end..]
            .chunks_exact(size_of::<RestingOrder>())
            .map(bytemuck::pod_read_unaligned)
            .collect(),
    })
}

/// Decodes a market's bytes (discriminator and size checked), or `None`.
pub fn market(data: &[u8]) -> Option<Market> {
    if data.len() != Market::SPACE || data[..8] != *Market::DISCRIMINATOR {
        return None;
    }
    Some(bytemuck::pod_read_unaligned(&data[8..]))
}

/// Decodes one of the program's Borsh accounts (`Exchange`, `Pool`, `UserAccount`,
/// `LpAccount`, `StubOracle`), discriminator checked, or `None`.
pub fn borsh<T: AccountDeserialize>(data: &[u8]) -> Option<T> {
    T::try_deserialize(&mut &data[..]).ok()
}

/// A market's display name.
pub fn market_name(market: &Market) -> String {
    String::from_utf8_lossy(&market.name)
        .trim_end_matches('\0')
        .to_string()
}

/// The checked mark of `market` from its oracle account (`owner`, `data`) at unix time `now`,
/// by the program's own `oracle::mark_price`: the same guards as on chain.
pub fn mark_price(
    market: &Market,
    owner: &Pubkey,
    data: &[u8],
    now: i64,
) -> anchor_lang::Result<I80F48> {
    let key = market.oracle;
    let mut lamports = 0u64;
    let mut bytes = data.to_vec();
    let info = AccountInfo::new(&key, false, false, &mut lamports, &mut bytes, owner, false);
    let clock = Clock {
        unix_timestamp: now,
        ..Clock::default()
    };
    ringfence::oracle::mark_price(market, &info, &clock)
}

/// Quote native units (6 decimals) as dollars with cents, rounded toward zero: "-1,234.56".
pub fn usd(native: i128) -> String {
    let cents = native / 10_000;
    let sign = if cents < 0 { "-" } else { "" };
    let cents = cents.unsigned_abs();
    format!("{sign}{}.{:02}", thousands(cents / 100), cents % 100)
}

/// An I80F48 amount of quote native units as dollars with cents, rounded toward zero.
pub fn usd_fixed(native: I80F48) -> String {
    usd(native.to_num::<i128>())
}

/// A price (dollars per whole base unit, as the program keeps it) with cents, toward zero.
pub fn price(dollars: I80F48) -> String {
    usd_fixed(dollars.saturating_mul(I80F48::from_num(1_000_000)))
}

fn thousands(value: u128) -> String {
    let digits = value.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The parameters that differ between `old` and `new`, as "name old → new" (the CLI shows a
/// pending change with it).
pub fn param_changes(old: &MarketParams, new: &MarketParams) -> Vec<String> {
    let mut changes = Vec::new();
    macro_rules! compare {
        ($($field:ident),*) => {
            $(
                let (was, will) = (old.$field, new.$field);
                if was != will {
                    changes.push(format!("{} {:?} → {:?}", stringify!($field), was, will));
                }
            )*
        };
    }
    compare!(
        tier_up_to_notional,
        tier_mm_bps,
        tier_count,
        skew_scale,
        max_open_interest,
        trigger_keeper_fee,
        max_oracle_age_s,
        max_fill_age_s,
        max_funding_rate_ppm,
        max_leverage,
        taker_fee_bps,
        protocol_fee_share_bps,
        liquidation_fee_bps,
        liquidator_share_bps,
        upnl_initial_weight_bps,
        max_premium_bps,
        max_conf_bps,
        max_ema_divergence_bps,
        im_size_scale,
        max_side_oi_pool_bps
    );
    changes
}

/// A pending parameter change (`MarketUpdate`) from its account data.
pub fn market_update(data: &[u8]) -> Option<MarketUpdate> {
    MarketUpdate::try_deserialize(&mut &data[..]).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dollars_print_with_separators_and_cents_toward_zero() {
        assert_eq!(usd(45_226_130_653), "45,226.13");
        assert_eq!(usd(1_000_000_000), "1,000.00");
        assert_eq!(usd(-1_234_567_899), "-1,234.56");
        assert_eq!(usd(999), "0.00");
        assert_eq!(usd(100_000_000_000_000), "100,000,000.00");
        assert_eq!(price("45226.1306532663".parse().unwrap()), "45,226.13");
    }

    #[test]
    fn decoders_refuse_foreign_bytes() {
        assert!(sub_account(&[0u8; 136]).is_none());
        assert!(market(&[0u8; 336]).is_none());
        // An isolated sub-account: header, one position slot (72 bytes), one order slot (48).
        let mut bytes = vec![0u8; 8 + size_of::<SubAccount>() + 72 + 48];
        bytes[..8].copy_from_slice(SubAccount::DISCRIMINATOR);
        bytes[8] = 7;
        bytes[ringfence::state::SUB_ACCOUNT_MODE_OFFSET] = 1;
        let view = sub_account(&bytes).expect("an isolated sub-account");
        assert_eq!((view.positions.len(), view.orders.len()), (1, 1));
        assert_eq!(view.header.owner.to_bytes()[0], 7);
        bytes.push(0);
        assert!(sub_account(&bytes).is_none(), "a torn slot is refused");
        bytes.pop();
        bytes[ringfence::state::SUB_ACCOUNT_MODE_OFFSET] = 0;
        assert!(
            sub_account(&bytes).is_none(),
            "a cross header on an isolated size is refused"
        );
    }
}
