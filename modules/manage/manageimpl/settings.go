package manageimpl

import (
	"context"
	"fmt"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/bkjob/bkjob/modules/manage"
	"github.com/bkjob/bkjob/platform/errs"
)

// The sections of global_setting.
const (
	settingPlatformInfo = "platform_info"
	settingFileUpload   = "file_upload"
	settingNameRule     = "account_name_rule." // + account type
	settingTemplate     = "script_template."   // + script language
)

// accountTypes are the account types a naming rule can be set for.
var accountTypes = []int{manage.AccountTypeLinux, manage.AccountTypeWindows, manage.AccountTypeMySQL, manage.AccountTypeOracle, manage.AccountTypeDB2}

// defaultUpload is the upload section while none is set.
var defaultUpload = manage.FileUploadSettings{MaxSizeBytes: manage.MaxUploadSizeBytes, ExtensionMode: manage.UploadExtensionsAny, ExtensionList: []string{}}

// GetGlobalSettings implements manage.GlobalSettings.
func (s *Service) GetGlobalSettings(ctx context.Context, _ manage.GetGlobalSettingsRequest) (manage.GlobalSettingsInfo, error) {
	rows, err := s.settings.all(ctx)
	if err != nil {
		return manage.GlobalSettingsInfo{}, err
	}
	out := manage.GlobalSettingsInfo{FileUpload: defaultUpload}
	decode := func(name string, v any) error {
		r, ok := rows[name]
		if !ok {
			return nil
		}
		if out.UpdateTime < r.UpdatedAt.UnixMilli() {
			out.UpdateTime, out.UpdatedBy = r.UpdatedAt.UnixMilli(), r.LastModifyUser
		}
		_, err := s.settings.decode(r, v)
		return err
	}
	if err := decode(settingPlatformInfo, &out.PlatformInfo); err != nil {
		return out, err
	}
	if err := decode(settingFileUpload, &out.FileUpload); err != nil {
		return out, err
	}
	for _, typ := range accountTypes {
		rule := manage.AccountNameRule{AccountType: typ}
		if err := decode(settingNameRule+strconv.Itoa(typ), &rule); err != nil {
			return out, err
		}
		out.AccountNameRules = append(out.AccountNameRules, rule)
	}
	for _, t := range templateLanguages {
		tpl := manage.ScriptTemplate{ScriptLanguage: t.lang, Content: builtinTemplate(t.lang)}
		if err := decode(settingTemplate+strconv.Itoa(t.lang), &tpl); err != nil {
			return out, err
		}
		out.ScriptTemplates = append(out.ScriptTemplates, tpl)
	}
	return out, nil
}

// UpdateGlobalSettings implements manage.GlobalSettings: every section is
// checked before any is written, and they are written together.
func (s *Service) UpdateGlobalSettings(ctx context.Context, req manage.UpdateGlobalSettingsRequest) (manage.GlobalSettingsInfo, error) {
	sections := map[string]any{}
	if req.PlatformInfo != nil {
		info, err := checkPlatformInfo(*req.PlatformInfo)
		if err != nil {
			return manage.GlobalSettingsInfo{}, err
		}
		sections[settingPlatformInfo] = info
	}
	if req.FileUpload != nil {
		up, err := checkUploadSettings(*req.FileUpload)
		if err != nil {
			return manage.GlobalSettingsInfo{}, err
		}
		sections[settingFileUpload] = up
	}
	for i, r := range req.AccountNameRules {
		rule, err := checkNameRule(fmt.Sprintf("account_name_rules[%d]", i), r)
		if err != nil {
			return manage.GlobalSettingsInfo{}, err
		}
		name := settingNameRule + strconv.Itoa(rule.AccountType)
		if _, dup := sections[name]; dup {
			return manage.GlobalSettingsInfo{}, errs.Invalid(fmt.Sprintf("account_name_rules[%d].account_type", i), "account type %d is given twice", rule.AccountType)
		}
		sections[name] = rule
	}
	for i, t := range req.ScriptTemplates {
		field := fmt.Sprintf("script_templates[%d]", i)
		if builtinTemplate(t.ScriptLanguage) == "" {
			return manage.GlobalSettingsInfo{}, errs.Invalid(field+".script_language", "must be 1 shell, 2 bat, 3 perl, 4 python, 5 powershell or 6 SQL, got %d", t.ScriptLanguage)
		}
		if len(t.Content) > manage.MaxScriptTemplateLen {
			return manage.GlobalSettingsInfo{}, errs.Invalid(field+".content", "at most %d bytes", manage.MaxScriptTemplateLen)
		}
		if !utf8.ValidString(t.Content) || strings.ContainsRune(t.Content, 0) {
			return manage.GlobalSettingsInfo{}, errs.Invalid(field+".content", "must be UTF-8 text without NUL")
		}
		name := settingTemplate + strconv.Itoa(t.ScriptLanguage)
		if _, dup := sections[name]; dup {
			return manage.GlobalSettingsInfo{}, errs.Invalid(field+".script_language", "language %d is given twice", t.ScriptLanguage)
		}
		if strings.TrimSpace(t.Content) == "" {
			t.Content = builtinTemplate(t.ScriptLanguage) // empty: back to the built-in one
		}
		sections[name] = t
	}
	if len(sections) == 0 {
		return manage.GlobalSettingsInfo{}, errs.Required("platform_info").Withf("nothing to change: give platform_info, file_upload, account_name_rules or script_templates")
	}
	if err := s.settings.put(ctx, req.Operator, sections); err != nil {
		return manage.GlobalSettingsInfo{}, err
	}
	names := make([]string, 0, len(sections))
	for n := range sections {
		names = append(names, n)
	}
	slices.Sort(names)
	s.log.Info("global settings updated", "operator", req.Operator, "sections", names)
	return s.GetGlobalSettings(ctx, manage.GetGlobalSettingsRequest{})
}

