//! `/users/{id}/authentication/...`: listing, reading and deleting authentication methods,
//! hardware OATH tokens and sign-in preferences (beta), with the service's rules: the
//! default method goes last, `alternateMobile` before `mobile`, and only Authentication /
//! Privileged Authentication / Global Administrators touch other people's methods.

use axum::http::Method as HttpMethod;
use serde_json::{json, Value};

use super::errors::{GraphError, GraphResult};
use super::graph::{authorize, no_content, ok_json, Call, Subject};
use super::policy::{self, Operation};
use super::state::{
    graph_time, DefaultMethodRule, Method, MethodCollection, MethodDetail, PhoneType,
    State as Model, TemporaryAccessPassPolicy, User,
};
use super::tap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiVersion {
    V1,
    Beta,
}

impl ApiVersion {
    pub fn segment(self) -> &'static str {
        match self {
            ApiVersion::V1 => "v1.0",
            ApiVersion::Beta => "beta",
        }
    }
}

/// "+1 4255550123" as an Authentication Administrator sees it: "+1 XXXXXXXX23".
fn mask_phone(number: &str) -> String {
    let (country, rest) = number.split_once(' ').unwrap_or(("", number));
    let keep = rest.len().saturating_sub(2);
    let masked: String = rest
        .chars()
        .enumerate()
        .map(|(i, c)| if i < keep { 'X' } else { c })
        .collect();
    if country.is_empty() {
        masked
    } else {
        format!("{country} {masked}")
    }
}

/// A hardware OATH token as beta `hardwareOathAuthenticationMethod` shows it, for both this
/// emulator and the Lighthouse one (`lighthouse::graph`): the token itself is the `device`
/// (serial number, manufacturer, model, status), assigned to the user
/// (https://learn.microsoft.com/graph/api/resources/hardwareoathauthenticationmethod?view=graph-rest-beta).
pub(crate) struct HardwareOathToken<'a> {
    pub id: &'a str,
    /// `createdDateTime` as Graph writes it; `None` is written as `null`.
    pub created: Option<String>,
    pub display_name: Option<&'a str>,
    pub serial_number: &'a str,
    pub manufacturer: &'a str,
    pub model: &'a str,
    pub activated: bool,
    /// The user it is assigned to: (id, display name).
    pub assigned_to: (&'a str, &'a str),
}

/// The `device.status` of a token: `activated`, or `deactivated` once deactivated.
pub(crate) fn hardware_oath_status(activated: bool) -> &'static str {
    if activated {
        "activated"
    } else {
        "deactivated"
    }
}

pub(crate) fn hardware_oath_method_json(token: &HardwareOathToken<'_>) -> Value {
    json!({
        "@odata.type": "#microsoft.graph.hardwareOathAuthenticationMethod",
        "id": token.id,
        "createdDateTime": token.created,
        "device": {
            "id": token.id,
            "displayName": token.display_name,
            "serialNumber": token.serial_number,
            "manufacturer": token.manufacturer,
            "model": token.model,
            "secretKey": null,
            "timeIntervalInSeconds": 30,
            "status": hardware_oath_status(token.activated),
            "lastUsedDateTime": null,
            "hashFunction": "hmacsha1",
            "assignedTo": { "id": token.assigned_to.0, "displayName": token.assigned_to.1 },
        },
    })
}

fn hardware_json(user: &User, method: &Method) -> Value {
    let MethodDetail::HardwareOath {
        serial,
        manufacturer,
        model,
        activated,
    } = &method.detail
    else {
        return Value::Null;
    };
    hardware_oath_method_json(&HardwareOathToken {
        id: &method.id,
        created: Some(graph_time(method.created)),
        display_name: None,
        serial_number: serial,
        manufacturer,
        model,
        activated: *activated,
        assigned_to: (&user.id, &user.display_name),
    })
}

