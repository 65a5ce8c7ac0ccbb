package manageimpl

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/bkjob/bkjob/modules/manage"
	"github.com/bkjob/bkjob/platform/errs"
)

// library is one script library: a business's (owner = its id) or the
// public one (owner 0). Business and public endpoints share its logic;
// only who may call them differs (declared on the contract).
type library struct {
	s         *Service
	owner     int64
	scopeType string
	scopeID   string
}

// bizLibrary is the library of a request's resolved business.
func (s *Service) bizLibrary(ref manage.ScopeRef) (library, error) {
	if ref.BizID <= 0 {
		return library{}, errs.Required("bk_scope_id")
	}
	return library{s: s, owner: ref.BizID, scopeType: ref.ScopeType, scopeID: ref.ScopeID}, nil
}

func (s *Service) publicLibrary() library { return library{s: s} }

func (l library) public() bool { return l.owner == 0 }

func (l library) st() scriptStore { return l.s.ss }

// script loads a script of the library: another library's is not found.
func (l library) script(ctx context.Context, field, raw string) (scriptRow, error) {
	id, err := checkScriptID(field, raw)
	if err != nil {
		return scriptRow{}, err
	}
	sc, err := l.st().script(ctx, l.owner, id)
	if isNoRow(err) {
		return scriptRow{}, manage.ErrScriptNotFound.Withf("no script %s here", id).OnField(field)
	}
	return sc, err
}

// version loads version id of script scriptID ("" = any script of the
// library).
func (l library) version(ctx context.Context, scriptID string, id int64) (versionRow, scriptRow, error) {
	if id <= 0 {
		return versionRow{}, scriptRow{}, errs.Required("script_version_id").Withf("is required: the version's id")
	}
	v, sc, err := l.st().version(ctx, l.owner, id)
	if isNoRow(err) || err == nil && scriptID != "" && v.ScriptID != scriptID {
		return versionRow{}, scriptRow{}, manage.ErrScriptVersionNotFound.Withf("no script version %d here", id).OnField("script_version_id")
	}
	return v, sc, err
}

func (l library) create(ctx context.Context, op string, in manage.NewScript) (manage.ScriptVersion, error) {
	name, err := checkScriptName(in.Name)
	if err != nil {
		return manage.ScriptVersion{}, err
	}
	if err := checkLanguage("script_language", in.ScriptLanguage); err != nil {
		return manage.ScriptVersion{}, err
	}
	if err := checkText("description", in.Description, manage.MaxScriptDescLen); err != nil {
		return manage.ScriptVersion{}, err
	}
	ver, err := checkVersionName(in.Version)
	if err != nil {
		return manage.ScriptVersion{}, err
	}
	if err := checkText("version_desc", in.VersionDesc, manage.MaxScriptDescLen); err != nil {
		return manage.ScriptVersion{}, err
	}
	tags, err := checkTags(in.Tags)
	if err != nil {
		return manage.ScriptVersion{}, err
	}
	content, err := decodeContent(in.Content)
	if err != nil {
		return manage.ScriptVersion{}, err
	}
	id, err := manage.NewCredentialID() // the same 32-hex random id bk-job gives scripts
	if err != nil {
		return manage.ScriptVersion{}, err
	}
	now := time.Now().UTC()
	sc := scriptRow{ID: string(id), BizID: l.owner, Name: name, Language: in.ScriptLanguage, Description: in.Description,
		Creator: op, LastModifyUser: op, CreatedAt: now, UpdatedAt: now}
	v := versionRow{Version: ver, Content: content, VersionDesc: in.VersionDesc, Status: manage.ScriptDraft,
		Creator: op, LastModifyUser: op, CreatedAt: now, UpdatedAt: now}
	if err := l.st().createScript(ctx, &sc, &v, tags); err != nil {
		if errors.Is(err, errScriptNameTaken) {
			return manage.ScriptVersion{}, manage.ErrScriptNameExists.Withf("a script named %q exists already; choose another name", name).OnField("name")
		}
		return manage.ScriptVersion{}, err
	}
	l.s.log.Info("script created", "script_id", sc.ID, "biz_id", l.owner, "version_id", v.ID, "operator", op)
	return l.versionOut(sc, v, true), nil
}

