package gsetest

// HostileParams are script parameters that would run commands or change
// the word split if a transport handed them to a shell unquoted; every
// transport must give the script exactly HostileArgv (gse.SplitParams).
const HostileParams = `$(id -un) ` + "`id -un`" + ` ; | && 'a b' "x y" \$HOME $HOME * "q\"uote" it\'s >out`

// HostileArgv is the argument vector HostileParams must reach a script as.
var HostileArgv = []string{"$(id", "-un)", "`id", "-un`", ";", "|", "&&", "a b", "x y", "$HOME", "$HOME", "*", `q"uote`, "it's", ">out"}
