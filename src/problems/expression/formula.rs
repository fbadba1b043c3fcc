//! Checking a formula before exmex parses it: every mistake is reported with its column,
//! and the two places where exmex's reading differs from the usual one are made explicit.
//!
//! The formula is split into tokens (numbers, names, `+ - * / ^`, parentheses) and walked
//! once, alternating between "an operand is expected" and "an operator is expected"; a
//! token out of turn, an unbalanced parenthesis, an unknown function or variable, or a
//! function without its parenthesised argument is an error naming its column (1-based,
//! in characters). Then, since exmex gives unary operators precedence over `^` (`-x^2`
//! would be (−x)²) and reads `^` chains from the left (`2^3^2` would be 64), the text
//! handed to exmex parenthesises `-(x^2)` and `2^(3^2)`: the usual mathematical reading.

use super::number::{CONSTANTS, FUNCTIONS};

/// The longest formula, in bytes: the longest command-line argument Linux passes
/// (`expr:…`). Parsed, a formula takes about 1.5 KiB per operand (the value and the
/// hyper-dual expression trees), so this bounds it near 100 MiB; a formula in a spec
/// file could otherwise be 1 GiB long and need a thousand times that.
pub(crate) const MAX_FORMULA_BYTES: usize = 1 << 17;

/// A token and the column (1-based, in characters) where it starts.
#[derive(Clone, Debug, PartialEq)]
struct Token<'a> {
    kind: TokenKind,
    text: &'a str,
    column: usize,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum TokenKind {
    Number,
    Name,
    Operator,
    Open,
    Close,
}

/// A checked formula: the text for exmex and the names it uses as variables.
#[derive(Clone, Debug)]
pub(crate) struct Checked {
    /// The formula with the parentheses exmex needs for the usual reading.
    pub text: String,
    /// The names used as variables or parameters, in order of first use.
    pub names: Vec<String>,
}

/// A formula error: the column and what is wrong there.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct FormulaError {
    pub column: Option<usize>,
    pub message: String,
}

fn error_at(column: usize, message: impl Into<String>) -> FormulaError {
    FormulaError {
        column: Some(column),
        message: message.into(),
    }
}

/// The length in bytes of the number literal at the start of `text` (0 if none):
/// digits with an optional fraction, or a fraction alone, then an optional exponent.
pub(crate) fn scan_number(text: &str) -> usize {
    let bytes = text.as_bytes();
    let digits = |mut i: usize| {
        while i < bytes.len() && bytes[i].is_ascii_digit() {
            i += 1;
        }
        i
    };
    let mut end = digits(0);
    let mut mantissa = end > 0;
    if end < bytes.len() && bytes[end] == b'.' {
        let after = digits(end + 1);
        if after > end + 1 || mantissa {
            mantissa = true;
            end = after;
        }
    }
    if !mantissa {
        return 0;
    }
    if end < bytes.len() && (bytes[end] == b'e' || bytes[end] == b'E') {
        let mut i = end + 1;
        if i < bytes.len() && (bytes[i] == b'+' || bytes[i] == b'-') {
            i += 1;
        }
        let after = digits(i);
        if after > i {
            end = after;
        }
    }
    end
}

fn tokenize(formula: &str) -> Result<Vec<Token<'_>>, FormulaError> {
    let mut tokens = Vec::new();
    let mut rest = formula;
    let mut column = 1;
    while let Some(c) = rest.chars().next() {
        let len = if c.is_whitespace() {
            c.len_utf8()
        } else {
            let (kind, len) = match c {
                '+' | '-' | '*' | '/' | '^' => (TokenKind::Operator, 1),
                '(' => (TokenKind::Open, 1),
                ')' => (TokenKind::Close, 1),
                '0'..='9' | '.' => match scan_number(rest) {
                    0 => return Err(error_at(column, "`.` is not a number")),
                    len => (TokenKind::Number, len),
                },
                c if c == '_' || c.is_ascii_alphabetic() || c == 'π' => {
                    let len = rest
                        .char_indices()
                        .find(|&(_, c)| !(c == '_' || c.is_ascii_alphanumeric() || c == 'π'))
                        .map_or(rest.len(), |(i, _)| i);
                    (TokenKind::Name, len)
                }
                c => {
                    return Err(error_at(
                        column,
                        format!(
                            "unexpected character `{c}` (expected numbers, names, + - * / ^ and parentheses)"
                        ),
                    ))
                }
            };
            tokens.push(Token {
                kind,
                text: &rest[..len],
                column,
            });
            len
        };
        column += rest[..len].chars().count();
        rest = &rest[len..];
    }
    Ok(tokens)
}

