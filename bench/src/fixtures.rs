//! Markets and sub-account bytes laid out exactly as the program stores them.

use ringfence::math::I80F48;
use ringfence::state::{Market, Position, SubAccount, SubAccountMode};
use ringfence_sdk::presets::{btc_params, BASE_UNIT};

/// Market `index` with the suites' BTC parameters.
pub fn market(index: u16) -> Market {
    let mut market: Market = bytemuck::Zeroable::zeroed();
    market.index = index;
    market.params = btc_params();
    market.open_interest_long = BASE_UNIT as u64;
    market
}

/// The mark of market `index`: $50,000 moved a little per market.
pub fn mark(index: u16) -> I80F48 {
    I80F48::from_num(50_000 - i64::from(index) * 100)
}

/// The bytes of a cross sub-account holding `positions` positions (alternating long/short,
/// 0.1 BTC from $50,000 at 10x) and $2,000 of collateral.
pub fn cross_sub_account(positions: usize) -> Vec<u8> {
    let mut data = vec![0u8; SubAccountMode::Cross.space()];
    data[..8].copy_from_slice(<SubAccount as anchor_lang::Discriminator>::DISCRIMINATOR);
    let header_end = 8 + std::mem::size_of::<SubAccount>();
    let header: &mut SubAccount = bytemuck::from_bytes_mut(&mut data[8..header_end]);
    header.collateral = 2_000_000_000;
    header.has_positions = u8::from(positions > 0);
    let positions_end =
        header_end + SubAccountMode::Cross.slots() * std::mem::size_of::<Position>();
    let slots: &mut [Position] = bytemuck::cast_slice_mut(&mut data[header_end..positions_end]);
    for (i, slot) in slots.iter_mut().take(positions).enumerate() {
        let sign = if i % 2 == 0 { 1 } else { -1 };
        slot.base = sign * BASE_UNIT / 10;
        slot.quote_entry = -sign * 5_000_000_000;
        slot.market_index = i as u16;
        slot.leverage = 10;
    }
    data
}

/// Header and position slots of cross sub-account bytes (what a keeper decodes; the order
/// slots follow the positions).
pub fn decode(data: &[u8]) -> (&SubAccount, &[Position]) {
    let header_end = 8 + std::mem::size_of::<SubAccount>();
    let positions_end =
        header_end + SubAccountMode::Cross.slots() * std::mem::size_of::<Position>();
    (
        bytemuck::from_bytes(&data[8..header_end]),
        bytemuck::cast_slice(&data[header_end..positions_end]),
    )
}
