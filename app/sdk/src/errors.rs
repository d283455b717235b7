//! Program errors in words: a failed transaction's custom code mapped to the program's error
//! name and message, from the committed IDL (`idl/ringfence.json`, checked fresh by
//! `scripts/idl.sh` in the test command).

use serde::Deserialize;
use solana_rpc_client_api::client_error::Error as ClientError;
use solana_sdk::instruction::InstructionError;
use solana_sdk::transaction::TransactionError;
use std::sync::OnceLock;

const IDL: &str = include_str!("../../../idl/ringfence.json");

#[derive(Deserialize)]
struct IdlError {
    code: u32,
    name: String,
    msg: String,
}

#[derive(Deserialize)]
struct Idl {
    errors: Vec<IdlError>,
}

fn program_errors() -> &'static [IdlError] {
    static ERRORS: OnceLock<Vec<IdlError>> = OnceLock::new();
    ERRORS.get_or_init(|| {
        serde_json::from_str::<Idl>(IDL)
            .map(|idl| idl.errors)
            .unwrap_or_default()
    })
}

/// The program error's name and message for custom code `code`, if it is one of the program's.
pub fn program_error(code: u32) -> Option<(&'static str, &'static str)> {
    program_errors()
        .iter()
        .find(|e| e.code == code)
        .map(|e| (e.name.as_str(), e.msg.as_str()))
}

/// A transaction error in words: "InvalidLeverage: Leverage must be between 1 and the market's
/// maximum" for the program's errors, the runtime's wording otherwise.
pub fn describe_transaction_error(error: &TransactionError) -> String {
    match error {
        TransactionError::InstructionError(_, InstructionError::Custom(code)) => {
            match program_error(*code) {
                Some((name, msg)) => format!("{name}: {msg}"),
                None if (100..6000).contains(code) => {
                    format!("Anchor framework error {code} (an account or argument check)")
                }
                None => format!("custom program error {code}"),
            }
        }
        other => other.to_string(),
    }
}

/// A client error in words, naming the program error when the transaction was refused by it.
pub fn describe(error: &ClientError) -> String {
    match error.get_transaction_error() {
        Some(tx_error) => describe_transaction_error(&tx_error),
        None => error.to_string(),
    }
}

/// An error the SDK's own use of the program's code returned (the preview foreseeing a
/// refusal), in the same words as the program's.
pub fn describe_program_error(error: &anchor_lang::error::Error) -> String {
    match error {
        anchor_lang::error::Error::AnchorError(e) => program_error(e.error_code_number)
            .map_or_else(
                || e.error_msg.clone(),
                |(name, msg)| format!("{name}: {msg}"),
            ),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ringfence::error::RingfenceError;

    #[test]
    fn program_codes_map_to_their_names() {
        for error in [
            RingfenceError::MathOverflow,
            RingfenceError::InvalidLeverage,
            RingfenceError::SlippageExceeded,
        ] {
            let (name, msg) = program_error(u32::from(error)).expect("in the IDL");
            assert_eq!(name, format!("{error:?}"));
            assert_eq!(msg, error.to_string());
        }
        let refused = TransactionError::InstructionError(
            0,
            InstructionError::Custom(u32::from(RingfenceError::InvalidLeverage)),
        );
        assert_eq!(
            describe_transaction_error(&refused),
            "InvalidLeverage: Leverage must be between 1 and the market's maximum"
        );
        assert_eq!(program_error(5_999), None);
    }
}
