package errs

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
)

type jsonScope struct {
	ScopeID int64 `json:"bk_scope_id"`
}

type jsonFileSource struct {
	FileList []string `json:"file_list"`
	Account  struct {
		ID int64 `json:"id"`
	} `json:"account"`
}

type jsonReq struct {
	jsonScope
	Sources []jsonFileSource `json:"file_source_list"`
	Timeout *int             `json:"timeout"`
	Env     map[string]int   `json:"env"`
	Secret  string           `json:"password"`
}

// TestInvalidJSONNamesAPIField: a decode error names the field as the API
// does (its JSON path), never a Go type path like jsonScope.bk_scope_id.
func TestInvalidJSONNamesAPIField(t *testing.T) {
	tests := []struct {
		body, field, message string
	}{
		{`{"bk_scope_id":"2"}`, "bk_scope_id", "must be an integer, got a JSON string"},
		{`{"timeout": "x"}`, "timeout", "must be an integer, got a JSON string"},
		{`{"file_source_list":[{"file_list":"a"}]}`, "file_source_list[0].file_list", "must be an array, got a JSON string"},
		{`{"file_source_list":[{}, {"file_list":["a", 7]}]}`, "file_source_list[1].file_list[1]", "must be a string, got a JSON number"},
		{`{"file_source_list":[{"account":{"id":true}}]}`, "file_source_list[0].account.id", "must be an integer, got a JSON bool"},
		{`{"file_source_list":{"a":1}}`, "file_source_list", "must be an array, got a JSON object"},
		{`{"password":["hunter2"]}`, "password", "must be a string, got a JSON array"},
		{`{"env":{"A":"x"}}`, "env", "must be an integer, got a JSON string"},
		{`{"password":"x",}`, "body", "not valid JSON (at byte 17)"},
		{`"hunter2"`, "body", "must be an object, got a JSON string"},
	}
	for _, tt := range tests {
		t.Run(tt.body, func(t *testing.T) {
			var req jsonReq
			err := json.Unmarshal([]byte(tt.body), &req)
			require.Error(t, err)
			e := InvalidJSON([]byte(tt.body), err)
			require.True(t, errors.Is(e, ErrInvalid))
			require.Equal(t, tt.field, e.Field, "%v", err)
			require.Equal(t, tt.message, e.Message)
			require.NotContains(t, e.Error(), "hunter2")
			require.NotContains(t, e.Error(), "jsonScope")
		})
	}
}
