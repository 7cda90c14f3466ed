//! What the operator typed → a ranked full-text query over the cache.
//!
//! Ranking (best first), ties broken by display name then id so the order is stable:
//! 0. the display name is exactly the query;
//! 1. the display name starts with the query;
//! 2. every query word is a whole word of the display name;
//! 3. every query word starts a word of the display name;
//! 4. the UPN or the mail starts with the query (typing an address);
//! 5. any other full-text match (words of the UPN or mail), by bm25.
//!
//! Words are split on anything that is not a letter or digit, so `adele.vance@x`, `o'brien`
//! and `jean-luc` are searchable by each part, as FTS5's `unicode61` tokenizer indexes them.

use rusqlite::types::Value as SqlValue;

/// Longest query word used; longer ones are cut (an FTS prefix query needs no more).
const MAX_TOKEN_CHARS: usize = 64;
/// Most query words used; the rest would only narrow an already narrow search.
const MAX_TOKENS: usize = 8;

/// The words of a text, lower-cased, split on every non-alphanumeric character.
pub fn query_tokens(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(|word| word.to_lowercase().chars().take(MAX_TOKEN_CHARS).collect())
        .take(MAX_TOKENS)
        .collect()
}

/// `" word1 word2 "`: the display name's words with a space either side, so that
/// `instr(name_words, ' ' || token)` tests "a word starts with token" and
/// `instr(name_words, ' ' || token || ' ')` tests "a word is token".
pub fn name_words(display_name: &str) -> String {
    let words: Vec<String> = display_name
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
        .collect();
    format!(" {} ", words.join(" "))
}

/// The local parts of the UPN and the mail: what FTS indexes besides the display name. The
/// domain is left out, or every user of the tenant would match its first letters.
pub fn ident_text(user_principal_name: &str, mail: Option<&str>) -> String {
    let local = |address: &str| address.split('@').next().unwrap_or_default().to_string();
    match mail {
        Some(mail) if !mail.is_empty() => format!("{} {}", local(user_principal_name), local(mail)),
        _ => local(user_principal_name),
    }
}

/// Adds a parameter and returns its placeholder (`?N`).
fn bind(value: SqlValue, params: &mut Vec<SqlValue>) -> String {
    params.push(value);
    format!("?{}", params.len())
}

/// A prepared search: SQL text and its parameters.
pub struct SearchSql {
    pub sql: String,
    pub params: Vec<SqlValue>,
}

/// The display name's words as `name_words` gives them: stored only where they differ from the
/// lower-cased name between spaces, '' otherwise (`store.rs`; `name_words` is never '').
const NAME_WORDS: &str = "COALESCE(NULLIF(u.name_words, ''), ' ' || u.name_key || ' ')";

const COLUMNS: &str = "u.id, u.display_name, u.upn, u.mail, u.job_title, u.department, \
                       u.account_enabled, u.user_type";

