//! Turns Graph's polymorphic authentication-method JSON into [`AuthMethod`]s, and marks the
//! user's default MFA method from beta `signInPreferences` (graph.md §1.3).
//!
//! Labels are the ones the Entra admin centre shows in a user's "Authentication methods"
//! list, so an operator recognises what they see.

use serde_json::Value;

use resetdesk_core::model::{AuthMethod, AuthMethodKind};

const ODATA_PREFIX: &str = "#microsoft.graph.";

/// The kind of a method from its `@odata.type` (e.g. `#microsoft.graph.phoneAuthenticationMethod`).
pub fn kind_from_odata_type(odata_type: &str) -> AuthMethodKind {
    let name = odata_type.strip_prefix(ODATA_PREFIX).unwrap_or(odata_type);
    match name {
        "passwordAuthenticationMethod" => AuthMethodKind::Password,
        "phoneAuthenticationMethod" => AuthMethodKind::Phone,
        "microsoftAuthenticatorAuthenticationMethod" => AuthMethodKind::MicrosoftAuthenticator,
        "softwareOathAuthenticationMethod" => AuthMethodKind::SoftwareOath,
        "hardwareOathAuthenticationMethod" => AuthMethodKind::HardwareOath,
        "fido2AuthenticationMethod" => AuthMethodKind::Fido2,
        "emailAuthenticationMethod" => AuthMethodKind::Email,
        "temporaryAccessPassAuthenticationMethod" => AuthMethodKind::TemporaryAccessPass,
        "windowsHelloForBusinessAuthenticationMethod" => AuthMethodKind::WindowsHelloForBusiness,
        "platformCredentialAuthenticationMethod" => AuthMethodKind::PlatformCredential,
        _ => AuthMethodKind::Other,
    }
}

/// The admin-centre label of a kind. `Other` gets the Graph type name so it is still
/// identifiable (e.g. a method type newer than this build).
pub fn label_of(kind: AuthMethodKind, odata_type: &str) -> String {
    match kind {
        AuthMethodKind::Password => "Password".into(),
        AuthMethodKind::Phone => "Phone number".into(),
        AuthMethodKind::MicrosoftAuthenticator => "Microsoft Authenticator".into(),
        AuthMethodKind::SoftwareOath => "Software OATH token".into(),
        AuthMethodKind::HardwareOath => "Hardware OATH token".into(),
        AuthMethodKind::Fido2 => "Passkey (FIDO2)".into(),
        AuthMethodKind::Email => "Email".into(),
        AuthMethodKind::TemporaryAccessPass => "Temporary Access Pass".into(),
        AuthMethodKind::WindowsHelloForBusiness => "Windows Hello for Business".into(),
        AuthMethodKind::PlatformCredential => "Platform Credential".into(),
        AuthMethodKind::Other => {
            let name = odata_type.strip_prefix(ODATA_PREFIX).unwrap_or(odata_type);
            let name = name.strip_suffix("AuthenticationMethod").unwrap_or(name);
            if name.is_empty() {
                "Other method".into()
            } else {
                format!("Other method ({name})")
            }
        }
    }
}

/// The collection a method of this kind is deleted from (`/authentication/{collection}/{id}`),
/// or `None` when Graph offers no DELETE for it in v1.0 (password; hardware OATH is
/// deactivated on beta instead; unknown types).
pub fn delete_collection(kind: AuthMethodKind) -> Option<&'static str> {
    match kind {
        AuthMethodKind::Phone => Some("phoneMethods"),
        AuthMethodKind::MicrosoftAuthenticator => Some("microsoftAuthenticatorMethods"),
        AuthMethodKind::SoftwareOath => Some("softwareOathMethods"),
        AuthMethodKind::Fido2 => Some("fido2Methods"),
        AuthMethodKind::Email => Some("emailMethods"),
        AuthMethodKind::TemporaryAccessPass => Some("temporaryAccessPassMethods"),
        AuthMethodKind::WindowsHelloForBusiness => Some("windowsHelloForBusinessMethods"),
        AuthMethodKind::Password
        | AuthMethodKind::HardwareOath
        | AuthMethodKind::PlatformCredential
        | AuthMethodKind::Other => None,
    }
}

