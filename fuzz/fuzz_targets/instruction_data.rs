//! Arbitrary instruction data through the program's own decoders: every instruction's
//! arguments are decoded from the bytes after its discriminator. Decoding must return a value
//! or an error, never panic, read out of bounds or allocate without bound.
#![no_main]

use anchor_lang::{AnchorDeserialize, Discriminator};
use libfuzzer_sys::fuzz_target;
use ringfence::instruction as ix;

fn decode<T: AnchorDeserialize + Discriminator>(data: &[u8]) {
    if let Some(args) = data.strip_prefix(T::DISCRIMINATOR) {
        let _ = T::try_from_slice(args);
    }
}

fuzz_target!(|data: &[u8]| {
    decode::<ix::InitializeExchange>(data);
    decode::<ix::CreateMarket>(data);
    decode::<ix::ProposeMarketUpdate>(data);
    decode::<ix::ApplyMarketUpdate>(data);
    decode::<ix::CancelMarketUpdate>(data);
    decode::<ix::WithdrawProtocolFees>(data);
    decode::<ix::SweepFundingRemainder>(data);
    decode::<ix::SetMarketStatus>(data);
    decode::<ix::SetStubPrice>(data);
    decode::<ix::ProposeAdmin>(data);
    decode::<ix::AcceptAdmin>(data);
    decode::<ix::CreateUser>(data);
    decode::<ix::CreateSubAccount>(data);
    decode::<ix::CloseSubAccount>(data);
    decode::<ix::Deposit>(data);
    decode::<ix::Withdraw>(data);
    decode::<ix::OpenPosition>(data);
    decode::<ix::ClosePosition>(data);
    decode::<ix::AddMargin>(data);
    decode::<ix::RemoveMargin>(data);
    decode::<ix::SettleFunding>(data);
    decode::<ix::Liquidate>(data);
    decode::<ix::FundInsurance>(data);
    decode::<ix::WithdrawInsurance>(data);
    decode::<ix::SetTriggers>(data);
    decode::<ix::ExecuteTrigger>(data);
    decode::<ix::PoolDeposit>(data);
    decode::<ix::PoolWithdraw>(data);
    // Raw bytes as account layouts: zero-copy casts check size and alignment, never panic.
    let _ = bytemuck::try_pod_read_unaligned::<ringfence::state::Market>(data);
    let _ = bytemuck::try_pod_read_unaligned::<ringfence::state::SubAccount>(data);
    let _ = ringfence::state::MarketUpdate::try_from_slice(data);
});
