// Package schema embeds bkjob's versioned SQL migrations, one set per
// dialect: schema/<dialect>/NNNN_name.sql, applied in order of NNNN.
//
// Number ranges keep modules out of each other's way:
// 0001-0009 platform, 0010-0019 gse (hosts, agents), 0020-0039 execute,
// 0040-0049 logsvr, 0050-0069 manage and gateway (businesses, accounts,
// users, API apps), 0070+ later modules.
//
// Both dialects carry the same versions with the same names; platform/db
// records each applied version in schema_migrations(version, name,
// applied_at) and applies a file once, in its own transaction. A file that
// has been applied is never edited: change the schema with a new version.
//
// How platform/db splits a file into statements (no SQL parser, so keep to
// this rule):
//   - a statement ends at a ';' that is the last non-blank character of its
//     line, or at the end of the file;
//   - a line whose first non-blank characters are "--" is a comment and is
//     dropped, even if it ends with ';';
//   - a ';' anywhere else (mid-line, inside a string) does not split, so put
//     one statement per line-ending ';', never end a line inside a string
//     literal with ';', and put no comment after a statement's ';'.
//
// MySQL commits DDL implicitly, so a MySQL migration that fails halfway is
// not rolled back: keep MySQL files to statements that can be rerun
// (CREATE TABLE IF NOT EXISTS, …) or to one DDL statement per version.
package schema

import "embed"

// FS holds sqlite/*.sql and mysql/*.sql.
//
//go:embed sqlite/*.sql mysql/*.sql
var FS embed.FS
