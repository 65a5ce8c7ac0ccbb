package gse

// ValidEnvName reports whether s is a portable environment variable name
// (letters, digits and '_', not starting with a digit), as ScriptTask.Env
// keys must be: transports put them into shell command lines.
func ValidEnvName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		letter := r == '_' || (r >= 'A' && r <= 'Z') || (r >= 'a' && r <= 'z')
		if !letter && (i == 0 || r < '0' || r > '9') {
			return false
		}
	}
	return true
}
