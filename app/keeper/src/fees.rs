//! Priority fees: the compute-unit price a transaction bids. Fixed by default; on a real
//! cluster (`max_priority_fee_micro_lamports` set) it follows `getRecentPrioritizationFees`
//! for the accounts the transaction writes, between the fixed floor and the cap.

use crate::keeper::Keeper;
use solana_sdk::instruction::Instruction;
use solana_sdk::pubkey::Pubkey;

/// Percentile of recent fees bid, percent.
pub const FEE_PERCENTILE: usize = 75;
/// Most accounts `getRecentPrioritizationFees` accepts.
const MAX_FEE_ACCOUNTS: usize = 128;

/// The price to bid, micro-lamports per compute unit: the `FEE_PERCENTILE`th percentile
/// (nearest rank) of `recent`, at least `floor` and at most `cap` (the floor wins when the cap
/// is below it). Without recent fees, the floor.
pub fn choose_price(recent: &[u64], floor: u64, cap: u64) -> u64 {
    if recent.is_empty() {
        return floor;
    }
    let mut sorted = recent.to_vec();
    sorted.sort_unstable();
    let rank = (FEE_PERCENTILE * sorted.len()).div_ceil(100).max(1);
    sorted[rank - 1].min(cap).max(floor)
}

/// The accounts an instruction writes, other than signers (whose locks are the sender's own).
pub fn written_accounts(instruction: &Instruction) -> Vec<Pubkey> {
    instruction
        .accounts
        .iter()
        .filter(|meta| meta.is_writable && !meta.is_signer)
        .map(|meta| meta.pubkey)
        .take(MAX_FEE_ACCOUNTS)
        .collect()
}

impl Keeper {
    /// The compute-unit price for `instruction`: the fixed fee, or with a cap configured the
    /// recent fees of the accounts it writes (the fixed fee when the RPC has none or fails).
    pub(crate) async fn unit_price(&self, instruction: &Instruction) -> u64 {
        let floor = self.config.priority_fee_micro_lamports;
        let cap = self.config.max_priority_fee_micro_lamports;
        if cap == 0 {
            return floor;
        }
        let accounts = written_accounts(instruction);
        match self
            .client
            .rpc
            .get_recent_prioritization_fees(&accounts)
            .await
        {
            Ok(fees) => {
                let recent: Vec<u64> = fees.iter().map(|f| f.prioritization_fee).collect();
                choose_price(&recent, floor, cap)
            }
            Err(error) => {
                self.rpc_failed("prioritization_fees", &error);
                floor
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_price_is_the_75th_percentile_between_floor_and_cap() {
        // Eight fees sorted 0, 0, 10, 20, 30, 40, 500, 9,000: nearest rank ⌈0.75 × 8⌉ = 6 → 40.
        let recent = [500, 0, 30, 9_000, 10, 40, 0, 20];
        assert_eq!(choose_price(&recent, 0, 1_000), 40);
        // The cap bounds a hot market's bid; the fixed fee is a floor.
        assert_eq!(choose_price(&recent, 0, 25), 25);
        assert_eq!(choose_price(&recent, 100, 1_000), 100);
        // Five fees: ⌈3.75⌉ = 4th of 1, 2, 3, 4, 5 → 4. One fee: itself. None: the floor.
        assert_eq!(choose_price(&[5, 1, 4, 2, 3], 0, 1_000), 4);
        assert_eq!(choose_price(&[7], 0, 1_000), 7);
        assert_eq!(choose_price(&[], 3, 1_000), 3);
        // A cap below the floor: the floor (the operator's fixed bid is never undercut).
        assert_eq!(choose_price(&recent, 50, 10), 50);
    }
}