/// The ranked search as one query per tier, best tier first. Each tier excludes the rows of
/// the tiers before it and is ordered by an index or a small match set, so the caller runs
/// them in turn and stops as soon as `limit` users are found: the cost follows the number of
/// results shown, not the number of users that match (a one-letter query matches thousands).
/// Each query's last parameter is its `LIMIT`, which the caller sets to what is still missing.
pub fn build_search(query: &str) -> Option<Vec<SearchSql>> {
    let whole = query.trim().to_lowercase();
    if whole.is_empty() {
        return None;
    }
    let tokens = query_tokens(&whole);
    let mut params: Vec<SqlValue> = Vec::new();
    let q = bind(SqlValue::Text(whole.clone()), &mut params);
    // Upper bound of the prefix range: every string starting with `whole` sorts below it.
    let q_hi = bind(SqlValue::Text(format!("{whole}\u{10FFFF}")), &mut params);
    let name_prefix = format!("(u.name_key >= {q} AND u.name_key < {q_hi})");
    // NULL-safe, since the tiers below test `NOT` of it: a mail key left out (the mail is the
    // UPN) or no mail at all must make it false, not NULL, or `NOT` would drop the row.
    let address_prefix = format!(
        "((u.upn_key >= {q} AND u.upn_key < {q_hi}) \
         OR (u.mail_key IS NOT NULL AND u.mail_key >= {q} AND u.mail_key < {q_hi}))"
    );
    let mut tiers = Vec::new();
    let limit_of = |params: &mut Vec<SqlValue>| bind(SqlValue::Integer(0), params);

    // 0–1: the display name is, or starts with, the query (the exact one sorts first).
    {
        let mut p = params.clone();
        let limit = limit_of(&mut p);
        tiers.push(SearchSql {
            sql: format!(
                "SELECT {COLUMNS} FROM users u WHERE {name_prefix} ORDER BY u.name_key, u.id LIMIT {limit}"
            ),
            params: p,
        });
    }
    if tokens.is_empty() {
        // Only punctuation (e.g. "@"): addresses starting with it.
        let mut p = params.clone();
        let limit = limit_of(&mut p);
        tiers.push(SearchSql {
            sql: format!(
                "SELECT {COLUMNS} FROM users u WHERE {address_prefix} AND NOT {name_prefix}
                 ORDER BY u.name_key, u.id LIMIT {limit}"
            ),
            params: p,
        });
        return Some(tiers);
    }

    let mut exact_words = Vec::new();
    let mut prefix_words = Vec::new();
    let mut name_phrases = Vec::new();
    let mut any_phrases = Vec::new();
    for token in &tokens {
        let t = bind(SqlValue::Text(token.clone()), &mut params);
        exact_words.push(format!("instr({NAME_WORDS}, ' ' || {t} || ' ') > 0"));
        prefix_words.push(format!("instr({NAME_WORDS}, ' ' || {t}) > 0"));
        // Quoted: FTS5 reads it as a plain string, so no operator (AND, NEAR, column
        // filters, `*`) can be injected through the search box.
        let phrase = format!("\"{}\"*", token.replace('"', "\"\""));
        name_phrases.push(format!("display_name : {phrase}"));
        any_phrases.push(phrase);
    }
    let exact_words = exact_words.join(" AND ");
    let prefix_words = format!("({})", prefix_words.join(" AND "));
    let name_match = bind(SqlValue::Text(name_phrases.join(" AND ")), &mut params);
    let any_match = bind(SqlValue::Text(any_phrases.join(" ")), &mut params);

    // 2–3: every query word is a word of the display name (whole words first), or starts one.
    {
        let mut p = params.clone();
        let limit = limit_of(&mut p);
        tiers.push(SearchSql {
            sql: format!(
                "SELECT {COLUMNS} FROM users u
                 JOIN (SELECT rowid AS hit FROM users_fts WHERE users_fts MATCH {name_match}) f ON u.rowid = f.hit
                 WHERE NOT {name_prefix}
                 ORDER BY CASE WHEN {exact_words} THEN 0 ELSE 1 END, u.name_key, u.id LIMIT {limit}"
            ),
            params: p,
        });
    }
    // 4: the UPN or the mail starts with the query.
    {
        let mut p = params.clone();
        let limit = limit_of(&mut p);
        tiers.push(SearchSql {
            sql: format!(
                "SELECT {COLUMNS} FROM users u
                 WHERE {address_prefix} AND NOT {name_prefix} AND NOT {prefix_words}
                 ORDER BY u.name_key, u.id LIMIT {limit}"
            ),
            params: p,
        });
    }
    // 5: any other full-text match (words of the UPN or mail), by bm25.
    {
        let mut p = params;
        let limit = limit_of(&mut p);
        tiers.push(SearchSql {
            sql: format!(
                "SELECT {COLUMNS} FROM users_fts JOIN users u ON u.rowid = users_fts.rowid
                 WHERE users_fts MATCH {any_match}
                   AND NOT {name_prefix} AND NOT {address_prefix} AND NOT {prefix_words}
                 ORDER BY bm25(users_fts, 10.0, 1.0), u.name_key, u.id LIMIT {limit}"
            ),
            params: p,
        });
    }
    Some(tiers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_split_on_punctuation_and_lowercase() {
        assert_eq!(
            query_tokens("Adele.Vance@Contoso_x-y"),
            vec!["adele", "vance", "contoso", "x", "y"]
        );
        assert_eq!(query_tokens("  ...  "), Vec::<String>::new());
        assert_eq!(query_tokens("Zoë O'Brien"), vec!["zoë", "o", "brien"]);
    }

    #[test]
    fn name_words_are_space_delimited_for_word_tests() {
        assert_eq!(name_words("Adele Vance-Smith"), " adele vance smith ");
    }

    #[test]
    fn ident_leaves_out_domains() {
        assert_eq!(
            ident_text("adele.vance@contoso.com", Some("av@contoso.com")),
            "adele.vance av"
        );
        assert_eq!(ident_text("a_b@x", None), "a_b");
    }

    #[test]
    fn quotes_in_the_query_cannot_break_out_of_the_fts_string() {
        let tiers = build_search("a\" OR name:*").unwrap();
        let fts = tiers
            .last()
            .unwrap()
            .params
            .iter()
            .find_map(|p| match p {
                SqlValue::Text(t) if t.ends_with('*') && t.starts_with('"') => Some(t.clone()),
                _ => None,
            })
            .unwrap();
        // Only letters and digits reach FTS5, each inside its own quoted prefix string.
        assert_eq!(fts, "\"a\"* \"or\"* \"name\"*");
    }

    #[test]
    fn blank_query_builds_nothing() {
        assert!(build_search("   ").is_none());
    }
}
