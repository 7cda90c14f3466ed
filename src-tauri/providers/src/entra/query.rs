//! Builds Graph OData query strings: the user search (graph.md §1.1) and percent-encoding.
//!
//! Values are percent-encoded by hand (not `application/x-www-form-urlencoded`) so a space
//! becomes `%20`, never `+`: in an OData `$search` a literal `+` is a search character.

/// The user properties read for lists and details (`$select`): Graph returns several of them
/// only when selected (graph.md §1.1).
pub const USER_LIST_SELECT: &str =
    "id,displayName,userPrincipalName,mail,accountEnabled,jobTitle,department,mobilePhone,userType";
pub const USER_DETAIL_SELECT: &str =
    "id,displayName,userPrincipalName,mail,accountEnabled,jobTitle,department,\
mobilePhone,userType,lastPasswordChangeDateTime,signInSessionsValidFromDateTime";

/// Percent-encodes a query value, keeping RFC 3986 unreserved characters and the OData
/// punctuation that is safe inside a query component (`$ , : ' ( ) *`) readable in logs.
pub fn encode_query_value(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for byte in value.bytes() {
        let keep = byte.is_ascii_alphanumeric() || b"-._~$,:'()*".contains(&byte);
        if keep {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// `name=value&...` with each value encoded.
pub fn build_query(pairs: &[(&str, String)]) -> String {
    pairs
        .iter()
        .map(|(name, value)| format!("{name}={}", encode_query_value(value)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The search text for a quoted `$search` clause, as Graph's search page says: "The whole
/// clause must be declared inside double quotes. If it contains double quotes or backslash, it
/// should be escaped with a backslash" (the other special characters are percent-encoded by
/// `build_query`). Control characters go; surrounding whitespace is trimmed. An empty result
/// means "no search" (list by display name).
/// <https://learn.microsoft.com/graph/search-query-parameter#using-search-on-directory-object-collections>
pub fn sanitize_search_text(query: &str) -> String {
    let printable: String = query.chars().filter(|c| !c.is_control()).collect();
    let mut escaped = String::with_capacity(printable.len());
    for c in printable.trim().chars() {
        if c == '"' || c == '\\' {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// The `$search` expression matching a display name, UPN or mail (tokenised on display
/// name, prefix on the others: graph.md §1.1).
pub fn search_expression(text: &str) -> String {
    format!("\"displayName:{text}\" OR \"userPrincipalName:{text}\" OR \"mail:{text}\"")
}

/// The query string of the first page of a user search, and whether it is an advanced
/// query (needs `ConsistencyLevel: eventual`).
pub fn user_search_query(query: &str, page_size: usize) -> (String, bool) {
    let text = sanitize_search_text(query);
    if text.is_empty() {
        let query = build_query(&[
            ("$orderby", "displayName".to_string()),
            ("$top", page_size.to_string()),
            ("$select", USER_LIST_SELECT.to_string()),
        ]);
        (query, false)
    } else {
        let query = build_query(&[
            ("$search", search_expression(&text)),
            ("$select", USER_LIST_SELECT.to_string()),
            ("$top", page_size.to_string()),
            ("$count", "true".to_string()),
        ]);
        (query, true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(query: &str) -> Vec<(String, String)> {
        url::form_urlencoded::parse(query.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    #[test]
    fn search_builds_three_quoted_clauses_with_consistency_level() {
        let (query, advanced) = user_search_query("adele", 25);
        assert!(advanced);
        let pairs = decoded(&query);
        assert_eq!(
            pairs,
            vec![
                (
                    "$search".into(),
                    r#""displayName:adele" OR "userPrincipalName:adele" OR "mail:adele""#.into()
                ),
                ("$select".into(), USER_LIST_SELECT.into()),
                ("$top".into(), "25".into()),
                ("$count".into(), "true".into()),
            ]
        );
        assert!(
            !query.contains('+') && !query.contains(' ') && !query.contains('"'),
            "{query}"
        );
    }

    #[test]
    fn quotes_and_backslashes_are_escaped_so_the_clause_cannot_be_broken_out_of() {
        let (query, advanced) = user_search_query(r#"  ad"ele\" OR "mail:x  "#, 10);
        assert!(advanced);
        let search = decoded(&query)
            .into_iter()
            .find(|(k, _)| k == "$search")
            .unwrap()
            .1;
        let text = r#"ad\"ele\\\" OR \"mail:x"#;
        assert_eq!(
            search,
            format!(r#""displayName:{text}" OR "userPrincipalName:{text}" OR "mail:{text}""#)
        );
    }

    #[test]
    fn ampersand_plus_and_hash_are_encoded_not_interpreted() {
        let (query, _) = user_search_query("a&b+c#d", 10);
        assert!(query.contains("a%26b%2Bc%23d"), "{query}");
        let search = decoded(&query)
            .into_iter()
            .find(|(k, _)| k == "$search")
            .unwrap()
            .1;
        assert!(search.contains("displayName:a&b+c#d"));
    }

    #[test]
    fn an_empty_query_lists_by_display_name_without_search() {
        for q in ["", "   ", "\t\n"] {
            let (query, advanced) = user_search_query(q, 50);
            assert!(!advanced, "{q:?}");
            assert_eq!(
                decoded(&query),
                vec![
                    ("$orderby".into(), "displayName".into()),
                    ("$top".into(), "50".into()),
                    ("$select".into(), USER_LIST_SELECT.into()),
                ]
            );
        }
    }
}