fn str_field<'a>(value: &'a Value, name: &str) -> Option<&'a str> {
    value
        .get(name)
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

fn phone_type_label(phone_type: &str) -> &str {
    match phone_type {
        "mobile" => "Mobile",
        "alternateMobile" => "Alternate mobile",
        "office" => "Office",
        other => other,
    }
}

/// Joins the present parts with " · " (None when none is present).
fn join_present(parts: &[Option<&str>]) -> Option<String> {
    let present: Vec<&str> = parts.iter().flatten().copied().collect();
    if present.is_empty() {
        None
    } else {
        Some(present.join(" · "))
    }
}

/// Adds the hardware OATH tokens of beta `hardwareOathMethods` to the methods v1.0 listed.
/// Hardware OATH is beta and global-cloud only (graph.md §1.3): a 403/404 — or the 400
/// "Resource not found for the segment" a cloud without it answers — means "not available
/// here" (the other methods are shown), any other failure fails the read.
pub fn merge_hardware_oath(
    methods: &mut Vec<AuthMethod>,
    hardware: std::result::Result<Vec<Value>, super::http::Failure>,
) -> std::result::Result<(), super::http::Failure> {
    match hardware {
        Ok(tokens) => {
            for token in tokens.iter().filter_map(parse_hardware_oath) {
                // Should v1.0 ever list hardware tokens too, keep the beta entry (it has the device).
                methods.retain(|m| m.id != token.id);
                methods.push(token);
            }
            Ok(())
        }
        Err(failure)
            if matches!(
                failure.status(),
                Some(
                    reqwest::StatusCode::FORBIDDEN
                        | reqwest::StatusCode::NOT_FOUND
                        | reqwest::StatusCode::BAD_REQUEST
                )
            ) =>
        {
            tracing::warn!(failure = %failure.detail(), "hardware OATH tokens could not be listed; showing the other methods");
            Ok(())
        }
        Err(failure) => Err(failure),
    }
}

/// One entry of v1.0 `GET /users/{id}/authentication/methods`. `None` when it has no id
/// (nothing could be done with it anyway).
pub fn parse_method(value: &Value) -> Option<AuthMethod> {
    let id = str_field(value, "id")?.to_string();
    let odata_type = str_field(value, "@odata.type").unwrap_or_default();
    let kind = kind_from_odata_type(odata_type);
    if kind == AuthMethodKind::HardwareOath {
        return parse_hardware_oath(value);
    }
    let mut phone_type = None;
    let mut status = None;
    let detail = match kind {
        AuthMethodKind::Phone => {
            phone_type = str_field(value, "phoneType").map(str::to_string);
            let number = str_field(value, "phoneNumber");
            match (number, phone_type.as_deref()) {
                (Some(n), Some(t)) => Some(format!("{n} ({})", phone_type_label(t))),
                (Some(n), None) => Some(n.to_string()),
                (None, Some(t)) => Some(phone_type_label(t).to_string()),
                (None, None) => None,
            }
        }
        AuthMethodKind::MicrosoftAuthenticator => join_present(&[
            str_field(value, "displayName"),
            str_field(value, "deviceTag"),
        ]),
        AuthMethodKind::Fido2 => {
            join_present(&[str_field(value, "displayName"), str_field(value, "model")])
        }
        AuthMethodKind::Email => str_field(value, "emailAddress").map(str::to_string),
        AuthMethodKind::TemporaryAccessPass => {
            status = str_field(value, "methodUsabilityReason").map(str::to_string);
            str_field(value, "startDateTime").map(|start| {
                match value.get("lifetimeInMinutes").and_then(Value::as_u64) {
                    Some(minutes) => format!("Valid from {start} for {minutes} minutes"),
                    None => format!("Valid from {start}"),
                }
            })
        }
        AuthMethodKind::WindowsHelloForBusiness | AuthMethodKind::PlatformCredential => {
            str_field(value, "displayName").map(str::to_string)
        }
        _ => None,
    };
    Some(AuthMethod {
        id,
        kind,
        label: label_of(kind, odata_type),
        detail,
        phone_type,
        is_default: false,
        status,
        created: str_field(value, "createdDateTime").map(str::to_string),
    })
}

