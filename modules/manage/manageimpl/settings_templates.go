package manageimpl

import (
	"embed"
	"fmt"

	"github.com/bkjob/bkjob/gse"
)

// The built-in script templates: what a new script of a language starts
// with until an administrator sets another. Like bk-job's, they define
// job_start, job_success "msg" (prints job_success:[msg], exits 0) and
// job_fail "msg" (prints job_fail:[msg], exits 1) for every language a
// host runs.
//
//go:embed templates
var templateFiles embed.FS

// templateLanguages are the languages with a template and its file.
var templateLanguages = []struct {
	lang int
	file string
}{
	{gse.LangShell, "shell.sh"},
	{gse.LangBat, "bat.bat"},
	{gse.LangPerl, "perl.pl"},
	{gse.LangPython, "python.py"},
	{gse.LangPowerShell, "powershell.ps1"},
	{gse.LangSQL, "sql.sql"},
}

// builtinTemplate returns the built-in template of lang.
func builtinTemplate(lang int) string {
	for _, t := range templateLanguages {
		if t.lang == lang {
			b, err := templateFiles.ReadFile("templates/" + t.file)
			if err != nil {
				panic(fmt.Sprintf("built-in template %s: %v", t.file, err)) // embedded: cannot fail
			}
			return string(b)
		}
	}
	return ""
}
