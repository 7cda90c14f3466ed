//! Temporary passwords for "Reset password": generated here, sent to the provider once, shown
//! to the operator once, never stored or logged (the value only ever lives in a
//! [`SecretString`]).

use rand::rngs::OsRng;
use rand::seq::SliceRandom;
use secrecy::SecretString;

/// Length of a generated password: well inside Entra's 8–256 and long enough that a
/// password read out over the phone is still strong (16 symbols from 63 ≈ 95 bits).
pub const TEMPORARY_PASSWORD_LENGTH: usize = 16;

// Character classes without the look-alikes 0/O/o, 1/l/I, so a password read aloud or copied
// by hand is typed right the first time.
const UPPER: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ";
const LOWER: &[u8] = b"abcdefghijkmnpqrstuvwxyz";
const DIGITS: &[u8] = b"23456789";
/// Symbols Entra accepts that are on every keyboard layout's first level or shift level and
/// need no escaping in a chat message or a ticket.
const SYMBOLS: &[u8] = b"!#$%*+-=?@";

/// A fresh 16-character password with at least one upper-case letter, lower-case letter,
/// digit and symbol (Entra requires 3 of the 4 classes), drawn from the operating system's
/// random number generator.
pub fn generate_temporary_password() -> SecretString {
    let mut rng = OsRng;
    let classes = [UPPER, LOWER, DIGITS, SYMBOLS];
    let all: Vec<u8> = classes.concat();

    let mut chars: Vec<u8> = Vec::with_capacity(TEMPORARY_PASSWORD_LENGTH);
    // One from each class first (the guarantee), the rest from the union; then shuffle so the
    // guaranteed characters are not always at the front.
    for class in classes {
        chars.push(pick(class, &mut rng));
    }
    while chars.len() < TEMPORARY_PASSWORD_LENGTH {
        chars.push(pick(&all, &mut rng));
    }
    chars.shuffle(&mut rng);

    // Every byte comes from the ASCII tables above, so this is always valid UTF-8.
    let password: String = chars.into_iter().map(char::from).collect();
    SecretString::from(password)
}

fn pick(class: &[u8], rng: &mut OsRng) -> u8 {
    // The classes are non-empty constants, so `choose` always returns a value; the fallback
    // only exists to avoid a panic path.
    class.choose(rng).copied().unwrap_or(b'x')
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;
    use std::collections::HashSet;

    #[test]
    fn every_password_has_sixteen_characters_of_all_four_classes() {
        for _ in 0..2000 {
            let secret = generate_temporary_password();
            let password = secret.expose_secret();
            assert_eq!(password.chars().count(), TEMPORARY_PASSWORD_LENGTH);
            assert!(password.bytes().any(|b| UPPER.contains(&b)), "{password}");
            assert!(password.bytes().any(|b| LOWER.contains(&b)), "{password}");
            assert!(password.bytes().any(|b| DIGITS.contains(&b)), "{password}");
            assert!(password.bytes().any(|b| SYMBOLS.contains(&b)), "{password}");
        }
    }

    #[test]
    fn no_ambiguous_characters_are_ever_used() {
        for _ in 0..2000 {
            let secret = generate_temporary_password();
            for ambiguous in ['0', 'O', 'o', '1', 'l', 'I'] {
                assert!(!secret.expose_secret().contains(ambiguous));
            }
        }
    }

    #[test]
    fn passwords_differ_and_do_not_show_in_debug_output() {
        let passwords: HashSet<String> = (0..200)
            .map(|_| generate_temporary_password().expose_secret().to_string())
            .collect();
        assert_eq!(passwords.len(), 200);
        let secret = generate_temporary_password();
        assert!(!format!("{secret:?}").contains(secret.expose_secret()));
    }

    #[test]
    fn the_class_guarantee_is_not_always_at_the_same_positions() {
        // Shuffled: across many passwords, the first character is not always upper case.
        let first_not_upper = (0..200)
            .filter(|_| {
                !UPPER.contains(&generate_temporary_password().expose_secret().as_bytes()[0])
            })
            .count();
        assert!(first_not_upper > 0);
    }
}
