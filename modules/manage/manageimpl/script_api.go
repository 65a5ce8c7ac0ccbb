package manageimpl

import (
	"context"

	"github.com/bkjob/bkjob/modules/manage"
)

// The business endpoints (manage.Scripts): each takes the request's
// resolved business as its library.

// GetScriptList implements manage.Scripts.
func (s *Service) GetScriptList(ctx context.Context, req manage.GetScriptListRequest) (manage.ScriptPage, error) {
	l, err := s.bizLibrary(req.ScopeRef)
	if err != nil {
		return manage.ScriptPage{}, err
	}
	return l.list(ctx, req.ScriptListFilter)
}

// GetScriptVersionList implements manage.Scripts.
func (s *Service) GetScriptVersionList(ctx context.Context, req manage.GetScriptVersionListRequest) (manage.ScriptVersionPage, error) {
	l, err := s.bizLibrary(req.ScopeRef)
	if err != nil {
		return manage.ScriptVersionPage{}, err
	}
	return l.versions(ctx, req.VersionListFilter)
}

// GetScriptVersionDetail implements manage.Scripts.
func (s *Service) GetScriptVersionDetail(ctx context.Context, req manage.GetScriptVersionDetailRequest) (manage.ScriptVersion, error) {
	l, err := s.bizLibrary(req.ScopeRef)
	if err != nil {
		return manage.ScriptVersion{}, err
	}
	return l.detail(ctx, req.VersionLookup)
}

// CreateScript implements manage.Scripts.
func (s *Service) CreateScript(ctx context.Context, req manage.CreateScriptRequest) (manage.ScriptVersion, error) {
	l, err := s.bizLibrary(req.ScopeRef)
	if err != nil {
		return manage.ScriptVersion{}, err
	}
	return l.create(ctx, req.Operator, req.NewScript)
}

// CreateScriptVersion implements manage.Scripts.
func (s *Service) CreateScriptVersion(ctx context.Context, req manage.CreateScriptVersionRequest) (manage.ScriptVersion, error) {
	l, err := s.bizLibrary(req.ScopeRef)
	if err != nil {
		return manage.ScriptVersion{}, err
	}
	return l.addVersion(ctx, req.Operator, req.NewVersion)
}

// UpdateScriptBasic implements manage.Scripts.
func (s *Service) UpdateScriptBasic(ctx context.Context, req manage.UpdateScriptBasicRequest) (manage.Script, error) {
	l, err := s.bizLibrary(req.ScopeRef)
	if err != nil {
		return manage.Script{}, err
	}
	return l.updateBasic(ctx, req.Operator, req.ScriptBasic)
}

// UpdateScriptVersion implements manage.Scripts.
func (s *Service) UpdateScriptVersion(ctx context.Context, req manage.UpdateScriptVersionRequest) (manage.ScriptVersion, error) {
	l, err := s.bizLibrary(req.ScopeRef)
	if err != nil {
		return manage.ScriptVersion{}, err
	}
	return l.updateVersion(ctx, req.Operator, req.VersionContent)
}

// PublishScriptVersion implements manage.Scripts.
func (s *Service) PublishScriptVersion(ctx context.Context, req manage.ScriptVersionRequest) (manage.ScriptVersionState, error) {
	l, err := s.bizLibrary(req.ScopeRef)
	if err != nil {
		return manage.ScriptVersionState{}, err
	}
	return l.publish(ctx, req.Operator, req.VersionRef)
}

// DisableScriptVersion implements manage.Scripts.
func (s *Service) DisableScriptVersion(ctx context.Context, req manage.ScriptVersionRequest) (manage.ScriptVersionState, error) {
	l, err := s.bizLibrary(req.ScopeRef)
	if err != nil {
		return manage.ScriptVersionState{}, err
	}
	return l.disable(ctx, req.Operator, req.VersionRef)
}

// DeleteScriptVersion implements manage.Scripts.
func (s *Service) DeleteScriptVersion(ctx context.Context, req manage.ScriptVersionRequest) (*manage.ScriptDeleted, error) {
	l, err := s.bizLibrary(req.ScopeRef)
	if err != nil {
		return nil, err
	}
	return l.deleteVersion(ctx, req.Operator, req.VersionRef)
}