/// One method as Graph shows it; `None` for what `version` does not list (hardware OATH in v1.0).
fn method_json(
    user: &User,
    method: &Method,
    version: ApiVersion,
    masked: bool,
    policy: &TemporaryAccessPassPolicy,
) -> Option<Value> {
    let created = graph_time(method.created);
    Some(match &method.detail {
        MethodDetail::Password => json!({
            "@odata.type": "#microsoft.graph.passwordAuthenticationMethod",
            "id": method.id, "password": null, "createdDateTime": created,
        }),
        MethodDetail::Phone { phone_type, number } => json!({
            "@odata.type": "#microsoft.graph.phoneAuthenticationMethod",
            "id": method.id,
            "phoneNumber": if masked { mask_phone(number) } else { number.clone() },
            "phoneType": phone_type.as_str(),
            "smsSignInState": "notAllowedByPolicy",
        }),
        MethodDetail::Authenticator {
            display_name,
            device_tag,
            app_version,
        } => json!({
            "@odata.type": "#microsoft.graph.microsoftAuthenticatorAuthenticationMethod",
            "id": method.id, "displayName": display_name, "deviceTag": device_tag,
            "phoneAppVersion": app_version, "createdDateTime": created,
        }),
        MethodDetail::SoftwareOath => json!({
            "@odata.type": "#microsoft.graph.softwareOathAuthenticationMethod",
            "id": method.id, "secretKey": null,
        }),
        MethodDetail::HardwareOath { .. } => match version {
            ApiVersion::V1 => return None,
            ApiVersion::Beta => hardware_json(user, method),
        },
        MethodDetail::Fido2 {
            display_name,
            model,
            aaguid,
        } => json!({
            "@odata.type": "#microsoft.graph.fido2AuthenticationMethod",
            "id": method.id, "displayName": display_name, "createdDateTime": created, "aaGuid": aaguid,
            "model": model, "attestationCertificates": [], "attestationLevel": "attested",
        }),
        MethodDetail::Email { address } => json!({
            "@odata.type": "#microsoft.graph.emailAuthenticationMethod",
            "id": method.id, "emailAddress": address,
        }),
        MethodDetail::TemporaryAccessPass {
            lifetime_minutes,
            usable_once,
            starts,
        } => {
            // The pass itself is returned on creation only (graph.md §1.3).
            let (is_usable, reason) = tap::usability(
                policy,
                method.created,
                *starts,
                *lifetime_minutes,
                chrono::Utc::now(),
            );
            json!({
                "@odata.type": "#microsoft.graph.temporaryAccessPassAuthenticationMethod",
                "id": method.id, "temporaryAccessPass": null, "createdDateTime": created,
                "startDateTime": graph_time(starts.unwrap_or(method.created)),
                "lifetimeInMinutes": lifetime_minutes, "isUsableOnce": usable_once,
                "isUsable": is_usable, "methodUsabilityReason": reason,
            })
        }
        MethodDetail::WindowsHello { display_name } => json!({
            "@odata.type": "#microsoft.graph.windowsHelloForBusinessAuthenticationMethod",
            "id": method.id, "displayName": display_name, "createdDateTime": created, "keyStrength": "normal",
        }),
    })
}

pub fn list_json(
    user: &User,
    version: ApiVersion,
    masked: bool,
    policy: &TemporaryAccessPassPolicy,
) -> Vec<Value> {
    user.methods
        .iter()
        .filter_map(|method| method_json(user, method, version, masked, policy))
        .collect()
}

pub fn hardware_oath_json(user: &User) -> Vec<Value> {
    user.methods
        .iter()
        .filter(|method| method.collection() == MethodCollection::HardwareOath)
        .map(|method| hardware_json(user, method))
        .collect()
}

/// The beta `userPreferredMethodForSecondaryAuthentication` for the user's default method.
fn preferred_method_name(user: &User) -> Option<&'static str> {
    let default = user
        .methods
        .iter()
        .find(|method| user.is_default(&method.id))?;
    match (&default.detail, user.mobile_default_by_voice) {
        (
            MethodDetail::Phone {
                phone_type: PhoneType::Mobile,
                ..
            },
            true,
        ) => Some("voiceMobile"),
        _ => default.preference_name(),
    }
}

fn caller_index(call: &Call, model: &Model) -> GraphResult<usize> {
    model
        .user_index(&call.caller_id)
        .ok_or_else(|| GraphError::user_not_found(&call.caller_id))
}

/// Reading methods: your own, or someone else's with a role that reads them. Returns
/// whether phone numbers are shown masked.
fn authorize_read(model: &Model, caller: usize, target: usize) -> GraphResult<bool> {
    if caller == target {
        return Ok(false);
    }
    if !policy::allows(
        &model.users[caller],
        Operation::ReadMethods,
        &model.users[target],
        false,
    ) {
        return Err(GraphError::denied());
    }
    Ok(policy::sees_masked_phones(&model.users[caller]))
}

fn collection_context(call: &Call, user: &User, collection: &str) -> String {
    call.context(&format!("users('{}')/authentication/{collection}", user.id))
}

