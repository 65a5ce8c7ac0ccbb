package manageimpl

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/bkjob/bkjob/modules/manage"
	"github.com/bkjob/bkjob/platform/errs"
)

// maintainerName is a user name as the gateway's users and BlueKing's
// accounts spell them; a comma never (the column is comma-separated).
var maintainerName = regexp.MustCompile(`^[A-Za-z0-9_.@-]+$`)

// scopeIDString checks a new scope's id (field names it) and returns it as
// bk_scope_id: a positive number, which is also its business id.
func scopeIDString(field string, id int64) (string, error) {
	if id <= 0 {
		return "", errs.Invalid(field, "must be a positive number, got %d", id)
	}
	return strconv.FormatInt(id, 10), nil
}

// checkScopeName: required, one line, at most MaxScopeNameLen characters.
func checkScopeName(name string) (string, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "", errs.Required("name")
	case utf8.RuneCountInString(name) > manage.MaxScopeNameLen:
		return "", errs.Invalid("name", "at most %d characters, got %d", manage.MaxScopeNameLen, utf8.RuneCountInString(name))
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return "", errs.Invalid("name", "must not contain control characters")
	}
	return name, nil
}

// checkTimeZone: an IANA name Go can load; "" is the server's own zone
// (as business 1 gets at first start). "Local" is refused: a browser
// cannot read it.
func checkTimeZone(tz string) (string, error) {
	tz = strings.TrimSpace(tz)
	if tz == "" {
		return localZoneName(), nil
	}
	if len(tz) > manage.MaxTimeZoneLen || tz == "Local" {
		return "", errs.Invalid("time_zone", "%q is not an IANA time zone name such as Asia/Shanghai or UTC", tz)
	}
	if _, err := time.LoadLocation(tz); err != nil {
		return "", errs.Invalid("time_zone", "%q is not an IANA time zone name such as Asia/Shanghai or UTC", tz)
	}
	return tz, nil
}

// checkMaintainers: at most MaxMaintainers user names, duplicates dropped,
// order kept. Whether the users exist is not checked: maintainers may be
// BlueKing accounts this server has never seen (bk-job takes them from
// CMDB unchecked too).
func checkMaintainers(names []string) ([]string, error) {
	out := make([]string, 0, len(names))
	for _, n := range names {
		n = strings.TrimSpace(n)
		switch {
		case n == "":
			continue
		case len(n) > manage.MaxMaintainerLen || !maintainerName.MatchString(n):
			return nil, errs.Invalid("maintainers", "%q is not a user name (1..%d of A-Z a-z 0-9 _ . @ -)", n, manage.MaxMaintainerLen)
		case slices.Contains(out, n):
			continue
		}
		out = append(out, n)
	}
	if len(out) > manage.MaxMaintainers {
		return nil, errs.Invalid("maintainers", "at most %d, got %d", manage.MaxMaintainers, len(out))
	}
	return out, nil
}

// checkScopeLanguage: zh_CN or en; "" is zh_CN, the column's default.
func checkScopeLanguage(lang string) (string, error) {
	switch lang {
	case "":
		return manage.LanguageZhCN, nil
	case manage.LanguageZhCN, manage.LanguageEn:
		return lang, nil
	}
	return "", errs.Invalid("language", "must be %s or %s, got %q", manage.LanguageZhCN, manage.LanguageEn, lang)
}

// applyFields checks the fields given and writes them on app; on create
// (all true) a missing field takes its default, a missing name is refused.
func applyFields(app *application, f manage.ScopeFields, create bool) error {
	if f.Name != nil || create {
		name, err := checkScopeName(deref(f.Name))
		if err != nil {
			return err
		}
		app.Name = name
	}
	if f.TimeZone != nil || create {
		tz, err := checkTimeZone(deref(f.TimeZone))
		if err != nil {
			return err
		}
		app.Timezone = tz
	}
	if f.Maintainers != nil || create {
		var names []string
		if f.Maintainers != nil {
			names = *f.Maintainers
		}
		m, err := checkMaintainers(names)
		if err != nil {
			return err
		}
		app.Maintainers = strings.Join(m, ",")
	}
	if f.Language != nil || create {
		lang, err := checkScopeLanguage(deref(f.Language))
		if err != nil {
			return err
		}
		app.Language = lang
	}
	return nil
}

// checkMembers: 1..MaxBizSetMembers positive ids, duplicates dropped,
// sorted. That they are enabled businesses is the store's check.
func checkMembers(ids []int64) ([]int64, error) {
	if len(ids) == 0 {
		return nil, errs.Required("member_biz_ids").Withf("is required: a business set has at least one member business")
	}
	out := slices.Clone(ids)
	slices.Sort(out)
	out = slices.Compact(out)
	if len(out) > manage.MaxBizSetMembers {
		return nil, errs.Invalid("member_biz_ids", "at most %d businesses, got %d", manage.MaxBizSetMembers, len(out))
	}
	if out[0] <= 0 {
		return nil, errs.Invalid("member_biz_ids", "business ids are positive, got %d", out[0])
	}
	return out, nil
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// splitMaintainers reads the comma-separated column ("" is none).
func splitMaintainers(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

// hostsBelongToBiz refuses to register a host in a business set: a host
// belongs to one business, and a set has the hosts of its members
// (bk-job's NOT_SUPPORT_FEATURE_FOR_BIZ_SET).
func hostsBelongToBiz(s manage.ScopeRef) error {
	if s.ScopeType == scopeBizSet {
		return manage.ErrNotForBizSet.Withf("hosts are registered in a business: business set %s has the hosts of its member businesses", s.ScopeID).OnField("bk_scope_type")
	}
	return nil
}
