//! Passwords for "Reset password" in Zoho: the generator behind the dialog's "Generate
//! Password" (random, or easy to read aloud over the phone) and the checks on a typed one.
//!
//! A password only ever lives in a [`SecretString`]: not logged, not in `Debug`, not in an
//! error message.
use rand::rngs::OsRng;
use rand::seq::SliceRandom;
use rand::Rng;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use super::client::PasswordChoice;
use resetdesk_core::error::{AppError, Result};
use resetdesk_model::action::PasswordInput;

/// Shortest password ResetDesk sends. Zoho's organisation password policy is configured per
/// organisation (and not readable through a documented API), so this is our own floor; Zoho
/// may still refuse a password against a stricter policy, which is reported as invalid input.
pub const MIN_LENGTH: usize = 8;
/// Longest password ResetDesk sends (a guard against pasting a document, not a Zoho limit).
pub const MAX_LENGTH: usize = 100;

// Without the look-alikes 0/O/o, 1/l/I: a password read aloud or copied by hand is typed
// right the first time.
const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
const LOWER: &[u8] = b"abcdefghijkmnpqrstuvwxyz";
const DIGITS: &[u8] = b"23456789";
const SYMBOLS: &[u8] = b"!#$%*+-=?@";

/// 120 short, common words without the letters i, l and o (look-alikes of 1, I and 0), so a
/// read-aloud password has no look-alike character either. Four words and three digits give
/// about 37 bits: enough for a password the user must change at next sign-in, not for more.
const WORDS: &[&str] = &[
    "amber", "arch", "archer", "badger", "bank", "banner", "barn", "basket", "beach", "bench",
    "berry", "brave", "bread", "brush", "bucket", "bumper", "butter", "cactus", "camera", "camper",
    "candy", "canvas", "carpet", "cedar", "center", "charm", "chart", "cherry", "crane", "crater",
    "cream", "dagger", "dance", "desert", "desk", "eager", "earth", "ember", "fancy", "faster",
    "feather", "ferry", "garden", "garnet", "grape", "gravy", "guard", "gutter", "hammer", "harp",
    "hatch", "heart", "hunter", "jacket", "jasper", "jester", "jumper", "karma", "ketchup",
    "magnet", "marker", "market", "marsh", "mercury", "nature", "nectar", "number", "nutmeg",
    "panda", "paper", "parade", "parker", "pasta", "peach", "pear", "pepper", "perch", "prune",
    "quartz", "quest", "radar", "ranger", "raven", "reader", "rubber", "ruby", "sand", "saturn",
    "seven", "shark", "sphere", "stamp", "sugar", "summer", "sunset", "super", "sweater", "tamper",
    "teddy", "tender", "thatch", "thumb", "thunder", "track", "tundra", "tuner", "turkey", "umber",
    "urban", "venture", "wander", "wasp", "water", "weather", "wrench", "yacht", "yard", "yearn",
    "zebra", "zephyr",
];

/// How a generated password looks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "style", rename_all = "camelCase")]
pub enum PasswordStyle {
    /// Random characters from the chosen classes, at least one of each.
    Random {
        length: usize,
        upper: bool,
        lower: bool,
        digits: bool,
        symbols: bool,
    },
    /// Capitalised words joined by `-`, then digits: "Maple-River-Tiger-472". Easy to say
    /// over the phone; every character class is present.
    ReadAloud { words: usize, digits: usize },
}

impl Default for PasswordStyle {
    fn default() -> Self {
        PasswordStyle::Random {
            length: 16,
            upper: true,
            lower: true,
            digits: true,
            symbols: true,
        }
    }
}

impl PasswordStyle {
    pub fn read_aloud() -> Self {
        PasswordStyle::ReadAloud {
            words: 4,
            digits: 3,
        }
    }
}

/// The generator's style of the operator's password choice, for a generated password.
pub fn style_of(input: &PasswordInput) -> Option<PasswordStyle> {
    match *input {
        PasswordInput::Typed { .. } => None,
        PasswordInput::Generate {
            read_aloud: true, ..
        } => Some(PasswordStyle::read_aloud()),
        PasswordInput::Generate {
            read_aloud: false,
            length,
            upper,
            lower,
            digits,
            symbols,
        } => {
            // Absent rules keep the default (16 characters, every kind). Rules that cannot
            // make a usable password are refused by the generator, with the reason.
            let (default_length, default_kind) = (16, true);
            Some(PasswordStyle::Random {
                length: length.unwrap_or(default_length),
                upper: upper.unwrap_or(default_kind),
                lower: lower.unwrap_or(default_kind),
                digits: digits.unwrap_or(default_kind),
                symbols: symbols.unwrap_or(default_kind),
            })
        }
    }
}

