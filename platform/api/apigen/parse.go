package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/parser"
	"go/printer"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/bkjob/bkjob/platform/api"
)

// A method's doc comment may carry these directive lines:
//
//	//api:v3 <name> [post] [admin] [jobbody] [extension]
//	//api:web [<name>] [post] [admin] [jobbody]
//	//api:partly <what is refused still>
//
// v3 puts the method on bk-job's OpenAPI v3 as <name>; web puts it on the
// web API at /api/web/<name> (the v3 name when none is given), behind the
// session and CSRF check. Options apply to every surface of the method:
// post: GET is refused (bk-job's backend_http_methods say POST); admin:
// administrators only; jobbody: the body may be as large as
// http.max_job_body_bytes (script content, config files, long target
// lists) instead of http.max_body_bytes; extension: a bkjob endpoint bk-job
// does not have.
// Every bk-job endpoint is also served at bk-job's other paths
// (/api/v3/system/, ESB, backend; modules/gateway). partly says what of
// bk-job's endpoint bkjob does not serve yet (docs/api.md). A method with
// none of them is an internal call between roles (bus only).
const (
	directive       = "//api:v3"
	webDirective    = "//api:web"
	partlyDirective = "//api:partly"
)

// method is one contract method as declared.
type method struct {
	api.Method
	params []param // after the context
	result string  // "" when the method returns only an error
}

type param struct{ name, typ string }

// contract is the flattened contract interface of one package.
type contract struct {
	pkg     string
	name    string
	client  string // the generated bus client type
	methods []method
	imports map[string]string // qualifier → import path, of the types used
}

// parseContract reads the package in dir and flattens interface name
// (embedded interfaces of the same package included, in order).
func parseContract(dir, name, module string) (*contract, error) {
	fset := token.NewFileSet()
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", dir, err)
	}
	ifaces := map[string]*ast.InterfaceType{}
	fileOf := map[string]*ast.File{}
	var pkg string
	for _, e := range entries {
		n := e.Name()
		if !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") || n == OutputName {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, n), nil, parser.ParseComments)
		if err != nil {
			return nil, fmt.Errorf("parse %s: %w", n, err)
		}
		pkg = f.Name.Name
		for _, d := range f.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				continue
			}
			for _, s := range gd.Specs {
				ts, ok := s.(*ast.TypeSpec)
				if !ok {
					continue
				}
				if it, ok := ts.Type.(*ast.InterfaceType); ok {
					ifaces[ts.Name.Name] = it
					fileOf[ts.Name.Name] = f
				}
			}
		}
	}
	if ifaces[name] == nil {
		return nil, fmt.Errorf("no interface %s in package %s (%s)", name, pkg, dir)
	}
	if module == "" {
		module = pkg
	}
	c := &contract{pkg: pkg, name: name, imports: map[string]string{}}
	seen := map[string]bool{}
	if err := c.flatten(fset, ifaces, fileOf, name, module, seen); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *contract) flatten(fset *token.FileSet, ifaces map[string]*ast.InterfaceType, fileOf map[string]*ast.File, name, module string, seen map[string]bool) error {
	it := ifaces[name]
	if it == nil {
		return fmt.Errorf("interface %s embeds %s, which is not an interface of this package", c.name, name)
	}
	for _, f := range it.Methods.List {
		ft, ok := f.Type.(*ast.FuncType)
		if !ok {
			id, isIdent := f.Type.(*ast.Ident)
			if !isIdent {
				return fmt.Errorf("interface %s embeds %s: only interfaces of this package can be embedded", name, expr(fset, f.Type))
			}
			if err := c.flatten(fset, ifaces, fileOf, id.Name, module, seen); err != nil {
				return err
			}
			continue
		}
		m, err := c.parseMethod(fset, fileOf[name], f.Names[0].Name, ft, f.Doc, module)
		if err != nil {
			return fmt.Errorf("%s.%s: %w", name, f.Names[0].Name, err)
		}
		m.Group = name
		if seen[m.Go] {
			return fmt.Errorf("method %s is declared twice", m.Go)
		}
		seen[m.Go] = true
		c.methods = append(c.methods, m)
	}
	return nil
}

