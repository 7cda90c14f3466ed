//! Inputs for the property tests of the provider reply parsers: whatever a server (or
//! something between it and ResetDesk) may send, they must answer with a value or an error,
//! never a panic.

use proptest::prelude::*;
use serde_json::Value;

/// Any JSON value, a few levels deep, with the keys the providers' replies use mixed in so
/// that the parsers' own paths are reached, not only their first refusal.
pub fn json_value() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        Just("zuid".to_string()),
        Just("emailAddress".to_string()),
        Just("mailId".to_string()),
        Just("isPrimary".to_string()),
        Just("isConfirmed".to_string()),
        Just("primaryEmailAddress".to_string()),
        Just("displayName".to_string()),
        Just("role".to_string()),
        Just("status".to_string()),
        Just("data".to_string()),
        Just("error".to_string()),
        Just("code".to_string()),
        Just("message".to_string()),
        Just("innerError".to_string()),
        Just("sub".to_string()),
        Just("exp".to_string()),
        Just("iat".to_string()),
        "[a-zA-Z]{1,8}",
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        ".{0,40}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key.clone(), inner), 0..8)
                .prop_map(|fields| Value::Object(fields.into_iter().collect())),
        ]
    })
}
