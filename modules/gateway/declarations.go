package gateway

import (
	"github.com/bkjob/bkjob/gse"
	"github.com/bkjob/bkjob/modules/execute"
	"github.com/bkjob/bkjob/modules/logsvr"
	"github.com/bkjob/bkjob/modules/manage"
	"github.com/bkjob/bkjob/platform/api"
)

// Declarations are every contract's declared methods, the modules' and
// the gse role's: the one list the endpoint table, the UI's TypeScript
// client, the body limits and the tests that every declared route is
// mounted read. A new module's contract is added here.
func Declarations() []api.Method {
	var all []api.Method
	for _, ds := range [][]api.Method{execute.Declarations(), manage.Declarations(), logsvr.Declarations(), gse.Declarations()} {
		all = append(all, ds...)
	}
	return all
}