func (c *contract) parseMethod(fset *token.FileSet, file *ast.File, name string, ft *ast.FuncType, doc *ast.CommentGroup, module string) (method, error) {
	m := method{Method: api.Method{Bus: module + "." + name, Go: name}}
	var params []param
	for _, p := range ft.Params.List {
		typ := expr(fset, p.Type)
		c.useImports(file, p.Type)
		if len(p.Names) == 0 {
			return m, fmt.Errorf("parameters must be named")
		}
		for _, n := range p.Names {
			params = append(params, param{name: n.Name, typ: typ})
		}
	}
	if len(params) == 0 || params[0].typ != "context.Context" {
		return m, fmt.Errorf("the first parameter must be a context.Context")
	}
	m.params = params[1:]
	res := ft.Results
	switch {
	case res == nil || len(res.List) == 0:
		return m, fmt.Errorf("must return an error")
	case len(res.List) == 1 && expr(fset, res.List[0].Type) == "error":
	case len(res.List) == 2 && expr(fset, res.List[1].Type) == "error" && len(res.List[0].Names) <= 1:
		m.result = expr(fset, res.List[0].Type)
		c.useImports(file, res.List[0].Type)
	default:
		return m, fmt.Errorf("must return (T, error) or error")
	}
	if err := parseDirective(doc, &m); err != nil {
		return m, err
	}
	if m.Partly != "" && m.V3 == "" {
		return m, fmt.Errorf("%s without %s", partlyDirective, directive)
	}
	if (m.V3 != "" || m.Web != "") && (len(m.params) != 1 || m.result == "") {
		return m, fmt.Errorf("a v3 or web method takes one request and returns (answer, error)")
	}
	return m, nil
}

func parseDirective(doc *ast.CommentGroup, m *method) error {
	if doc == nil {
		return nil
	}
	for _, cm := range doc.List {
		if rest, ok := strings.CutPrefix(cm.Text, partlyDirective+" "); ok {
			m.Partly = strings.TrimSpace(rest)
			continue
		}
		switch {
		case cm.Text == webDirective || strings.HasPrefix(cm.Text, webDirective+" "):
			fields := strings.Fields(strings.TrimPrefix(cm.Text, webDirective))
			m.Web = "-" // the v3 name, filled in below
			if len(fields) > 0 && !isOption(fields[0]) {
				m.Web, fields = fields[0], fields[1:]
			}
			if err := m.options(webDirective, fields, false); err != nil {
				return err
			}
		case strings.HasPrefix(cm.Text, directive+" "):
			fields := strings.Fields(strings.TrimPrefix(cm.Text, directive))
			if len(fields) == 0 || isOption(fields[0]) {
				return fmt.Errorf("%s needs an endpoint name", directive)
			}
			m.V3 = fields[0]
			if err := m.options(directive, fields[1:], true); err != nil {
				return err
			}
		}
	}
	if m.Web == "-" {
		if m.V3 == "" {
			return fmt.Errorf("%s needs a name when the method has no %s line", webDirective, directive)
		}
		m.Web = m.V3
	}
	return nil
}

func isOption(f string) bool {
	return f == "post" || f == "admin" || f == "extension" || f == "jobbody"
}

func (m *method) options(d string, fields []string, v3 bool) error {
	for _, f := range fields {
		switch {
		case f == "post":
			m.PostOnly = true
		case f == "admin":
			m.Admin = true
		case f == "jobbody":
			m.JobBody = true
		case f == "extension" && v3:
			m.Extension = true
		default:
			return fmt.Errorf("%s: unknown option %q (post, admin, jobbody%s)", d, f, map[bool]string{true: ", extension"}[v3])
		}
	}
	return nil
}

// useImports records the import paths of the packages e refers to.
func (c *contract) useImports(file *ast.File, e ast.Expr) {
	ast.Inspect(e, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return true
		}
		if id, ok := sel.X.(*ast.Ident); ok {
			for _, imp := range file.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				q := path[strings.LastIndex(path, "/")+1:]
				if imp.Name != nil {
					q = imp.Name.Name
				}
				if q == id.Name {
					c.imports[q] = path
				}
			}
		}
		return false
	})
}

// importQualifiers are the contract's imported package names, sorted by
// their paths.
func (c *contract) importQualifiers() []string {
	out := make([]string, 0, len(c.imports))
	for q := range c.imports {
		out = append(out, q)
	}
	sort.Slice(out, func(i, j int) bool { return c.imports[out[i]] < c.imports[out[j]] })
	return out
}

func expr(fset *token.FileSet, e ast.Expr) string {
	var b bytes.Buffer
	_ = printer.Fprint(&b, fset, e)
	return b.String()
}