fn is_function(name: &str) -> bool {
    FUNCTIONS.contains(&name)
}

fn is_constant(name: &str) -> bool {
    CONSTANTS.iter().any(|&(c, _)| c == name)
}

/// Checks `formula`; `allowed` is the variables and parameters it may use (`None`: any
/// name that is not a function or constant is a variable).
pub(crate) fn check(formula: &str, allowed: Option<&[String]>) -> Result<Checked, FormulaError> {
    if formula.len() > MAX_FORMULA_BYTES {
        return Err(FormulaError {
            column: None,
            message: format!(
                "the formula is {} bytes long, more than the {MAX_FORMULA_BYTES} a formula may have",
                formula.len()
            ),
        });
    }
    let tokens = tokenize(formula)?;
    if tokens.is_empty() {
        return Err(FormulaError {
            column: None,
            message: "the formula is empty".into(),
        });
    }
    let end_column = formula.chars().count() + 1;
    let mut names: Vec<String> = Vec::new();
    // Indices of the open parentheses, and for each token its matching parenthesis.
    let mut open: Vec<usize> = Vec::new();
    let mut matching = vec![usize::MAX; tokens.len()];
    let mut operand_expected = true;
    for (i, token) in tokens.iter().enumerate() {
        let next = tokens.get(i + 1);
        if operand_expected {
            match token.kind {
                TokenKind::Number => operand_expected = false,
                TokenKind::Name if is_function(token.text) => {
                    if next.map(|t| t.kind) != Some(TokenKind::Open) {
                        return Err(error_at(
                            token.column,
                            format!(
                                "the function `{0}` needs its argument in parentheses: {0}(…)",
                                token.text
                            ),
                        ));
                    }
                }
                TokenKind::Name => {
                    if next.map(|t| t.kind) == Some(TokenKind::Open) {
                        return Err(error_at(
                            token.column,
                            format!(
                                "unknown function `{}` (functions: {})",
                                token.text,
                                FUNCTIONS.join(", ")
                            ),
                        ));
                    }
                    if !is_constant(token.text) {
                        if let Some(allowed) = allowed {
                            if !allowed.iter().any(|a| a == token.text) {
                                return Err(error_at(
                                    token.column,
                                    format!(
                                        "`{}` is not a variable or parameter (declared: {})",
                                        token.text,
                                        allowed.join(", ")
                                    ),
                                ));
                            }
                        }
                        if !names.iter().any(|n| n == token.text) {
                            names.push(token.text.to_string());
                        }
                    }
                    operand_expected = false;
                }
                TokenKind::Open => open.push(i),
                TokenKind::Operator if matches!(token.text, "+" | "-") => {}
                _ => {
                    return Err(error_at(
                        token.column,
                        format!("expected a number, a name or `(`, found `{}`", token.text),
                    ))
                }
            }
        } else {
            match token.kind {
                TokenKind::Operator => operand_expected = true,
                TokenKind::Close => match open.pop() {
                    Some(j) => {
                        matching[i] = j;
                        matching[j] = i;
                    }
                    None => {
                        return Err(error_at(token.column, "`)` has no matching `(`"));
                    }
                },
                _ => {
                    return Err(error_at(
                        token.column,
                        format!(
                            "missing operator before `{}` (write a*b for a product)",
                            token.text
                        ),
                    ))
                }
            }
        }
    }
    if let Some(&j) = open.last() {
        return Err(error_at(tokens[j].column, "`(` is never closed"));
    }
    if operand_expected {
        return Err(error_at(
            end_column,
            "the formula ends where an operand is expected",
        ));
    }
    Ok(Checked {
        text: usual_reading(&tokens, &matching),
        names,
    })
}

