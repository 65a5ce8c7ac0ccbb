package manageimpl

import (
	"context"
	"strings"

	"github.com/bkjob/bkjob/modules/manage"
	"github.com/bkjob/bkjob/platform/errs"
)

func (l library) list(ctx context.Context, f manage.ScriptListFilter) (manage.ScriptPage, error) {
	length, err := pageLength(f.Start, f.Length)
	if err != nil {
		return manage.ScriptPage{}, err
	}
	if f.Name, err = checkFilter("name", f.Name); err != nil {
		return manage.ScriptPage{}, err
	}
	if f.Tag, err = checkFilter("tag", f.Tag); err != nil {
		return manage.ScriptPage{}, err
	}
	if f.Keyword, err = checkFilter("keyword", f.Keyword); err != nil {
		return manage.ScriptPage{}, err
	}
	if f.ScriptLanguage != 0 {
		if err := checkLanguage("script_language", f.ScriptLanguage); err != nil {
			return manage.ScriptPage{}, err
		}
	}
	rows, total, err := l.st().listScripts(ctx, l.owner, f, length)
	if err != nil {
		return manage.ScriptPage{}, err
	}
	ids := make([]string, len(rows))
	for i, r := range rows {
		ids[i] = r.ID
	}
	fa, err := l.st().facts(ctx, ids)
	if err != nil {
		return manage.ScriptPage{}, err
	}
	page := manage.ScriptPage{Start: f.Start, Total: int(total), Length: length, Data: make([]manage.Script, 0, len(rows))}
	for _, r := range rows {
		page.Data = append(page.Data, l.scriptOut(r, fa))
	}
	return page, nil
}

func (l library) versions(ctx context.Context, f manage.VersionListFilter) (manage.ScriptVersionPage, error) {
	sc, err := l.script(ctx, "script_id", f.ScriptID)
	if err != nil {
		return manage.ScriptVersionPage{}, err
	}
	length, err := pageLength(f.Start, f.Length)
	if err != nil {
		return manage.ScriptVersionPage{}, err
	}
	rows, total, err := l.st().versions(ctx, sc.ID, f.ReturnScriptContent, f.Start, length)
	if err != nil {
		return manage.ScriptVersionPage{}, err
	}
	page := manage.ScriptVersionPage{Start: f.Start, Total: int(total), Length: length, Data: make([]manage.ScriptVersion, 0, len(rows))}
	for _, v := range rows {
		page.Data = append(page.Data, l.versionOut(sc, v, f.ReturnScriptContent))
	}
	return page, nil
}

// detail finds a version by id, or by script_id + version (bk-job: id
// wins when given).
func (l library) detail(ctx context.Context, q manage.VersionLookup) (manage.ScriptVersion, error) {
	if q.ID > 0 {
		v, sc, err := l.st().version(ctx, l.owner, q.ID)
		if isNoRow(err) {
			return manage.ScriptVersion{}, manage.ErrScriptVersionNotFound.Withf("no script version %d here", q.ID).OnField("id")
		}
		if err != nil {
			return manage.ScriptVersion{}, err
		}
		return l.versionOut(sc, v, true), nil
	}
	if q.ScriptID == "" || strings.TrimSpace(q.Version) == "" {
		return manage.ScriptVersion{}, errs.Required("id").Withf("is required: give id, or script_id and version")
	}
	sc, err := l.script(ctx, "script_id", q.ScriptID)
	if err != nil {
		return manage.ScriptVersion{}, err
	}
	v, err := l.st().versionByName(ctx, sc.ID, strings.TrimSpace(q.Version))
	if isNoRow(err) {
		return manage.ScriptVersion{}, manage.ErrScriptVersionNotFound.Withf("the script has no version %q", q.Version).OnField("version")
	}
	if err != nil {
		return manage.ScriptVersion{}, err
	}
	return l.versionOut(sc, v, true), nil
}

// ScriptToRun implements manage.Scripts for the execute role: a version
// of the business's library or of the public one, by id; or a business
// script's online version. bk-job's execution rules are here, once, for
// every path that runs a stored script: ONLINE and OFFLINE run, DISABLED
// is 1244014, a draft (or no online version) 1244018.
func (s *Service) ScriptToRun(ctx context.Context, req manage.ScriptToRunRequest) (manage.RunnableScript, error) {
	if req.BizID <= 0 {
		return manage.RunnableScript{}, errs.Required("bk_scope_id")
	}
	biz := library{s: s, owner: req.BizID}
	var (
		v   versionRow
		sc  scriptRow
		lib = biz
		err error
	)
	switch {
	case req.ScriptVersionID > 0:
		v, sc, err = biz.st().version(ctx, biz.owner, req.ScriptVersionID)
		if isNoRow(err) {
			lib = s.publicLibrary()
			v, sc, err = lib.st().version(ctx, 0, req.ScriptVersionID)
		}
		if isNoRow(err) {
			return manage.RunnableScript{}, manage.ErrScriptVersionNotFound.Withf("no script version %d in the business or the public scripts", req.ScriptVersionID).OnField("script_version_id")
		}
	case req.ScriptVersionID < 0:
		return manage.RunnableScript{}, errs.Invalid("script_version_id", "must be a positive version id")
	default:
		if sc, err = biz.script(ctx, "script_id", req.ScriptID); err != nil {
			return manage.RunnableScript{}, err
		}
		v, err = biz.st().onlineVersion(ctx, sc.ID)
		if isNoRow(err) {
			return manage.RunnableScript{}, manage.ErrScriptNotExecutable.Withf("script %q has no online version: publish one, or give script_version_id", sc.Name).OnField("script_id")
		}
	}
	if err != nil {
		return manage.RunnableScript{}, err
	}
	field := "script_version_id"
	if req.ScriptVersionID == 0 {
		field = "script_id"
	}
	switch v.Status {
	case manage.ScriptDisabled:
		return manage.RunnableScript{}, manage.ErrScriptDisabled.Withf("version %s of script %q is disabled and cannot be executed", v.Version, sc.Name).OnField(field)
	case manage.ScriptOnline, manage.ScriptOffline:
	default:
		return manage.RunnableScript{}, manage.ErrScriptNotExecutable.Withf("version %s of script %q is a draft: publish it first", v.Version, sc.Name).OnField(field)
	}
	return manage.RunnableScript{ScriptID: sc.ID, ScriptVersionID: v.ID, Version: v.Version, Language: sc.Language,
		Content: v.Content, Public: lib.public()}, nil
}
