//! The parts of OData that `GET /users` accepts in the emulator: `$search` (Graph's
//! tokenized directory search) and a `$filter` subset (`startswith`, `eq`, joined by `or`).
//! Anything else is refused the way Graph refuses it, with `Request_UnsupportedQuery`.

use super::errors::GraphError;
use super::state::User;

/// A string property of a user as the query languages name it.
fn user_property<'a>(user: &'a User, name: &str) -> Option<Option<&'a str>> {
    Some(match name {
        "id" => Some(user.id.as_str()),
        "displayName" => Some(user.display_name.as_str()),
        "givenName" => Some(user.given_name.as_str()),
        "surname" => Some(user.surname.as_str()),
        "userPrincipalName" => Some(user.user_principal_name.as_str()),
        "mail" => user.mail.as_deref(),
        "jobTitle" => user.job_title.as_deref(),
        _ => return None,
    })
}

fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.to_lowercase().starts_with(&prefix.to_lowercase())
}

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
        .map(str::to_lowercase)
        .collect()
}

// ---------------------------------------------------------------------------------------
// $select (every emulator of Graph's users: the tenant's and Lighthouse's customers')

/// Returned when no `$select` is given (reference/graph.md §1.1; "By default, only a limited
/// set of properties are returned", https://learn.microsoft.com/graph/api/user-list).
const DEFAULT_USER_PROPERTIES: &[&str] = &[
    "businessPhones",
    "displayName",
    "givenName",
    "jobTitle",
    "mail",
    "mobilePhone",
    "officeLocation",
    "preferredLanguage",
    "surname",
    "userPrincipalName",
    "id",
];

/// `$select` as a property list, `None` without one (Graph's default set); a property the
/// emulator cannot return (`selectable`) is Graph's 400.
pub(crate) fn parse_user_select(
    select: Option<&str>,
    selectable: &[&str],
) -> Result<Option<Vec<String>>, GraphError> {
    let Some(select) = select else {
        return Ok(None);
    };
    let mut properties = Vec::new();
    for property in select
        .split(',')
        .map(str::trim)
        .filter(|property| !property.is_empty())
    {
        if !selectable.contains(&property) {
            return Err(GraphError::new(
                axum::http::StatusCode::BAD_REQUEST,
                "BadRequest",
                format!(
                    "Could not find a property named '{property}' on type 'microsoft.graph.user'."
                ),
            ));
        }
        properties.push(property.to_string());
    }
    Ok(Some(properties))
}

/// A user as JSON with the selected properties, or Graph's default set without `$select`;
/// `property` gives each one's value.
pub(crate) fn user_with_properties(
    select: Option<&[String]>,
    property: impl Fn(&str) -> serde_json::Value,
) -> serde_json::Value {
    let mut object = serde_json::Map::new();
    match select {
        Some(properties) => {
            for name in properties {
                object.insert(name.clone(), property(name));
            }
        }
        None => {
            for name in DEFAULT_USER_PROPERTIES {
                object.insert(name.to_string(), property(name));
            }
        }
    }
    serde_json::Value::Object(object)
}

// ---------------------------------------------------------------------------------------
// $search

#[derive(Debug, Clone, PartialEq)]
pub enum Search {
    Clause { property: String, text: String },
    And(Box<Search>, Box<Search>),
    Or(Box<Search>, Box<Search>),
}

const SEARCHABLE: &[&str] = &[
    "displayName",
    "givenName",
    "surname",
    "userPrincipalName",
    "mail",
    "jobTitle",
];

#[derive(Debug, PartialEq)]
enum SearchToken {
    Clause(String),
    And,
    Or,
    Open,
    Close,
}

fn search_syntax_error(detail: &str) -> GraphError {
    GraphError::unsupported_query(format!("Syntax error in $search: {detail}"))
}

fn tokenize_search(input: &str) -> Result<Vec<SearchToken>, GraphError> {
    let mut tokens = Vec::new();
    let mut chars = input.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            ' ' | '\t' => {
                chars.next();
            }
            '(' => {
                chars.next();
                tokens.push(SearchToken::Open);
            }
            ')' => {
                chars.next();
                tokens.push(SearchToken::Close);
            }
            '"' => {
                chars.next();
                // "The whole clause must be declared inside double quotes. If it contains
                // double quotes or backslash, it should be escaped with a backslash."
                // https://learn.microsoft.com/graph/search-query-parameter#using-search-on-directory-object-collections
                let mut clause = String::new();
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(escaped @ ('"' | '\\')) => clause.push(escaped),
                            _ => return Err(search_syntax_error(
                                "a backslash in a clause must escape a double quote or a backslash",
                            )),
                        },
                        Some(c) => clause.push(c),
                        None => return Err(search_syntax_error("a quoted clause is not closed")),
                    }
                }
                tokens.push(SearchToken::Clause(clause));
            }
            _ => {
                let mut word = String::new();
                while let Some(&c) = chars.peek() {
                    if c == ' ' || c == '(' || c == ')' || c == '"' {
                        break;
                    }
                    word.push(c);
                    chars.next();
                }
                // AND/OR are operators only in upper case, outside quotes.
                tokens.push(match word.as_str() {
                    "AND" => SearchToken::And,
                    "OR" => SearchToken::Or,
                    _ => {
                        return Err(search_syntax_error(&format!(
                            "'{word}' must be quoted as \"property:value\""
                        )))
                    }
                });
            }
        }
    }
    Ok(tokens)
}

