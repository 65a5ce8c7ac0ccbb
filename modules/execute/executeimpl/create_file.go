package executeimpl

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/bkjob/bkjob/modules/execute"
	"github.com/bkjob/bkjob/modules/manage"
	"github.com/bkjob/bkjob/platform/errs"
)

// FastTransferFile implements execute.Service.
func (e *Engine) FastTransferFile(ctx context.Context, req execute.FastTransferFileRequest) (execute.JobCreated, error) {
	sc, err := e.scope(ctx, req.ScopeRef)
	if err != nil {
		return execute.JobCreated{}, err
	}
	if err := checkTargetPath(req.FileTargetPath); err != nil {
		return execute.JobCreated{}, err
	}
	if len(req.FileSourceList) == 0 {
		return execute.JobCreated{}, errs.Required("file_source_list").Withf("is required: give at least one source")
	}
	mode := req.TransferMode
	if mode == 0 {
		mode = 2
	}
	if mode < 1 || mode > 4 {
		return execute.JobCreated{}, errs.Invalid("transfer_mode", "must be 1 (strict) or 2 (force), got %d", req.TransferMode)
	}
	if req.UploadSpeedLimit < 0 || req.DownloadSpeedLimit < 0 {
		return execute.JobCreated{}, errs.Invalid("upload_speed_limit", "speed limits must not be negative")
	}
	t, name, err := e.jobCommon(req.Caller, req.Timeout, req.TaskName, "API Quick Distribution File", req.CallbackURL, req.TargetServer)
	if err != nil {
		return execute.JobCreated{}, err
	}
	if err := checkRolling(req.RollingConfig); err != nil {
		return execute.JobCreated{}, err
	}
	sources, perTarget, err := e.fileSources(ctx, sc.BizID, req.FileSourceList)
	if err != nil {
		return execute.JobCreated{}, err
	}
	acc, err := e.account(ctx, sc.BizID, req.AccountID, req.AccountAlias, accountField(req.AccountID, "account_id", "account_alias"))
	if err != nil {
		return execute.JobCreated{}, err
	}
	hosts, err := e.targets(ctx, sc.BizID, "target_server", req.TargetServer)
	if err != nil {
		return execute.JobCreated{}, err
	}
	if n := perTarget * len(hosts); n > execute.MaxFileTasksPerStep {
		return execute.JobCreated{}, errs.Invalid("file_source_list", "at most %d file tasks (files × sources × targets) per step, got %d", execute.MaxFileTasksPerStep, n)
	}
	detail, err := encodeDetail(fileDetail{Sources: sources, TargetPath: req.FileTargetPath, AccountID: acc.ID, Account: acc.Account,
		AccountAlias: acc.Alias, TransferMode: mode, UploadLimitMB: req.UploadSpeedLimit, DownloadLimitMB: req.DownloadSpeedLimit})
	if err != nil {
		return execute.JobCreated{}, err
	}
	ft := fastTask{scope: sc, caller: req.Caller, name: name, taskType: execute.TaskTypeFastFile, callback: req.CallbackURL,
		step: stepInstance{Type: execute.StepTypeFile, Timeout: t, FileDetail: detail, IgnoreError: boolInt(req.IgnoreError)}}
	if err := ft.layout(hosts, req.RollingConfig); err != nil {
		return execute.JobCreated{}, err
	}
	return e.createFast(ctx, ft)
}

// fileSources validates server-file sources and resolves their hosts. It
// returns how many file tasks one target host gets.
func (e *Engine) fileSources(ctx context.Context, bizID int64, list []execute.FileSourceSpec) ([]fileSourceDetail, int, error) {
	var (
		out       []fileSourceDetail
		perTarget int
		err       error
	)
	for i, src := range list {
		field := fmt.Sprintf("file_source_list[%d]", i)
		switch src.FileType {
		case 0, execute.FileTypeServer:
		case execute.FileTypeFileSource:
			return nil, 0, execute.NotSupported(field+".file_type", "third-party file sources (3)")
		default:
			return nil, 0, errs.Invalid(field+".file_type", "must be 1 (server file) or 3 (file source), got %d", src.FileType)
		}
		if len(src.FileList) == 0 {
			return nil, 0, errs.Required(field + ".file_list").Withf("is required: give at least one path")
		}
		files := make([]string, len(src.FileList))
		for j, p := range src.FileList {
			pathField := fmt.Sprintf("%s.file_list[%d]", field, j)
			if strings.Contains(p, "REGEX:") || strings.ContainsAny(p, "*?") {
				return nil, 0, execute.NotSupported(pathField, "wildcard and REGEX: source paths")
			}
			if files[j], err = cleanAbsPath(pathField, p); err != nil {
				return nil, 0, err
			}
		}
		if src.Account == nil {
			return nil, 0, errs.Required(field + ".account").Withf("is required for server files: give id or alias")
		}
		acc, err := e.account(ctx, bizID, src.Account.ID, src.Account.Alias, accountField(src.Account.ID, field+".account.id", field+".account.alias"))
		if err != nil {
			return nil, 0, err
		}
		hosts, err := e.targets(ctx, bizID, field+".server", src.Server)
		if err != nil {
			return nil, 0, err
		}
		d := fileSourceDetail{FileType: execute.FileTypeServer, Files: files, AccountID: acc.ID, Account: acc.Account, AccountAlias: acc.Alias}
		for _, h := range hosts {
			if !h.Known {
				return nil, 0, errs.Invalid(field+".server", "unknown source host %s", hostName(h))
			}
			d.Hosts = append(d.Hosts, storedHost{HostID: h.ID, CloudID: h.CloudID, IP: h.IP, IPv6: h.IPv6, AgentID: h.AgentID})
		}
		perTarget += len(src.FileList) * len(hosts)
		out = append(out, d)
	}
	return out, perTarget, nil
}

