//! Redshift's naming rules for identifiers, databases and users, checked before deployment.

/// Redshift's reserved words, which cannot name a database or a user.
const RESERVED: &[&str] = &[
    "aes128",
    "aes256",
    "all",
    "allowoverwrite",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "authorization",
    "backup",
    "between",
    "binary",
    "blanksasnull",
    "both",
    "bytedict",
    "bzip2",
    "case",
    "cast",
    "check",
    "collate",
    "column",
    "constraint",
    "create",
    "credentials",
    "cross",
    "current_date",
    "current_time",
    "current_timestamp",
    "current_user",
    "current_user_id",
    "default",
    "deferrable",
    "deflate",
    "defrag",
    "delta",
    "delta32k",
    "desc",
    "disable",
    "distinct",
    "do",
    "else",
    "emptyasnull",
    "enable",
    "encode",
    "encrypt",
    "encryption",
    "end",
    "except",
    "explicit",
    "false",
    "for",
    "foreign",
    "freeze",
    "from",
    "full",
    "globaldict256",
    "globaldict64k",
    "grant",
    "group",
    "gzip",
    "having",
    "identity",
    "ignore",
    "ilike",
    "in",
    "initially",
    "inner",
    "intersect",
    "interval",
    "into",
    "is",
    "isnull",
    "join",
    "leading",
    "left",
    "like",
    "limit",
    "localtime",
    "localtimestamp",
    "lun",
    "luns",
    "lzo",
    "lzop",
    "minus",
    "mostly16",
    "mostly32",
    "mostly8",
    "natural",
    "new",
    "not",
    "notnull",
    "null",
    "nulls",
    "off",
    "offline",
    "offset",
    "oid",
    "old",
    "on",
    "only",
    "open",
    "or",
    "order",
    "outer",
    "overlaps",
    "parallel",
    "partition",
    "percent",
    "permissions",
    "pivot",
    "placing",
    "primary",
    "raw",
    "readratio",
    "recover",
    "references",
    "rejectlog",
    "resort",
    "respect",
    "restore",
    "right",
    "select",
    "session_user",
    "similar",
    "snapshot",
    "some",
    "sysdate",
    "system",
    "table",
    "tag",
    "tdes",
    "text255",
    "text32k",
    "then",
    "timestamp",
    "to",
    "top",
    "trailing",
    "true",
    "truncatecolumns",
    "union",
    "unique",
    "unnest",
    "unpivot",
    "user",
    "using",
    "verbose",
    "wallet",
    "when",
    "where",
    "with",
    "without",
];

fn reserved(word: &str) -> bool {
    RESERVED.contains(&word)
}

/// What is wrong with `name` as the cluster identifier.
pub(crate) fn cluster_identifier(name: &str) -> Option<String> {
    let problem = if name.is_empty() || name.len() > 63 {
        "must be 1 to 63 characters long"
    } else if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        "may contain only lower-case letters, digits and '-'"
    } else if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        "must start with a letter"
    } else if name.ends_with('-') || name.contains("--") {
        "must not end with '-' or contain two '-' in a row"
    } else {
        return None;
    };
    Some(format!("cluster identifier \"{name}\" {problem}"))
}

/// What is wrong with `name` as the name of the first database.
pub(crate) fn database_name(name: &str) -> Option<String> {
    let problem = if name.is_empty() || name.len() > 64 {
        "must be 1 to 64 characters long"
    } else if !name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        "may contain only lower-case letters, digits and '_'"
    } else if !name.starts_with(|c: char| c.is_ascii_lowercase() || c == '_') {
        "must start with a letter or '_'"
    } else if reserved(name) {
        "is a reserved word"
    } else {
        return None;
    };
    Some(format!("database name \"{name}\" {problem}"))
}

/// What is wrong with `name` as the admin user's name.
pub(crate) fn master_username(name: &str) -> Option<String> {
    let problem = if name.is_empty() || name.len() > 128 {
        "must be 1 to 128 characters long"
    } else if !name.chars().all(|c| {
        c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '_' | '+' | '.' | '@' | '-')
    }) {
        "may contain only lower-case letters, digits, '_', '+', '.', '@' and '-'"
    } else if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        "must start with a letter"
    } else if name == "public" || reserved(name) {
        "is a reserved word"
    } else {
        return None;
    };
    Some(format!("master username \"{name}\" {problem}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers() {
        assert!(cluster_identifier("analytics-warehouse").is_none());
        for bad in ["", "Warehouse", "1st", "a--b", "ends-", "under_score"] {
            assert!(cluster_identifier(bad).is_some(), "{bad}");
        }
    }

    #[test]
    fn databases_and_users() {
        assert!(database_name("analytics").is_none());
        assert!(database_name("sales_2026").is_none());
        for bad in ["", "Sales", "9lives", "table", "a-b"] {
            assert!(database_name(bad).is_some(), "{bad}");
        }
        assert!(master_username("analyticsadmin").is_none());
        assert!(master_username("admin").is_none());
        for bad in ["", "Admin", "_admin", "public", "user", "a:b", "a/b"] {
            assert!(master_username(bad).is_some(), "{bad}");
        }
    }
}