func (l library) addVersion(ctx context.Context, op string, in manage.NewVersion) (manage.ScriptVersion, error) {
	sc, err := l.script(ctx, "script_id", in.ScriptID)
	if err != nil {
		return manage.ScriptVersion{}, err
	}
	ver, err := checkVersionName(in.Version)
	if err != nil {
		return manage.ScriptVersion{}, err
	}
	if err := checkText("version_desc", in.VersionDesc, manage.MaxScriptDescLen); err != nil {
		return manage.ScriptVersion{}, err
	}
	content, err := decodeContent(in.Content)
	if err != nil {
		return manage.ScriptVersion{}, err
	}
	now := time.Now().UTC()
	v := versionRow{ScriptID: sc.ID, Version: ver, Content: content, VersionDesc: in.VersionDesc, Status: manage.ScriptDraft,
		Creator: op, LastModifyUser: op, CreatedAt: now, UpdatedAt: now}
	if err := l.st().addVersion(ctx, &v); err != nil {
		if errors.Is(err, errVersionNameTaken) {
			return manage.ScriptVersion{}, manage.ErrScriptVersionExists.Withf("the script has a version %q already", ver).OnField("version")
		}
		return manage.ScriptVersion{}, err
	}
	sc.LastModifyUser, sc.UpdatedAt = op, now
	l.s.log.Info("script version created", "script_id", sc.ID, "version_id", v.ID, "operator", op)
	return l.versionOut(sc, v, true), nil
}

func (l library) updateBasic(ctx context.Context, op string, in manage.ScriptBasic) (manage.Script, error) {
	sc, err := l.script(ctx, "script_id", in.ScriptID)
	if err != nil {
		return manage.Script{}, err
	}
	name, err := checkScriptName(in.Name)
	if err != nil {
		return manage.Script{}, err
	}
	now := time.Now().UTC()
	set := map[string]any{"name": name, "last_modify_user": op, "updated_at": now}
	sc.Name, sc.LastModifyUser, sc.UpdatedAt = name, op, now
	if in.Description != nil {
		if err := checkText("description", *in.Description, manage.MaxScriptDescLen); err != nil {
			return manage.Script{}, err
		}
		set["description"], sc.Description = *in.Description, *in.Description
	}
	var tags *[]string
	if in.Tags != nil {
		t, err := checkTags(*in.Tags)
		if err != nil {
			return manage.Script{}, err
		}
		tags = &t
	}
	if err := l.st().updateBasic(ctx, sc, set, tags); err != nil {
		if errors.Is(err, errScriptNameTaken) {
			return manage.Script{}, manage.ErrScriptNameExists.Withf("a script named %q exists already; choose another name", name).OnField("name")
		}
		return manage.Script{}, err
	}
	f, err := l.st().facts(ctx, []string{sc.ID})
	if err != nil {
		return manage.Script{}, err
	}
	return l.scriptOut(sc, f), nil
}

func (l library) updateVersion(ctx context.Context, op string, in manage.VersionContent) (manage.ScriptVersion, error) {
	sc, err := l.script(ctx, "script_id", in.ScriptID)
	if err != nil {
		return manage.ScriptVersion{}, err
	}
	v, _, err := l.version(ctx, sc.ID, in.ScriptVersionID)
	if err != nil {
		return manage.ScriptVersion{}, err
	}
	content, err := decodeContent(in.Content)
	if err != nil {
		return manage.ScriptVersion{}, err
	}
	now := time.Now().UTC()
	set := map[string]any{"content": content, "last_modify_user": op, "updated_at": now}
	if in.VersionDesc != nil {
		if err := checkText("version_desc", *in.VersionDesc, manage.MaxScriptDescLen); err != nil {
			return manage.ScriptVersion{}, err
		}
		set["version_desc"], v.VersionDesc = *in.VersionDesc, *in.VersionDesc
	}
	v.Content, v.LastModifyUser, v.UpdatedAt = content, op, now
	if err := l.st().updateDraft(ctx, v, set); err != nil {
		if isNoRow(err) {
			return manage.ScriptVersion{}, gone(v)
		}
		if errors.Is(err, errWrongStatus) {
			return manage.ScriptVersion{}, stateErr(v, "only a draft version can be edited: create a new version from it")
		}
		return manage.ScriptVersion{}, err
	}
	sc.LastModifyUser, sc.UpdatedAt = op, now
	return l.versionOut(sc, v, true), nil
}

// publish puts a version online (any but a disabled one, as bk-job).
func (l library) publish(ctx context.Context, op string, in manage.VersionRef) (manage.ScriptVersionState, error) {
	sc, err := l.script(ctx, "script_id", in.ScriptID)
	if err != nil {
		return manage.ScriptVersionState{}, err
	}
	v, _, err := l.version(ctx, sc.ID, in.ScriptVersionID)
	if err != nil {
		return manage.ScriptVersionState{}, err
	}
	if err := l.st().publish(ctx, v, op, time.Now().UTC()); err != nil {
		if isNoRow(err) {
			return manage.ScriptVersionState{}, gone(v)
		}
		if errors.Is(err, errWrongStatus) {
			return manage.ScriptVersionState{}, stateErr(v, "a disabled version cannot be published")
		}
		return manage.ScriptVersionState{}, err
	}
	l.s.log.Info("script version published", "script_id", sc.ID, "version_id", v.ID, "operator", op)
	return manage.ScriptVersionState{ScriptID: sc.ID, ID: v.ID, Status: manage.ScriptOnline}, nil
}