pub fn serve(call: &Call, subject: &Subject, rest: &[&str]) -> GraphResult {
    let beta = call.version == ApiVersion::Beta;
    let method = call.method.clone();
    match rest {
        ["methods"] if method == HttpMethod::GET => list(call, subject, None),
        ["methods", id] if method == HttpMethod::GET => get_one(call, subject, None, id),
        ["methods", ..] => Err(GraphError::method_not_allowed()),
        ["signInPreferences"] if beta => match method {
            HttpMethod::GET => sign_in_preferences(call, subject),
            HttpMethod::PATCH => update_sign_in_preferences(call, subject),
            _ => Err(GraphError::method_not_allowed()),
        },
        [segment, tail @ ..] => {
            let collection = MethodCollection::from_segment(segment)
                .filter(|collection| beta || *collection != MethodCollection::HardwareOath)
                .ok_or_else(|| GraphError::unknown_segment(segment))?;
            match (tail, method) {
                ([], HttpMethod::GET) => list(call, subject, Some(collection)),
                ([], HttpMethod::POST) if collection == MethodCollection::TemporaryAccessPass => {
                    tap::create(call, subject)
                }
                ([id], HttpMethod::GET) => get_one(call, subject, Some(collection), id),
                ([id], HttpMethod::DELETE) if collection != MethodCollection::Password => {
                    delete(call, subject, collection, id)
                }
                ([id, "deactivate"], HttpMethod::POST)
                    if collection == MethodCollection::HardwareOath =>
                {
                    deactivate_hardware_oath(call, subject, id)
                }
                ([_, action, ..], _) if *action != "deactivate" => {
                    Err(GraphError::unknown_segment(action))
                }
                _ => Err(GraphError::method_not_allowed()),
            }
        }
        [] => Err(GraphError::unknown_segment("authentication")),
    }
}

fn list(call: &Call, subject: &Subject, collection: Option<MethodCollection>) -> GraphResult {
    let model = call.shared.lock_state();
    let target = subject.resolve(&model, &call.caller_id)?;
    let masked = authorize_read(&model, caller_index(call, &model)?, target)?;
    let user = &model.users[target];
    let values: Vec<Value> = user
        .methods
        .iter()
        .filter(|method| collection.is_none_or(|wanted| method.collection() == wanted))
        .filter_map(|method| method_json(user, method, call.version, masked, &model.tap_policy))
        .collect();
    let segment = collection
        .map(MethodCollection::segment)
        .unwrap_or("methods");
    Ok(ok_json(
        json!({ "@odata.context": collection_context(call, user, segment), "value": values }),
    ))
}

fn get_one(
    call: &Call,
    subject: &Subject,
    collection: Option<MethodCollection>,
    id: &str,
) -> GraphResult {
    let model = call.shared.lock_state();
    let target = subject.resolve(&model, &call.caller_id)?;
    let masked = authorize_read(&model, caller_index(call, &model)?, target)?;
    let user = &model.users[target];
    let found = user
        .methods
        .iter()
        .filter(|method| collection.is_none_or(|wanted| method.collection() == wanted))
        .find(|method| method.id.eq_ignore_ascii_case(id))
        .and_then(|method| method_json(user, method, call.version, masked, &model.tap_policy));
    let Some(mut value) = found else {
        return Err(GraphError::method_not_found(id));
    };
    let segment = collection
        .map(MethodCollection::segment)
        .unwrap_or("methods");
    value["@odata.context"] = json!(format!(
        "{}/$entity",
        collection_context(call, user, segment)
    ));
    Ok(ok_json(value))
}

const DEFAULT_METHOD_IN_USE: &str =
    "Cannot delete default method with other methods configured. Please change default method before deletion.";
const MOBILE_BEFORE_ALTERNATE: &str =
    "A user can't have an alternateMobile number without a mobile number. Delete the alternateMobile phone method before deleting the mobile phone method.";

fn delete(call: &Call, subject: &Subject, collection: MethodCollection, id: &str) -> GraphResult {
    let mut model = call.shared.lock_state();
    let target = subject.resolve(&model, &call.caller_id)?;
    let caller = caller_index(call, &model)?;
    let operation = if collection == MethodCollection::HardwareOath {
        Operation::ManageHardwareOath
    } else {
        Operation::DeleteMethod
    };
    authorize(&model, caller, target, operation)?;

    let rule = model.default_method_rule;
    let user = &mut model.users[target];
    let Some(position) = user
        .methods
        .iter()
        .position(|method| method.collection() == collection && method.id.eq_ignore_ascii_case(id))
    else {
        return Err(GraphError::method_not_found(id));
    };
    let method_id = user.methods[position].id.clone();
    let blocks_default_deletion = |other: &Method| match rule {
        DefaultMethodRule::OtherDefaultCapable => other.can_be_default(),
        DefaultMethodRule::AnyOtherMethod => !matches!(other.detail, MethodDetail::Password),
    };
    if user.is_default(&method_id)
        && user
            .methods
            .iter()
            .any(|other| other.id != method_id && blocks_default_deletion(other))
    {
        return Err(GraphError::method_bad_request(DEFAULT_METHOD_IN_USE));
    }
    let is_mobile = matches!(
        user.methods[position].detail,
        MethodDetail::Phone {
            phone_type: PhoneType::Mobile,
            ..
        }
    );
    let has_alternate = user.methods.iter().any(|method| {
        matches!(
            method.detail,
            MethodDetail::Phone {
                phone_type: PhoneType::AlternateMobile,
                ..
            }
        )
    });
    if is_mobile && has_alternate {
        return Err(GraphError::method_bad_request(MOBILE_BEFORE_ALTERNATE));
    }
    user.methods.remove(position);
    if user.is_default(&method_id) {
        user.default_method_id = None;
    }
    Ok(no_content())
}

