//! Websocket subscriptions in Solana's shapes: `accountSubscribe`, `programSubscribe`,
//! `signatureSubscribe` and `slotSubscribe`, each with its `*Unsubscribe`.

use crate::chain::{ChainHandle, Event};
use crate::rpc::{passes, pubkey, ui_account, Positional};
use jsonrpsee::core::SubscriptionResult;
use jsonrpsee::{PendingSubscriptionSink, RpcModule, SubscriptionMessage, SubscriptionSink};
use serde::Serialize;
use solana_rpc_client_api::config::{
    RpcAccountInfoConfig, RpcProgramAccountsConfig, RpcSignatureSubscribeConfig,
};
use solana_rpc_client_api::response::{
    ProcessedSignatureResult, Response, RpcKeyedAccount, RpcResponseContext, RpcSignatureResult,
    SlotInfo,
};
use solana_sdk::account::Account;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Signature;
use std::collections::HashMap;
use std::str::FromStr;
use tokio::sync::broadcast::error::RecvError;

async fn notify<T: Serialize>(sink: &SubscriptionSink, slot: u64, value: T) -> bool {
    let response = Response {
        context: RpcResponseContext {
            slot,
            api_version: None,
        },
        value,
    };
    let Ok(raw) = serde_json::value::to_raw_value(&response) else {
        return false;
    };
    sink.send(SubscriptionMessage::from(raw)).await.is_ok()
}

/// The next event, or `None` when the subscriber left or the chain stopped. A subscriber that
/// fell behind gets `Some(None)`: re-check everything.
async fn next_event(
    sink: &SubscriptionSink,
    events: &mut tokio::sync::broadcast::Receiver<Event>,
) -> Option<Option<Event>> {
    tokio::select! {
        _ = sink.closed() => None,
        event = events.recv() => match event {
            Ok(event) => Some(Some(event)),
            Err(RecvError::Lagged(_)) => Some(None),
            Err(RecvError::Closed) => None,
        },
    }
}

fn absent() -> Account {
    Account::default()
}

async fn account_subscription(
    pending: PendingSubscriptionSink,
    chain: &ChainHandle,
    key: Pubkey,
    config: RpcAccountInfoConfig,
) -> SubscriptionResult {
    let mut events = chain.subscribe();
    let sink = pending.accept().await?;
    let mut last = chain.call(move |c| c.account(&key)).await?;
    while let Some(event) = next_event(&sink, &mut events).await {
        let slot = match event {
            Some(Event::Landed { keys, slot, .. }) if keys.contains(&key) => slot,
            None => chain.call(|c| c.slot()).await?,
            Some(_) => continue,
        };
        let now = chain.call(move |c| c.account(&key)).await?;
        if now != last {
            let shown = now.clone().unwrap_or_else(absent);
            if !notify(&sink, slot, ui_account(&key, &shown, &config)).await {
                break;
            }
            last = now;
        }
    }
    Ok(())
}

async fn program_subscription(
    pending: PendingSubscriptionSink,
    chain: &ChainHandle,
    program: Pubkey,
    config: RpcProgramAccountsConfig,
) -> SubscriptionResult {
    let mut events = chain.subscribe();
    let sink = pending.accept().await?;
    let filters = config.filters.clone().unwrap_or_default();
    let mut seen: HashMap<Pubkey, Account> = chain
        .call(move |c| c.accounts_owned_by(&program))
        .await?
        .into_iter()
        .collect();
    while let Some(event) = next_event(&sink, &mut events).await {
        let (slot, keys) = match event {
            Some(Event::Landed { keys, slot, .. }) => (slot, keys),
            None => {
                let all = seen.keys().copied().collect();
                (chain.call(|c| c.slot()).await?, all)
            }
            Some(_) => continue,
        };
        let lookup = keys.clone();
        let accounts = chain
            .call(move |c| lookup.iter().map(|k| c.account(k)).collect::<Vec<_>>())
            .await?;
        for (key, account) in keys.into_iter().zip(accounts) {
            let Some(account) = account.filter(|a| a.owner == program) else {
                continue;
            };
            if seen.get(&key) == Some(&account) || !passes(&filters, &account) {
                continue;
            }
            let keyed = RpcKeyedAccount {
                pubkey: key.to_string(),
                account: ui_account(&key, &account, &config.account_config),
            };
            if !notify(&sink, slot, keyed).await {
                return Ok(());
            }
            seen.insert(key, account);
        }
    }
    Ok(())
}