/// The formula's text with `-a^b` as −(a^b) and `a^b^c` as a^(b^c), from checked tokens.
fn usual_reading(tokens: &[Token], matching: &[usize]) -> String {
    let is_sign = |i: usize| {
        i < tokens.len()
            && tokens[i].kind == TokenKind::Operator
            && matches!(tokens[i].text, "+" | "-")
            && (i == 0 || matches!(tokens[i - 1].kind, TokenKind::Operator | TokenKind::Open))
    };
    let is_power = |i: usize| i < tokens.len() && tokens[i].text == "^";
    // The end (exclusive) of the operand starting at i: signs, then a number, a name, a
    // call or a parenthesised group.
    let operand_end = |mut i: usize| {
        while is_sign(i) {
            i += 1;
        }
        match tokens[i].kind {
            TokenKind::Open => matching[i] + 1,
            TokenKind::Name if is_function(tokens[i].text) => matching[i + 1] + 1,
            _ => i + 1,
        }
    };
    // The end of a power chain a^b^… starting at i.
    let chain_end = |i: usize| {
        let mut end = operand_end(i);
        while is_power(end) {
            end = operand_end(end + 1);
        }
        end
    };
    let mut before = vec![0usize; tokens.len() + 1];
    let mut after = vec![0usize; tokens.len() + 1];
    let mut wrap = |start: usize, end: usize| {
        before[start] += 1;
        after[end - 1] += 1;
    };
    for i in 0..tokens.len() {
        let minus_before_power = is_sign(i) && !is_sign(i + 1) && is_power(operand_end(i + 1));
        if minus_before_power {
            wrap(i + 1, chain_end(i + 1));
        }
        if is_power(i) && is_power(operand_end(i + 1)) {
            wrap(i + 1, chain_end(i + 1));
        }
    }
    let mut text = String::new();
    for (i, token) in tokens.iter().enumerate() {
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(&"(".repeat(before[i]));
        text.push_str(token.text);
        text.push_str(&")".repeat(after[i]));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_overlong_formula_is_refused_before_it_is_read() {
        let long = "x+".repeat(MAX_FORMULA_BYTES / 2) + "x";
        let e = check(&long, None).unwrap_err();
        assert!(e.message.contains("131073 bytes long"), "{}", e.message);
        assert_eq!(
            check(&long[..MAX_FORMULA_BYTES - 1], None).unwrap().names,
            ["x"]
        );
    }

    fn reading(formula: &str) -> String {
        check(formula, None).unwrap().text
    }

    fn column_of(formula: &str) -> Option<usize> {
        check(formula, None).unwrap_err().column
    }

    #[test]
    fn minus_binds_looser_than_power_and_powers_chain_from_the_right() {
        assert_eq!(reading("-x^2"), "- (x ^ 2)");
        assert_eq!(reading("2*-x^2^y"), "2 * - (x ^ (2 ^ y))");
        assert_eq!(reading("-sin(x)^2 + 1"), "- (sin ( x ) ^ 2) + 1");
        assert_eq!(reading("x^-y^2"), "x ^ (- (y ^ 2))");
        assert_eq!(reading("-x*y"), "- x * y");
    }

    #[test]
    fn errors_name_their_column() {
        assert_eq!(column_of("(x^2 - 1"), Some(1));
        assert_eq!(column_of("x^2 - 1)"), Some(8));
        assert_eq!(column_of("2x"), Some(2));
        assert_eq!(column_of("x + foo(y)"), Some(5));
        assert_eq!(column_of("sin x"), Some(1));
        assert_eq!(column_of("x *"), Some(4));
        assert_eq!(column_of("x # y"), Some(3));
        assert_eq!(column_of("π + x @"), Some(7));
        let allowed = ["x".to_string()];
        let e = check("x + z", Some(&allowed)).unwrap_err();
        assert_eq!(e.column, Some(5));
    }

    #[test]
    fn names_are_collected_in_order_of_use() {
        let c = check("b*x_1 + a*x_0 + pi + b", None).unwrap();
        assert_eq!(c.names, ["b", "x_1", "a", "x_0"]);
    }
}