func checkPlatformInfo(in manage.PlatformInfo) (manage.PlatformInfo, error) {
	out := manage.PlatformInfo{Title: strings.TrimSpace(in.Title), Footer: strings.TrimSpace(in.Footer), HelpLink: strings.TrimSpace(in.HelpLink)}
	if err := checkLine("platform_info.title", out.Title, manage.MaxPlatformTitleLen); err != nil {
		return out, err
	}
	if err := checkLine("platform_info.footer", out.Footer, manage.MaxPlatformFooterLen); err != nil {
		return out, err
	}
	if err := checkLine("platform_info.help_link", out.HelpLink, manage.MaxHelpLinkLen); err != nil {
		return out, err
	}
	if out.HelpLink != "" {
		// Shown as a link to everyone: http(s) only, so no javascript: URL.
		u, err := url.Parse(out.HelpLink)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return out, errs.Invalid("platform_info.help_link", "must be an http:// or https:// address")
		}
	}
	return out, nil
}

// checkLine checks one line of text shown in the UI.
func checkLine(field, v string, maxLen int) error {
	switch {
	case utf8.RuneCountInString(v) > maxLen:
		return errs.Invalid(field, "at most %d characters", maxLen)
	case strings.IndexFunc(v, unicode.IsControl) >= 0:
		return errs.Invalid(field, "must be one line without control characters")
	}
	return nil
}

var extensionChars = regexp.MustCompile(`^[a-z0-9_+-]*$`)

func checkUploadSettings(in manage.FileUploadSettings) (manage.FileUploadSettings, error) {
	out := manage.FileUploadSettings{MaxSizeBytes: in.MaxSizeBytes, ExtensionMode: in.ExtensionMode, ExtensionList: []string{}}
	switch {
	case out.MaxSizeBytes == 0:
		out.MaxSizeBytes = manage.MaxUploadSizeBytes
	case out.MaxSizeBytes < 0 || out.MaxSizeBytes > manage.MaxUploadSizeBytes:
		return out, errs.Invalid("file_upload.max_size_bytes", "must be 1-%d (push_config_file's own limit), got %d", manage.MaxUploadSizeBytes, out.MaxSizeBytes)
	}
	if out.ExtensionMode == "" {
		out.ExtensionMode = manage.UploadExtensionsAny
	}
	if out.ExtensionMode != manage.UploadExtensionsAny && out.ExtensionMode != manage.UploadExtensionsAllow && out.ExtensionMode != manage.UploadExtensionsDeny {
		return out, errs.Invalid("file_upload.extension_mode", "must be any, allow or deny, got %q", out.ExtensionMode)
	}
	if len(in.ExtensionList) > manage.MaxUploadExtensions {
		return out, errs.Invalid("file_upload.extension_list", "at most %d extensions", manage.MaxUploadExtensions)
	}
	for i, e := range in.ExtensionList {
		e = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(e), "."))
		field := fmt.Sprintf("file_upload.extension_list[%d]", i)
		if len(e) > manage.MaxUploadExtensionLen || !extensionChars.MatchString(e) {
			return out, errs.Invalid(field, "an extension without the dot: letters, digits, _ + -, at most %d", manage.MaxUploadExtensionLen)
		}
		if !slices.Contains(out.ExtensionList, e) {
			out.ExtensionList = append(out.ExtensionList, e)
		}
	}
	if out.ExtensionMode == manage.UploadExtensionsAllow && len(out.ExtensionList) == 0 {
		return out, errs.Invalid("file_upload.extension_list", "an allow list needs at least one extension (use \"\" for names without one)")
	}
	return out, nil
}

