package executeimpl

import (
	"encoding/json"
	"fmt"
)

// scriptDetail is step_instance.script_detail. Param is the decoded script
// parameter of a step whose parameter is not sensitive; a sensitive one is
// stored only sealed (SealedParam, platform/crypto), opened only to hand it
// to the transport, and never returned or logged.
type scriptDetail struct {
	Language           int    `json:"language"`
	Content            string `json:"content"`
	Param              string `json:"param,omitempty"`
	SealedParam        string `json:"sealed_param,omitempty"`
	Sensitive          bool   `json:"sensitive,omitempty"`
	AccountID          int64  `json:"account_id"`
	Account            string `json:"account"`
	AccountAlias       string `json:"account_alias,omitempty"`
	WindowsInterpreter string `json:"windows_interpreter,omitempty"`
	ScriptSource       int    `json:"script_source"` // 1 local content, 2 business script, 3 public script
	ScriptID           string `json:"script_id,omitempty"`
	ScriptVersionID    int64  `json:"script_version_id,omitempty"`
}

// fileDetail is step_instance.file_detail.
type fileDetail struct {
	Sources         []fileSourceDetail `json:"sources"`
	TargetPath      string             `json:"target_path"`
	AccountID       int64              `json:"account_id"`
	Account         string             `json:"account"`
	AccountAlias    string             `json:"account_alias,omitempty"`
	TransferMode    int                `json:"transfer_mode"`
	UploadLimitMB   int                `json:"upload_limit_mb,omitempty"`
	DownloadLimitMB int                `json:"download_limit_mb,omitempty"`
}

// fileSourceDetail is one source group: server files on source hosts, or
// staged blobs (push_config_file).
type fileSourceDetail struct {
	FileType     int          `json:"file_type"`
	Files        []string     `json:"files,omitempty"`
	Blobs        []blobFile   `json:"blobs,omitempty"`
	AccountID    int64        `json:"account_id,omitempty"`
	Account      string       `json:"account,omitempty"`
	AccountAlias string       `json:"account_alias,omitempty"`
	Hosts        []storedHost `json:"hosts,omitempty"`
}

// blobFile is a staged file: its name at the target and its blob key.
type blobFile struct {
	Name string `json:"name"`
	Key  string `json:"key"`
	Size int64  `json:"size"`
}

// storedHost is a resolved source host.
type storedHost struct {
	HostID  int64  `json:"host_id"`
	CloudID int64  `json:"bk_cloud_id"`
	IP      string `json:"ip"`
	IPv6    string `json:"ipv6,omitempty"`
	AgentID string `json:"agent_id,omitempty"`
}

func encodeDetail(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("encode step detail: %w", err)
	}
	return string(b), nil
}

func (s *stepInstance) script() (scriptDetail, error) {
	var d scriptDetail
	if err := json.Unmarshal([]byte(s.ScriptDetail), &d); err != nil {
		return d, fmt.Errorf("decode script detail of step %d: %w", s.ID, err)
	}
	return d, nil
}

// sealParam moves a sensitive parameter into SealedParam.
func (e *Engine) sealParam(d *scriptDetail) error {
	if !d.Sensitive || d.Param == "" {
		return nil
	}
	sealed, err := e.box.Seal(d.Param)
	if err != nil {
		return fmt.Errorf("seal script_param: %w", err)
	}
	d.Param, d.SealedParam = "", sealed
	return nil
}

// scriptParam is the parameter to hand to the transport: the plain one, or
// the sealed one opened.
func (e *Engine) scriptParam(stepID int64, d scriptDetail) (string, error) {
	if d.SealedParam == "" {
		return d.Param, nil
	}
	p, err := e.box.Unseal(d.SealedParam)
	if err != nil {
		return "", fmt.Errorf("unseal the sensitive parameter of step %d: %w", stepID, err)
	}
	return p, nil
}

func (s *stepInstance) file() (fileDetail, error) {
	var d fileDetail
	if err := json.Unmarshal([]byte(s.FileDetail), &d); err != nil {
		return d, fmt.Errorf("decode file detail of step %d: %w", s.ID, err)
	}
	return d, nil
}
