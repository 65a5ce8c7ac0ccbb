package fakegse

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/bkjob/bkjob/gse/gse2"
)

// Agent is a simulated GSE agent.
type Agent struct {
	ID      string
	CloudID int64
	// Root is the directory standing for the agent's "/"; empty means the
	// real filesystem.
	Root string
	// StatusCode is reported by list_agent_state; 0 is taken as RUNNING (2).
	StatusCode int
	Version    string
	// Users lists the accounts that exist; nil accepts any.
	Users []string
	// ErrorCode, when set, fails every task on this agent with it.
	ErrorCode int
	// FileDelay holds each transfer to this agent before it completes.
	FileDelay time.Duration
}

// Server is the fake API. It implements http.Handler.
type Server struct {
	appCode, appSecret string

	mu          sync.Mutex
	agents      map[string]*Agent
	scripts     map[string]*scriptTask
	files       map[string]*fileTask
	requests    map[string][]json.RawMessage
	seq         int
	dropResults bool
	wg          sync.WaitGroup
}

var _ http.Handler = (*Server)(nil)

// New returns a server that admits callers with this app code and secret.
func New(appCode, appSecret string) *Server {
	return &Server{
		appCode: appCode, appSecret: appSecret,
		agents:   map[string]*Agent{},
		scripts:  map[string]*scriptTask{},
		files:    map[string]*fileTask{},
		requests: map[string][]json.RawMessage{},
	}
}

// AddAgent registers (or replaces) an agent.
func (s *Server) AddAgent(a Agent) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a.StatusCode == 0 {
		a.StatusCode = gse2.AgentRunning
	}
	s.agents[a.ID] = &a
}

// SetDropResults makes result queries answer with no entries, as a GSE
// that lost track of a task would.
func (s *Server) SetDropResults(drop bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.dropResults = drop
}

// Requests returns the bodies received on path, oldest first.
func (s *Server) Requests(path string) []json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests[path])
}

// Close kills running scripts and waits for the simulated agents.
func (s *Server) Close() {
	s.mu.Lock()
	for _, t := range s.scripts {
		for _, r := range t.runs {
			r.kill(gse2.ErrorCodeTerminated)
		}
	}
	for _, t := range s.files {
		t.cancel()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		reply(w, http.StatusMethodNotAllowed, false, 405, "POST only", nil)
		return
	}
	var auth gse2.Auth
	if err := json.Unmarshal([]byte(r.Header.Get(gse2.HeaderAuthorization)), &auth); err != nil ||
		auth.AppCode != s.appCode || auth.AppSecret != s.appSecret {
		reply(w, http.StatusUnauthorized, false, 16000401, "app code or app secret is invalid", nil)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		reply(w, http.StatusBadRequest, false, 400, err.Error(), nil)
		return
	}
	s.mu.Lock()
	s.requests[r.URL.Path] = append(s.requests[r.URL.Path], json.RawMessage(body))
	s.mu.Unlock()

	var (
		data any
		herr error
	)
	switch r.URL.Path {
	case gse2.PathExecuteScript:
		data, herr = decodeThen(body, s.executeScript)
	case gse2.PathScriptResult:
		data, herr = decodeThen(body, s.scriptResult)
	case gse2.PathTerminateScript:
		data, herr = decodeThen(body, s.terminateScript)
	case gse2.PathTransferFile:
		data, herr = decodeThen(body, s.transferFile)
	case gse2.PathTransferResult:
		data, herr = decodeThen(body, s.transferResult)
	case gse2.PathTerminateTransfer:
		data, herr = decodeThen(body, s.terminateTransfer)
	case gse2.PathListAgentState:
		data, herr = decodeThen(body, s.listAgentState)
	default:
		reply(w, http.StatusNotFound, false, 404, "no such api: "+r.URL.Path, nil)
		return
	}
	if herr != nil {
		reply(w, http.StatusOK, false, 1000400, herr.Error(), nil)
		return
	}
	reply(w, http.StatusOK, true, 0, "success", data)
}

func decodeThen[Req any](body []byte, handle func(Req) (any, error)) (any, error) {
	var req Req
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, fmt.Errorf("decode request: %w", err)
	}
	return handle(req)
}

func reply(w http.ResponseWriter, status int, ok bool, code int, msg string, data any) {
	raw, _ := json.Marshal(data)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(gse2.Envelope{Result: ok, Code: code, Message: msg, Data: raw})
}

func (s *Server) nextID(kind string) string {
	s.seq++
	return fmt.Sprintf("GSE:V2:%s:%d", kind, s.seq)
}

func taskIDData(id string) gse2.TaskIDData {
	var d gse2.TaskIDData
	d.Result.TaskID = id
	return d
}

func (s *Server) listAgentState(req gse2.ListAgentStateRequest) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]gse2.AgentStateInfo, 0, len(req.AgentIDs))
	for _, id := range req.AgentIDs {
		a, ok := s.agents[id]
		if !ok {
			out = append(out, gse2.AgentStateInfo{AgentID: id, StatusCode: gse2.AgentNotFound})
			continue
		}
		out = append(out, gse2.AgentStateInfo{AgentID: id, CloudID: a.CloudID, Version: a.Version, RunMode: 0, StatusCode: a.StatusCode})
	}
	return out, nil
}

// checkAgent returns the error code a task on agent id as user meets
// before it starts, or 0.
func (s *Server) checkAgent(id, user string) (*Agent, int, string) {
	a, ok := s.agents[id]
	switch {
	case !ok:
		return nil, 117, "agent " + id + " is not connected"
	case a.ErrorCode != 0:
		return a, a.ErrorCode, fmt.Sprintf("simulated error %d", a.ErrorCode)
	case a.Users != nil && !slices.Contains(a.Users, user):
		return a, 122, "user " + user + " does not exist"
	}
	return a, 0, ""
}
