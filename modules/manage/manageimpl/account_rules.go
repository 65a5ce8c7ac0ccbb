package manageimpl

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/bkjob/bkjob/modules/manage"
	"github.com/bkjob/bkjob/platform/errs"
)

// The account rules. bk-job makes the name rules a global setting ("account
// naming rules", one regex per Linux / Windows / database); until bkjob
// has global settings these are its defaults, and the accounts page checks
// the same ones as the user types (frontend/src/pages/accounts/rules.ts).
const (
	maxAliasLen       = 64
	maxAccountPassLen = 256
	// Windows's own limit for a local user name.
	maxWindowsNameLen = 20
)

var (
	// linuxName is useradd's default NAME_REGEX: lower-case letters,
	// digits, '_' and '-', not starting with a digit or '-', an optional
	// trailing '$' (machine accounts), at most 32 characters.
	linuxName = regexp.MustCompile(`^[a-z_][a-z0-9_-]{0,30}[a-z0-9_$-]?$`)
	// windowsForbidden are the characters Windows refuses in a user name.
	windowsForbidden = `"/\[]:;|=,+*?<>@`
	// dbName: letters, digits and _ . - $ # (MySQL, Oracle and DB2 user
	// names without quoting), at most 32 characters.
	dbName = regexp.MustCompile(`^[A-Za-z0-9_.$#-]{1,32}$`)
)

var accountTypeCategory = map[int]int{
	manage.AccountTypeLinux:   manage.AccountCategorySystem,
	manage.AccountTypeWindows: manage.AccountCategorySystem,
	manage.AccountTypeMySQL:   manage.AccountCategoryDB,
	manage.AccountTypeOracle:  manage.AccountCategoryDB,
	manage.AccountTypeDB2:     manage.AccountCategoryDB,
}

// accountOS is bk-job's os of a system account ("" for database accounts).
func accountOS(t int) string {
	switch t {
	case manage.AccountTypeLinux:
		return "Linux"
	case manage.AccountTypeWindows:
		return "Windows"
	}
	return ""
}

// checkCategoryType checks category and type and that they agree.
func checkCategoryType(category, typ int) error {
	switch {
	case category == 0:
		return errs.Required("category").Withf("is required: 1 (system account) or 2 (database account)")
	case category != manage.AccountCategorySystem && category != manage.AccountCategoryDB:
		return errs.Invalid("category", "must be 1 (system account) or 2 (database account), got %d", category)
	case typ == 0:
		return errs.Required("type").Withf("is required: 1 Linux, 2 Windows, 9 MySQL, 10 Oracle, 11 DB2")
	}
	c, ok := accountTypeCategory[typ]
	switch {
	case !ok:
		return errs.Invalid("type", "must be 1 Linux, 2 Windows, 9 MySQL, 10 Oracle or 11 DB2, got %d", typ)
	case c != category && category == manage.AccountCategorySystem:
		return errs.Invalid("type", "a system account (category 1) is Linux (1) or Windows (2), got %d", typ)
	case c != category:
		return errs.Invalid("type", "a database account (category 2) is MySQL (9), Oracle (10) or DB2 (11), got %d", typ)
	}
	return nil
}

// checkAccountName checks the OS or database user name of type typ.
func checkAccountName(typ int, raw string) (string, error) {
	name := strings.TrimSpace(raw)
	if name == "" {
		return "", errs.Required("account").Withf("is required: the user name the account logs in as")
	}
	switch typ {
	case manage.AccountTypeLinux:
		if !linuxName.MatchString(name) {
			return "", errs.Invalid("account", "a Linux user name: 1-32 lower-case letters, digits, '_' or '-', not starting with a digit or '-' (an optional trailing '$')")
		}
	case manage.AccountTypeWindows:
		switch {
		case utf8.RuneCountInString(name) > maxWindowsNameLen:
			return "", errs.Invalid("account", "a Windows user name: at most %d characters", maxWindowsNameLen)
		case strings.ContainsAny(name, windowsForbidden) || strings.IndexFunc(name, unicode.IsControl) >= 0:
			return "", errs.Invalid("account", "a Windows user name must not contain any of %s or control characters", windowsForbidden)
		case strings.Trim(name, ". ") == "":
			return "", errs.Invalid("account", "a Windows user name cannot be only dots and spaces")
		}
	default:
		if !dbName.MatchString(name) {
			return "", errs.Invalid("account", "a database user name: 1-32 letters, digits or _ . - $ #")
		}
	}
	return name, nil
}

// checkAlias checks an alias; empty is errs.Required (callers default it
// to the account name first where bk-job does).
func checkAlias(raw string) (string, error) {
	alias := strings.TrimSpace(raw)
	switch {
	case alias == "":
		return "", errs.Required("alias")
	case utf8.RuneCountInString(alias) > maxAliasLen:
		return "", errs.Invalid("alias", "at most %d characters", maxAliasLen)
	case strings.IndexFunc(alias, unicode.IsControl) >= 0:
		return "", errs.Invalid("alias", "must not contain control characters")
	}
	return alias, nil
}

// checkAccountPassword checks a password given in field; required says
// whether empty is refused. The value is never quoted back.
func checkAccountPassword(field, pw string, required bool) error {
	switch {
	case pw == "" && required:
		return errs.Required(field)
	case len(pw) > maxAccountPassLen:
		return errs.Invalid(field, "at most %d bytes", maxAccountPassLen)
	case strings.ContainsAny(pw, "\x00\r\n"):
		return errs.Invalid(field, "must not contain NUL or line breaks")
	}
	return nil
}

func checkDBPort(port int, required bool) error {
	switch {
	case port == 0 && required:
		return errs.Required("db_port").Withf("is required: the port the database listens on (1-65535)")
	case port < 0 || port > 65535:
		return errs.Invalid("db_port", "must be 1-65535, got %d", port)
	}
	return nil
}