struct SearchParser {
    tokens: Vec<SearchToken>,
    position: usize,
}

impl SearchParser {
    fn peek(&self) -> Option<&SearchToken> {
        self.tokens.get(self.position)
    }

    fn or_expression(&mut self) -> Result<Search, GraphError> {
        let mut left = self.and_expression()?;
        while self.peek() == Some(&SearchToken::Or) {
            self.position += 1;
            left = Search::Or(Box::new(left), Box::new(self.and_expression()?));
        }
        Ok(left)
    }

    fn and_expression(&mut self) -> Result<Search, GraphError> {
        let mut left = self.primary()?;
        while self.peek() == Some(&SearchToken::And) {
            self.position += 1;
            left = Search::And(Box::new(left), Box::new(self.primary()?));
        }
        Ok(left)
    }

    fn primary(&mut self) -> Result<Search, GraphError> {
        let token = self.tokens.get(self.position);
        self.position += 1;
        match token {
            Some(SearchToken::Open) => {
                let inner = self.or_expression()?;
                if self.peek() != Some(&SearchToken::Close) {
                    return Err(search_syntax_error("missing ')'"));
                }
                self.position += 1;
                Ok(inner)
            }
            Some(SearchToken::Clause(clause)) => {
                let Some((property, text)) = clause.split_once(':') else {
                    return Err(search_syntax_error(&format!(
                        "\"{clause}\" must name a property, as in \"displayName:{clause}\""
                    )));
                };
                if !SEARCHABLE.contains(&property) {
                    return Err(GraphError::unsupported_query(format!(
                        "Unsupported property '{property}' in $search. Searchable properties: {}.",
                        SEARCHABLE.join(", ")
                    )));
                }
                Ok(Search::Clause {
                    property: property.to_string(),
                    text: text.to_string(),
                })
            }
            _ => Err(search_syntax_error(
                "expected a quoted \"property:value\" clause",
            )),
        }
    }
}

pub fn parse_search(input: &str) -> Result<Search, GraphError> {
    let mut parser = SearchParser {
        tokens: tokenize_search(input)?,
        position: 0,
    };
    let search = parser.or_expression()?;
    if parser.position != parser.tokens.len() {
        return Err(search_syntax_error("unexpected text after the last clause"));
    }
    Ok(search)
}