// PushConfigFile implements execute.Service: the contents are staged in the
// blob store and sent like any other file.
func (e *Engine) PushConfigFile(ctx context.Context, req execute.PushConfigFileRequest) (execute.JobCreated, error) {
	sc, err := e.scope(ctx, req.ScopeRef)
	if err != nil {
		return execute.JobCreated{}, err
	}
	if err := checkTargetPath(req.FileTargetPath); err != nil {
		return execute.JobCreated{}, err
	}
	if len(req.FileList) == 0 {
		return execute.JobCreated{}, errs.Required("file_list").Withf("is required: give at least one file")
	}
	contents := make([][]byte, len(req.FileList))
	seen := map[string]bool{}
	for i, f := range req.FileList {
		field := fmt.Sprintf("file_list[%d]", i)
		if err := checkFileName(field+".file_name", f.FileName); err != nil {
			return execute.JobCreated{}, err
		}
		if seen[f.FileName] {
			return execute.JobCreated{}, errs.Invalid(field+".file_name", "duplicate file name %q", f.FileName)
		}
		seen[f.FileName] = true
		if contents[i], err = decodeBase64(field+".content", f.Content); err != nil {
			return execute.JobCreated{}, err
		}
		if len(contents[i]) > execute.MaxConfigFileBytes {
			return execute.JobCreated{}, errs.Invalid(field+".content", "at most %d bytes, got %d", execute.MaxConfigFileBytes, len(contents[i]))
		}
	}
	uploads := manage.UploadCheck{Field: "file_list", Files: make([]manage.UploadedFile, len(req.FileList))}
	for i, f := range req.FileList {
		uploads.Files[i] = manage.UploadedFile{Name: f.FileName, Size: int64(len(contents[i]))}
	}
	// The platform's upload settings (size, extensions): administrators'.
	if _, err := e.mgr.CheckUploads(ctx, uploads); err != nil {
		return execute.JobCreated{}, err
	}
	t, name, err := e.jobCommon(req.Caller, req.Timeout, req.TaskName, "API GSE PUSH FILE", req.CallbackURL, req.TargetServer)
	if err != nil {
		return execute.JobCreated{}, err
	}
	if req.AccountID == 0 && req.AccountAlias == "" {
		return execute.JobCreated{}, errs.Required("account_alias")
	}
	acc, err := e.account(ctx, sc.BizID, req.AccountID, req.AccountAlias, accountField(req.AccountID, "account_id", "account_alias"))
	if err != nil {
		return execute.JobCreated{}, err
	}
	hosts, err := e.targets(ctx, sc.BizID, "target_server", req.TargetServer)
	if err != nil {
		return execute.JobCreated{}, err
	}
	if n := len(req.FileList) * len(hosts); n > execute.MaxFileTasksPerStep {
		return execute.JobCreated{}, errs.Invalid("file_list", "at most %d file tasks (files × targets) per step, got %d", execute.MaxFileTasksPerStep, n)
	}
	if e.blob == nil {
		return execute.JobCreated{}, errs.ErrUnavailable.Withf("push_config_file needs the blob store, which this execute process was built without")
	}
	blobs, err := e.stage(ctx, req.FileList, contents)
	if err != nil {
		return execute.JobCreated{}, err
	}
	detail, err := encodeDetail(fileDetail{Sources: []fileSourceDetail{{FileType: execute.FileTypeBase64, Blobs: blobs}},
		TargetPath: req.FileTargetPath, AccountID: acc.ID, Account: acc.Account, AccountAlias: acc.Alias, TransferMode: 2})
	if err != nil {
		return execute.JobCreated{}, err
	}
	ft := fastTask{scope: sc, caller: req.Caller, name: name, taskType: execute.TaskTypeFastFile, callback: req.CallbackURL,
		step: stepInstance{Type: execute.StepTypeFile, Timeout: t, FileDetail: detail}}
	ft.hosts = stepHostsOf(hosts, nil)
	created, err := e.createFast(ctx, ft)
	if isQuotaRefusal(err) {
		// Refused before anything was written: the staged files go too.
		e.unstage(ctx, blobs)
	}
	return created, err
}

// stage writes config file contents to the blob store under a fresh
// prefix. The keys are generated (prefix/<index>): a file's name is only
// the name it gets at the target, never part of a storage path. A failed
// stage removes what it wrote.
func (e *Engine) stage(ctx context.Context, files []execute.ConfigFile, contents [][]byte) (out []blobFile, err error) {
	var id [12]byte
	if _, err := rand.Read(id[:]); err != nil {
		return nil, fmt.Errorf("stage config files: %w", err)
	}
	prefix := "execute/config/" + hex.EncodeToString(id[:])
	defer func() {
		if err != nil {
			e.unstage(ctx, out)
		}
	}()
	out = make([]blobFile, 0, len(files))
	for i, f := range files {
		key := prefix + "/" + strconv.Itoa(i)
		info, err := e.blob.Put(ctx, key, bytes.NewReader(contents[i]))
		if err != nil {
			return out, fmt.Errorf("stage config file %d: %w", i, err)
		}
		out = append(out, blobFile{Name: f.FileName, Key: key, Size: info.Size})
	}
	return out, nil
}

// unstage removes staged config files of a job that was not created.
func (e *Engine) unstage(ctx context.Context, files []blobFile) {
	for _, b := range files {
		if err := e.blob.Delete(context.WithoutCancel(ctx), b.Key); err != nil {
			e.log.Warn("remove staged config file", "key", b.Key, "err", err)
		}
	}
}
