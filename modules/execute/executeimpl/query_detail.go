package executeimpl

import (
	"context"

	"github.com/bkjob/bkjob/modules/execute"
)

// sensitiveMask replaces sensitive script parameters in every response.
const sensitiveMask = "******"

// GetStepInstanceDetail implements execute.Service.
func (e *Engine) GetStepInstanceDetail(ctx context.Context, req execute.StepRef) (execute.StepInstanceDetail, error) {
	job, s, err := e.loadStep(ctx, req)
	if err != nil {
		return execute.StepInstanceDetail{}, err
	}
	out := execute.StepInstanceDetail{ID: s.ID, Name: s.Name, Type: s.Type}
	targets, err := e.serverDetail(ctx, job.BizID, s.ID)
	if err != nil {
		return out, err
	}
	var rolling *execute.RollingConfig
	if s.rolling() {
		rolling = &execute.RollingConfig{Type: execute.RollingTypeTarget, Mode: s.RollingMode, Expression: s.RollingExpr}
	}
	switch s.Type {
	case execute.StepTypeScript, execute.StepTypeSQL:
		d, err := s.script()
		if err != nil {
			return out, err
		}
		param := d.Param
		if d.Sensitive {
			param = sensitiveMask
		}
		out.ScriptInfo = &execute.ScriptInfo{ScriptType: d.ScriptSource, ScriptID: d.ScriptID, ScriptVersionID: d.ScriptVersionID, ScriptContent: d.Content, ScriptLanguage: d.Language,
			ScriptParam: param, ScriptTimeout: s.Timeout, Account: execute.AccountInfo{ID: d.AccountID, Name: d.AccountAlias},
			Server: targets, IsParamSensitive: boolInt(d.Sensitive), IsIgnoreError: s.IgnoreError, Rolling: rolling}
	case execute.StepTypeFile:
		d, err := s.file()
		if err != nil {
			return out, err
		}
		fi := &execute.FileInfo{Timeout: s.Timeout, TransferMode: d.TransferMode, IsIgnoreError: s.IgnoreError, Rolling: rolling,
			FileDestination: execute.FileDestination{Path: d.TargetPath, Account: execute.AccountInfo{ID: d.AccountID, Name: d.AccountAlias}, Server: targets},
			FileSourceList:  []execute.FileSourceDetail{}}
		if d.UploadLimitMB > 0 {
			v := d.UploadLimitMB
			fi.SourceSpeedLimit = &v
		}
		if d.DownloadLimitMB > 0 {
			v := d.DownloadLimitMB
			fi.DestinationSpeedLimit = &v
		}
		for _, src := range d.Sources {
			fs := execute.FileSourceDetail{FileType: src.FileType, FileList: src.Files,
				Account: execute.AccountInfo{ID: src.AccountID, Name: src.AccountAlias}, Server: emptyServer()}
			for _, b := range src.Blobs {
				fs.FileList = append(fs.FileList, b.Name)
			}
			for _, h := range src.Hosts {
				fs.Server.IPList = append(fs.Server.IPList, execute.HostDetail{HostID: h.HostID, CloudID: h.CloudID,
					CloudName: cloudName(h.CloudID), IP: h.IP, IPv6: optional(h.IPv6), AgentID: h.AgentID, Alive: 1})
			}
			fi.FileSourceList = append(fi.FileSourceList, fs)
		}
		out.FileInfo = fi
	}
	return out, nil
}

// serverDetail lists a step's targets with their current agent state.
func (e *Engine) serverDetail(ctx context.Context, bizID, stepID int64) (execute.ServerDetail, error) {
	hosts, err := e.st.stepHosts(ctx, stepID, -1)
	if err != nil {
		return execute.ServerDetail{}, err
	}
	var ids []int64
	for _, h := range hosts {
		if h.HostID > 0 {
			ids = append(ids, h.HostID)
		}
	}
	alive := map[int64]bool{}
	if len(ids) > 0 {
		found, err := e.hosts.Resolve(ctx, bizID, ids, nil)
		if err != nil {
			return execute.ServerDetail{}, err
		}
		for _, f := range found {
			alive[f.ID] = f.Known && f.Alive
		}
	}
	out := emptyServer()
	for _, h := range hosts {
		out.IPList = append(out.IPList, execute.HostDetail{HostID: apiHostID(h.HostID), CloudID: h.CloudID, CloudName: cloudName(h.CloudID),
			IP: h.IP, IPv6: optional(h.IPv6), AgentID: h.AgentID, Alive: boolInt(alive[h.HostID])})
	}
	return out, nil
}

func emptyServer() execute.ServerDetail {
	return execute.ServerDetail{IPList: []execute.HostDetail{}, TopoNodeList: []execute.TopoNode{}, DynamicGroupList: []execute.DynamicGroup{}}
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