impl Search {
    pub fn matches(&self, user: &User) -> bool {
        match self {
            Search::And(left, right) => left.matches(user) && right.matches(user),
            Search::Or(left, right) => left.matches(user) || right.matches(user),
            Search::Clause { property, text } => {
                let Some(Some(value)) = user_property(user, property) else {
                    return false;
                };
                if property == "displayName" {
                    // Tokenized: every word searched for begins some word of the name.
                    let name_words = words(value);
                    let wanted = words(text);
                    !wanted.is_empty()
                        && wanted.iter().all(|word| {
                            name_words
                                .iter()
                                .any(|name_word| name_word.starts_with(word))
                        })
                } else {
                    starts_with_ignore_case(value, text)
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// $filter

#[derive(Debug, Clone, PartialEq)]
pub enum FilterClause {
    StartsWith { property: String, prefix: String },
    Equals { property: String, value: String },
}

/// Clauses joined by `or`.
#[derive(Debug, Clone, PartialEq)]
pub struct Filter(pub Vec<FilterClause>);

const STARTSWITH_PROPERTIES: &[&str] = &[
    "displayName",
    "givenName",
    "surname",
    "userPrincipalName",
    "mail",
    "jobTitle",
];
const EQ_PROPERTIES: &[&str] = &[
    "id",
    "displayName",
    "givenName",
    "surname",
    "userPrincipalName",
    "mail",
];

fn unsupported_filter(property: &str) -> GraphError {
    GraphError::unsupported_query(format!(
        "Unsupported or invalid query filter clause specified for property '{property}' of resource 'User'."
    ))
}

fn invalid_filter(filter: &str) -> GraphError {
    GraphError::unsupported_query(format!("Invalid filter clause: '{filter}'."))
}

struct FilterCursor<'a> {
    text: &'a str,
    position: usize,
}

impl<'a> FilterCursor<'a> {
    fn rest(&self) -> &'a str {
        &self.text[self.position..]
    }

    fn skip_spaces(&mut self) {
        let trimmed = self.rest().trim_start();
        self.position = self.text.len() - trimmed.len();
    }

    fn eat(&mut self, expected: &str) -> bool {
        if self.rest().starts_with(expected) {
            self.position += expected.len();
            true
        } else {
            false
        }
    }

    fn identifier(&mut self) -> &'a str {
        let rest = self.rest();
        let length = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        self.position += length;
        &rest[..length]
    }

    /// An OData string literal: single quotes, a quote inside doubled.
    fn string_literal(&mut self) -> Option<String> {
        if !self.eat("'") {
            return None;
        }
        let mut value = String::new();
        let mut chars = self.rest().char_indices();
        while let Some((offset, c)) = chars.next() {
            if c == '\'' {
                if self.rest()[offset + 1..].starts_with('\'') {
                    value.push('\'');
                    chars.next();
                    continue;
                }
                self.position += offset + 1;
                return Some(value);
            }
            value.push(c);
        }
        None
    }
}

pub fn parse_filter(input: &str) -> Result<Filter, GraphError> {
    let mut cursor = FilterCursor {
        text: input,
        position: 0,
    };
    let mut clauses = Vec::new();
    loop {
        cursor.skip_spaces();
        if cursor.eat("startswith(") {
            cursor.skip_spaces();
            let property = cursor.identifier();
            if !STARTSWITH_PROPERTIES.contains(&property) {
                return Err(unsupported_filter(property));
            }
            cursor.skip_spaces();
            if !cursor.eat(",") {
                return Err(invalid_filter(input));
            }
            cursor.skip_spaces();
            let prefix = cursor
                .string_literal()
                .ok_or_else(|| invalid_filter(input))?;
            cursor.skip_spaces();
            if !cursor.eat(")") {
                return Err(invalid_filter(input));
            }
            clauses.push(FilterClause::StartsWith {
                property: property.to_string(),
                prefix,
            });
        } else {
            let property = cursor.identifier();
            if property.is_empty() {
                return Err(invalid_filter(input));
            }
            cursor.skip_spaces();
            if !cursor.eat("eq ") || !EQ_PROPERTIES.contains(&property) {
                return Err(unsupported_filter(property));
            }
            cursor.skip_spaces();
            let value = cursor
                .string_literal()
                .ok_or_else(|| unsupported_filter(property))?;
            clauses.push(FilterClause::Equals {
                property: property.to_string(),
                value,
            });
        }
        cursor.skip_spaces();
        if cursor.rest().is_empty() {
            return Ok(Filter(clauses));
        }
        if !cursor.eat("or ") {
            return Err(invalid_filter(input));
        }
    }
}

impl Filter {
    pub fn matches(&self, user: &User) -> bool {
        self.0.iter().any(|clause| match clause {
            FilterClause::StartsWith { property, prefix } => {
                matches!(user_property(user, property), Some(Some(value)) if starts_with_ignore_case(value, prefix))
            }
            FilterClause::Equals { property, value } => {
                matches!(user_property(user, property), Some(Some(actual)) if actual.eq_ignore_ascii_case(value))
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_parses_or_and_parentheses() {
        let search = parse_search(r#"("displayName:ad" OR "mail:ad") AND "surname:v""#).unwrap();
        assert!(matches!(search, Search::And(_, _)));
        assert!(
            parse_search(r#""displayName:ad" or "mail:ad""#).is_err(),
            "lower-case or is not an operator"
        );
        assert!(
            parse_search(r#""ad""#).is_err(),
            "a clause needs a property"
        );
        assert!(parse_search(r#""officeLocation:x""#).is_err());
    }

    #[test]
    fn a_clause_escapes_double_quotes_and_backslashes_with_a_backslash() {
        let search = parse_search(r#""displayName:Bob \"B\" CORP\\x""#).unwrap();
        assert_eq!(
            search,
            Search::Clause {
                property: "displayName".into(),
                text: r#"Bob "B" CORP\x"#.into()
            }
        );
        assert!(
            parse_search(r#""displayName:a\b""#).is_err(),
            "only a quote or a backslash may follow a backslash"
        );
        assert!(
            parse_search(r#""displayName:a\""#).is_err(),
            "an escaped quote does not close the clause"
        );
    }

    #[test]
    fn filter_parses_startswith_and_eq_with_or() {
        let filter =
            parse_filter("startswith(displayName,'O''Brien') or userPrincipalName eq 'a@b'")
                .unwrap();
        assert_eq!(
            filter.0,
            vec![
                FilterClause::StartsWith {
                    property: "displayName".into(),
                    prefix: "O'Brien".into()
                },
                FilterClause::Equals {
                    property: "userPrincipalName".into(),
                    value: "a@b".into()
                },
            ]
        );
        assert!(parse_filter("accountEnabled eq true").is_err());
        assert!(parse_filter("startswith(displayName,'a') and mail eq 'x'").is_err());
        assert!(parse_filter("endswith(mail,'x')").is_err());
    }
}
