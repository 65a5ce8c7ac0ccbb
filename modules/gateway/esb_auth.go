package gateway

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/bkjob/bkjob/platform/errs"
	"github.com/bkjob/bkjob/platform/httpx"
)

// esbCredentialKeys are the ESB's common arguments that are credentials.
// They are taken out of every request on an ESB path, from the body and
// the query, so they never reach request binding, handlers or logs.
func esbCredentialKeys() []string {
	return []string{"bk_app_code", "bk_app_secret", "bk_username", "bk_token", "access_token"}
}

// esbActor authenticates a request on one of bk-job's ESB paths, as ESB
// clients send it: bk_app_code, bk_app_secret and bk_username in the JSON
// body of a POST, or in the query of a GET. No header is read. The app is
// checked as X-Bkapi-Authorization is: the same app table, bcrypt, cache
// of verified secrets and failure limits.
func (g *Gateway) esbActor(c echo.Context) (httpx.Actor, error) {
	r := c.Request()
	fromQuery := stripQuery(r)
	var cred apiCredentials
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		cred = apiCredentials{AppCode: fromQuery["bk_app_code"], AppSecret: fromQuery["bk_app_secret"], Username: fromQuery["bk_username"]}
	} else {
		// An address locked out for failed secrets is refused before its
		// body (up to the route's limit) is read and decoded.
		if err := g.limits.admit(r.Context(), ipSubject(c.RealIP())); err != nil {
			return httpx.Actor{}, &appCheckError{code: "(esb)", err: err}
		}
		var err error
		if cred, err = stripBody(r); err != nil {
			return httpx.Actor{}, err
		}
	}
	if cred.AppCode == "" || cred.AppSecret == "" {
		return httpx.Actor{}, errs.ErrUnauthorized.Withf(
			"bk_app_code and bk_app_secret are required: on an ESB path send them, with bk_username, in the JSON body of a POST or the query of a GET")
	}
	return g.appActor(c, cred)
}

// stripQuery removes the credential keys from the query and returns their
// last values.
func stripQuery(r *http.Request) map[string]string {
	q := r.URL.Query()
	found := map[string]string{}
	for _, k := range esbCredentialKeys() {
		if vs, ok := q[k]; ok {
			found[k] = vs[len(vs)-1]
			q.Del(k)
		}
	}
	if len(found) > 0 {
		r.URL.RawQuery = q.Encode()
	}
	return found
}

// stripBody reads a JSON object body, takes the credential keys out of it
// and puts the rest back for binding. An empty body has no credentials; a
// body that is not a JSON object cannot carry them. A body over the route's
// limit comes back as the *http.MaxBytesError the limit middleware answers.
func stripBody(r *http.Request) (apiCredentials, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return apiCredentials{}, nil
	}
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		return apiCredentials{}, fmt.Errorf("read esb request body: %w", err)
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return apiCredentials{}, nil
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil || obj == nil {
		return apiCredentials{}, errs.ErrUnauthorized.Withf(
			"the body of an ESB request must be a JSON object carrying bk_app_code, bk_app_secret and bk_username")
	}
	text := func(k string) string {
		var s string
		_ = json.Unmarshal(obj[k], &s) // absent or not a string: empty, refused below
		return s
	}
	cred := apiCredentials{AppCode: text("bk_app_code"), AppSecret: text("bk_app_secret"), Username: text("bk_username")}
	for _, k := range esbCredentialKeys() {
		delete(obj, k)
	}
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false) // the parameters go on as they came
	if err := enc.Encode(obj); err != nil {
		return apiCredentials{}, fmt.Errorf("encode esb request body: %w", err)
	}
	body := bytes.TrimSuffix(out.Bytes(), []byte("\n"))
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.ContentLength = int64(len(body))
	r.Header.Set(echo.HeaderContentLength, fmt.Sprint(len(body)))
	return cred, nil
}