/// The operator's password choice as the reset takes it: typed (held as a secret), or
/// generated in its style.
pub fn choice_of(input: PasswordInput) -> PasswordChoice {
    match input {
        PasswordInput::Typed { password } => PasswordChoice::Typed(SecretString::from(password)),
        generate => PasswordChoice::Generate(style_of(&generate).unwrap_or_default()),
    }
}

/// A fresh password in `style`, from the operating system's random number generator.
/// Rules that cannot make a usable password (too short, no class chosen) are invalid input.
pub fn generate(style: &PasswordStyle) -> Result<SecretString> {
    let mut rng = OsRng;
    let password = match *style {
        PasswordStyle::Random {
            length,
            upper,
            lower,
            digits,
            symbols,
        } => {
            let classes: Vec<&[u8]> = [
                (upper, UPPER),
                (lower, LOWER),
                (digits, DIGITS),
                (symbols, SYMBOLS),
            ]
            .into_iter()
            .filter_map(|(on, class)| on.then_some(class))
            .collect();
            if classes.is_empty() {
                return Err(AppError::invalid_input(
                    "Choose at least one kind of character (upper case, lower case, digits or \
                     symbols) for the generated password.",
                ));
            }
            if !(MIN_LENGTH..=MAX_LENGTH).contains(&length) {
                return Err(AppError::invalid_input(format!(
                    "A generated password must be {MIN_LENGTH} to {MAX_LENGTH} characters long \
                     (asked for {length})."
                )));
            }
            if classes.len() < 2 && length < 16 {
                return Err(AppError::invalid_input(
                    "With only one kind of character the password must be at least 16 \
                     characters long; choose more kinds or a longer length.",
                ));
            }
            let all: Vec<u8> = classes.concat();
            let mut chars: Vec<u8> = classes.iter().map(|class| pick(class, &mut rng)).collect();
            while chars.len() < length {
                chars.push(pick(&all, &mut rng));
            }
            chars.shuffle(&mut rng);
            chars.into_iter().map(char::from).collect::<String>()
        }
        PasswordStyle::ReadAloud { words, digits } => {
            if !(3..=8).contains(&words) || !(2..=6).contains(&digits) {
                return Err(AppError::invalid_input(
                    "An easy-to-read password needs 3 to 8 words and 2 to 6 digits.",
                ));
            }
            let mut parts: Vec<String> = (0..words)
                .map(|_| capitalise(WORDS.choose(&mut rng).copied().unwrap_or("maple")))
                .collect();
            let number: String = (0..digits)
                .map(|_| char::from(DIGITS[rng.gen_range(0..DIGITS.len())]))
                .collect();
            parts.push(number);
            parts.join("-")
        }
    };
    Ok(SecretString::from(password))
}

fn pick(class: &[u8], rng: &mut OsRng) -> u8 {
    class.choose(rng).copied().unwrap_or(b'x')
}

fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
        None => String::new(),
    }
}