fn deactivate_hardware_oath(call: &Call, subject: &Subject, id: &str) -> GraphResult {
    let mut model = call.shared.lock_state();
    let target = subject.resolve(&model, &call.caller_id)?;
    let caller = caller_index(call, &model)?;
    authorize(&model, caller, target, Operation::ManageHardwareOath)?;
    let user = &mut model.users[target];
    let token = user.methods.iter_mut().find(|method| {
        method.collection() == MethodCollection::HardwareOath && method.id.eq_ignore_ascii_case(id)
    });
    match token {
        Some(Method {
            detail: MethodDetail::HardwareOath { activated, .. },
            ..
        }) => {
            // It stays assigned to the user; it just no longer works.
            *activated = false;
            Ok(no_content())
        }
        _ => Err(GraphError::method_not_found(id)),
    }
}

fn sign_in_preferences(call: &Call, subject: &Subject) -> GraphResult {
    let model = call.shared.lock_state();
    let target = subject.resolve(&model, &call.caller_id)?;
    authorize_read(&model, caller_index(call, &model)?, target)?;
    let user = &model.users[target];
    Ok(ok_json(json!({
        "@odata.context": call.context(&format!("users('{}')/authentication/signInPreferences", user.id)),
        "isSystemPreferredAuthenticationMethodEnabled": user.system_preferred_mfa,
        "userPreferredMethodForSecondaryAuthentication": preferred_method_name(user),
    })))
}

/// Which of the user's methods a preference names.
fn method_for_preference(user: &User, preference: &str) -> Option<(String, bool)> {
    let wanted_phone = |phone: PhoneType| move |method: &&Method| matches!(&method.detail, MethodDetail::Phone { phone_type, .. } if *phone_type == phone);
    let found = match preference {
        "push" => user
            .methods
            .iter()
            .find(|method| matches!(method.detail, MethodDetail::Authenticator { .. })),
        "oath" => user.methods.iter().find(|method| {
            matches!(
                method.detail,
                MethodDetail::SoftwareOath
                    | MethodDetail::HardwareOath {
                        activated: true,
                        ..
                    }
            )
        }),
        "sms" | "voiceMobile" => user.methods.iter().find(wanted_phone(PhoneType::Mobile)),
        "voiceAlternateMobile" => user
            .methods
            .iter()
            .find(wanted_phone(PhoneType::AlternateMobile)),
        "voiceOffice" => user.methods.iter().find(wanted_phone(PhoneType::Office)),
        _ => None,
    };
    found.map(|method| (method.id.clone(), preference == "voiceMobile"))
}

const PREFERENCES: &[&str] = &[
    "push",
    "oath",
    "voiceMobile",
    "voiceAlternateMobile",
    "voiceOffice",
    "sms",
];

fn update_sign_in_preferences(call: &Call, subject: &Subject) -> GraphResult {
    let body = call.json_body()?;
    let mut preference = None;
    let mut system_preferred = None;
    for (name, value) in &body {
        match (name.as_str(), value) {
            ("userPreferredMethodForSecondaryAuthentication", Value::String(text))
                if PREFERENCES.contains(&text.as_str()) =>
            {
                preference = Some(text.clone())
            }
            ("isSystemPreferredAuthenticationMethodEnabled", Value::Bool(flag)) => {
                system_preferred = Some(*flag)
            }
            _ => {
                return Err(GraphError::method_bad_request(format!(
                    "Invalid value or property '{name}'."
                )))
            }
        }
    }
    let mut model = call.shared.lock_state();
    let target = subject.resolve(&model, &call.caller_id)?;
    if *subject != Subject::Me {
        let caller = caller_index(call, &model)?;
        authorize(&model, caller, target, Operation::UpdateMethodPreferences)?;
    }
    let user = &mut model.users[target];
    if let Some(preference) = preference {
        let Some((method_id, by_voice)) = method_for_preference(user, &preference) else {
            return Err(GraphError::method_bad_request(format!(
                "The user has no registered method that can be used for '{preference}'."
            )));
        };
        user.default_method_id = Some(method_id);
        user.mobile_default_by_voice = by_voice;
    }
    if let Some(flag) = system_preferred {
        user.system_preferred_mfa = flag;
    }
    Ok(no_content())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_all_but_the_last_two_digits() {
        assert_eq!(mask_phone("+1 4255550123"), "+1 XXXXXXXX23");
    }
}
