//! Account layouts. Hot accounts (`Market`, `SubAccount`) are zero-copy with pinned sizes;
//! the rest are small Borsh accounts.

pub mod exchange;
pub mod fixed_bits;
pub mod market;
pub mod market_update;
pub mod pool;
pub mod stub_oracle;
pub mod sub_account;
pub mod user;

pub use exchange::*;
pub use fixed_bits::*;
pub use market::*;
pub use market_update::*;
pub use pool::*;
pub use stub_oracle::*;
pub use sub_account::*;
pub use user::*;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_sizes_are_as_documented() {
        // Discriminator + fields, counted by hand (docs/ACCOUNTS.md).
        assert_eq!(
            Exchange::SPACE,
            8 + 32 + (1 + 32) + 32 + 32 + 8 + 8 + 2 + 8 + 1 + 1 + 32 + 4 + 1
        );
        assert_eq!(MarketUpdate::SPACE, 8 + 2 + 96 + 8 + 8 + 1);
        assert_eq!(
            Pool::SPACE,
            8 + 8 + 8 + 1 + 8 * 4 + 8 + 8 + 8 + 8 + 2 + 2 + 2 + 8 + 8 + 4 + 4
        );
        assert_eq!(UserAccount::SPACE, 8 + 32 + 2 + 2 + 1);
        assert_eq!(StubOracle::SPACE, 8 + 2 + 8 + 8 + 4 + 8 + 1);
        assert_eq!(Market::SPACE, 336);
        // Header 104 + 8 positions × 72 + 4 orders × 48; header + 1 × 72 + 1 × 48.
        assert_eq!(SubAccountMode::Cross.space(), 8 + 104 + 576 + 192);
        assert_eq!(
            SubAccountMode::Isolated { market_index: 3 }.space(),
            8 + 104 + 72 + 48
        );
    }

    #[test]
    fn market_params_borsh_bytes_equal_their_zero_copy_bytes() {
        let params = MarketParams {
            tier_up_to_notional: [1, 2, 3, 4],
            tier_mm_bps: [5, 6, 7, 8],
            skew_scale: 9,
            max_open_interest: 10,
            trigger_keeper_fee: 11,
            im_size_scale: 12,
            max_side_oi_pool_bps: 26,
            max_oracle_age_s: 13,
            max_funding_rate_ppm: 14,
            max_leverage: 15,
            taker_fee_bps: 16,
            protocol_fee_share_bps: 17,
            liquidation_fee_bps: 18,
            liquidator_share_bps: 19,
            upnl_initial_weight_bps: 20,
            max_premium_bps: 21,
            max_conf_bps: 22,
            max_ema_divergence_bps: 23,
            tier_count: 24,
            max_fill_age_s: 25,
        };
        let mut borsh = Vec::new();
        anchor_lang::AnchorSerialize::serialize(&params, &mut borsh).unwrap();
        assert_eq!(borsh.as_slice(), bytemuck::bytes_of(&params));
    }
}
