//! The standard Solana JSON-RPC methods over the chain, with the request and response types of
//! the Solana client crates, so real clients parse every answer as they would a validator's.

use crate::chain::{ChainHandle, Landed, Simulated};
use anchor_spl::token::spl_token;
use base64::prelude::{Engine, BASE64_STANDARD};
use jsonrpsee::types::{ErrorObjectOwned, Params};
use jsonrpsee::RpcModule;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use solana_account_decoder::{encode_ui_account, UiAccount, UiAccountEncoding};
use solana_rpc_client_api::config::{
    RpcAccountInfoConfig, RpcProgramAccountsConfig, RpcSendTransactionConfig,
    RpcSimulateTransactionConfig, RpcTransactionConfig,
};
use solana_rpc_client_api::filter::RpcFilterType;
use solana_rpc_client_api::response::{
    Response, RpcBlockhash, RpcKeyedAccount, RpcResponseContext, RpcSimulateTransactionResult,
    RpcVersionInfo,
};
use solana_sdk::account::Account;
use solana_sdk::epoch_info::EpochInfo;
use solana_sdk::hash::Hash;
use solana_sdk::program_pack::Pack;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::Signature;
use solana_sdk::transaction::VersionedTransaction;
use solana_transaction_status_client_types::{
    EncodedConfirmedTransactionWithStatusMeta, EncodedTransaction,
    EncodedTransactionWithStatusMeta, TransactionBinaryEncoding, TransactionConfirmationStatus,
    TransactionStatus, UiTransactionEncoding, UiTransactionStatusMeta,
};
use std::str::FromStr;
use std::sync::Arc;

/// Version reported by `getVersion` (the Solana crates the local network is built from).
pub const SOLANA_VERSION: &str = "3.1.12";
/// Largest serialized transaction a validator accepts (Solana's packet data size).
pub const MAX_TRANSACTION_BYTES: usize = 1232;
const MAX_BASE58_TRANSACTION: usize = 1683;
const MAX_BASE64_TRANSACTION: usize = 1644;
const MAX_MULTIPLE_ACCOUNTS: usize = 100;
const MAX_SIGNATURE_STATUSES: usize = 256;

/// JSON-RPC error codes Solana clients understand.
pub mod codes {
    /// Invalid params (JSON-RPC).
    pub const INVALID_PARAMS: i32 = -32602;
    /// Internal error (JSON-RPC).
    pub const INTERNAL: i32 = -32603;
    /// Preflight simulation failed; `data` is an `RpcSimulateTransactionResult`.
    pub const PREFLIGHT_FAILURE: i32 = -32002;
    /// A signature does not verify.
    pub const SIGNATURE_VERIFICATION: i32 = -32003;
}

type RpcResult<T> = Result<T, ErrorObjectOwned>;

fn error(code: i32, message: impl Into<String>) -> ErrorObjectOwned {
    ErrorObjectOwned::owned(code, message.into(), None::<()>)
}

/// An invalid-params error.
pub fn invalid_params(message: impl Into<String>) -> ErrorObjectOwned {
    error(codes::INVALID_PARAMS, message)
}

fn gone(e: impl std::fmt::Display) -> ErrorObjectOwned {
    error(codes::INTERNAL, e.to_string())
}

/// Positional parameters: required, then optional, as Solana's methods take them.
pub struct Positional {
    values: Vec<Value>,
    next: usize,
}

impl Positional {
    /// Reads the request's params (absent params are an empty list).
    pub fn new(params: &Params) -> RpcResult<Self> {
        let values = if params.is_object() {
            return Err(invalid_params("params must be an array"));
        } else {
            params.parse::<Option<Vec<Value>>>()?.unwrap_or_default()
        };
        Ok(Self { values, next: 0 })
    }

    /// The next parameter, which must be present.
    pub fn required<T: DeserializeOwned>(&mut self, name: &str) -> RpcResult<T> {
        self.optional(name)?
            .ok_or_else(|| invalid_params(format!("missing parameter: {name}")))
    }

