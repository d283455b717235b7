//! The margin engine on arbitrary positions, prices and parameters (far outside what the
//! program lets happen): health, requirements, liquidation and bankruptcy prices and
//! liquidation sizes must return a value or a named error (`MathOverflow`), never panic.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use ringfence::math::liquidation::{liquidation_size, liquidation_target, may_liquidate};
use ringfence::math::margin::{
    Health, MaintenanceBracket, MaintenanceSchedule, MarketRisk, PositionInput, PositionRisk,
};
use ringfence::math::prices::{bankruptcy_price, liquidation_price, Surroundings};
use ringfence::math::I80F48;

#[derive(Debug, Arbitrary)]
struct Input {
    collateral: i64,
    positions: Vec<(i64, i64, u16, i128, u32)>,
    brackets: Vec<(u64, u16)>,
    weight_bps: u16,
    being_liquidated: bool,
    penalty_bps: u16,
}

fuzz_target!(|input: Input| {
    let mut brackets: Vec<MaintenanceBracket> = input
        .brackets
        .iter()
        .take(4)
        .map(|&(up_to, bps)| MaintenanceBracket {
            up_to_notional: I80F48::from_num(up_to),
            ratio_bps: u32::from(bps),
        })
        .collect();
    if brackets.is_empty() {
        brackets.push(MaintenanceBracket { up_to_notional: I80F48::ZERO, ratio_bps: 50 });
    }
    let schedule = MaintenanceSchedule::new(&brackets);
    let mut health = Health::from_collateral(input.collateral);
    let mut risks = Vec::new();
    for &(base, quote_entry, leverage, mark_bits, owed) in input.positions.iter().take(8) {
        let market = MarketRisk {
            mark: I80F48::from_bits(mark_bits),
            maintenance: schedule,
            upnl_initial_weight_bps: u32::from(input.weight_bps % 10_001),
        };
        let position = PositionInput { base, quote_entry, leverage };
        if let Ok(risk) = PositionRisk::new(&position, &market, I80F48::from_num(owed)) {
            if health.add(&risk, &market).is_ok() {
                risks.push((position, market, risk));
            }
        }
    }
    let _ = health.margin_ratio();
    let _ = health.withdrawable();
    let _ = liquidation_target(&health);
    let _ = may_liquidate(input.being_liquidated, &health);
    for (position, market, risk) in &risks {
        if let Ok(around) = Surroundings::within(&health, risk, I80F48::ZERO) {
            let _ = liquidation_price(position.base, position.quote_entry, market, &around);
            let _ = bankruptcy_price(position.base, position.quote_entry, &around);
        }
        let _ = liquidation_size(&health, risk, position.base, market.mark, input.penalty_bps);
    }
});
