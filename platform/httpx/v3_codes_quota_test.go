package httpx

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/require"

	"github.com/bkjob/bkjob/platform/errs"
)

// TestV3ThrottlingCodes: the running-job quota answers its three codes,
// the gateway's auth throttling API_OVER_LOAD, and any other 429 too —
// never a quota code; all keep HTTP 429. The sentinels are declared again
// here by their stable codes (platform does not import modules).
func TestV3ThrottlingCodes(t *testing.T) {
	tests := []struct {
		name string
		err  error
		code int
	}{
		{"system quota", errs.New("execute.runningJobSystemQuota", http.StatusTooManyRequests, "too many running jobs in the system"), 1244032},
		{"app quota", errs.New("execute.runningJobAppQuota", http.StatusTooManyRequests, "too many running jobs of the app"), 1244033},
		{"scope quota", errs.New("execute.runningJobScopeQuota", http.StatusTooManyRequests, "too many running jobs in the scope"), 1244034},
		{"auth throttled", errs.New("auth.throttled", http.StatusTooManyRequests, "too many attempts"), 1239008},
		{"other 429", errs.ErrTooMany.Withf("slow down"), 1239008},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.code, V3Code(tt.err))
			e := echo.New()
			rec := httptest.NewRecorder()
			c := e.NewContext(httptest.NewRequest(http.MethodPost, "/api/v3/fast_execute_script", nil), rec)
			require.NoError(t, V3Error(c, tt.err))
			require.Equal(t, http.StatusTooManyRequests, rec.Code)
			var env V3Envelope
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &env))
			require.Equal(t, tt.code, env.Code)
			require.False(t, env.Result)
			require.Equal(t, errs.From(tt.err).Message, env.Message, "English keeps the error's own text")
		})
	}
}