    /// The next parameter, if present and not null.
    pub fn optional<T: DeserializeOwned>(&mut self, name: &str) -> RpcResult<Option<T>> {
        let value = self.values.get(self.next).cloned();
        self.next += 1;
        match value {
            None | Some(Value::Null) => Ok(None),
            Some(v) => serde_json::from_value(v)
                .map(Some)
                .map_err(|e| invalid_params(format!("invalid {name}: {e}"))),
        }
    }
}

/// A base58 address parameter.
pub fn pubkey(text: &str) -> RpcResult<Pubkey> {
    Pubkey::from_str(text).map_err(|e| invalid_params(format!("Invalid param: {e}")))
}

fn signature(text: &str) -> RpcResult<Signature> {
    Signature::from_str(text).map_err(|e| invalid_params(format!("Invalid param: {e}")))
}

fn context(slot: u64) -> RpcResponseContext {
    RpcResponseContext {
        slot,
        api_version: None,
    }
}

fn with_context<T: Serialize>(slot: u64, value: T) -> RpcResult<Value> {
    to_json(&Response {
        context: context(slot),
        value,
    })
}

fn to_json<T: Serialize>(value: &T) -> RpcResult<Value> {
    serde_json::to_value(value).map_err(gone)
}

/// An account as the RPC encodes it; binary encodings only (jsonParsed answers base64).
pub fn ui_account(key: &Pubkey, account: &Account, config: &RpcAccountInfoConfig) -> UiAccount {
    let encoding = match config.encoding.unwrap_or(UiAccountEncoding::Base64) {
        UiAccountEncoding::JsonParsed => UiAccountEncoding::Base64,
        other => other,
    };
    encode_ui_account(key, account, encoding, None, config.data_slice)
}

fn check_encoding(config: &RpcAccountInfoConfig, account: &Account) -> RpcResult<()> {
    let base58 = matches!(
        config.encoding,
        Some(UiAccountEncoding::Binary | UiAccountEncoding::Base58)
    );
    if base58 && account.data.len() > 128 {
        return Err(invalid_params(
            "Encoded binary (base 58) data should be less than 128 bytes, please use Base64 encoding.",
        ));
    }
    Ok(())
}

/// Whether `account` passes every filter (filters checked for size and encoding first).
pub fn passes(filters: &[RpcFilterType], account: &Account) -> bool {
    filters.iter().all(|filter| match filter {
        RpcFilterType::DataSize(size) => account.data.len() as u64 == *size,
        RpcFilterType::Memcmp(memcmp) => memcmp.bytes_match(&account.data),
        RpcFilterType::TokenAccountState => {
            account.owner == spl_token::ID
                && spl_token::state::Account::unpack(&account.data).is_ok()
        }
    })
}

/// Decodes a wire transaction in `encoding`, enforcing the validator's size limits.
pub fn decode_transaction(
    encoded: &str,
    encoding: UiTransactionEncoding,
) -> RpcResult<VersionedTransaction> {
    let type_name = "solana_transaction::versioned::VersionedTransaction";
    let (bytes, limit, name) = match encoding {
        UiTransactionEncoding::Base58 | UiTransactionEncoding::Binary => (
            bs58::decode(encoded).into_vec().ok(),
            MAX_BASE58_TRANSACTION,
            "base58",
        ),
        UiTransactionEncoding::Base64 => (
            BASE64_STANDARD.decode(encoded).ok(),
            MAX_BASE64_TRANSACTION,
            "base64",
        ),
        other => {
            return Err(invalid_params(format!(
                "unsupported encoding: {other}. Supported encodings: base58, base64"
            )))
        }
    };
    if encoded.len() > limit {
        return Err(invalid_params(format!(
            "{name} encoded {type_name} too large: {} bytes (max: encoded/raw {limit}/{MAX_TRANSACTION_BYTES})",
            encoded.len()
        )));
    }
    let bytes = bytes.ok_or_else(|| invalid_params(format!("invalid {name} encoding")))?;
    if bytes.len() > MAX_TRANSACTION_BYTES {
        return Err(invalid_params(format!(
            "decoded {type_name} too large: {} bytes (max: {MAX_TRANSACTION_BYTES} bytes)",
            bytes.len()
        )));
    }
    let transaction: VersionedTransaction = bincode::deserialize(&bytes)
        .map_err(|e| invalid_params(format!("failed to deserialize {type_name}: {e}")))?;
    transaction
        .sanitize()
        .map_err(|e| invalid_params(format!("invalid transaction: {e}")))?;
    Ok(transaction)
}

