// Package text makes strings safe to store and to answer with: every text
// that reaches the database or an API answer (result tags, error messages,
// names, log excerpts, host and file messages) is cut on a character
// boundary and made valid UTF-8 here, and nowhere else. The agent and the
// server call the same functions, so a text reads the same whichever side
// cut it.
//
// Invalid bytes become U+FFFD (one per run of invalid bytes, as
// strings.ToValidUTF8 does), so a column declared in characters (MySQL
// utf8mb4 VARCHAR(n)) never refuses the value and an API answer never
// carries half a character.
package text