func checkNameRule(field string, in manage.AccountNameRule) (manage.AccountNameRule, error) {
	out := manage.AccountNameRule{AccountType: in.AccountType, Expression: strings.TrimSpace(in.Expression), Description: strings.TrimSpace(in.Description)}
	if !slices.Contains(accountTypes, out.AccountType) {
		return out, errs.Invalid(field+".account_type", "must be 1 Linux, 2 Windows, 9 MySQL, 10 Oracle or 11 DB2, got %d", out.AccountType)
	}
	if len(out.Expression) > manage.MaxNameRuleLen {
		return out, errs.Invalid(field+".expression", "at most %d characters", manage.MaxNameRuleLen)
	}
	if _, err := nameRuleRegexp(out.Expression); err != nil {
		return out, errs.Invalid(field+".expression", "not a valid regular expression (RE2): %v", err)
	}
	if err := checkLine(field+".description", out.Description, manage.MaxNameRuleDescLen); err != nil {
		return out, err
	}
	return out, nil
}

// nameRuleRegexp compiles a naming rule to match whole names.
func nameRuleRegexp(expr string) (*regexp.Regexp, error) {
	return regexp.Compile(`^(?:` + expr + `)$`)
}

// checkNameRuleOf applies the administrators' naming rule of typ to an
// account name that already passed the built-in checks (the OS's and the
// database's own limits always apply; the rule narrows them).
func (s *Service) checkNameRuleOf(ctx context.Context, typ int, name string) error {
	var rule manage.AccountNameRule
	found, err := s.settings.get(ctx, settingNameRule+strconv.Itoa(typ), &rule)
	if err != nil || !found || rule.Expression == "" {
		return err
	}
	re, err := nameRuleRegexp(rule.Expression)
	if err != nil {
		return fmt.Errorf("account naming rule of type %d: %w", typ, err) // checked when saved
	}
	if !re.MatchString(name) {
		why := rule.Description
		if why == "" {
			why = "it must match " + rule.Expression
		}
		return errs.Invalid("account", "does not follow the platform's naming rule for this account type: %s", why)
	}
	return nil
}

// CheckUploads implements manage.Service.
func (s *Service) CheckUploads(ctx context.Context, req manage.UploadCheck) (manage.UploadsAllowed, error) {
	up := defaultUpload
	if _, err := s.settings.get(ctx, settingFileUpload, &up); err != nil {
		return manage.UploadsAllowed{}, err
	}
	for i, f := range req.Files {
		field := fmt.Sprintf("%s[%d]", req.Field, i)
		if f.Size > up.MaxSizeBytes {
			return manage.UploadsAllowed{}, errs.Invalid(field+".content", "%s is %d bytes; the platform allows files of at most %d bytes", f.Name, f.Size, up.MaxSizeBytes)
		}
		ext := strings.ToLower(strings.TrimPrefix(path.Ext(f.Name), "."))
		listed := slices.Contains(up.ExtensionList, ext)
		switch {
		case up.ExtensionMode == manage.UploadExtensionsAllow && !listed:
			return manage.UploadsAllowed{}, errs.Invalid(field+".file_name", "%s: the platform allows only files ending in %s", f.Name, extensionNames(up.ExtensionList))
		case up.ExtensionMode == manage.UploadExtensionsDeny && listed:
			return manage.UploadsAllowed{}, errs.Invalid(field+".file_name", "%s: the platform refuses files ending in %s", f.Name, extensionNames(up.ExtensionList))
		}
	}
	return manage.UploadsAllowed{Checked: len(req.Files)}, nil
}

// extensionNames lists extensions as a person reads them: ".conf, .ini, (none)".
func extensionNames(exts []string) string {
	out := make([]string, len(exts))
	for i, e := range exts {
		if e == "" {
			out[i] = "(no extension)"
		} else {
			out[i] = "." + e
		}
	}
	return strings.Join(out, ", ")
}