/// One entry of beta `GET /users/{id}/authentication/hardwareOathMethods`: the token itself
/// is the `device` (serial number, manufacturer, model, status).
pub fn parse_hardware_oath(value: &Value) -> Option<AuthMethod> {
    let id = str_field(value, "id")?.to_string();
    let device = value.get("device").unwrap_or(&Value::Null);
    let serial = str_field(device, "serialNumber").or_else(|| str_field(value, "serialNumber"));
    let serial = serial.map(|s| format!("Serial {s}"));
    let maker = join_present(&[
        str_field(device, "manufacturer"),
        str_field(device, "model"),
    ]);
    let detail = join_present(&[
        serial.as_deref(),
        str_field(device, "displayName").or_else(|| str_field(value, "displayName")),
        maker.as_deref(),
    ]);
    Some(AuthMethod {
        id,
        kind: AuthMethodKind::HardwareOath,
        label: label_of(AuthMethodKind::HardwareOath, ""),
        detail,
        phone_type: None,
        is_default: false,
        status: str_field(device, "status")
            .or_else(|| str_field(value, "status"))
            .map(str::to_string),
        created: str_field(value, "createdDateTime").map(str::to_string),
    })
}

/// Marks the method matching `userPreferredMethodForSecondaryAuthentication` as default and
/// returns whether one was found. `push`→Authenticator, `oath`→software OATH (else hardware),
/// `sms`/`voiceMobile`→mobile phone, `voiceAlternateMobile`→alternate mobile,
/// `voiceOffice`→office phone (graph.md §1.3). Anything else marks nothing.
pub fn mark_default(methods: &mut [AuthMethod], preferred: &str) -> bool {
    let is_phone = |t: &'static str| {
        move |m: &AuthMethod| m.kind == AuthMethodKind::Phone && m.phone_type.as_deref() == Some(t)
    };
    let position = match preferred {
        "push" => methods
            .iter()
            .position(|m| m.kind == AuthMethodKind::MicrosoftAuthenticator),
        "oath" => methods
            .iter()
            .position(|m| m.kind == AuthMethodKind::SoftwareOath)
            .or_else(|| {
                methods
                    .iter()
                    .position(|m| m.kind == AuthMethodKind::HardwareOath)
            }),
        "sms" | "voiceMobile" => methods.iter().position(is_phone("mobile")),
        "voiceAlternateMobile" => methods.iter().position(is_phone("alternateMobile")),
        "voiceOffice" => methods.iter().position(is_phone("office")),
        _ => None,
    };
    match position {
        Some(index) => {
            methods[index].is_default = true;
            true
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn odata_types_map_to_kinds_and_unknown_types_to_other() {
        let cases = [
            (
                "#microsoft.graph.passwordAuthenticationMethod",
                AuthMethodKind::Password,
            ),
            (
                "#microsoft.graph.phoneAuthenticationMethod",
                AuthMethodKind::Phone,
            ),
            (
                "#microsoft.graph.microsoftAuthenticatorAuthenticationMethod",
                AuthMethodKind::MicrosoftAuthenticator,
            ),
            (
                "#microsoft.graph.softwareOathAuthenticationMethod",
                AuthMethodKind::SoftwareOath,
            ),
            (
                "#microsoft.graph.hardwareOathAuthenticationMethod",
                AuthMethodKind::HardwareOath,
            ),
            (
                "#microsoft.graph.fido2AuthenticationMethod",
                AuthMethodKind::Fido2,
            ),
            (
                "#microsoft.graph.emailAuthenticationMethod",
                AuthMethodKind::Email,
            ),
            (
                "#microsoft.graph.temporaryAccessPassAuthenticationMethod",
                AuthMethodKind::TemporaryAccessPass,
            ),
            (
                "#microsoft.graph.windowsHelloForBusinessAuthenticationMethod",
                AuthMethodKind::WindowsHelloForBusiness,
            ),
            (
                "#microsoft.graph.platformCredentialAuthenticationMethod",
                AuthMethodKind::PlatformCredential,
            ),
            (
                "#microsoft.graph.qrCodePinAuthenticationMethod",
                AuthMethodKind::Other,
            ),
            ("", AuthMethodKind::Other),
        ];
        for (odata_type, kind) in cases {
            assert_eq!(kind_from_odata_type(odata_type), kind, "{odata_type}");
        }
        assert_eq!(
            label_of(
                AuthMethodKind::Other,
                "#microsoft.graph.qrCodePinAuthenticationMethod"
            ),
            "Other method (qrCodePin)"
        );
    }

    #[test]
    fn phone_method_gets_admin_centre_label_number_and_type() {
        let m = parse_method(&json!({
            "@odata.type": "#microsoft.graph.phoneAuthenticationMethod",
            "id": "3179e48a-750b-4051-897c-87b9720928f7",
            "phoneNumber": "+1 2065555555", "phoneType": "mobile", "smsSignInState": "notAllowedByPolicy"
        }))
        .unwrap();
        assert_eq!(m.kind, AuthMethodKind::Phone);
        assert_eq!(m.label, "Phone number");
        assert_eq!(m.detail.as_deref(), Some("+1 2065555555 (Mobile)"));
        assert_eq!(m.phone_type.as_deref(), Some("mobile"));
        assert!(!m.is_default);
    }

    #[test]
    fn authenticator_fido2_email_and_password_details() {
        let a = parse_method(&json!({"@odata.type":"#microsoft.graph.microsoftAuthenticatorAuthenticationMethod",
            "id":"a1","displayName":"Adele's iPhone","deviceTag":"SoftwareTokenActivated","phoneAppVersion":"6.2"}))
        .unwrap();
        assert_eq!(a.label, "Microsoft Authenticator");
        assert_eq!(
            a.detail.as_deref(),
            Some("Adele's iPhone · SoftwareTokenActivated")
        );
        let f = parse_method(&json!({"@odata.type":"#microsoft.graph.fido2AuthenticationMethod",
            "id":"f1","displayName":"Red key","model":"YubiKey 5 NFC","createdDateTime":"2024-05-01T00:00:00Z"}))
        .unwrap();
        assert_eq!(
            (f.label.as_str(), f.detail.as_deref()),
            ("Passkey (FIDO2)", Some("Red key · YubiKey 5 NFC"))
        );
        assert_eq!(f.created.as_deref(), Some("2024-05-01T00:00:00Z"));
        let e = parse_method(&json!({"@odata.type":"#microsoft.graph.emailAuthenticationMethod","id":"e1","emailAddress":"a@b.c"})).unwrap();
        assert_eq!(
            (e.label.as_str(), e.detail.as_deref()),
            ("Email", Some("a@b.c"))
        );
        let p = parse_method(
            &json!({"@odata.type":"#microsoft.graph.passwordAuthenticationMethod",
            "id":"28c10230-6103-485e-b985-444c60001490","password":null}),
        )
        .unwrap();
        assert_eq!(
            (p.kind, p.label.as_str(), p.detail),
            (AuthMethodKind::Password, "Password", None)
        );
    }

    #[test]
    fn method_without_id_is_skipped() {
        assert!(
            parse_method(&json!({"@odata.type":"#microsoft.graph.emailAuthenticationMethod"}))
                .is_none()
        );
    }

    #[test]
    fn hardware_oath_reads_serial_and_status_from_device() {
        let m = parse_hardware_oath(
            &json!({"id":"h1","device":{"serialNumber":"TOTP123","manufacturer":"Contoso",
            "model":"Hardware Key 2000","status":"activated"}}),
        )
        .unwrap();
        assert_eq!(m.kind, AuthMethodKind::HardwareOath);
        assert_eq!(m.label, "Hardware OATH token");
        assert_eq!(
            m.detail.as_deref(),
            Some("Serial TOTP123 · Contoso · Hardware Key 2000")
        );
        assert_eq!(m.status.as_deref(), Some("activated"));
    }

    fn sample() -> Vec<AuthMethod> {
        [
            json!({"@odata.type":"#microsoft.graph.phoneAuthenticationMethod","id":"p-alt","phoneNumber":"+1 1","phoneType":"alternateMobile"}),
            json!({"@odata.type":"#microsoft.graph.phoneAuthenticationMethod","id":"p-mob","phoneNumber":"+1 2","phoneType":"mobile"}),
            json!({"@odata.type":"#microsoft.graph.phoneAuthenticationMethod","id":"p-off","phoneNumber":"+1 3","phoneType":"office"}),
            json!({"@odata.type":"#microsoft.graph.microsoftAuthenticatorAuthenticationMethod","id":"auth"}),
            json!({"@odata.type":"#microsoft.graph.hardwareOathAuthenticationMethod","id":"hw"}),
            json!({"@odata.type":"#microsoft.graph.softwareOathAuthenticationMethod","id":"sw"}),
        ]
        .iter()
        .filter_map(parse_method)
        .collect()
    }

    fn default_after(preferred: &str, methods: &mut [AuthMethod]) -> Vec<String> {
        mark_default(methods, preferred);
        methods
            .iter()
            .filter(|m| m.is_default)
            .map(|m| m.id.clone())
            .collect()
    }

    #[test]
    fn default_method_follows_sign_in_preference() {
        let cases = [
            ("push", "auth"),
            ("oath", "sw"),
            ("sms", "p-mob"),
            ("voiceMobile", "p-mob"),
            ("voiceAlternateMobile", "p-alt"),
            ("voiceOffice", "p-off"),
        ];
        for (preferred, expected) in cases {
            let mut methods = sample();
            assert_eq!(
                default_after(preferred, &mut methods),
                vec![expected.to_string()],
                "{preferred}"
            );
        }
    }

    #[test]
    fn oath_preference_falls_back_to_hardware_token() {
        let mut methods: Vec<AuthMethod> = sample()
            .into_iter()
            .filter(|m| m.kind != AuthMethodKind::SoftwareOath)
            .collect();
        assert_eq!(default_after("oath", &mut methods), vec!["hw".to_string()]);
    }

    #[test]
    fn unknown_or_unmatched_preference_marks_nothing() {
        let mut methods = sample();
        assert!(!mark_default(&mut methods, "unknownFutureValue"));
        let mut no_authenticator: Vec<AuthMethod> = sample()
            .into_iter()
            .filter(|m| m.kind != AuthMethodKind::MicrosoftAuthenticator)
            .collect();
        assert!(!mark_default(&mut no_authenticator, "push"));
        assert!(methods
            .iter()
            .chain(no_authenticator.iter())
            .all(|m| !m.is_default));
    }

    #[test]
    fn delete_collections_cover_deletable_kinds_only() {
        assert_eq!(
            delete_collection(AuthMethodKind::Phone),
            Some("phoneMethods")
        );
        assert_eq!(
            delete_collection(AuthMethodKind::WindowsHelloForBusiness),
            Some("windowsHelloForBusinessMethods")
        );
        for kind in [
            AuthMethodKind::Password,
            AuthMethodKind::HardwareOath,
            AuthMethodKind::Other,
        ] {
            assert_eq!(delete_collection(kind), None);
        }
    }
}