async fn signature_subscription(
    pending: PendingSubscriptionSink,
    chain: &ChainHandle,
    signature: Signature,
) -> SubscriptionResult {
    let mut events = chain.subscribe();
    let sink = pending.accept().await?;
    let landed = chain.call(move |c| c.landed(&signature)).await?;
    let (slot, err) = match landed {
        Some(landed) => (landed.slot, landed.err),
        None => loop {
            match next_event(&sink, &mut events).await {
                None => return Ok(()),
                Some(Some(Event::Landed {
                    signature: s,
                    slot,
                    err,
                    ..
                })) if s == signature => break (slot, err),
                Some(None) => {
                    if let Some(l) = chain.call(move |c| c.landed(&signature)).await? {
                        break (l.slot, l.err);
                    }
                }
                Some(Some(_)) => {}
            }
        },
    };
    let result = RpcSignatureResult::ProcessedSignature(ProcessedSignatureResult {
        err: err.map(Into::into),
    });
    notify(&sink, slot, result).await;
    Ok(())
}

async fn slot_subscription(
    pending: PendingSubscriptionSink,
    chain: &ChainHandle,
) -> SubscriptionResult {
    let mut events = chain.subscribe();
    let sink = pending.accept().await?;
    while let Some(event) = next_event(&sink, &mut events).await {
        if let Some(Event::Slot { slot, parent }) = event {
            let info = SlotInfo {
                slot,
                parent,
                root: parent,
            };
            let Ok(raw) = serde_json::value::to_raw_value(&info) else {
                break;
            };
            if sink.send(SubscriptionMessage::from(raw)).await.is_err() {
                break;
            }
        }
    }
    Ok(())
}

/// Runs a subscription with its parsed parameters, or rejects the request with the parse error
/// (a JSON-RPC error, as validators answer bad subscription parameters).
async fn accept_parsed<T, Run, Fut>(
    pending: PendingSubscriptionSink,
    parsed: Result<T, jsonrpsee::types::ErrorObjectOwned>,
    run: Run,
) -> SubscriptionResult
where
    Run: FnOnce(PendingSubscriptionSink, T) -> Fut,
    Fut: std::future::Future<Output = SubscriptionResult>,
{
    match parsed {
        Ok(value) => run(pending, value).await,
        Err(error) => {
            pending.reject(error).await;
            Ok(())
        }
    }
}

/// Adds the subscriptions to `module`.
pub fn add_subscriptions(module: &mut RpcModule<ChainHandle>) {
    module
        .register_subscription(
            "accountSubscribe",
            "accountNotification",
            "accountUnsubscribe",
            |params, pending, chain, _| async move {
                let parsed = Positional::new(&params).and_then(|mut p| {
                    let key = pubkey(&p.required::<String>("pubkey")?)?;
                    let config: RpcAccountInfoConfig = p.optional("config")?.unwrap_or_default();
                    Ok((key, config))
                });
                accept_parsed(pending, parsed, |pending, (key, config)| async move {
                    account_subscription(pending, &chain, key, config).await
                })
                .await
            },
        )
        .expect("registered once");
    module
        .register_subscription(
            "programSubscribe",
            "programNotification",
            "programUnsubscribe",
            |params, pending, chain, _| async move {
                let parsed = Positional::new(&params).and_then(|mut p| {
                    let program = pubkey(&p.required::<String>("program id")?)?;
                    let config: RpcProgramAccountsConfig =
                        p.optional("config")?.unwrap_or_default();
                    Ok((program, config))
                });
                accept_parsed(pending, parsed, |pending, (program, config)| async move {
                    program_subscription(pending, &chain, program, config).await
                })
                .await
            },
        )
        .expect("registered once");
    module
        .register_subscription(
            "signatureSubscribe",
            "signatureNotification",
            "signatureUnsubscribe",
            |params, pending, chain, _| async move {
                let parsed = Positional::new(&params).and_then(|mut p| {
                    let text: String = p.required("signature")?;
                    let _config: Option<RpcSignatureSubscribeConfig> = p.optional("config")?;
                    Signature::from_str(&text)
                        .map_err(|e| crate::rpc::invalid_params(format!("Invalid param: {e}")))
                });
                accept_parsed(pending, parsed, |pending, signature| async move {
                    signature_subscription(pending, &chain, signature).await
                })
                .await
            },
        )
        .expect("registered once");
    module
        .register_subscription(
            "slotSubscribe",
            "slotNotification",
            "slotUnsubscribe",
            |_, pending, chain, _| async move { slot_subscription(pending, &chain).await },
        )
        .expect("registered once");
}