fn simulation_result(simulated: Simulated) -> RpcSimulateTransactionResult {
    RpcSimulateTransactionResult {
        err: simulated.err.map(Into::into),
        logs: Some(simulated.logs),
        accounts: None,
        units_consumed: Some(simulated.units),
        loaded_accounts_data_size: None,
        return_data: None,
        inner_instructions: None,
        replacement_blockhash: None,
        fee: None,
        pre_balances: None,
        post_balances: None,
        pre_token_balances: None,
        post_token_balances: None,
        loaded_addresses: None,
    }
}

fn preflight_failure(simulated: Simulated) -> ErrorObjectOwned {
    let message = match &simulated.err {
        Some(err) => format!("Transaction simulation failed: {err}"),
        None => "Transaction simulation failed".to_string(),
    };
    ErrorObjectOwned::owned(
        codes::PREFLIGHT_FAILURE,
        message,
        Some(simulation_result(simulated)),
    )
}

fn status_of(landed: &Landed) -> TransactionStatus {
    TransactionStatus {
        slot: landed.slot,
        confirmations: None,
        status: landed.err.clone().map_or(Ok(()), Err),
        err: landed.err.clone(),
        confirmation_status: Some(TransactionConfirmationStatus::Finalized),
    }
}

fn encoded_transaction(
    landed: Landed,
    config: RpcTransactionConfig,
) -> EncodedConfirmedTransactionWithStatusMeta {
    let bytes = bincode::serialize(&landed.transaction).expect("serializes");
    let transaction = match config.encoding {
        Some(UiTransactionEncoding::Base58 | UiTransactionEncoding::Binary) => {
            EncodedTransaction::Binary(
                bs58::encode(bytes).into_string(),
                TransactionBinaryEncoding::Base58,
            )
        }
        _ => EncodedTransaction::Binary(
            BASE64_STANDARD.encode(bytes),
            TransactionBinaryEncoding::Base64,
        ),
    };
    let err = landed.err.map(Into::into);
    let meta = UiTransactionStatusMeta {
        status: err.clone().map_or(Ok(()), Err),
        err,
        fee: landed.fee,
        pre_balances: landed.pre_balances,
        post_balances: landed.post_balances,
        inner_instructions: None.into(),
        log_messages: Some(landed.logs).into(),
        pre_token_balances: None.into(),
        post_token_balances: None.into(),
        rewards: None.into(),
        loaded_addresses:
            solana_transaction_status_client_types::option_serializer::OptionSerializer::Skip,
        return_data:
            solana_transaction_status_client_types::option_serializer::OptionSerializer::Skip,
        compute_units_consumed: Some(landed.units).into(),
        cost_units:
            solana_transaction_status_client_types::option_serializer::OptionSerializer::Skip,
    };
    let version = config
        .max_supported_transaction_version
        .map(|_| landed.transaction.version());
    EncodedConfirmedTransactionWithStatusMeta {
        slot: landed.slot,
        transaction: EncodedTransactionWithStatusMeta {
            transaction,
            meta: Some(meta),
            version,
        },
        block_time: Some(landed.block_time),
    }
}

type Module = RpcModule<ChainHandle>;