// disable disables an online or offline version (bk-job: not a draft).
func (l library) disable(ctx context.Context, op string, in manage.VersionRef) (manage.ScriptVersionState, error) {
	sc, err := l.script(ctx, "script_id", in.ScriptID)
	if err != nil {
		return manage.ScriptVersionState{}, err
	}
	v, _, err := l.version(ctx, sc.ID, in.ScriptVersionID)
	if err != nil {
		return manage.ScriptVersionState{}, err
	}
	err = l.st().setStatus(ctx, v, []int{manage.ScriptOnline, manage.ScriptOffline}, manage.ScriptDisabled, op, time.Now().UTC())
	if isNoRow(err) {
		return manage.ScriptVersionState{}, gone(v)
	}
	if errors.Is(err, errWrongStatus) {
		return manage.ScriptVersionState{}, stateErr(v, "only an online or offline version can be disabled")
	}
	if err != nil {
		return manage.ScriptVersionState{}, err
	}
	l.s.log.Info("script version disabled", "script_id", sc.ID, "version_id", v.ID, "operator", op)
	return manage.ScriptVersionState{ScriptID: sc.ID, ID: v.ID, Status: manage.ScriptDisabled}, nil
}

func (l library) deleteVersion(ctx context.Context, op string, in manage.VersionRef) (*manage.ScriptDeleted, error) {
	sc, err := l.script(ctx, "script_id", in.ScriptID)
	if err != nil {
		return nil, err
	}
	v, _, err := l.version(ctx, sc.ID, in.ScriptVersionID)
	if err != nil {
		return nil, err
	}
	if err := l.st().deleteVersion(ctx, v); err != nil {
		if isNoRow(err) {
			return nil, gone(v)
		}
		if errors.Is(err, errWrongStatus) {
			return nil, manage.ErrDeleteOnlineScript.Withf("version %s is online: publish another version or disable it first", v.Version).OnField("script_version_id")
		}
		return nil, err
	}
	l.s.log.Info("script version deleted", "script_id", sc.ID, "version_id", v.ID, "operator", op)
	return nil, nil
}

func (l library) deleteScript(ctx context.Context, op, scriptID string) (*manage.ScriptDeleted, error) {
	sc, err := l.script(ctx, "script_id", scriptID)
	if err != nil {
		return nil, err
	}
	if err := l.st().deleteScript(ctx, sc.ID); err != nil {
		return nil, err
	}
	l.s.log.Info("script deleted", "script_id", sc.ID, "biz_id", l.owner, "operator", op)
	return nil, nil
}

// gone is a version deleted (with its script, maybe) while a change of it
// was on its way.
func gone(v versionRow) error {
	return manage.ErrScriptVersionNotFound.Withf("script version %d no longer exists", v.ID).OnField("script_version_id")
}

func stateErr(v versionRow, why string) error {
	return manage.ErrScriptVersionState.Withf("version %s is %s: %s", v.Version, statusName(v.Status), why).OnField("script_version_id")
}

func statusName(s int) string {
	switch s {
	case manage.ScriptDraft:
		return "a draft"
	case manage.ScriptOnline:
		return "online"
	case manage.ScriptOffline:
		return "offline"
	case manage.ScriptDisabled:
		return "disabled"
	}
	return "status " + strconv.Itoa(s)
}

func (l library) versionOut(sc scriptRow, v versionRow, withContent bool) manage.ScriptVersion {
	out := manage.ScriptVersion{ID: v.ID, ScopeType: l.scopeType, ScopeID: l.scopeID, ScriptID: sc.ID, Name: sc.Name,
		Version: v.Version, Status: v.Status, VersionDesc: v.VersionDesc, Creator: v.Creator,
		CreateTime: v.CreatedAt.UnixMilli(), LastModifyUser: v.LastModifyUser, LastModifyTime: v.UpdatedAt.UnixMilli(),
		ScriptLanguage: sc.Language, PublicScript: l.public(), Description: sc.Description}
	if withContent {
		out.Content = v.Content
	}
	return out
}

func (l library) scriptOut(sc scriptRow, f facts) manage.Script {
	tags := f.tags[sc.ID]
	if tags == nil {
		tags = []string{}
	}
	return manage.Script{ID: sc.ID, ScopeType: l.scopeType, ScopeID: l.scopeID, Name: sc.Name, ScriptLanguage: sc.Language,
		OnlineScriptVersionID: f.online[sc.ID], Creator: sc.Creator, CreateTime: sc.CreatedAt.UnixMilli(),
		LastModifyUser: sc.LastModifyUser, LastModifyTime: sc.UpdatedAt.UnixMilli(), Description: sc.Description,
		Tags: tags, Public: l.public()}
}