// DeleteScript implements manage.Scripts.
func (s *Service) DeleteScript(ctx context.Context, req manage.DeleteScriptRequest) (*manage.ScriptDeleted, error) {
	l, err := s.bizLibrary(req.ScopeRef)
	if err != nil {
		return nil, err
	}
	return l.deleteScript(ctx, req.Operator, req.ScriptID)
}

// The public endpoints (manage.PublicScripts): the public library. Who
// may write is the contract's admin marker, checked at the door.

// GetPublicScriptList implements manage.PublicScripts.
func (s *Service) GetPublicScriptList(ctx context.Context, req manage.GetPublicScriptListRequest) (manage.ScriptPage, error) {
	return s.publicLibrary().list(ctx, req.ScriptListFilter)
}

// GetPublicScriptVersionList implements manage.PublicScripts.
func (s *Service) GetPublicScriptVersionList(ctx context.Context, req manage.GetPublicScriptVersionListRequest) (manage.ScriptVersionPage, error) {
	return s.publicLibrary().versions(ctx, req.VersionListFilter)
}

// GetPublicScriptVersionDetail implements manage.PublicScripts.
func (s *Service) GetPublicScriptVersionDetail(ctx context.Context, req manage.GetPublicScriptVersionDetailRequest) (manage.ScriptVersion, error) {
	return s.publicLibrary().detail(ctx, req.VersionLookup)
}

// CreatePublicScript implements manage.PublicScripts.
func (s *Service) CreatePublicScript(ctx context.Context, req manage.CreatePublicScriptRequest) (manage.ScriptVersion, error) {
	return s.publicLibrary().create(ctx, req.Operator, req.NewScript)
}

// CreatePublicScriptVersion implements manage.PublicScripts.
func (s *Service) CreatePublicScriptVersion(ctx context.Context, req manage.CreatePublicScriptVersionRequest) (manage.ScriptVersion, error) {
	return s.publicLibrary().addVersion(ctx, req.Operator, req.NewVersion)
}

// UpdatePublicScriptBasic implements manage.PublicScripts.
func (s *Service) UpdatePublicScriptBasic(ctx context.Context, req manage.UpdatePublicScriptBasicRequest) (manage.Script, error) {
	return s.publicLibrary().updateBasic(ctx, req.Operator, req.ScriptBasic)
}

// UpdatePublicScriptVersion implements manage.PublicScripts.
func (s *Service) UpdatePublicScriptVersion(ctx context.Context, req manage.UpdatePublicScriptVersionRequest) (manage.ScriptVersion, error) {
	return s.publicLibrary().updateVersion(ctx, req.Operator, req.VersionContent)
}

// PublishPublicScriptVersion implements manage.PublicScripts.
func (s *Service) PublishPublicScriptVersion(ctx context.Context, req manage.PublicScriptVersionRequest) (manage.ScriptVersionState, error) {
	return s.publicLibrary().publish(ctx, req.Operator, req.VersionRef)
}

// DisablePublicScriptVersion implements manage.PublicScripts.
func (s *Service) DisablePublicScriptVersion(ctx context.Context, req manage.PublicScriptVersionRequest) (manage.ScriptVersionState, error) {
	return s.publicLibrary().disable(ctx, req.Operator, req.VersionRef)
}

// DeletePublicScriptVersion implements manage.PublicScripts.
func (s *Service) DeletePublicScriptVersion(ctx context.Context, req manage.PublicScriptVersionRequest) (*manage.ScriptDeleted, error) {
	return s.publicLibrary().deleteVersion(ctx, req.Operator, req.VersionRef)
}

// DeletePublicScript implements manage.PublicScripts.
func (s *Service) DeletePublicScript(ctx context.Context, req manage.DeletePublicScriptRequest) (*manage.ScriptDeleted, error) {
	return s.publicLibrary().deleteScript(ctx, req.Operator, req.ScriptID)
}
