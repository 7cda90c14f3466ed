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

/// Builds the ranked query, or `None` when there is nothing to search for.
pub fn build_search(query: &str, limit: usize) -> Option<SearchSql> {
    let whole = query.trim().to_lowercase();
    if whole.is_empty() {
        return None;
    }
    let tokens = query_tokens(&whole);
    let mut params: Vec<SqlValue> = Vec::new();
    let q = bind(SqlValue::Text(whole.clone()), &mut params);
    // Upper bound of the prefix range: every string starting with `whole` sorts below it.
    let q_hi = bind(SqlValue::Text(format!("{whole}\u{10FFFF}")), &mut params);
    let q_len = bind(SqlValue::Integer(whole.chars().count() as i64), &mut params);

    let mut hits = Vec::new();
    let mut every_word_exact = Vec::new();
    let mut every_word_prefix = Vec::new();
    if !tokens.is_empty() {
        // Each token as a quoted prefix query: quotes make FTS5 read it as a plain string, so
        // no operator (AND, NEAR, column filters, `*`) can be injected through the search box.
        let fts_query = tokens
            .iter()
            .map(|token| format!("\"{}\"*", token.replace('"', "\"\"")))
            .collect::<Vec<_>>()
            .join(" ");
        let m = bind(SqlValue::Text(fts_query), &mut params);
        hits.push(format!(
            "SELECT rowid AS hit, bm25(users_fts, 10.0, 1.0) AS score FROM users_fts WHERE users_fts MATCH {m}"
        ));
        for token in &tokens {
            let t = bind(SqlValue::Text(token.clone()), &mut params);
            every_word_exact.push(format!("instr(u.name_words, ' ' || {t} || ' ') > 0"));
            every_word_prefix.push(format!("instr(u.name_words, ' ' || {t}) > 0"));
        }
    }
    hits.push(format!(
        "SELECT rowid, 0.0 FROM users WHERE upn_key >= {q} AND upn_key < {q_hi}"
    ));
    hits.push(format!(
        "SELECT rowid, 0.0 FROM users WHERE mail_key >= {q} AND mail_key < {q_hi}"
    ));
    let exact_words = if every_word_exact.is_empty() {
        "0".to_string()
    } else {
        every_word_exact.join(" AND ")
    };
    let prefix_words = if every_word_prefix.is_empty() {
        "0".to_string()
    } else {
        every_word_prefix.join(" AND ")
    };
    let limit = bind(SqlValue::Integer(limit as i64), &mut params);
    let sql = format!(
        "WITH hits(hit, score) AS ({union}),
              best(hit, score) AS (SELECT hit, min(score) FROM hits GROUP BY hit)
         SELECT u.id, u.display_name, u.upn, u.mail, u.job_title, u.department,
                u.account_enabled, u.user_type,
                CASE WHEN u.name_key = {q} THEN 0
                     WHEN substr(u.name_key, 1, {q_len}) = {q} THEN 1
                     WHEN {exact_words} THEN 2
                     WHEN {prefix_words} THEN 3
                     WHEN substr(u.upn_key, 1, {q_len}) = {q}
                       OR substr(coalesce(u.mail_key, ''), 1, {q_len}) = {q} THEN 4
                     ELSE 5 END AS tier,
                best.score
         FROM best JOIN users u ON u.rowid = best.hit
         ORDER BY tier, CASE WHEN tier = 5 THEN best.score ELSE 0 END, u.name_key, u.id
         LIMIT {limit}",
        union = hits.join(" UNION ALL "),
    );
    Some(SearchSql { sql, params })
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
        let built = build_search("a\" OR name:*", 10).unwrap();
        let fts = built
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
        assert!(build_search("   ", 10).is_none());
    }
}
