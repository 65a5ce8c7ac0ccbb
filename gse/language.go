package gse

// ScriptExt is the file extension bk-job gives a script of language lang
// (Lang*), with its dot; "" for a language it does not know.
func ScriptExt(lang int) string {
	switch lang {
	case LangShell:
		return ".sh"
	case LangBat:
		return ".bat"
	case LangPerl:
		return ".pl"
	case LangPython:
		return ".py"
	case LangPowerShell:
		return ".ps1"
	case LangSQL:
		return ".sql"
	}
	return ""
}
