//! The keeper's limit-order work: execute resting orders the oracle has crossed, and prune
//! orders that can never fill (expired, or reduce-only with nothing to reduce) so their slots
//! are free again. Pruning pays the keeper nothing (docs/TRADING.md); it costs one signature.

use crate::keeper::{error_name, Keeper, Outcome};
use crate::scoring::{crossed_orders, dead_orders};
use ringfence_sdk::accounts::SubAccountView;
use ringfence_sdk::builders;
use ringfence_sdk::client::{position_pairs, ClientError, PricedMarket};
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Signer;

impl Keeper {
    /// Executes the crossed order in `slot` of `key` (market `market_index`), with the pairs of
    /// the sub-account's other positions.
    pub async fn execute_order(
        &self,
        key: Pubkey,
        view: &SubAccountView,
        markets: &[PricedMarket],
        (market_index, slot): (u16, u8),
    ) -> Outcome {
        let Some(_claim) = self.claim(key) else {
            return Outcome::InFlight;
        };
        let Some(market) = markets.iter().find(|m| m.market.index == market_index) else {
            return Outcome::Failed("UnknownMarket".into());
        };
        let pairs = position_pairs(view, markets, market_index);
        let ix = builders::execute_order(
            &self.keypair.pubkey(),
            &self.token,
            &key,
            market_index,
            &market.market.oracle,
            slot,
            &pairs,
        );
        match self.send(ix).await {
            Ok(signature) => {
                self.count(|c| c.orders_executed += 1);
                tracing::info!(event = "order_executed", sub_account = %key, market = market_index, slot, %signature);
                Outcome::Landed(signature)
            }
            Err(error) => {
                let name = error_name(&error);
                self.count(|c| c.fail(name.clone()));
                tracing::warn!(event = "order_failed", sub_account = %key, market = market_index, slot, error = %name);
                Outcome::Failed(name)
            }
        }
    }

    /// Executes every crossed, unexpired resting order. Orders live in sub-accounts with or
    /// without positions, so this reads every sub-account (no `has_positions` filter).
    pub async fn execute_orders(
        &self,
        markets: &[PricedMarket],
        now: i64,
    ) -> Result<usize, ClientError> {
        let accounts = self.client.find_sub_accounts(Vec::new()).await?;
        let mut landed = 0;
        for (key, index, slot) in crossed_orders(&accounts, markets, now) {
            let view = &accounts.iter().find(|(k, _)| *k == key).expect("listed").1;
            if let Outcome::Landed(_) = self.execute_order(key, view, markets, (index, slot)).await
            {
                landed += 1;
            }
        }
        Ok(landed)
    }

    /// Prunes every dead resting order (the program's own `prune_order::dead` at `now`).
    /// Returns how many landed.
    pub async fn prune_orders(&self, now: i64) -> Result<usize, ClientError> {
        let accounts = self.client.find_sub_accounts(Vec::new()).await?;
        let mut landed = 0;
        for (key, slot) in dead_orders(&accounts, now) {
            let Some(_claim) = self.claim(key) else {
                continue;
            };
            let ix = builders::prune_order(&self.keypair.pubkey(), &key, slot);
            match self.send(ix).await {
                Ok(signature) => {
                    landed += 1;
                    self.count(|c| c.orders_pruned += 1);
                    tracing::info!(event = "order_pruned", sub_account = %key, slot, %signature);
                }
                Err(error) => {
                    let name = error_name(&error);
                    self.count(|c| c.fail(name.clone()));
                    tracing::warn!(event = "prune_failed", sub_account = %key, slot, error = %name);
                }
            }
        }
        Ok(landed)
    }
}