/// Checks a typed password before anything is sent. The message says what is wrong and what
/// to do, and never quotes the password. `user_email` catches the commonest weak choice.
pub fn validate_typed(password: &SecretString, user_email: &str) -> Result<()> {
    let value = password.expose_secret();
    if value.is_empty() {
        return Err(AppError::invalid_input(
            "Type a new password, or choose Generate Password.",
        ));
    }
    if value.trim() != value {
        return Err(AppError::invalid_input(
            "The password starts or ends with a space, which is easily lost when it is passed \
             on; remove it.",
        ));
    }
    let length = value.chars().count();
    if length < MIN_LENGTH {
        return Err(AppError::invalid_input(format!(
            "The password is too short ({length} characters); use at least {MIN_LENGTH}, or \
             choose Generate Password."
        )));
    }
    if length > MAX_LENGTH {
        return Err(AppError::invalid_input(format!(
            "The password is too long ({length} characters); use at most {MAX_LENGTH}."
        )));
    }
    if value.chars().any(char::is_control) {
        return Err(AppError::invalid_input(
            "The password contains a control character (a tab or line break); type it again.",
        ));
    }
    let classes = [
        value.chars().any(|c| c.is_uppercase()),
        value.chars().any(|c| c.is_lowercase()),
        value.chars().any(|c| c.is_ascii_digit()),
        value.chars().any(|c| !c.is_alphanumeric()),
    ]
    .into_iter()
    .filter(|present| *present)
    .count();
    if classes < 3 {
        return Err(AppError::invalid_input(
            "The password is too weak: use at least three of upper-case letters, lower-case \
             letters, digits and symbols, or choose Generate Password.",
        ));
    }
    let local = user_email.split('@').next().unwrap_or("").to_lowercase();
    if local.len() >= 3 && value.to_lowercase().contains(&local) {
        return Err(AppError::invalid_input(
            "The password contains the user's own name from their email address, which is the \
             first thing an attacker tries; choose another one.",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_generated_password_request_keeps_the_chosen_rules() {
        let input: PasswordInput = serde_json::from_value(
            serde_json::json!({"mode":"generate","readAloud":false,"length":20,"symbols":false}),
        )
        .unwrap();
        match choice_of(input) {
            PasswordChoice::Generate(PasswordStyle::Random {
                length,
                symbols,
                upper,
                ..
            }) => assert_eq!((length, symbols, upper), (20, false, true)),
            _ => panic!("expected a random style"),
        }
    }
    use resetdesk_core::ErrorKind;

    fn expose(secret: &SecretString) -> String {
        secret.expose_secret().to_string()
    }

    #[test]
    fn random_passwords_follow_the_rules() {
        let style = PasswordStyle::default();
        for _ in 0..500 {
            let password = expose(&generate(&style).unwrap());
            assert_eq!(password.len(), 16);
            for class in [UPPER, LOWER, DIGITS, SYMBOLS] {
                assert!(password.bytes().any(|b| class.contains(&b)), "{password}");
            }
            for look_alike in ['0', 'O', 'o', '1', 'l', 'I'] {
                assert!(!password.contains(look_alike), "{password}");
            }
            validate_typed(&SecretString::from(password), "someone@zylker.com").unwrap();
        }
    }

    #[test]
    fn only_the_chosen_classes_are_used() {
        let style = PasswordStyle::Random {
            length: 12,
            upper: false,
            lower: true,
            digits: true,
            symbols: false,
        };
        for _ in 0..200 {
            let password = expose(&generate(&style).unwrap());
            assert_eq!(password.len(), 12);
            assert!(password
                .bytes()
                .all(|b| LOWER.contains(&b) || DIGITS.contains(&b)));
            assert!(password.bytes().any(|b| DIGITS.contains(&b)));
        }
    }

    #[test]
    fn read_aloud_passwords_are_words_and_digits_without_look_alikes() {
        for _ in 0..500 {
            let password = expose(&generate(&PasswordStyle::read_aloud()).unwrap());
            let parts: Vec<&str> = password.split('-').collect();
            assert_eq!(parts.len(), 5, "{password}");
            assert!(parts[..4]
                .iter()
                .all(|w| w.chars().next().unwrap().is_ascii_uppercase()));
            assert!(parts[4].len() == 3 && parts[4].bytes().all(|b| DIGITS.contains(&b)));
            for look_alike in ['0', 'O', 'o', '1', 'l', 'I'] {
                assert!(!password.contains(look_alike), "{password}");
            }
            validate_typed(&SecretString::from(password), "someone@zylker.com").unwrap();
        }
    }

    #[test]
    fn impossible_rules_are_invalid_input() {
        for style in [
            PasswordStyle::Random {
                length: 16,
                upper: false,
                lower: false,
                digits: false,
                symbols: false,
            },
            PasswordStyle::Random {
                length: 4,
                upper: true,
                lower: true,
                digits: true,
                symbols: true,
            },
            PasswordStyle::Random {
                length: 10,
                upper: false,
                lower: false,
                digits: true,
                symbols: false,
            },
            PasswordStyle::ReadAloud {
                words: 1,
                digits: 3,
            },
        ] {
            assert_eq!(
                generate(&style).unwrap_err().kind,
                ErrorKind::InvalidInput,
                "{style:?}"
            );
        }
    }

    #[test]
    fn weak_typed_passwords_are_refused_without_quoting_them() {
        for (typed, hint) in [
            ("", "Type a new password"),
            ("Ab1!", "too short"),
            ("alllowercaseletters", "too weak"),
            (" Leading1!x", "space"),
            ("Annette.C2024!", "own name"),
        ] {
            let error =
                validate_typed(&SecretString::from(typed), "annette.c@zylker.biz").unwrap_err();
            assert_eq!(error.kind, ErrorKind::InvalidInput);
            assert!(error.message.contains(hint), "{typed}: {}", error.message);
            if !typed.is_empty() {
                assert!(!format!("{error:?}").contains(typed), "{error:?}");
            }
        }
        validate_typed(
            &SecretString::from("Harbor-Quest-Radar-482"),
            "annette.c@zylker.biz",
        )
        .unwrap();
    }

    #[test]
    fn generated_passwords_differ() {
        let seen: std::collections::HashSet<String> = (0..200)
            .map(|_| expose(&generate(&PasswordStyle::read_aloud()).unwrap()))
            .collect();
        assert!(seen.len() > 190);
    }
}
