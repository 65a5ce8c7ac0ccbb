package httpx

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/platform/errs"
)

type numHost struct {
	HostID  int64  `json:"bk_host_id"`
	CloudID *int   `json:"bk_cloud_id"`
	IP      string `json:"ip"`
}

type numReq struct {
	bindScope
	JobID   int64             `json:"job_instance_id"`
	Timeout *int32            `json:"timeout"`
	Port    uint16            `json:"port"`
	Hosts   []numHost         `json:"host_list"`
	IDs     []int64           `json:"host_id_list"`
	ByName  map[string]uint64 `json:"by_name"`
	Name    string            `json:"name"`
	Ratio   float64           `json:"ratio"`
	Quoted  int64             `json:"quoted,string"`
	Any     any               `json:"any"`
}

// TestBindV3IntegerStrings: integers sent as JSON strings are accepted
// wherever the field is an integer, at any depth, as bk-job's Jackson
// reader accepts them; anything else stays as it was.
func TestBindV3IntegerStrings(t *testing.T) {
	one, seven := 1, int32(7)
	tests := []struct {
		name string
		body string
		want numReq
	}{
		{"top level", `{"job_instance_id":"2"}`, numReq{JobID: 2}},
		{"spaces and sign", `{"job_instance_id":" +12 "}`, numReq{JobID: 12}},
		{"negative", `{"job_instance_id":"-3"}`, numReq{JobID: -3}},
		{"pointer", `{"timeout":"7"}`, numReq{Timeout: &seven}},
		{"unsigned", `{"port":"22"}`, numReq{Port: 22}},
		{"list", `{"host_id_list":["1",2,"3"]}`, numReq{IDs: []int64{1, 2, 3}}},
		{"nested list of structs", `{"host_list":[{"bk_host_id":"5","bk_cloud_id":"1","ip":"10"}]}`,
			numReq{Hosts: []numHost{{HostID: 5, CloudID: &one, IP: "10"}}}},
		{"map values", `{"by_name":{"a":"9"}}`, numReq{ByName: map[string]uint64{"a": 9}}},
		{"embedded strings untouched", `{"bk_scope_id":"2","job_instance_id":"4"}`,
			numReq{bindScope: bindScope{ScopeID: "2"}, JobID: 4}},
		{"string field keeps digits", `{"name":"42","ip":"1"}`, numReq{Name: "42"}},
		{",string field as before", `{"quoted":"8"}`, numReq{Quoted: 8}},
		{"any untouched", `{"any":"8"}`, numReq{Any: "8"}},
		{"case-insensitive key", `{"JOB_INSTANCE_ID":"6"}`, numReq{JobID: 6}},
		{"numbers as before", `{"job_instance_id":3,"ratio":1.5}`, numReq{JobID: 3, Ratio: 1.5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got numReq
			err := BindV3(newBindContext(http.MethodPost, tt.body), &got, 1<<10)
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

// TestBindV3IntegerStringsRefused: a string that is not an integer is
// still refused with the wrong-type error naming the JSON path.
func TestBindV3IntegerStringsRefused(t *testing.T) {
	tests := []struct {
		name, body, field string
		code              string
	}{
		{"fraction", `{"job_instance_id":"2.5"}`, "job_instance_id", errs.ErrInvalidType.Code},
		{"word", `{"job_instance_id":"abc"}`, "job_instance_id", errs.ErrInvalidType.Code},
		{"empty", `{"job_instance_id":""}`, "job_instance_id", errs.ErrInvalidType.Code},
		{"overflow", `{"port":"70000"}`, "port", errs.ErrInvalidType.Code},
		{"negative unsigned", `{"port":"-1"}`, "port", errs.ErrInvalidType.Code},
		{"nested", `{"host_list":[{"bk_host_id":"1"},{"bk_host_id":"x"}]}`, "host_list[1].bk_host_id", errs.ErrInvalidType.Code},
		{"list element after a coerced one", `{"host_id_list":["1","2.0"]}`, "host_id_list[1]", errs.ErrInvalidType.Code},
		{"trailing data", `{"job_instance_id":"1"} x`, "body", errs.ErrBadBody.Code},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got numReq
			err := BindV3(newBindContext(http.MethodPost, tt.body), &got, 1<<10)
			var e *errs.Error
			require.True(t, errors.As(err, &e), "%v", err)
			require.Equal(t, tt.code, e.Code, "%v", err)
			require.Equal(t, tt.field, e.Field, "%v", err)
			if tt.code == errs.ErrInvalidType.Code {
				require.Equal(t, v3IllegalParamWithName, V3Code(err))
			}
		})
	}
}

func newBindContext(method, body string) echo.Context {
	r := httptest.NewRequest(method, "/x", strings.NewReader(body))
	return echo.New().NewContext(r, httptest.NewRecorder())
}
