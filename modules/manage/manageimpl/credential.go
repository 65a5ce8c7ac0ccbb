package manageimpl

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/bkjob/bkjob/modules/manage"
	"github.com/bkjob/bkjob/platform/errs"
)

// CreateCredential implements manage.Credentials.
func (s *Service) CreateCredential(ctx context.Context, req manage.CreateCredentialRequest) (manage.CredentialRef, error) {
	if req.BizID <= 0 {
		return manage.CredentialRef{}, errs.Required("bk_scope_id")
	}
	name, err := checkName(req.Name)
	if err != nil {
		return manage.CredentialRef{}, err
	}
	t, err := parseType(req.Type)
	if err != nil {
		return manage.CredentialRef{}, err
	}
	if err := checkDescription(req.Description); err != nil {
		return manage.CredentialRef{}, err
	}
	values, err := typeValues(t, req.CredentialValues)
	if err != nil {
		return manage.CredentialRef{}, err
	}
	sealed, err := s.seal(values)
	if err != nil {
		return manage.CredentialRef{}, err
	}
	id, err := manage.NewCredentialID()
	if err != nil {
		return manage.CredentialRef{}, err
	}
	now := time.Now().UTC()
	row := credential{ID: string(id), BizID: req.BizID, Name: name, Type: t, Description: req.Description, Value: sealed,
		Creator: req.Operator, LastModifyUser: req.Operator, CreatedAt: now, UpdatedAt: now}
	if err := s.cs.insertCredential(ctx, &row); err != nil {
		return manage.CredentialRef{}, nameErr(err, req.BizID, name)
	}
	s.log.Info("credential created", "credential_id", row.ID, "biz_id", row.BizID,
		"type", manage.CredentialTypeName(t), "operator", req.Operator)
	return manage.CredentialRef{ID: id, Name: row.Name}, nil
}

// UpdateCredential implements manage.Credentials.
func (s *Service) UpdateCredential(ctx context.Context, req manage.UpdateCredentialRequest) (manage.CredentialRef, error) {
	if req.BizID <= 0 {
		return manage.CredentialRef{}, errs.Required("bk_scope_id")
	}
	row, err := s.credential(ctx, req.BizID, req.ID)
	if err != nil {
		return manage.CredentialRef{}, err
	}
	set := map[string]any{"last_modify_user": req.Operator, "updated_at": time.Now().UTC()}
	if req.Name != "" {
		name, err := checkName(req.Name)
		if err != nil {
			return manage.CredentialRef{}, err
		}
		set["name"], row.Name = name, name
	}
	if req.Description != nil {
		if err := checkDescription(*req.Description); err != nil {
			return manage.CredentialRef{}, err
		}
		set["description"] = *req.Description
	}
	if req.Type != "" || !req.CredentialValues.Empty() {
		t := row.Type
		if req.Type != "" {
			if t, err = parseType(req.Type); err != nil {
				return manage.CredentialRef{}, err
			}
		}
		values, err := typeValues(t, req.CredentialValues)
		if err != nil {
			return manage.CredentialRef{}, err
		}
		sealed, err := s.seal(values)
		if err != nil {
			return manage.CredentialRef{}, err
		}
		set["type"], set["value"] = t, sealed
	}
	if err := s.cs.updateCredential(ctx, req.BizID, row.ID, set); err != nil {
		if isNoRow(err) {
			return manage.CredentialRef{}, notFound(req.BizID, row.ID)
		}
		return manage.CredentialRef{}, nameErr(err, req.BizID, row.Name)
	}
	s.log.Info("credential updated", "credential_id", row.ID, "biz_id", row.BizID,
		"secrets_replaced", set["value"] != nil, "operator", req.Operator)
	return manage.CredentialRef{ID: manage.CredentialID(row.ID), Name: row.Name}, nil
}

// GetCredential implements manage.Credentials: metadata, values masked.
func (s *Service) GetCredential(ctx context.Context, req manage.GetCredentialRequest) (manage.Credential, error) {
	if req.BizID <= 0 {
		return manage.Credential{}, errs.Required("bk_scope_id")
	}
	row, err := s.credential(ctx, req.BizID, req.ID)
	if err != nil {
		return manage.Credential{}, err
	}
	return manage.Credential{
		ScopeType: req.ScopeType, ScopeID: req.ScopeID, ID: manage.CredentialID(row.ID), Name: row.Name,
		Type: manage.CredentialTypeName(row.Type), Description: row.Description, Creator: row.Creator,
		CreateTime: row.CreatedAt.UnixMilli(), LastModifyUser: row.LastModifyUser, LastModifyTime: row.UpdatedAt.UnixMilli(),
	}, nil
}

// SSHCredential implements manage.Credentials for the gse role.
func (s *Service) SSHCredential(ctx context.Context, id manage.CredentialID) (manage.SSHCredential, error) {
	id, err := manage.ParseCredentialID("credential_id", id)
	if err != nil {
		return manage.SSHCredential{}, err
	}
	row, err := s.cs.credentialAnyBiz(ctx, string(id))
	if isNoRow(err) {
		return manage.SSHCredential{}, manage.ErrCredentialNotFound.Withf("credential %s does not exist", id).OnField("credential_id")
	}
	if err != nil {
		return manage.SSHCredential{}, fmt.Errorf("find credential %s: %w", id, err)
	}
	values, err := s.open(row)
	if err != nil {
		return manage.SSHCredential{}, err
	}
	return sshLogin(row, values)
}

// credential loads credential id of bizID, or ErrCredentialNotFound on "id".
func (s *Service) credential(ctx context.Context, bizID int64, raw manage.CredentialID) (credential, error) {
	id, err := manage.ParseCredentialID("id", raw)
	if err != nil {
		return credential{}, err
	}
	row, err := s.cs.credentialByID(ctx, bizID, string(id))
	if isNoRow(err) {
		return credential{}, notFound(bizID, string(id))
	}
	if err != nil {
		return credential{}, fmt.Errorf("find credential %s: %w", id, err)
	}
	return row, nil
}

func notFound(bizID int64, id string) error {
	return manage.ErrCredentialNotFound.Withf("no credential %s in business %d", id, bizID).OnField("id")
}

// nameErr turns the store's errNameTaken into ErrCredentialNameExists on
// "name"; other errors pass unchanged.
func nameErr(err error, bizID int64, name string) error {
	if errors.Is(err, errNameTaken) {
		return manage.ErrCredentialNameExists.Withf(
			"business %d already has a credential named %q; choose another name", bizID, name).OnField("name")
	}
	return err
}