fn register<F, Fut>(module: &mut Module, name: &'static str, handler: F)
where
    F: Fn(Positional, Arc<ChainHandle>) -> Fut + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = RpcResult<Value>> + Send + 'static,
{
    module
        .register_async_method(name, move |params, chain, _| {
            let handler = handler.clone();
            async move { handler(Positional::new(&params)?, chain).await }
        })
        .expect("each method is registered once");
}

/// The HTTP (and websocket) request methods.
pub fn methods(chain: ChainHandle) -> Module {
    let mut module = RpcModule::new(chain);
    register(&mut module, "getHealth", |_, _| async {
        Ok(Value::from("ok"))
    });
    register(&mut module, "getVersion", |_, _| async {
        to_json(&RpcVersionInfo {
            solana_core: SOLANA_VERSION.to_string(),
            feature_set: None,
        })
    });
    register(&mut module, "getGenesisHash", |_, chain| async move {
        Ok(Value::from(chain.genesis_hash.to_string()))
    });
    register(&mut module, "getSlot", |_, chain| async move {
        Ok(Value::from(chain.call(|c| c.slot()).await.map_err(gone)?))
    });
    register(&mut module, "getBlockHeight", |_, chain| async move {
        Ok(Value::from(
            chain.call(|c| c.block_height()).await.map_err(gone)?,
        ))
    });
    register(&mut module, "getTransactionCount", |_, chain| async move {
        Ok(Value::from(
            chain.call(|c| c.transaction_count()).await.map_err(gone)?,
        ))
    });
    register(&mut module, "getEpochInfo", |_, chain| async move {
        let info = chain
            .call(|c| {
                let slot = c.slot();
                let schedule = c.epoch_schedule();
                let (epoch, slot_index) = schedule.get_epoch_and_slot_index(slot);
                EpochInfo {
                    epoch,
                    slot_index,
                    slots_in_epoch: schedule.get_slots_in_epoch(epoch),
                    absolute_slot: slot,
                    block_height: c.block_height(),
                    transaction_count: Some(c.transaction_count()),
                }
            })
            .await
            .map_err(gone)?;
        to_json(&info)
    });
    register(&mut module, "getLatestBlockhash", |_, chain| async move {
        let (slot, (hash, last_valid_block_height)) = chain
            .call(|c| (c.slot(), c.latest_blockhash()))
            .await
            .map_err(gone)?;
        with_context(
            slot,
            RpcBlockhash {
                blockhash: hash.to_string(),
                last_valid_block_height,
            },
        )
    });
    register(&mut module, "isBlockhashValid", |mut p, chain| async move {
        let text: String = p.required("blockhash")?;
        let hash =
            Hash::from_str(&text).map_err(|e| invalid_params(format!("Invalid param: {e}")))?;
        let (slot, valid) = chain
            .call(move |c| (c.slot(), c.is_blockhash_valid(&hash)))
            .await
            .map_err(gone)?;
        with_context(slot, valid)
    });
    register(
        &mut module,
        "getMinimumBalanceForRentExemption",
        |mut p, chain| async move {
            let size: usize = p.required("data size")?;
            let rent = chain.call(|c| c.rent()).await.map_err(gone)?;
            Ok(Value::from(rent.minimum_balance(size)))
        },
    );
    register(&mut module, "getBalance", |mut p, chain| async move {
        let key = pubkey(&p.required::<String>("pubkey")?)?;
        let (slot, account) = chain
            .call(move |c| (c.slot(), c.account(&key)))
            .await
            .map_err(gone)?;
        with_context(slot, account.map_or(0, |a| a.lamports))
    });
    register(&mut module, "getAccountInfo", |mut p, chain| async move {
        let key = pubkey(&p.required::<String>("pubkey")?)?;
        let config: RpcAccountInfoConfig = p.optional("config")?.unwrap_or_default();
        let (slot, account) = chain
            .call(move |c| (c.slot(), c.account(&key)))
            .await
            .map_err(gone)?;
        if let Some(account) = &account {
            check_encoding(&config, account)?;
        }
        with_context(slot, account.map(|a| ui_account(&key, &a, &config)))
    });
    register(
        &mut module,
        "getMultipleAccounts",
        |mut p, chain| async move {
            let texts: Vec<String> = p.required("pubkeys")?;
            if texts.len() > MAX_MULTIPLE_ACCOUNTS {
                return Err(invalid_params(format!(
                    "Too many inputs provided; max {MAX_MULTIPLE_ACCOUNTS}"
                )));
            }
            let keys = texts
                .iter()
                .map(|t| pubkey(t))
                .collect::<RpcResult<Vec<_>>>()?;
            let config: RpcAccountInfoConfig = p.optional("config")?.unwrap_or_default();
            let lookup = keys.clone();
            let (slot, accounts) = chain
                .call(move |c| {
                    (
                        c.slot(),
                        lookup.iter().map(|k| c.account(k)).collect::<Vec<_>>(),
                    )
                })
                .await
                .map_err(gone)?;
            let mut encoded = Vec::with_capacity(keys.len());
            for (key, account) in keys.iter().zip(accounts) {
                if let Some(account) = &account {
                    check_encoding(&config, account)?;
                }
                encoded.push(account.map(|a| ui_account(key, &a, &config)));
            }
            with_context(slot, encoded)
        },
    );
    register(
        &mut module,
        "getProgramAccounts",
        |mut p, chain| async move {
            let program = pubkey(&p.required::<String>("program id")?)?;
            let config: RpcProgramAccountsConfig = p.optional("config")?.unwrap_or_default();
            let filters = config.filters.clone().unwrap_or_default();
            for filter in &filters {
                filter
                    .verify()
                    .map_err(|e| invalid_params(format!("Invalid param: {e:?}")))?;
            }
            let (slot, accounts) = chain
                .call(move |c| (c.slot(), c.accounts_owned_by(&program)))
                .await
                .map_err(gone)?;
            let mut keyed = Vec::new();
            for (key, account) in accounts.iter().filter(|(_, a)| passes(&filters, a)) {
                check_encoding(&config.account_config, account)?;
                keyed.push(RpcKeyedAccount {
                    pubkey: key.to_string(),
                    account: ui_account(key, account, &config.account_config),
                });
            }
            if config.with_context.unwrap_or(false) {
                with_context(slot, keyed)
            } else {
                to_json(&keyed)
            }
        },
    );
    register(
        &mut module,
        "getTokenAccountBalance",
        |mut p, chain| async move {
            let key = pubkey(&p.required::<String>("pubkey")?)?;
            let (slot, token, mint) = chain
                .call(move |c| {
                    let token = c.account(&key);
                    let mint = token
                        .as_ref()
                        .and_then(|t| spl_token::state::Account::unpack(&t.data).ok())
                        .and_then(|t| c.account(&t.mint));
                    (c.slot(), token, mint)
                })
                .await
                .map_err(gone)?;
            let token = token
                .and_then(|t| spl_token::state::Account::unpack(&t.data).ok())
                .ok_or_else(|| invalid_params("Invalid param: not a Token account"))?;
            let decimals = mint
                .and_then(|m| spl_token::state::Mint::unpack(&m.data).ok())
                .map_or(0, |m| m.decimals);
            let ui = solana_account_decoder::parse_token::token_amount_to_ui_amount_v3(
            token.amount,
            &solana_account_decoder::parse_account_data::SplTokenAdditionalDataV2::with_decimals(decimals),
        );
            with_context(slot, ui)
        },
    );
    register(&mut module, "requestAirdrop", |mut p, chain| async move {
        let key = pubkey(&p.required::<String>("pubkey")?)?;
        let lamports: u64 = p.required("lamports")?;
        let result = chain
            .call(move |c| c.airdrop(&key, lamports))
            .await
            .map_err(gone)?;
        let signature =
            result.map_err(|e| error(codes::INTERNAL, format!("airdrop failed: {e}")))?;
        Ok(Value::from(signature.to_string()))
    });
    register(
        &mut module,
        "simulateTransaction",
        |mut p, chain| async move {
            let encoded: String = p.required("transaction")?;
            let config: RpcSimulateTransactionConfig = p.optional("config")?.unwrap_or_default();
            let encoding = config.encoding.unwrap_or(UiTransactionEncoding::Base58);
            let mut transaction = decode_transaction(&encoded, encoding)?;
            if config.sig_verify && config.replace_recent_blockhash {
                return Err(invalid_params(
                    "sigVerify may not be used with replaceRecentBlockhash",
                ));
            }
            if config.sig_verify && transaction.verify_with_results().contains(&false) {
                return Err(error(
                    codes::SIGNATURE_VERIFICATION,
                    "Transaction signature verification failure",
                ));
            }
            let replace = config.replace_recent_blockhash;
            let (slot, simulated, replacement) = chain
                .call(move |c| {
                    let replacement = replace.then(|| c.latest_blockhash());
                    if let Some((hash, _)) = replacement {
                        transaction.message.set_recent_blockhash(hash);
                    }
                    (c.slot(), c.simulate(transaction), replacement)
                })
                .await
                .map_err(gone)?;
            let mut result = simulation_result(simulated);
            result.replacement_blockhash = replacement.map(|(hash, height)| RpcBlockhash {
                blockhash: hash.to_string(),
                last_valid_block_height: height,
            });
            with_context(slot, result)
        },
    );
    register(&mut module, "sendTransaction", |mut p, chain| async move {
        let encoded: String = p.required("transaction")?;
        let config: RpcSendTransactionConfig = p.optional("config")?.unwrap_or_default();
        let encoding = config.encoding.unwrap_or(UiTransactionEncoding::Base58);
        let transaction = decode_transaction(&encoded, encoding)?;
        if transaction.verify_with_results().contains(&false) {
            return Err(error(
                codes::SIGNATURE_VERIFICATION,
                "Transaction signature verification failure",
            ));
        }
        let signature = transaction.signatures[0];
        let skip_preflight = config.skip_preflight;
        chain
            .call(move |c| {
                if !skip_preflight {
                    let simulated = c.simulate(transaction.clone());
                    if simulated.err.is_some() {
                        return Err(preflight_failure(simulated));
                    }
                }
                c.execute(transaction).map_err(|err| {
                    preflight_failure(Simulated {
                        err: Some(err),
                        logs: Vec::new(),
                        units: 0,
                    })
                })
            })
            .await
            .map_err(gone)??;
        Ok(Value::from(signature.to_string()))
    });
    register(
        &mut module,
        "getSignatureStatuses",
        |mut p, chain| async move {
            let texts: Vec<String> = p.required("signatures")?;
            if texts.len() > MAX_SIGNATURE_STATUSES {
                return Err(invalid_params(format!(
                    "Too many inputs provided; max {MAX_SIGNATURE_STATUSES}"
                )));
            }
            let signatures = texts
                .iter()
                .map(|t| signature(t))
                .collect::<RpcResult<Vec<_>>>()?;
            let (slot, statuses) = chain
                .call(move |c| {
                    let statuses: Vec<Option<TransactionStatus>> = signatures
                        .iter()
                        .map(|s| c.landed(s).as_ref().map(status_of))
                        .collect();
                    (c.slot(), statuses)
                })
                .await
                .map_err(gone)?;
            with_context(slot, statuses)
        },
    );
    register(&mut module, "getTransaction", |mut p, chain| async move {
        let signature = signature(&p.required::<String>("signature")?)?;
        let config = match p.optional::<Value>("config")? {
            Some(Value::String(encoding)) => RpcTransactionConfig {
                encoding: serde_json::from_value(Value::String(encoding))
                    .map_err(|e| invalid_params(format!("invalid encoding: {e}")))?,
                ..RpcTransactionConfig::default()
            },
            Some(object) => serde_json::from_value(object)
                .map_err(|e| invalid_params(format!("invalid config: {e}")))?,
            None => RpcTransactionConfig::default(),
        };
        let landed = chain
            .call(move |c| c.landed(&signature))
            .await
            .map_err(gone)?;
        to_json(&landed.map(|l| encoded_transaction(l, config)))
    });
    module
}
