// Package schema embeds bkjob's versioned SQL migrations, one set per
// dialect: schema/<dialect>/NNNN_name.sql, applied in order of NNNN.
//
// Number ranges keep modules out of each other's way:
// 0001-0009 platform, 0010-0019 gse (hosts, agents), 0020-0039 execute,
// 0040-0049 logsvr, 0050-0069 manage and gateway (businesses, accounts,
// users, API apps), 0070+ later modules.
package schema

import "embed"

// FS holds sqlite/*.sql and mysql/*.sql.
//
//go:embed sqlite/*.sql mysql/*.sql
var FS embed.FS
